// What the user hands over — a drop (files and whole folders), a file or
// folder picker, a paste — becomes one flat list of files with their paths
// inside the dropped folder. Folders are walked here, bounded, because a
// dropped home directory must not freeze the page.
export interface DroppedFile {
  file: File;
  /** Path relative to what was dropped: `model/model-00001-of-00002.safetensors`, or just the name. */
  path: string;
}

/** Files taken from one drop; a folder with more is cut here and the user told. */
export const MAX_DROPPED_FILES = 10_000;
/** Folder nesting followed; model folders are shallow, symlink loops are not. */
export const MAX_FOLDER_DEPTH = 32;

export interface Collected {
  files: DroppedFile[];
  /** Why some of what was dropped was left out, in words. */
  skipped: string[];
}

/** Files of a picker (`webkitdirectory` gives relative paths) or a paste. */
export function fromFileList(list: Iterable<File>): Collected {
  const files: DroppedFile[] = [];
  const skipped: string[] = [];
  for (const file of list) {
    if (files.length >= MAX_DROPPED_FILES) {
      skipped.push(`only the first ${MAX_DROPPED_FILES.toLocaleString()} files were taken`);
      break;
    }
    files.push({ file, path: file.webkitRelativePath || file.name });
  }
  return { files, skipped };
}

/** A drop: items may be folders, which are walked (entries API). */
export async function fromDataTransfer(transfer: DataTransfer): Promise<Collected> {
  // Entries must be taken synchronously, before the first await: the list is emptied after the event.
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of [...transfer.items]) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const file = item.getAsFile();
      if (file) loose.push(file);
    }
  }
  if (!entries.length && !loose.length) return fromFileList(transfer.files);
  const out: Collected = fromFileList(loose);
  for (const entry of entries) await walk(entry, '', 0, out);
  return out;
}

async function walk(entry: FileSystemEntry, prefix: string, depth: number, out: Collected): Promise<void> {
  if (out.files.length >= MAX_DROPPED_FILES) {
    if (!out.skipped.some((s) => s.startsWith('only the first'))) out.skipped.push(`only the first ${MAX_DROPPED_FILES.toLocaleString()} files were taken`);
    return;
  }
  const path = prefix + entry.name;
  if (entry.isFile) {
    try {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.files.push({ file, path });
    } catch (error) {
      out.skipped.push(`${path}: could not be read (${(error as DOMException).message || 'no permission'})`);
    }
    return;
  }
  if (!entry.isDirectory) return;
  if (depth >= MAX_FOLDER_DEPTH) {
    out.skipped.push(`${path}: folders nested deeper than ${MAX_FOLDER_DEPTH} levels were not opened`);
    return;
  }
  for (const child of await readAllEntries(entry as FileSystemDirectoryEntry)) await walk(child, `${path}/`, depth + 1, out);
}

/** readEntries hands out a folder in batches (100 in Chromium) until it returns none. */
async function readAllEntries(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject)).catch(() => []);
    if (!batch.length) return all;
    all.push(...batch);
    if (all.length > MAX_DROPPED_FILES) return all;
  }
}
