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
  private headBytes?: Promise<Uint8Array>;
  private zipLook?: Promise<ZipLook>;

  constructor(
    readonly source: ByteSource,
    readonly wasm: WeightlensWasm,
  ) {}

  head(): Promise<Uint8Array> {
    this.headBytes ??= this.source.read(0, Math.min(HEAD_BYTES, this.source.size));
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
