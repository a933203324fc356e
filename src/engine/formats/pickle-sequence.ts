// A stream that interleaves pickles with raw binary (legacy torch.save: its
// pickles, then raw storages; the old tar layout's `storages` and `tensors`
// members), read front to back as the loader does: one pickle at a time with
// the pickle engine, fixed-size fields and skipped payloads in between.
import { SliceByteSource, type ByteSource } from '../byte-source.js';
import { view } from '../bytes.js';
import { MalformedError } from '../errors.js';
import { analysePickleStream } from '../pickle/analyse-stream.js';
import type { PyValue } from '../pickle/types.js';
import { STORAGE_TYPES } from '../pickle/tensors.js';
import type { Location } from '../report.js';
import type { AnalysisContext } from './driver.js';

export interface SequencePickle {
  /** What the pickle returns, rendered within the engine's budget (long lists show their first items). */
  value: PyValue | undefined;
  persistentIds: PyValue[];
  persistentIdsDropped: number;
  complete: boolean;
  offset: number;
}

export class PickleSequence {
  /** Offset of the next thing to read. */
  position = 0;

  constructor(
    private readonly ctx: AnalysisContext,
    readonly source: ByteSource,
    /** Tar member holding the stream; absent for a whole file. */
    private readonly member?: string,
  ) {}

  get size(): number {
    return this.source.size;
  }

  get remaining(): number {
    return this.source.size - this.position;
  }

  at(offset: number, length?: number): Location {
    return { ...(this.member !== undefined ? { member: this.member } : {}), offset, ...(length !== undefined ? { length } : {}) };
  }

  /** Analyses the one pickle at the current position and moves past its STOP. */
  async pickle(what: string): Promise<SequencePickle> {
    const offset = this.position;
    if (offset >= this.size) throw new MalformedError(`the stream ends at offset ${offset}, where ${what} (a pickle) belongs`, this.at(offset));
    const result = await analysePickleStream(this.ctx, {
      source: new SliceByteSource(this.source, offset, this.size - offset),
      baseOffset: offset,
      single: true,
      keepPersistentIds: true,
      ...(this.member !== undefined ? { member: this.member } : {}),
    });
    this.position = offset + result.end;
    return { value: result.values[0], persistentIds: result.persistentIds, persistentIdsDropped: result.persistentIdsDropped, complete: result.complete, offset };
  }

  /** Analyses everything from the current position as a pickle stream that may hold several pickles. */
  async rest(): Promise<boolean> {
    const offset = this.position;
    const result = await analysePickleStream(this.ctx, {
      source: new SliceByteSource(this.source, offset, this.size - offset),
      baseOffset: offset,
      ...(this.member !== undefined ? { member: this.member } : {}),
    });
    this.position = this.size;
    return result.complete;
  }

  /** A little-endian integer field of `bytes` bytes (4 or 8), signed as torch writes it. */
  async integer(bytes: 4 | 8, what: string): Promise<number> {
    const offset = this.position;
    const raw = await this.source.read(offset, bytes);
    if (raw.length < bytes) throw new MalformedError(`the stream ends at offset ${offset + raw.length}, inside ${what}`, this.at(offset));
    this.position += bytes;
    if (bytes === 4) return view(raw).getInt32(0, true);
    const value = view(raw).getBigInt64(0, true);
    if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedError(`${what} at offset ${offset} is ${value}: not a size any file can hold`, this.at(offset));
    return Number(value);
  }

  /** Steps over `length` bytes of raw data (a storage), which must lie inside the stream. */
  skip(length: number, what: string): void {
    if (!Number.isSafeInteger(length) || length < 0 || this.position + length > this.size) {
      throw new MalformedError(`${what} at offset ${this.position} declares ${length} bytes, past the end of the stream (${this.remaining} bytes left)`, this.at(this.position));
    }
    this.position += length;
  }
}

/** Element size of a torch storage class (torch.FloatStorage → 4), or undefined when unknown. */
export function storageElementSize(type: PyValue | undefined): number | undefined {
  if (type?.type !== 'global' || !(type.module === 'torch' || type.module === 'torch.cuda')) return undefined;
  return STORAGE_TYPES[type.name]?.[1];
}

export function asInt(value: PyValue | undefined): bigint | undefined {
  return value?.type === 'int' ? value.value : undefined;
}

export function asString(value: PyValue | undefined): string | undefined {
  return value?.type === 'str' && !value.truncated ? value.value : undefined;
}

/** Items of a tuple or list when all are shown, undefined when the rendering cut them short. */
export function itemsOf(value: PyValue | undefined): PyValue[] | undefined {
  if (value?.type !== 'tuple' && value?.type !== 'list') return undefined;
  return value.items.length === value.length ? value.items : undefined;
}
