// joblib writes each numpy array's bytes straight after the BUILD of its
// NumpyArrayWrapper (joblib/numpy_pickle.py, write_array / read_array): an
// optional padding-length byte and padding, then the raw data; or, for object
// arrays, a whole nested pickle. The stream walker must step over them exactly
// as joblib's unpickler reads them, or array bytes are misread as opcodes.
import type { PyValue } from './types.js';
import { globalName } from './render.js';

export const WRAPPER = 'joblib.numpy_pickle.NumpyArrayWrapper';

export type ArrayLayout =
  | { kind: 'raw'; bytes: bigint; padded: boolean }
  | { kind: 'pickle' }
  | { kind: 'unknown'; why: string };

/** What follows the BUILD of `target` (a described call), or undefined when it is not a wrapper. */
export function arrayLayout(target: PyValue): ArrayLayout | undefined {
  if (target.type !== 'call' || globalName(target.callee) !== WRAPPER) return undefined;
  const state = target.state;
  if (state?.type !== 'dict') return { kind: 'unknown', why: 'the array wrapper has no state dict' };
  const get = (key: string) => state.entries.find(([k]) => k.type === 'str' && k.value === key)?.[1];
  const dtype = get('dtype');
  const shape = get('shape');
  if (dtype?.type !== 'call' || globalName(dtype.callee) !== 'numpy.dtype' || dtype.args[0]?.type !== 'str') {
    return { kind: 'unknown', why: 'the array dtype is not numpy.dtype(<type string>)' };
  }
  const itemSize = itemSizeOf(dtype.args[0].value, dtype.state);
  if (itemSize === 'object') return { kind: 'pickle' };
  if (itemSize === undefined) return { kind: 'unknown', why: `dtype ${JSON.stringify(dtype.args[0].value)} is not one whose size Weightlens knows` };
  if (shape?.type !== 'tuple' || shape.length !== shape.items.length || !shape.items.every((d) => d.type === 'int' && d.value >= 0n)) {
    return { kind: 'unknown', why: 'the array shape is not a tuple of non-negative integers' };
  }
  const count = shape.items.reduce((n, d) => n * (d as { value: bigint }).value, 1n);
  const alignment = get('numpy_array_alignment_bytes');
  return { kind: 'raw', bytes: count * BigInt(itemSize), padded: alignment !== undefined && alignment.type !== 'none' };
}

/**
 * Item size of a numpy dtype as pickled: numpy.dtype(descr, False, True) with a
 * __setstate__ tuple (version, byteorder, subdescr, names, fields, elsize,
 * alignment, flags). `object` when it holds Python objects, so joblib reads a
 * nested pickle instead of raw bytes; undefined when that cannot be decided.
 */
function itemSizeOf(descr: string, state: PyValue | undefined): number | 'object' | undefined {
  const m = /^[<>|=]?([a-zA-Z?])(\d*)$/.exec(descr);
  if (!m) return undefined;
  const [, kind, digits] = m;
  if (kind === 'O') return 'object';
  if (state?.type === 'tuple') {
    const fields = state.items[4];
    const elsize = state.items[5];
    if (fields && fields.type !== 'none') {
      // structured: objects hide in the fields; the flags say so too (NPY_ITEM_HASOBJECT = 1), and both must agree
      const inFields = fieldsHoldObjects(fields);
      const flags = state.items[7];
      if (inFields === undefined || flags?.type !== 'int') return undefined;
      if (inFields !== ((flags.value & 1n) === 1n)) return undefined;
      if (inFields) return 'object';
      return elsize?.type === 'int' && elsize.value > 0n ? Number(elsize.value) : undefined;
    }
    if (elsize?.type === 'int' && elsize.value > 0n) return Number(elsize.value);
  }
  const n = digits ? Number(digits) : 0;
  if (kind === 'U') return n * 4;
  if ('biufcSVmM?'.includes(kind!)) return kind === '?' ? 1 : n || undefined;
  return undefined;
}

/** Whether a structured dtype's fields dict {name: (dtype, offset[, title])} holds objects; undefined if not fully shown. */
function fieldsHoldObjects(fields: PyValue, depth = 0): boolean | undefined {
  if (fields.type !== 'dict' || fields.entries.length !== fields.length || depth > 8) return undefined;
  let any = false;
  for (const [, spec] of fields.entries) {
    const dtype = spec.type === 'tuple' ? spec.items[0] : undefined;
    if (dtype?.type !== 'call' || globalName(dtype.callee) !== 'numpy.dtype' || dtype.args[0]?.type !== 'str') return undefined;
    const size = itemSizeOf(dtype.args[0].value, dtype.state);
    if (size === undefined) return undefined;
    if (size === 'object') any = true;
  }
  return any;
}
