// What a drop, picker or paste hands over (src/intake/dropped-files.ts), bounded:
// at most MAX_DROPPED_FILES files, folders followed MAX_FOLDER_DEPTH deep.
// Node has File but not the entries API, so the folder tree is given as objects
// with the entries API's shape (name, isFile/isDirectory, file(), createReader()).
import { describe, expect, it } from 'vitest';
import { fromDataTransfer, fromFileList, MAX_DROPPED_FILES, MAX_FOLDER_DEPTH } from '../src/intake/dropped-files.js';

type Tree = { [name: string]: Tree | string };

/** A FileSystemEntry tree; readEntries hands children out 100 at a time, as Chromium does. */
function entry(name: string, node: Tree | string): FileSystemEntry {
  if (typeof node === 'string') {
    return { name, isFile: true, isDirectory: false, file: (ok: (f: File) => void) => ok(new File([node], name)) } as unknown as FileSystemEntry;
  }
  const children = Object.entries(node).map(([n, child]) => entry(n, child));
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let at = 0;
      return { readEntries: (ok: (batch: FileSystemEntry[]) => void) => { ok(children.slice(at, at + 100)); at += 100; } };
    },
  } as unknown as FileSystemEntry;
}

function drop(...entries: FileSystemEntry[]): DataTransfer {
  return { items: entries.map((e) => ({ kind: 'file', webkitGetAsEntry: () => e, getAsFile: () => null })), files: [] } as unknown as DataTransfer;
}

/** A folder chain `depth` folders deep with one file at the bottom. */
function chain(depth: number): Tree {
  let node: Tree = { 'model.pt': 'x' };
  for (let i = depth - 1; i >= 1; i--) node = { [`d${i}`]: node };
  return node;
}

describe('dropped files (src/intake/dropped-files.ts)', () => {
  it(`MAX_DROPPED_FILES: a picker's ${MAX_DROPPED_FILES.toLocaleString('en')} files are all taken; one more is cut and said`, () => {
    const files = (n: number) => Array.from({ length: n }, (_, i) => new File(['x'], `f${i}.bin`));
    expect(fromFileList(files(MAX_DROPPED_FILES))).toMatchObject({ skipped: [] });
    const over = fromFileList(files(MAX_DROPPED_FILES + 1));
    expect(over.files).toHaveLength(MAX_DROPPED_FILES);
    expect(over.skipped).toEqual(['only the first 10,000 files were taken']);
  });

  it('MAX_DROPPED_FILES: a dropped folder is cut at the same count, once', async () => {
    const folder: Tree = Object.fromEntries(Array.from({ length: MAX_DROPPED_FILES + 50 }, (_, i) => [`f${i}.bin`, 'x']));
    const out = await fromDataTransfer(drop(entry('big', folder)));
    expect(out.files).toHaveLength(MAX_DROPPED_FILES);
    expect(out.files[0]!.path).toBe('big/f0.bin');
    expect(out.skipped).toEqual(['only the first 10,000 files were taken']);
  });

  it(`MAX_FOLDER_DEPTH: folders ${MAX_FOLDER_DEPTH} deep are walked; one deeper is not opened, and the user is told`, async () => {
    const at = await fromDataTransfer(drop(entry('top', chain(MAX_FOLDER_DEPTH))));
    expect(at.files.map((f) => f.path)).toEqual([`top/${Array.from({ length: MAX_FOLDER_DEPTH - 1 }, (_, i) => `d${i + 1}/`).join('')}model.pt`]);
    expect(at.skipped).toEqual([]);
    const over = await fromDataTransfer(drop(entry('top', chain(MAX_FOLDER_DEPTH + 1))));
    expect(over.files).toEqual([]);
    expect(over.skipped).toHaveLength(1);
    expect(over.skipped[0]).toMatch(/\/d32: folders nested deeper than 32 levels were not opened$/);
  });
});
