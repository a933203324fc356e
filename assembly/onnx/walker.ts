// A resumable walk over an ONNX ModelProto in protobuf wire format, fed window
// by window like the pickle machine. It reads field headers, checks every
// varint and length against the bytes left in the enclosing message, descends
// into the messages the schema names, hands over strings and small numbers,
// and skips bulk payloads (raw_data, packed tensor data) by length, recording
// where they are. What it sees goes to an event log TypeScript drains; the
// walker knows wire format and schema, nothing about what a model means.
import { INPUT } from "../io";
import {
  schemaOf, M_MODEL, M_GRAPH, M_ATTRIBUTE,
  K_MESSAGE, K_STRING, K_INT, K_INTS, K_FLOAT, K_FLOATS,
  K_BULK_VARINT, K_BULK_F32, K_BULK_F64, K_BULK_BYTES, K_BULK_STRINGS, K_OPAQUE,
} from "./schema";

// Feed results.
export const W_NEED_MORE: i32 = 0;
export const W_DONE: i32 = 1;
/** The event log is nearly full: drain it and feed the same window again. */
export const W_PAUSED: i32 = 2;
/** A varint longer than 10 bytes, or one whose 10th byte overflows 64 bits. */
export const W_BAD_VARINT: i32 = -1;
/** Wire type 3, 4 (groups, never used by ONNX), 6 or 7 (undefined). */
export const W_BAD_WIRE: i32 = -2;
/** A known field with a wire type its schema type cannot have. */
export const W_WRONG_WIRE: i32 = -3;
/** Field number 0, or a tag past 32 bits. */
export const W_BAD_TAG: i32 = -4;
/** A field that runs past the end of the message holding it. */
export const W_PAST_PARENT: i32 = -5;
/** A field that runs past the end of the file. */
export const W_TRUNCATED: i32 = -6;
/** Messages nest deeper than the limit given to onnxWalkBegin. */
export const W_DEPTH: i32 = -7;
/** A packed payload that is not a whole number of elements. */
export const W_BAD_PACKED: i32 = -8;

/** Lengths past 2^53 are refused outright: no file is that big, and offsets stay exact as f64. */
const MAX_SAFE_LENGTH: i64 = 9007199254740991;

const WIRE_VARINT: i32 = 0;
const WIRE_I64: i32 = 1;
const WIRE_LEN: i32 = 2;
const WIRE_I32: i32 = 5;

// Events: six f64 words [type, field, offset, a, b, c]; offsets are file offsets.
export const E_BEGIN: i32 = 1; // offset: tag; a: message type, b: payload offset, c: length
export const E_END: i32 = 2; // offset: end; a: message type
export const E_VARINT: i32 = 3; // a: value (int64 as f64)
export const E_STRING: i32 = 4; // a: payload offset, b: length (the first min(length, cap) bytes are in the window)
export const E_FLOAT: i32 = 5; // a: value
export const E_BULK: i32 = 6; // a: first payload offset, b: payload bytes, c: elements (-1 unknown); field word: field | element kind << 32
export const E_UNKNOWN: i32 = 7; // a: wire type, b: payload offset or value, c: payload length
export const E_DEPTH_SKIP: i32 = 8; // a: payload offset, b: length, c: the graph depth it would have had
// Element kinds of E_BULK.
export const B_VARINT: i32 = 1;
export const B_F32: i32 = 2;
export const B_F64: i32 = 3;
export const B_BYTES: i32 = 4;
export const B_STRINGS: i32 = 5;
export const B_OPAQUE: i32 = 6;
/** Added to the element kind when the elements were written unpacked (one field each). */
export const B_UNPACKED: i32 = 16;

const EVENT_WORDS: i32 = 6;
/** Events per feed before a pause; 196 KB of static memory, so the module stays within its initial 32 pages next to main's JSON scanner. */
const EVENT_CAPACITY: i32 = 4096;
/** Room kept free at the top of each step: a packed list emits up to MAX_INTS_EMITTED events. */
const EVENT_RESERVE: i32 = 320;
/** Packed ints (dims, attribute ints) handed over one by one up to this count; longer lists are counted. */
const MAX_INTS_EMITTED: i32 = 256;
const EVENTS: usize = memory.data(EVENT_CAPACITY * EVENT_WORDS * 8, 16);
let eventCount: i32 = 0;

/** Frames the stack can hold whatever limit is asked for. */
const FRAME_CAP: i32 = 1024;
const frameType = new StaticArray<i32>(FRAME_CAP);
const frameEnd = new StaticArray<i64>(FRAME_CAP);
const frameGraphDepth = new StaticArray<i32>(FRAME_CAP);
let depth: i32 = 0;

let position: i64 = 0;
let streamSize: i64 = 0;
let windowStart: i64 = 0;
let need: i32 = 0;
let maxDepth: i32 = 0;
let maxGraphDepth: i32 = 0;
let stringCap: i64 = 0;

// The failing field, after an error status.
let errorOffset: i64 = 0;
let errorField: i64 = 0;
let errorWire: i32 = 0;

// A run of unpacked bulk elements of one field, reported as one event.
let runField: i64 = 0;
let runKind: i32 = 0;
let runFirst: i64 = 0;
let runBytes: i64 = 0;
let runCount: i64 = 0;

// The varint just read.
let vValue: u64 = 0;
let vLen: i32 = 0;

function emit(type: i32, field: i64, offset: i64, a: f64, b: f64, c: f64): void {
  const e = EVENTS + (<usize>(eventCount * EVENT_WORDS) << 3);
  store<f64>(e, <f64>type);
  store<f64>(e, <f64>field, 8);
  store<f64>(e, <f64>offset, 16);
  store<f64>(e, a, 24);
  store<f64>(e, b, 32);
  store<f64>(e, c, 40);
  eventCount++;
}

/**
 * Starts a walk over a ModelProto of `size` bytes at offset 0. Messages nest at
 * most `maxMessageDepth` deep (an error past it); a graph more than
 * `maxSubgraphDepth` attribute levels down is skipped by length and reported;
 * strings longer than `maxString` bytes hand over only their first bytes.
 */
export function onnxWalkBegin(size: f64, maxMessageDepth: i32, maxSubgraphDepth: i32, maxString: i32): void {
  streamSize = <i64>size;
  position = 0;
  maxDepth = min(max(maxMessageDepth, 1), FRAME_CAP);
  maxGraphDepth = maxSubgraphDepth;
  stringCap = <i64>max(maxString, 1);
  eventCount = 0;
  runCount = 0;
  need = 0;
  errorOffset = 0;
  errorField = 0;
  errorWire = 0;
  depth = 1;
  unchecked(frameType[0] = M_MODEL);
  unchecked(frameEnd[0] = streamSize);
  unchecked(frameGraphDepth[0] = 0);
}

export function onnxWalkPosition(): f64 { return <f64>position; }
/** Bytes wanted at the position before the walk can go on (after NEED_MORE). */
export function onnxWalkNeed(): i32 { return need; }
export function onnxWalkDepth(): i32 { return depth; }
export function onnxWalkErrorOffset(): f64 { return <f64>errorOffset; }
export function onnxWalkErrorField(): f64 { return <f64>errorField; }
export function onnxWalkErrorWire(): i32 { return errorWire; }
/** The message type holding the failing field. */
export function onnxWalkErrorType(): i32 { return depth > 0 ? unchecked(frameType[depth - 1]) : 0; }
export function onnxEventCount(): i32 { return eventCount; }
export function onnxEventsPointer(): usize { return EVENTS; }
export function onnxEventsClear(): void { eventCount = 0; }

/** 1: read (vValue, vLen); 0: the window ends first; -1: the message ends first; -2: overlong or overflowing. */
function readVarint(at: i64, soft: i64, hard: i64): i32 {
  let result: u64 = 0;
  let shift: u64 = 0;
  for (let i = 0; i < 10; i++) {
    const p = at + <i64>i;
    if (p >= hard) return -1;
    if (p >= soft) return 0;
    const b = <u64>load<u8>(INPUT + <usize>(p - windowStart));
    if (i == 9 && b > 1) return -2;
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      vValue = result;
      vLen = i + 1;
      return 1;
    }
    shift += 7;
  }
  return -2;
}

function fail(status: i32, at: i64, field: i64, wire: i32): i32 {
  errorOffset = at;
  errorField = field;
  errorWire = wire;
  return status;
}

/** A field that does not fit in its message: truncated when the message is the whole file. */
function pastEnd(hard: i64, at: i64, field: i64, wire: i32): i32 {
  return fail(hard >= streamSize ? W_TRUNCATED : W_PAST_PARENT, at, field, wire);
}

function needMore(bytes: i64): i32 {
  need = <i32>min<i64>(bytes, 0x7fffffff);
  return W_NEED_MORE;
}

function flushRun(): void {
  if (runCount == 0) return;
  emit(E_BULK, runField + (<i64>(runKind | B_UNPACKED) << 32), runFirst, <f64>runFirst, <f64>runBytes, <f64>runCount);
  runCount = 0;
}

function addToRun(field: i64, kind: i32, at: i64, bytes: i64): void {
  if (runCount > 0 && (runField != field || runKind != kind)) flushRun();
  if (runCount == 0) {
    runField = field;
    runKind = kind;
    runFirst = at;
    runBytes = 0;
  }
  runBytes += bytes;
  runCount++;
}

/** Elements of a packed varint list in [from, to) of the window; -1 when the last one is unfinished. */
function countVarints(from: i64, to: i64): i64 {
  let n: i64 = 0;
  let last: u32 = 0;
  for (let p = from; p < to; p++) {
    last = <u32>load<u8>(INPUT + <usize>(p - windowStart));
    if ((last & 0x80) == 0) n++;
  }
  return (last & 0x80) != 0 ? -1 : n;
}

/** Whether `wire` is a wire type field kind `kind` may be written with. */
function wireFits(kind: i32, wire: i32): bool {
  switch (kind) {
    case K_MESSAGE: case K_STRING: case K_BULK_BYTES: case K_BULK_STRINGS: case K_OPAQUE: return wire == WIRE_LEN;
    case K_INT: return wire == WIRE_VARINT;
    case K_INTS: case K_BULK_VARINT: return wire == WIRE_VARINT || wire == WIRE_LEN;
    case K_FLOAT: return wire == WIRE_I32;
    case K_FLOATS: case K_BULK_F32: return wire == WIRE_I32 || wire == WIRE_LEN;
    case K_BULK_F64: return wire == WIRE_I64 || wire == WIRE_LEN;
  }
  return true;
}

/**
 * Walks fields in the window [windowStart, windowStart + length) from the
 * current position. NEED_MORE: read at least onnxWalkNeed() bytes at the
 * position and feed them; PAUSED: drain the events and feed the same window.
 */
export function onnxWalkFeed(windowStartF: f64, length: i32): i32 {
  windowStart = <i64>windowStartF;
  const windowEnd = windowStart + <i64>length;
  while (true) {
    if (eventCount > EVENT_CAPACITY - EVENT_RESERVE) return W_PAUSED;
    // Close every message that ends here.
    while (position >= unchecked(frameEnd[depth - 1])) {
      flushRun();
      emit(E_END, 0, unchecked(frameEnd[depth - 1]), <f64>unchecked(frameType[depth - 1]), 0, 0);
      depth--;
      if (depth == 0) return W_DONE;
      if (eventCount > EVENT_CAPACITY - EVENT_RESERVE) return W_PAUSED;
    }
    // Messages still open at the end of the file: it was cut short (what came before was walked).
    if (position >= streamSize) return fail(W_TRUNCATED, position, 0, -1);
    if (position < windowStart || position >= windowEnd) return needMore(32);

    const type = unchecked(frameType[depth - 1]);
    const declaredEnd = unchecked(frameEnd[depth - 1]);
    const hard = declaredEnd < streamSize ? declaredEnd : streamSize;
    const tagAt = position;
    let r = readVarint(tagAt, windowEnd, hard);
    if (r == 0) return needMore(32);
    if (r == -1) return pastEnd(hard, tagAt, 0, -1);
    if (r == -2) return fail(W_BAD_VARINT, tagAt, 0, -1);
    if (vValue > 0xffffffff) return fail(W_BAD_TAG, tagAt, <i64>(vValue >> 3), <i32>(vValue & 7));
    const field = <i64>(vValue >> 3);
    const wire = <i32>(vValue & 7);
    if (field == 0) return fail(W_BAD_TAG, tagAt, 0, wire);
    const at = tagAt + <i64>vLen;

    let value: u64 = 0;
    let payload: i64 = at;
    let len: i64 = 0;
    let next: i64 = at;
    if (wire == WIRE_VARINT) {
      r = readVarint(at, windowEnd, hard);
      if (r == 0) return needMore(at - tagAt + 10);
      if (r == -1) return pastEnd(hard, tagAt, field, wire);
      if (r == -2) return fail(W_BAD_VARINT, tagAt, field, wire);
      value = vValue;
      next = at + <i64>vLen;
    } else if (wire == WIRE_LEN) {
      r = readVarint(at, windowEnd, hard);
      if (r == 0) return needMore(at - tagAt + 10);
      if (r == -1) return pastEnd(hard, tagAt, field, wire);
      if (r == -2) return fail(W_BAD_VARINT, tagAt, field, wire);
      payload = at + <i64>vLen;
      if (vValue > <u64>(declaredEnd - payload)) {
        // Past the message holding it. Only a message directly in the ModelProto, which ends
        // with the file, may run past the end: a cut-short file is walked up to the cut.
        if (depth > 1 || vValue > <u64>MAX_SAFE_LENGTH || (schemaOf(type, <u32>field) & 0xff) != K_MESSAGE) return pastEnd(hard, tagAt, field, wire);
      }
      len = <i64>vValue;
      next = payload + len;
      if (next > streamSize && (schemaOf(type, <u32>field) & 0xff) != K_MESSAGE) return fail(W_TRUNCATED, tagAt, field, wire);
    } else if (wire == WIRE_I64 || wire == WIRE_I32) {
      const width: i64 = wire == WIRE_I64 ? 8 : 4;
      if (at + width > hard) return pastEnd(hard, tagAt, field, wire);
      if (at + width > windowEnd) return needMore(at - tagAt + width);
      next = at + width;
    } else {
      return fail(W_BAD_WIRE, tagAt, field, wire);
    }

    const spec = schemaOf(type, <u32>field);
    const kind = spec & 0xff;
    if (!wireFits(kind, wire)) return fail(W_WRONG_WIRE, tagAt, field, wire);
    if (kind != K_FLOATS && kind != K_BULK_VARINT && kind != K_BULK_F32 && kind != K_BULK_F64 && kind != K_BULK_STRINGS) flushRun();

    switch (kind) {
      case K_MESSAGE: {
        const sub = spec >> 8;
        const graphDepth = unchecked(frameGraphDepth[depth - 1]) + (sub == M_GRAPH && type == M_ATTRIBUTE ? 1 : 0);
        if (sub == M_GRAPH && graphDepth > maxGraphDepth) {
          emit(E_DEPTH_SKIP, field, tagAt, <f64>payload, <f64>len, <f64>graphDepth);
          break;
        }
        if (depth >= maxDepth) return fail(W_DEPTH, tagAt, field, wire);
        emit(E_BEGIN, field, tagAt, <f64>sub, <f64>payload, <f64>len);
        unchecked(frameType[depth] = sub);
        unchecked(frameEnd[depth] = next);
        unchecked(frameGraphDepth[depth] = graphDepth);
        depth++;
        next = payload;
        break;
      }
      case K_STRING: {
        const shown = len < stringCap ? len : stringCap;
        if (payload + shown > windowEnd) return needMore(payload - tagAt + shown);
        emit(E_STRING, field, tagAt, <f64>payload, <f64>len, 0);
        break;
      }
      case K_INT:
        emit(E_VARINT, field, tagAt, <f64>(<i64>value), 0, 0);
        break;
      case K_FLOAT:
        emit(E_FLOAT, field, tagAt, <f64>load<f32>(INPUT + <usize>(at - windowStart)), 0, 0);
        break;
      case K_INTS: {
        if (wire == WIRE_VARINT) {
          emit(E_VARINT, field, tagAt, <f64>(<i64>value), 0, 0);
          break;
        }
        if (len > stringCap) { // too long to look at: counted by nobody, skipped
          emit(E_BULK, field + (<i64>B_VARINT << 32), tagAt, <f64>payload, <f64>len, -1);
          break;
        }
        if (next > windowEnd) return needMore(next - tagAt);
        const count = countVarints(payload, next);
        if (count < 0) return fail(W_BAD_PACKED, tagAt, field, wire);
        if (count > <i64>MAX_INTS_EMITTED) {
          emit(E_BULK, field + (<i64>B_VARINT << 32), tagAt, <f64>payload, <f64>len, <f64>count);
          break;
        }
        let p = payload;
        while (p < next) {
          if (readVarint(p, next, next) != 1) return fail(W_BAD_PACKED, tagAt, field, wire);
          emit(E_VARINT, field, tagAt, <f64>(<i64>vValue), 0, 0);
          p += <i64>vLen;
        }
        break;
      }
      case K_FLOATS: case K_BULK_F32: case K_BULK_F64: case K_BULK_VARINT: {
        const element = kind == K_BULK_VARINT ? B_VARINT : kind == K_BULK_F64 ? B_F64 : B_F32;
        if (wire != WIRE_LEN) { // one unpacked element
          addToRun(field, element, tagAt, next - at);
          break;
        }
        flushRun();
        let count: i64 = -1;
        if (element == B_VARINT) {
          // counted when the payload is already in the window; otherwise only bounded by its length
          if (next <= windowEnd) {
            count = countVarints(payload, next);
            if (count < 0) return fail(W_BAD_PACKED, tagAt, field, wire);
          }
        } else {
          const width: i64 = element == B_F64 ? 8 : 4;
          if (len % width != 0) return fail(W_BAD_PACKED, tagAt, field, wire);
          count = len / width;
        }
        emit(E_BULK, field + (<i64>element << 32), tagAt, <f64>payload, <f64>len, <f64>count);
        break;
      }
      case K_BULK_STRINGS:
        addToRun(field, B_STRINGS, tagAt, len);
        break;
      case K_BULK_BYTES:
        emit(E_BULK, field + (<i64>B_BYTES << 32), tagAt, <f64>payload, <f64>len, -1);
        break;
      case K_OPAQUE:
        emit(E_BULK, field + (<i64>B_OPAQUE << 32), tagAt, <f64>payload, <f64>len, -1);
        break;
      default: // K_UNKNOWN: kept by protobuf loaders as unknown fields, ignored by ONNX
        emit(E_UNKNOWN, field, tagAt, <f64>wire, wire == WIRE_LEN ? <f64>payload : <f64>(<i64>value), <f64>len);
    }
    position = next;
  }
}
