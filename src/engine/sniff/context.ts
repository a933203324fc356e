// What sniffers share: the first bytes of the file and, when it is a zip, its
// directory — each read once however many drivers ask.
import type { ByteSource } from '../byte-source.js';
import { findEndOfCentralDirectory, readZipDirectory, startsWithLocalHeader, type ZipDirectory } from '../containers/zip-directory.js';
import type { WeightlensWasm } from '../wasm.js';

/** Bytes every sniffer may look at; enough for any magic number and a pickle prefix. */
export const HEAD_BYTES = 64 * 1024;

export type ZipLook =
  | { kind: 'none' }
  | { kind: 'zip'; directory: ZipDirectory }
  /** Zip signatures are present but the directory cannot be read. */
  | { kind: 'broken'; error: Error };

export class SniffContext {
  /** The file, with reads inside the head served from memory: nothing is read twice. */
  readonly source: ByteSource;
  private headBytes?: Promise<Uint8Array>;
  private zipLook?: Promise<ZipLook>;

  constructor(
    private readonly file: ByteSource,
    readonly wasm: WeightlensWasm,
  ) {
    this.source = new HeadCachedSource(file, () => this.head());
  }

  head(): Promise<Uint8Array> {
    this.headBytes ??= this.file.read(0, Math.min(HEAD_BYTES, this.file.size));
    return this.headBytes;
  }

  zip(): Promise<ZipLook> {
    this.zipLook ??= this.lookForZip();
    return this.zipLook;
  }

  private async lookForZip(): Promise<ZipLook> {
    const eocd = await findEndOfCentralDirectory(this.source);
    if (eocd === undefined) {
      // A local header without an end record: a truncated or damaged zip.
      return (await startsWithLocalHeader(this.source))
        ? { kind: 'broken', error: new Error('zip local header at offset 0 but no end-of-central-directory record (truncated archive?)') }
        : { kind: 'none' };
    }
    try {
      return { kind: 'zip', directory: await readZipDirectory(this.source, eocd) };
    } catch (error) {
      return { kind: 'broken', error: error as Error };
    }
  }
}

/** Serves reads that fall inside the head from the cached head bytes. */
class HeadCachedSource implements ByteSource {
  constructor(
    private readonly file: ByteSource,
    private readonly head: () => Promise<Uint8Array>,
  ) {}

  get name(): string {
    return this.file.name;
  }

  get size(): number {
    return this.file.size;
  }

  get bytesRead(): number {
    return this.file.bytesRead;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= HEAD_BYTES) {
      const head = await this.head();
      if (offset + length <= head.length || head.length === this.file.size) return head.subarray(offset, offset + length);
    }
    return this.file.read(offset, length);
  }
}
