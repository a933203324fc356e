// Expands the command line's paths into regular files: directories
// recursively, symbolic links inside them never followed, special files skipped.
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface InputProblem {
  path: string;
  message: string;
}

export interface WalkResult {
  files: string[];
  /** Inputs that were asked for but could not be listed (missing, unreadable). */
  errors: InputProblem[];
  /** Things deliberately not scanned (symbolic links, devices, sockets). */
  skipped: InputProblem[];
}

export async function collectFiles(paths: readonly string[]): Promise<WalkResult> {
  const result: WalkResult = { files: [], errors: [], skipped: [] };
  for (const path of paths) {
    let info;
    try {
      // A path named on the command line is followed even if it is a link: the user chose it.
      info = await stat(path);
    } catch (error) {
      result.errors.push({ path, message: describeFsError(error) });
      continue;
    }
    if (info.isDirectory()) await walkDirectory(path, result);
    else if (info.isFile()) result.files.push(path);
    else result.skipped.push({ path, message: 'not a regular file' });
  }
  return result;
}

async function walkDirectory(dir: string, result: WalkResult): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    result.errors.push({ path: dir, message: describeFsError(error) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) result.skipped.push({ path, message: 'symbolic link not followed' });
    else if (entry.isDirectory()) await walkDirectory(path, result);
    else if (entry.isFile()) result.files.push(path);
    else if (!(await isFileAfterAll(path))) result.skipped.push({ path, message: 'not a regular file' });
    else result.files.push(path);
  }
}

/** Some file systems report DT_UNKNOWN; ask lstat before skipping. */
async function isFileAfterAll(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch {
    return false;
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message ?? String(error);
}
