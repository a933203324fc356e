// Bounded decompression with the platform's DecompressionStream (browsers and
// Node alike): zip members (raw deflate) and compressed joblib files (zlib,
// gzip). Output is produced only as far as a reader needs it, and never past
// the limits below, whatever the compressed bytes claim.
import type { ByteSource } from '../byte-source.js';
import { CountingByteSource } from '../byte-source.js';
import { LimitError, MalformedError, ReadError } from '../errors.js';
import type { Location, RuleId } from '../report.js';

/**
 * Bytes one stream may inflate to in memory. Pickles inside archives are small
 * (the data.pkl of a 70-billion-parameter checkpoint is about 1 MB); this
 * bounds memory against a zip bomb.
 */
export const MAX_INFLATED_BYTES = 256 * 1024 * 1024;
/**
 * Bytes inflated in one scan, over all members and nested archives: bounds the
 * CPU a file with many bombs (or one bomb referenced by many overlapping members) costs.
 */
export const MAX_INFLATED_TOTAL_BYTES = 1024 * 1024 * 1024;

/** First compressed read: small, so telling what a big member is costs little. */
const FIRST_INPUT_CHUNK = 16 * 1024;
/**
 * Later compressed reads grow to this. Kept small because a decompressor may
 * inflate a whole input chunk before the reader can stop it: deflate's 1032:1
 * ceiling makes that at most ~66 MiB of transient output.
 */
const MAX_INPUT_CHUNK = 64 * 1024;

export type Compression = 'deflate-raw' | 'deflate' | 'gzip';

/** What one scan may still inflate; shared by every stream of the scan. */
export class InflateBudget {
  private used = 0;

  charge(bytes: number, where: Location): void {
    this.used += bytes;
    if (this.used > MAX_INFLATED_TOTAL_BYTES) {
      throw new LimitError('MAX_INFLATED_TOTAL_BYTES', this.used, `more than ${MAX_INFLATED_TOTAL_BYTES} bytes inflated from compressed data in one file`, where);
    }
  }
}

export interface InflateOptions {
  budget: InflateBudget;
  /** Where findings about this stream point (the member). */
  where: Location;
  /** What the stream is, for messages ("member archive/data.pkl"). */
  what: string;
  /** Rule of the error when the compressed data is broken. */
  brokenRule?: RuleId;
}

/**
 * One compressed stream inflating on demand. `fill(n)` inflates until `n` bytes
 * exist (or the stream ends); `bytes` are those produced so far.
 */
export class Inflater {
  /** Output kept as the decompressor hands it over: no buffer regrown and copied as it fills. */
  private readonly chunks: Uint8Array[] = [];
  /** End offset of each chunk in the output. */
  private readonly ends: number[] = [];
  private produced = 0;
  private done = false;
  /** Output existed past MAX_INFLATED_BYTES and was not kept. */
  private capped = false;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** What stopped the compressed input (a failed read), reported instead of the stream's own error. */
  private inputError: unknown;
  private closed = false;

  constructor(
    source: ByteSource,
    start: number,
    length: number,
    format: Compression,
    private readonly options: InflateOptions,
  ) {
    const stream = new DecompressionStream(format);
    this.reader = stream.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    void this.pump(stream.writable.getWriter(), source, start, length);
  }

  /** Feeds the compressed bytes; the writer's backpressure keeps reads in step with what is inflated. */
  private async pump(writer: WritableStreamDefaultWriter<BufferSource>, source: ByteSource, start: number, length: number): Promise<void> {
    try {
      let chunk = FIRST_INPUT_CHUNK;
      for (let at = 0; at < length; ) {
        const bytes = await source.read(start + at, Math.min(chunk, length - at));
        if (bytes.length === 0) throw new MalformedError(`the compressed data of ${this.options.what} ends at byte ${at} of ${length}`, this.options.where, this.options.brokenRule);
        await writer.write(bytes as Uint8Array<ArrayBuffer>);
        at += bytes.length;
        chunk = Math.min(chunk * 2, MAX_INPUT_CHUNK);
      }
      await writer.close();
    } catch (error) {
      // A read failure must reach the consumer, not leave it waiting; a cancelled stream lands here too.
      // The decompressor's own complaint (bad data, "unexpected end of file" on close) is not an input
      // error: the reader sees it too, and step() reports it as broken compressed data.
      const ours = error instanceof MalformedError || error instanceof LimitError || error instanceof ReadError;
      if (!this.closed && ours) this.inputError ??= error;
      await writer.abort(error).catch(() => undefined);
    }
  }

  /** Bytes inflated so far. */
  get length(): number {
    return this.produced;
  }

  /** The output so far, in one piece (a copy when it came in several). */
  get bytes(): Uint8Array {
    return this.copy(0, this.produced);
  }

  /** The stream ended (within the limit): `bytes` is the whole output. */
  get ended(): boolean {
    return this.done;
  }

  /** Output bytes [start, end), which must have been inflated already. */
  copy(start: number, end: number): Uint8Array {
    const out = new Uint8Array(end - start);
    // first chunk ending after `start`
    let lo = 0;
    for (let hi = this.ends.length - 1; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid]! > start) hi = mid;
      else lo = mid + 1;
    }
    for (let i = lo, at = start; at < end; i++) {
      const chunkStart = i === 0 ? 0 : this.ends[i - 1]!;
      const piece = this.chunks[i]!.subarray(at - chunkStart, Math.min(this.ends[i]!, end) - chunkStart);
      out.set(piece, at - start);
      at += piece.length;
    }
    return out;
  }

  /** Inflates until at least `n` bytes exist or the stream ends. */
  async fill(n: number): Promise<void> {
    if (n > MAX_INFLATED_BYTES) throw this.limit(n);
    while (this.produced < n && !this.done) await this.step();
  }

  /** Inflates to the end of the stream; a LimitError when it is longer than MAX_INFLATED_BYTES. */
  async fillAll(): Promise<Uint8Array> {
    while (!this.done) {
      if (this.capped) throw this.limit(this.produced + 1);
      await this.step();
    }
    return this.bytes;
  }

  /** Whether the output is longer than `n` bytes: inflates at most one piece past it. */
  async longerThan(n: number): Promise<boolean> {
    if (n >= MAX_INFLATED_BYTES) {
      await this.fill(MAX_INFLATED_BYTES);
      if (!this.done && !this.capped) await this.step();
      return this.capped || this.produced > n;
    }
    await this.fill(n + 1);
    return this.produced > n;
  }

  close(): void {
    this.closed = true;
    this.reader.cancel().catch(() => undefined);
  }

  private async step(): Promise<void> {
    if (this.capped) return;
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await this.reader.read();
    } catch (error) {
      if (this.inputError !== undefined) throw this.inputError;
      const reason = error instanceof Error ? error.message : String(error);
      throw new MalformedError(`${this.options.what} is not valid compressed data: ${reason}`, this.options.where, this.options.brokenRule);
    }
    if (result.done) {
      this.done = true;
      return;
    }
    const chunk = result.value;
    this.options.budget.charge(chunk.length, this.options.where);
    const kept = Math.min(chunk.length, MAX_INFLATED_BYTES - this.produced);
    if (kept < chunk.length) this.capped = true;
    if (kept > 0) {
      this.chunks.push(kept === chunk.length ? chunk : chunk.subarray(0, kept));
      this.produced += kept;
      this.ends.push(this.produced);
    }
    if (this.capped) this.close();
  }

  private limit(value: number): LimitError {
    return new LimitError('MAX_INFLATED_BYTES', value, `${this.options.what} inflates to more than the ${MAX_INFLATED_BYTES}-byte limit; what lies past it was not checked`, this.options.where);
  }
}

/**
 * A deflated zip member as a ByteSource of its declared size: reads inflate as
 * far as they need, so telling what a member is costs its first kilobytes, and
 * only the members that must be read whole (pickles) are inflated whole.
 * Loaders (miniz, Python's zipfile) read exactly the declared size and refuse a
 * member whose data inflates to more or less; so does this.
 */
export class InflatingByteSource extends CountingByteSource {
  private readonly inflater: Inflater;
  private checkedEnd = false;

  constructor(
    parent: ByteSource,
    start: number,
    compressedSize: number,
    readonly size: number,
    readonly name: string,
    private readonly options: InflateOptions,
  ) {
    super();
    this.inflater = new Inflater(parent, start, compressedSize, 'deflate-raw', options);
  }

  /** Every byte has been inflated and checked against the declared size. */
  get wholeInflated(): boolean {
    return this.checkedEnd;
  }

  protected async fetch(offset: number, length: number): Promise<Uint8Array> {
    const end = offset + length;
    await this.inflater.fill(end);
    if (this.inflater.length < end) {
      throw new MalformedError(`${this.options.what} inflates to ${this.inflater.length} bytes, but the zip directory declares ${this.size}: loaders refuse it`, this.options.where);
    }
    if (end === this.size) await this.checkEnd();
    return this.inflater.copy(offset, end);
  }

  /** A member that inflates past its declared size is a zip bomb's signature, or a crafted disagreement. */
  private async checkEnd(): Promise<void> {
    if (this.checkedEnd) return;
    if (await this.inflater.longerThan(this.size)) {
      throw new MalformedError(`${this.options.what} inflates to more than the ${this.size} bytes the zip directory declares: loaders refuse it`, this.options.where);
    }
    this.checkedEnd = true;
  }

  close(): void {
    this.inflater.close();
  }
}
