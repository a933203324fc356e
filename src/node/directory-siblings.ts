// Siblings for the CLI: the regular files in the scanned file's folder, listed
// only if a format asks, opened on demand and closed together when the scan ends.
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ByteSource } from '../engine/byte-source.js';
import type { Siblings } from '../engine/siblings.js';
import { FileHandleByteSource } from './file-source.js';

export class DirectorySiblings implements Siblings {
  private readonly opened: FileHandleByteSource[] = [];
  private listing?: Promise<readonly string[]>;

  /** The folder of `path`; `path` itself is not its own sibling. */
  constructor(private readonly path: string) {}

  names(): Promise<readonly string[]> {
    this.listing ??= this.list();
    return this.listing;
  }

  private async list(): Promise<readonly string[]> {
    const self = basename(this.path);
    try {
      const entries = await readdir(dirname(this.path), { withFileTypes: true });
      // Regular files only: a symbolic link could lead anywhere on disk.
      return entries.filter((e) => e.isFile() && e.name !== self).map((e) => e.name).sort();
    } catch {
      return []; // an unreadable folder simply has no siblings to offer
    }
  }

  async open(name: string): Promise<ByteSource | undefined> {
    if (!(await this.names()).includes(name)) return undefined;
    try {
      const source = await FileHandleByteSource.open(join(dirname(this.path), name));
      this.opened.push(source);
      return source;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((s) => s.close()));
  }
}
