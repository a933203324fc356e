// Random-access reads over a file that is never loaded whole. Every read is
// counted, so a report can prove how little of a big file it cost.
import { LimitError, ReadError } from './errors.js';

/** Largest single read any parser may ask for; big payloads are skipped, not read. */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

export interface ByteSource {
  /** File name (or path) for messages; never used to decide the format. */
  readonly name: string;
  readonly size: number;
  /** Bytes returned by read() so far. */
  readonly bytesRead: number;
  /**
   * Reads `length` bytes at `offset`; returns fewer only when the file ends first.
   * Throws RangeError for a negative or non-integer request, LimitError past MAX_READ_BYTES.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Shared bounds checking and accounting; subclasses only fetch bytes. */
export abstract class CountingByteSource implements ByteSource {
  bytesRead = 0;
  abstract readonly name: string;
  abstract readonly size: number;

  protected abstract fetch(offset: number, length: number): Promise<Uint8Array>;

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`invalid read of ${length} bytes at ${offset}`);
    }
    if (length > MAX_READ_BYTES) {
      throw new LimitError('MAX_READ_BYTES', length, `a single read of ${length} bytes exceeds the ${MAX_READ_BYTES}-byte limit`, { offset });
    }
    const available = Math.max(0, Math.min(length, this.size - offset));
    if (available === 0) return new Uint8Array(0);
    const bytes = await this.fetch(offset, available);
    this.bytesRead += bytes.length;
    return bytes;
  }
}

/** A File or Blob (browser, or Node's own Blob): each read is a slice, never the whole. */
export class BlobByteSource extends CountingByteSource {
  readonly size: number;
  constructor(
    private readonly blob: Blob,
    readonly name: string = (blob as Partial<File>).name ?? 'blob',
  ) {
    super();
    this.size = blob.size;
  }

  protected async fetch(offset: number, length: number): Promise<Uint8Array> {
    try {
      return new Uint8Array(await this.blob.slice(offset, offset + length).arrayBuffer());
    } catch (cause) {
      throw new ReadError(`could not read ${this.name}: ${String(cause)}`, { cause });
    }
  }
}

/** Bytes already in memory: an inflated archive member, a test fixture. */
export class MemoryByteSource extends CountingByteSource {
  constructor(
    private readonly bytes: Uint8Array,
    readonly name: string,
  ) {
    super();
  }

  get size(): number {
    return this.bytes.length;
  }

  protected async fetch(offset: number, length: number): Promise<Uint8Array> {
    return this.bytes.subarray(offset, offset + length);
  }
}

/**
 * Reads `length` bytes at `offset` even past MAX_READ_BYTES, in pieces; for the
 * few structures allowed to be that large (a 100 MB safetensors header). Throws
 * ReadError when the file ends early (it shrank while being read).
 */
export async function readSpan(source: ByteSource, offset: number, length: number): Promise<Uint8Array> {
  if (length <= MAX_READ_BYTES) {
    const bytes = await source.read(offset, length);
    if (bytes.length < length) throw new ReadError(`${source.name} ended at byte ${offset + bytes.length} while ${length} bytes at ${offset} were read: did the file shrink?`);
    return bytes;
  }
  const out = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const part = await source.read(offset + done, Math.min(MAX_READ_BYTES, length - done));
    if (part.length === 0) throw new ReadError(`${source.name} ended at byte ${offset + done} while ${length} bytes at ${offset} were read: did the file shrink?`);
    out.set(part, done);
    done += part.length;
  }
  return out;
}

/**
 * A window of another source: a stored zip member, the pickle before an
 * appended archive, the data after a .npy header. Reads go through the parent,
 * so they count in the parent's bytesRead (the report's figure) as well as here.
 */
export class SliceByteSource extends CountingByteSource {
  constructor(
    private readonly parent: ByteSource,
    private readonly start: number,
    readonly size: number,
    readonly name: string = parent.name,
  ) {
    super();
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(size) || start < 0 || size < 0) {
      throw new RangeError(`invalid slice of ${size} bytes at ${start}`);
    }
  }

  protected async fetch(offset: number, length: number): Promise<Uint8Array> {
    return this.parent.read(this.start + offset, length);
  }
}

/**
 * Another source with one span of it held in memory: reads inside the span
 * are served from it, the rest go through. A zip of 100,000 small members
 * (a state dict of small tensors) is so read a run of members at a time
 * rather than one read each; what the span cost counts once, in the parent.
 */
export class SpanCachingByteSource extends CountingByteSource {
  private spanStart = 0;
  private span: Uint8Array = new Uint8Array(0);

  constructor(private readonly parent: ByteSource) {
    super();
  }

  get name(): string {
    return this.parent.name;
  }

  get size(): number {
    return this.parent.size;
  }

  covers(offset: number, length: number): boolean {
    return offset >= this.spanStart && offset + length <= this.spanStart + this.span.length;
  }

  /** Reads [offset, offset + length) of the parent and holds it. */
  async hold(offset: number, length: number): Promise<void> {
    this.span = new Uint8Array(0); // the old span is let go before the new one is read
    this.span = await this.parent.read(offset, length);
    this.spanStart = offset;
  }

  protected async fetch(offset: number, length: number): Promise<Uint8Array> {
    if (this.covers(offset, length)) return this.span.subarray(offset - this.spanStart, offset - this.spanStart + length);
    return this.parent.read(offset, length);
  }
}
