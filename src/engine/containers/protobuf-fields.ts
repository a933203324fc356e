// Walks the top-level fields of a protobuf message by their headers alone:
// length-delimited payloads are skipped, never read. Enough to recognise the
// shape of an ONNX ModelProto without touching its weights.
import type { ByteSource } from '../byte-source.js';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export interface FieldHeader {
  field: number;
  wireType: number;
  /** Offset of the field's tag. */
  offset: number;
  /** Value for varints (as a number, capped at 2^53), payload length for LEN fields. */
  value: number;
  /** Offset where the payload (LEN) or value begins. */
  payloadOffset: number;
}

export type WalkResult =
  | { ok: true; fields: FieldHeader[]; complete: boolean }
  | { ok: false; reason: string; offset: number; fields: FieldHeader[] };

/** Bytes fetched per read; field headers are at most 20 bytes. */
const WINDOW = 64 * 1024;

/**
 * Reads field headers from `start` to the end of the source. Stops after
 * `maxFields` (complete: false). Fails on a bad varint, an unknown wire type,
 * field number 0, or a length past the end.
 */
export async function walkFields(source: ByteSource, maxFields: number, start = 0): Promise<WalkResult> {
  const fields: FieldHeader[] = [];
  let windowStart = 0;
  let window: Uint8Array = new Uint8Array(0);
  const byteAt = async (offset: number): Promise<number | undefined> => {
    if (offset < windowStart || offset >= windowStart + window.length) {
      if (offset >= source.size) return undefined;
      windowStart = offset;
      window = await source.read(offset, WINDOW);
    }
    return window[offset - windowStart];
  };
  const varint = async (offset: number): Promise<{ value: number; next: number } | undefined> => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = await byteAt(offset + i);
      if (b === undefined) return undefined;
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return { value: Math.min(value, Number.MAX_SAFE_INTEGER), next: offset + i + 1 };
    }
    return undefined;
  };

  let offset = start;
  while (offset < source.size) {
    if (fields.length >= maxFields) return { ok: true, fields, complete: false };
    const tag = await varint(offset);
    if (!tag) return { ok: false, reason: 'bad field tag', offset, fields };
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (field === 0) return { ok: false, reason: 'field number 0', offset, fields };
    let value = 0;
    let payloadOffset = tag.next;
    let next: number;
    if (wireType === WIRE_VARINT) {
      const v = await varint(tag.next);
      if (!v) return { ok: false, reason: 'bad varint', offset, fields };
      value = v.value;
      next = v.next;
    } else if (wireType === WIRE_LEN) {
      const v = await varint(tag.next);
      if (!v) return { ok: false, reason: 'bad length', offset, fields };
      value = v.value;
      payloadOffset = v.next;
      next = v.next + v.value;
    } else if (wireType === WIRE_I64) {
      next = tag.next + 8;
    } else if (wireType === WIRE_I32) {
      next = tag.next + 4;
    } else {
      return { ok: false, reason: `wire type ${wireType}`, offset, fields };
    }
    if (next > source.size) return { ok: false, reason: 'field runs past the end', offset, fields };
    fields.push({ field, wireType, offset, value, payloadOffset });
    offset = next;
  }
  return { ok: true, fields, complete: true };
}
