// One protobuf message read again from the file on request (an attribute's
// lists, a tensor's typed values): its header at the field tag the walk
// recorded, then at most a bounded prefix of its bytes, and its fields decoded
// from that prefix. Fields cut by the bound are left out, never guessed.
import type { ByteSource } from '../../byte-source.js';
import { MalformedError } from '../../errors.js';
import { WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from '../../containers/protobuf-fields.js';

export interface MessagePrefix {
  /** The first bytes of the message's payload (all of it when `cut` is false). */
  bytes: Uint8Array;
  /** File offset of the payload. */
  start: number;
  /** The payload's declared length. */
  length: number;
  cut: boolean;
}

/** A varint at `at`: its value as a bigint (exact for int64) and where the next byte is; null when cut or over-long. */
export function varintAt(bytes: Uint8Array, at: number): { value: bigint; next: number } | null {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    const b = bytes[at + i];
    if (b === undefined) return null;
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) return { value: BigInt.asUintN(64, value), next: at + i + 1 };
  }
  return null;
}

/** Reads the header of the message whose field tag is at `tagOffset`, then up to `maxBytes` of its payload. */
export async function readMessagePrefix(source: ByteSource, tagOffset: number, maxBytes: number): Promise<MessagePrefix> {
  const head = await source.read(tagOffset, 20);
  const tag = varintAt(head, 0);
  const length = tag && (Number(tag.value & 7n) === WIRE_LEN) ? varintAt(head, tag.next) : null;
  if (!tag || !length || length.value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MalformedError(`no length-delimited message header at offset ${tagOffset}: has the file changed since it was scanned?`, { offset: tagOffset });
  }
  const start = tagOffset + length.next;
  const declared = Number(length.value);
  const bytes = await source.read(start, Math.min(declared, maxBytes));
  return { bytes, start, length: declared, cut: bytes.length < declared };
}

export interface Field {
  field: number;
  wire: number;
  /** Varint value (wire 0). */
  varint?: bigint;
  /** Where the value or payload starts in the buffer, and its length (wire 1, 2, 5). */
  at: number;
  size: number;
}

/** The fields wholly inside `bytes`, in order; stops at the first one cut off by the end (or damaged). */
export function* fieldsOf(bytes: Uint8Array): Generator<Field> {
  let at = 0;
  while (at < bytes.length) {
    const tag = varintAt(bytes, at);
    if (!tag || tag.value >> 3n === 0n || tag.value > 0xffffffffn) return;
    const field = Number(tag.value >> 3n);
    const wire = Number(tag.value & 7n);
    if (wire === WIRE_VARINT) {
      const v = varintAt(bytes, tag.next);
      if (!v) return;
      yield { field, wire, varint: v.value, at: tag.next, size: v.next - tag.next };
      at = v.next;
    } else if (wire === WIRE_LEN) {
      const n = varintAt(bytes, tag.next);
      if (!n || n.value > BigInt(bytes.length - n.next)) {
        // a payload running past the prefix: what fits of it is handed over, marked by size past the end
        if (n && n.value <= BigInt(Number.MAX_SAFE_INTEGER)) yield { field, wire, at: n.next, size: Number(n.value) };
        return;
      }
      yield { field, wire, at: n.next, size: Number(n.value) };
      at = n.next + Number(n.value);
    } else if (wire === WIRE_I32 || wire === WIRE_I64) {
      const size = wire === WIRE_I32 ? 4 : 8;
      if (tag.next + size > bytes.length) return;
      yield { field, wire, at: tag.next, size };
      at = tag.next + size;
    } else return;
  }
}

/** The varints of a packed payload that lie wholly inside `bytes`. */
export function* packedVarints(bytes: Uint8Array, at: number, size: number): Generator<bigint> {
  const end = Math.min(at + size, bytes.length);
  let p = at;
  while (p < end) {
    const v = varintAt(bytes.subarray(0, end), p);
    if (!v) return;
    yield v.value;
    p = v.next;
  }
}
