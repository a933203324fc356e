// Files that belong together — shards and their index, an ONNX model and its
// external data, a config.json — live in one folder, so each file is analysed
// with the other files of its folder as its siblings (as the CLI does on disk).
import type { DroppedFile } from './dropped-files.js';

export function folderOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? '' : path.slice(0, cut);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** For each file, the other files of its folder by name (the first of a name wins). */
export function siblingsByFolder(files: readonly DroppedFile[]): Map<DroppedFile, [string, File][]> {
  const folders = new Map<string, DroppedFile[]>();
  for (const f of files) {
    const key = folderOf(f.path);
    let list = folders.get(key);
    if (!list) folders.set(key, (list = []));
    list.push(f);
  }
  const out = new Map<DroppedFile, [string, File][]>();
  for (const list of folders.values()) {
    const byName = new Map<string, File>();
    for (const f of list) if (!byName.has(baseName(f.path))) byName.set(baseName(f.path), f.file);
    for (const f of list) out.set(f, [...byName].filter(([, file]) => file !== f.file));
  }
  return out;
}
