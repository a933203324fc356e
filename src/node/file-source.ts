// ByteSource over a Node file handle: positioned reads, never the whole file.
import { open, type FileHandle } from 'node:fs/promises';
import { CountingByteSource } from '../engine/byte-source.js';
import { ReadError } from '../engine/errors.js';

export class FileHandleByteSource extends CountingByteSource {
  private constructor(
    private readonly handle: FileHandle,
    readonly name: string,
    readonly size: number,
  ) {
    super();
  }

  /** Opens a regular file for reading; the caller must close() it. */
  static async open(path: string): Promise<FileHandleByteSource> {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new ReadError(`${path} is not a regular file`);
      return new FileHandleByteSource(handle, path, stat.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  protected async fetch(offset: number, length: number): Promise<Uint8Array> {
    const buffer = new Uint8Array(length);
    let filled = 0;
    try {
      while (filled < length) {
        const { bytesRead } = await this.handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) break; // the file shrank since we measured it
        filled += bytesRead;
      }
    } catch (cause) {
      throw new ReadError(`could not read ${this.name} at offset ${offset}: ${(cause as Error).message}`, { cause });
    }
    return filled === length ? buffer : buffer.subarray(0, filled);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
