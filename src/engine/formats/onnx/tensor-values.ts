// The first values of one ONNX tensor, on request only (the graph viewer's
// "show values"): read at that moment from raw_data in the model, a typed field
// (float_data, int32_data …) of its TensorProto, or its external data file
// beside the model, never more than MAX_VALUE_BYTES, decoded per dtype.
import type { ByteSource } from '../../byte-source.js';
import { MalformedError } from '../../errors.js';
import type { Siblings } from '../../siblings.js';
import { WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from '../../containers/protobuf-fields.js';
import { DATA_FIELD_NAMES, DTYPES, dtypeName } from './dtypes.js';
import { parseExternalEntries, unsafeLocation } from './external-data.js';
import { fieldsOf, packedVarints, readMessagePrefix } from './message-bytes.js';
import type { OnnxTensor } from './model.js';
import { elementCount } from './tensors.js';
import { bfloat16, float16 } from '../../half-floats.js';

/** Values decoded and shown per request: a first look, not a dump. */
export const MAX_VALUES_SHOWN = 100;
/** Bytes read from the file per request (a raw prefix, or the TensorProto's first bytes for typed fields). */
export const MAX_VALUE_BYTES = 64 * 1024;
/** Characters of one string element shown. */
const MAX_STRING_SHOWN = 80;

export interface TensorValues {
  dtype: string;
  dims: number[];
  /** Elements in the tensor (null when its shape cannot tell). */
  total: number | null;
  /** The first values as text, in storage order. */
  values: string[];
  /** Where they were read: `raw_data`, `float_data` …, `external FILE`, `none`. */
  storage: string;
  bytesRead: number;
}

const RAW_DATA = 9;
const TYPED_FIELDS = new Set([4, 5, 6, 7, 10, 11]);

/** Reads and decodes the first `max` values of `tensor` (`source` is the model file). */
export async function readTensorValues(source: ByteSource, tensor: OnnxTensor, siblings: Siblings, max = MAX_VALUES_SHOWN): Promise<TensorValues> {
  const count = Math.max(0, Math.min(max, MAX_VALUES_SHOWN));
  const total = elementCount(tensor);
  const want = total === null ? count : Math.min(count, total);
  const base = { dtype: dtypeName(tensor.dataType), dims: tensor.dims, total };
  const dtype = DTYPES.get(tensor.dataType);
  if (!dtype) throw new MalformedError(`tensor ${JSON.stringify(tensor.name)} has data type ${tensor.dataType}, which ONNX does not define: its values cannot be decoded`, { tensor: tensor.name });
  const rawBytes = dtype.bits ? Math.min(MAX_VALUE_BYTES, Math.ceil((want * dtype.bits) / 8)) : 0;

  if (tensor.dataLocation === 1) {
    const parsed = parseExternalEntries(tensor);
    if (parsed.problem || !parsed.location) throw new MalformedError(`tensor ${JSON.stringify(tensor.name)}'s external data ${parsed.problem ?? 'has no location'}`, { tensor: tensor.name });
    const unsafe = unsafeLocation(parsed.location);
    if (unsafe) throw new MalformedError(`external data location ${JSON.stringify(parsed.location)} ${unsafe}: not opened`, { tensor: tensor.name });
    if (parsed.location.includes('/')) throw new MalformedError(`external data file ${JSON.stringify(parsed.location)} is in a subfolder, which is not offered beside the model`, { tensor: tensor.name });
    const file = await siblings.open(parsed.location);
    if (!file) throw new MalformedError(`external data file ${JSON.stringify(parsed.location)} is not beside the model`, { tensor: tensor.name });
    if (dtype.bits === 0) throw new MalformedError(`STRING tensors cannot be stored as external data`, { tensor: tensor.name });
    const end = parsed.length === null ? file.size : parsed.offset + parsed.length;
    if (parsed.offset > file.size || end > file.size) throw new MalformedError(`tensor ${JSON.stringify(tensor.name)} reads bytes ${parsed.offset}–${end} of ${JSON.stringify(parsed.location)}, which has ${file.size} bytes`, { tensor: tensor.name });
    const bytes = await file.read(parsed.offset, Math.min(rawBytes, end - parsed.offset));
    return { ...base, values: decodeRaw(tensor.dataType, bytes, want), storage: `external ${parsed.location}`, bytesRead: bytes.length };
  }

  const raw = tensor.data.find((d) => d.field === RAW_DATA);
  if (raw) {
    if (dtype.bits === 0) throw new MalformedError(`a STRING tensor cannot hold raw_data`, { tensor: tensor.name });
    const bytes = await source.read(raw.offset, Math.min(rawBytes, raw.bytes));
    return { ...base, values: decodeRaw(tensor.dataType, bytes, want), storage: 'raw_data', bytesRead: bytes.length };
  }
  const typed = tensor.data.find((d) => TYPED_FIELDS.has(d.field));
  if (!typed) return { ...base, values: [], storage: 'none', bytesRead: 0 };
  const message = await readMessagePrefix(source, tensor.offset, MAX_VALUE_BYTES);
  const values = decodeTyped(tensor.dataType, message.bytes, want);
  return { ...base, values, storage: DATA_FIELD_NAMES[typed.field] ?? `field ${typed.field}`, bytesRead: message.bytes.length };
}

// ---- element formats ----

/**
 * Shortest decimal text that reads back as `x` in a binary float format with
 * `mantissa` stored bits and smallest normal exponent `minExponent`: within
 * half a unit in the last place of the format, not of a double.
 */
export function floatText(x: number, mantissa: number, minExponent: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Object.is(x, -0)) return '-0';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x); // whole numbers exactly (65504, not 65500)
  const exponent = Math.max(Math.floor(Math.log2(Math.abs(x))), minExponent);
  const halfUlp = 2 ** (exponent - mantissa - 1);
  for (let p = 1; p < 17; p++) {
    const text = x.toPrecision(p);
    if (Math.abs(Number(text) - x) < halfUlp) return String(Number(text));
  }
  return String(x);
}

export const float32Text = (x: number) => floatText(x, 23, -126);
const float16Text = (x: number) => floatText(x, 10, -14);
const bfloat16Text = (x: number) => floatText(x, 7, -126);

const doubleText = (x: number) => (Object.is(x, -0) ? '-0' : String(x));


/**
 * A small float (float8 / float4 variants): `e` exponent and `m` mantissa bits.
 * `fn`: no infinities, NaN only when every exponent and mantissa bit is set (E4M3FN);
 * `uz`: no negative zero, 0x80 is the one NaN (the FNUZ types); neither: IEEE-like (E5M2).
 */
function smallFloat(b: number, e: number, m: number, bias: number, kind: 'ieee' | 'fn' | 'uz' | 'none'): number {
  const width = 1 + e + m;
  const signBit = 1 << (width - 1);
  if (kind === 'uz' && b === signBit) return NaN;
  const sign = b & signBit ? -1 : 1;
  const exponent = (b >> m) & ((1 << e) - 1);
  const fraction = b & ((1 << m) - 1);
  const top = (1 << e) - 1;
  if (kind === 'ieee' && exponent === top) return fraction ? NaN : sign * Infinity;
  if (kind === 'fn' && exponent === top && fraction === (1 << m) - 1) return NaN;
  if (exponent === 0) return sign * 2 ** (1 - bias) * (fraction / (1 << m));
  return sign * 2 ** (exponent - bias) * (1 + fraction / (1 << m));
}

/** One byte (or less) of a small float type, as a number. */
function smallFloatOf(dataType: number, b: number): number {
  switch (dataType) {
    case 17: return smallFloat(b, 4, 3, 7, 'fn'); // FLOAT8E4M3FN
    case 18: return smallFloat(b, 4, 3, 8, 'uz'); // FLOAT8E4M3FNUZ
    case 19: return smallFloat(b, 5, 2, 15, 'ieee'); // FLOAT8E5M2
    case 20: return smallFloat(b, 5, 2, 16, 'uz'); // FLOAT8E5M2FNUZ
    case 23: return smallFloat(b & 0xf, 2, 1, 1, 'none'); // FLOAT4E2M1
    case 24: return b === 0xff ? NaN : 2 ** (b - 127); // FLOAT8E8M0
  }
  return NaN;
}

/** Elements of `dataType` from little-endian raw bytes (raw_data and external data). */
export function decodeRaw(dataType: number, bytes: Uint8Array, max: number): string[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  const each = (size: number, read: (at: number) => string) => {
    for (let at = 0; at + size <= bytes.length && out.length < max; at += size) out.push(read(at));
  };
  switch (dataType) {
    case 1: each(4, (i) => float32Text(v.getFloat32(i, true))); break;
    case 2: each(1, (i) => String(v.getUint8(i))); break;
    case 3: each(1, (i) => String(v.getInt8(i))); break;
    case 4: each(2, (i) => String(v.getUint16(i, true))); break;
    case 5: each(2, (i) => String(v.getInt16(i, true))); break;
    case 6: each(4, (i) => String(v.getInt32(i, true))); break;
    case 7: each(8, (i) => String(v.getBigInt64(i, true))); break;
    case 9: each(1, (i) => (v.getUint8(i) ? 'true' : 'false')); break;
    case 10: each(2, (i) => float16Text(float16(v.getUint16(i, true)))); break;
    case 11: each(8, (i) => doubleText(v.getFloat64(i, true))); break;
    case 12: each(4, (i) => String(v.getUint32(i, true))); break;
    case 13: each(8, (i) => String(v.getBigUint64(i, true))); break;
    case 14: each(8, (i) => complexText(float32Text(v.getFloat32(i, true)), float32Text(v.getFloat32(i + 4, true)))); break;
    case 15: each(16, (i) => complexText(doubleText(v.getFloat64(i, true)), doubleText(v.getFloat64(i + 8, true)))); break;
    case 16: each(2, (i) => bfloat16Text(bfloat16(v.getUint16(i, true)))); break;
    case 17: case 18: case 19: case 20: case 24: each(1, (i) => float32Text(smallFloatOf(dataType, v.getUint8(i)))); break;
    case 21: case 22: case 23: case 25: case 26: {
      // sub-byte types: the lowest bits hold the first element
      const bits = dataType >= 25 ? 2 : 4;
      for (let i = 0; i < bytes.length && out.length < max; i++) {
        for (let k = 0; k < 8 / bits && out.length < max; k++) out.push(subByteText(dataType, (bytes[i]! >> (k * bits)) & ((1 << bits) - 1), bits));
      }
      break;
    }
  }
  return out;
}

function subByteText(dataType: number, x: number, bits: number): string {
  if (dataType === 23) return float32Text(smallFloatOf(23, x));
  const signed = dataType === 22 || dataType === 26;
  return String(signed && x >= 1 << (bits - 1) ? x - (1 << bits) : x);
}

const complexText = (re: string, im: string) => `${re}${im.startsWith('-') ? '' : '+'}${im}i`;

/** Elements from the typed fields of a TensorProto's payload (prefix): packed or one field each. */
export function decodeTyped(dataType: number, message: Uint8Array, max: number): string[] {
  const out: string[] = [];
  const v = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const complex = dataType === 14 || dataType === 15;
  let pendingReal: string | undefined;
  const push = (text: string) => {
    if (complex) {
      if (pendingReal === undefined) pendingReal = text;
      else {
        out.push(complexText(pendingReal, text));
        pendingReal = undefined;
      }
    } else out.push(text);
  };
  const fromInt32 = (x: bigint): string[] => {
    const n = Number(BigInt.asIntN(32, x));
    switch (dataType) {
      case 9: return [n ? 'true' : 'false'];
      case 10: return [float16Text(float16(n & 0xffff))];
      case 16: return [bfloat16Text(bfloat16(n & 0xffff))];
      case 2: case 4: return [String(n >>> 0)];
      case 17: case 18: case 19: case 20: case 24: return [float32Text(smallFloatOf(dataType, n & 0xff))];
      case 21: case 22: case 23: case 25: case 26: return decodeRaw(dataType, Uint8Array.of(n & 0xff), 8);
      default: return [String(n)];
    }
  };
  for (const f of fieldsOf(message)) {
    if (out.length >= max) break;
    const end = Math.min(f.at + f.size, message.length);
    switch (f.field) {
      case 4: case 10: { // float_data, double_data
        const size = f.field === 4 ? 4 : 8;
        const read = (at: number) => (size === 4 ? float32Text(v.getFloat32(at, true)) : doubleText(v.getFloat64(at, true)));
        if (f.wire === WIRE_LEN) for (let at = f.at; at + size <= end && out.length < max; at += size) push(read(at));
        else if ((f.wire === WIRE_I32 && size === 4) || (f.wire === WIRE_I64 && size === 8)) push(read(f.at));
        break;
      }
      case 5: case 7: case 11: { // int32_data, int64_data, uint64_data
        const text = (x: bigint) => (f.field === 5 ? fromInt32(x) : [String(f.field === 7 ? BigInt.asIntN(64, x) : x)]);
        const list = f.wire === WIRE_VARINT ? [f.varint!] : f.wire === WIRE_LEN ? packedVarints(message, f.at, f.size) : [];
        for (const x of list) {
          for (const t of text(x)) if (out.length < max) out.push(t);
          if (out.length >= max) break;
        }
        break;
      }
      case 6: // string_data
        if (f.wire === WIRE_LEN && f.at + f.size <= message.length) out.push(stringText(message.subarray(f.at, f.at + f.size)));
        break;
    }
  }
  return out.slice(0, max);
}

const utf8 = new TextDecoder('utf-8');

/** A string element, quoted; long ones cut with their length. */
export function stringText(bytes: Uint8Array): string {
  const text = utf8.decode(bytes.subarray(0, MAX_STRING_SHOWN * 4));
  return text.length > MAX_STRING_SHOWN ? `${JSON.stringify(text.slice(0, MAX_STRING_SHOWN))}…[${bytes.length} bytes]` : JSON.stringify(text);
}
