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

/** numpy type strings joblib writes (`'f8'`, `'<i4'`, `'U5'`, `'O8'`); state[5] is elsize for flexible types. */
function itemSizeOf(descr: string, state: PyValue | undefined): number | 'object' | undefined {
  const m = /^[<>|=]?([a-zA-Z])(\d*)$/.exec(descr);
  if (!m) return undefined;
  const [, kind, digits] = m;
  if (kind === 'O') return 'object';
  if (state?.type === 'tuple') {
    const fields = state.items[4];
    if (fields && fields.type !== 'none') return undefined; // structured: may hold objects
    const elsize = state.items[5];
    if (elsize?.type === 'int' && elsize.value > 0n) return Number(elsize.value);
  }
  const n = digits ? Number(digits) : 0;
  if (kind === 'U') return n * 4;
  if ('biufcSVmM?'.includes(kind!)) return kind === '?' ? 1 : n || undefined;
  return undefined;
}
