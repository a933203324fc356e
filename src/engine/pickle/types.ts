// The shapes the pickle engine hands to the formats that carry pickles (zip
// checkpoints, legacy torch, npy object arrays, joblib) and to the report.
import type { ByteSource } from '../byte-source.js';

/**
 * A Python value as loading the pickle would build it, rendered symbolically
 * and bounded (long strings cut, big containers show their first items).
 */
export type PyValue =
  | { type: 'none' }
  | { type: 'bool'; value: boolean }
  | { type: 'int'; value: bigint }
  | { type: 'float'; value: number }
  /** `invalidUtf8`: CPython's decoder refuses the bytes (the value shown is a lossy decoding). */
  | { type: 'str'; value: string; truncated?: true; invalidUtf8?: true }
  | { type: 'bytes'; length: number; head: Uint8Array; bytearray?: true }
  | { type: 'tuple' | 'list' | 'set' | 'frozenset'; items: PyValue[]; length: number }
  | { type: 'dict'; entries: Array<[PyValue, PyValue]>; length: number }
  /** An import by constant names (GLOBAL, INST, STACK_GLOBAL of strings), or an EXT code. */
  | { type: 'global'; module: string; name: string; ext?: number; invalidUtf8?: true }
  /** STACK_GLOBAL of operands that are not constant strings: unknowable without running it. */
  | { type: 'dynamic-global'; module: PyValue; name: PyValue }
  | {
      type: 'call';
      callee: PyValue;
      args: PyValue[];
      /** Arguments in all, when more than `args` shows. */
      argsLength?: number;
      kwargs?: PyValue;
      /** The opcode that made the call: REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST. */
      via: string;
      /** The last BUILD applied to the result (__setstate__). */
      state?: PyValue;
      /** SETITEM(S) / APPEND(S) on the result (key null for appends), and how many in all. */
      items?: Array<[PyValue | null, PyValue]>;
      itemCount?: number;
    }
  | { type: 'persid'; id: PyValue }
  | { type: 'buffer' }
  /** Not rendered: nested too deep, or past the rendering budget. */
  | { type: 'elided'; what: string };

export interface PickleStreamInput {
  /** Bytes of the stream; offset 0 is the stream's first byte. */
  source: ByteSource;
  /** Archive member holding the stream (report locations use it). */
  member?: string;
  /** Where byte 0 of `source` sits in the file (or member): added to every reported offset. */
  baseOffset?: number;
  /** 'joblib': each NumpyArrayWrapper BUILD is followed by raw array bytes, skipped by size. */
  layout?: 'plain' | 'joblib';
  /** Only the first pickle (legacy torch reads its pickles one by one); otherwise read on past STOP. */
  single?: boolean;
  /** Return every persistent id (legacy torch sizes its storages from them); otherwise they are only judged and counted. */
  keepPersistentIds?: boolean;
}

export interface PickleStreamResult {
  /** Offset just after the last STOP analysed. */
  end: number;
  /** Pickles that reached STOP. */
  pickles: number;
  /** What each pickle returned, in order. */
  values: PyValue[];
  /** Persistent ids in order of appearance (torch: ('storage', torch.FloatStorage, '0', 'cpu', 12)). */
  persistentIds: PyValue[];
  /** Persistent ids past MAX_PERSISTENT_IDS, not in `persistentIds` (only with keepPersistentIds). */
  persistentIdsDropped: number;
  /** False when part of the stream was left unchecked (a finding says which). */
  complete: boolean;
}
