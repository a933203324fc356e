// GGUF metadata values: the thirteen value types and how one value is read.
// Scalars and short strings are kept; long strings are kept in part (whole for
// chat templates, up to MAX_TEMPLATE_BYTES); arrays keep their length and first
// items, so a 262k-token vocabulary costs a walk, not memory.
import { LimitError, MalformedError } from '../../errors.js';
import { truncated, type HeaderCursor } from './cursor.js';
import { MAX_ARRAY_DEPTH, MAX_ARRAY_LENGTH, MAX_STRING_BYTES, SHOWN_ARRAY_ITEMS } from './limits.js';

export const VALUE_TYPES = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'bool', 'string', 'array', 'uint64', 'int64', 'float64'] as const;
export type ValueTypeName = (typeof VALUE_TYPES)[number];
const STRING = 8;
const ARRAY = 9;
/** Bytes of each fixed-size type (strings and arrays: their length prefix, set per version). */
const FIXED_WIDTH = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];

/** A scalar: numbers past 2^53 (u64/i64) stay bigint. */
export type Scalar = number | bigint | boolean;

export interface GgufString {
  /** The decoded text, or its first `keepBytes` bytes. */
  text: string;
  /** Byte length in the file. */
  bytes: number;
  /** File offset of the first byte of the text. */
  offset: number;
  complete: boolean;
}

export interface GgufArray {
  itemType: ValueTypeName;
  length: number;
  /** The first SHOWN_ARRAY_ITEMS items. */
  items: GgufValue[];
}

export type GgufValue = { type: 'string'; value: GgufString } | { type: 'array'; value: GgufArray } | { type: Exclude<ValueTypeName, 'string' | 'array'>; value: Scalar };

/** A bool byte other than 0 or 1, noted by the caller. */
export interface ValueIssues {
  badBool?: { offset: number; byte: number };
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function typeName(id: number): ValueTypeName | undefined {
  return VALUE_TYPES[id];
}

/** Reads a value type id; unknown ids are malformed (the reader cannot know the value's size). */
export async function readValueType(c: HeaderCursor, what: string): Promise<number> {
  const at = c.offset;
  await c.fill(4, what);
  const id = c.u32();
  if (typeName(id) === undefined) throw new MalformedError(`${what} has value type ${id}, which GGUF does not define (0–12): its size is unknown, so nothing after it can be read`, { offset: at }, 'gguf.invalid-value-type');
  return id;
}

/** Reads a string: length then bytes; keeps up to keepBytes of it. */
export async function readString(c: HeaderCursor, what: string, keepBytes: number): Promise<GgufString> {
  const lengthAt = c.offset;
  if (!c.has(c.sizeWidth)) await c.fill(c.sizeWidth, () => `the length of ${what}`);
  const small = c.smallSize();
  const length = small >= 0 ? small : Number(c.size());
  if (length > c.left) throw truncated(what, lengthAt, length, c.left);
  if (length > MAX_STRING_BYTES) throw new LimitError('MAX_STRING_BYTES', length, `${what} is ${length} bytes long, over the ${MAX_STRING_BYTES}-byte limit (MAX_STRING_BYTES)`, { offset: lengthAt });
  const offset = c.offset;
  const kept = Math.min(length, keepBytes);
  if (!c.has(kept)) await c.fill(kept, what);
  const text = utf8.decode(c.bytes(kept));
  c.skip(length - kept, what);
  return { text, bytes: length, offset, complete: kept === length };
}

/** Reads one value of type `typeId`; `depth` counts the arrays around it. */
export async function readValue(c: HeaderCursor, typeId: number, what: string, keepBytes: number, issues: ValueIssues, depth = 0): Promise<GgufValue> {
  if (typeId === STRING) return { type: 'string', value: await readString(c, what, keepBytes) };
  if (typeId === ARRAY) return { type: 'array', value: await readArray(c, what, keepBytes, issues, depth + 1) };
  const at = c.offset;
  await c.fill(FIXED_WIDTH[typeId]!, what);
  return readScalar(c, typeId, at, issues);
}

function readScalar(c: HeaderCursor, typeId: number, at: number, issues: ValueIssues): GgufValue {
  switch (typeId) {
    case 0: return { type: 'uint8', value: c.u8() };
    case 1: return { type: 'int8', value: c.i8() };
    case 2: return { type: 'uint16', value: c.u16() };
    case 3: return { type: 'int16', value: c.i16() };
    case 4: return { type: 'uint32', value: c.u32() };
    case 5: return { type: 'int32', value: c.i32() };
    case 6: return { type: 'float32', value: c.f32() };
    case 7: {
      const byte = c.u8();
      if (byte > 1 && !issues.badBool) issues.badBool = { offset: at, byte };
      return { type: 'bool', value: byte !== 0 };
    }
    case 10: return { type: 'uint64', value: narrow(c.u64()) };
    case 11: return { type: 'int64', value: narrow(c.i64()) };
    default: return { type: 'float64', value: c.f64() };
  }
}

function narrow(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

async function readArray(c: HeaderCursor, what: string, keepBytes: number, issues: ValueIssues, depth: number): Promise<GgufArray> {
  const at = c.offset;
  if (depth > MAX_ARRAY_DEPTH) throw new LimitError('MAX_ARRAY_DEPTH', depth, `${what} nests arrays ${depth} deep, past the limit of ${MAX_ARRAY_DEPTH} (MAX_ARRAY_DEPTH)`, { offset: at });
  const itemTypeId = await readValueType(c, `the item type of ${what}`);
  const lengthAt = c.offset;
  await c.fill(c.sizeWidth, `the length of ${what}`);
  const declared = c.size();
  // Every item takes at least its fixed width or a length prefix: a count the bytes left cannot hold is checked before any walk.
  const minItem = BigInt(FIXED_WIDTH[itemTypeId] || c.sizeWidth + (itemTypeId === ARRAY ? 4 : 0));
  if (declared * minItem > BigInt(c.left)) throw truncated(`${what} (${declared} items of ${VALUE_TYPES[itemTypeId]})`, lengthAt, declared * minItem, c.left);
  const length = Number(declared);
  if (length > MAX_ARRAY_LENGTH) throw new LimitError('MAX_ARRAY_LENGTH', length, `${what} has ${length} items, over the limit of ${MAX_ARRAY_LENGTH} (MAX_ARRAY_LENGTH)`, { offset: lengthAt });
  const itemType = VALUE_TYPES[itemTypeId]!;
  const items: GgufValue[] = [];
  const fixed = FIXED_WIDTH[itemTypeId]!;
  if (fixed > 0) {
    // Numbers: keep the first few, step over the rest in one move.
    const shown = Math.min(length, SHOWN_ARRAY_ITEMS);
    for (let i = 0; i < shown; i++) items.push(await readValue(c, itemTypeId, what, keepBytes, issues, depth));
    if (itemTypeId === 7) {
      // Bools are checked one by one (a byte other than 0/1 is reported).
      for (let i = shown; i < length; i++) {
        if (!c.has(1)) await c.fill(1, what);
        const byteAt = c.offset;
        const byte = c.u8();
        if (byte > 1 && !issues.badBool) issues.badBool = { offset: byteAt, byte };
      }
    } else {
      c.skip((length - shown) * fixed, what);
    }
    return { itemType, length, items };
  }
  for (let i = 0; i < length; i++) {
    if (itemTypeId === STRING) {
      if (i < SHOWN_ARRAY_ITEMS) {
        items.push({ type: 'string', value: await readString(c, `item ${i} of ${what}`, Math.min(keepBytes, 256)) });
        continue;
      }
      // The hot loop of a vocabulary walk: no awaits while the window holds the item.
      const lengthAt = c.offset;
      if (!c.has(c.sizeWidth)) await c.fill(c.sizeWidth, `the length of item ${i} of ${what}`);
      const small = c.smallSize();
      const n = small >= 0 ? small : Number(c.size());
      if (n > c.left) throw truncated(`item ${i} of ${what}`, lengthAt, n, c.left);
      if (n > MAX_STRING_BYTES) throw new LimitError('MAX_STRING_BYTES', n, `item ${i} of ${what} is ${n} bytes long, over the ${MAX_STRING_BYTES}-byte limit (MAX_STRING_BYTES)`, { offset: lengthAt });
      c.skip(n, what);
    } else {
      const item = await readValue(c, itemTypeId, `item ${i} of ${what}`, keepBytes, issues, depth);
      if (i < SHOWN_ARRAY_ITEMS) items.push(item);
    }
  }
  return { itemType, length, items };
}
