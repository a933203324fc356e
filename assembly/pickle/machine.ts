// The symbolic unpickler: runs a pickle stream the way CPython's Unpickler
// would, opcode by opcode, but never imports or calls anything. Values are
// handles (values.ts); what matters for security (imports, calls, writes into
// imported objects, persistent ids, frame damage, STOP) goes to an event log
// that TypeScript drains and judges. Fed window by window like the probe, so
// a pickle of any size costs the memo and what is kept for rendering, and big
// BINBYTES/BINUNICODE payloads are skipped by length, never copied.
import { INPUT } from "../io";
import { HIGHEST_PROTOCOL } from "./opcodes";
import {
  K_NONE, K_BOOL, K_INT, K_INT_AT, K_FLOAT_AT, K_STR_AT, K_BYTES_AT, K_BYTEARRAY_AT,
  K_TUPLE, K_LIST, K_DICT, K_SET, K_FROZENSET, K_GLOBAL, K_CALL, K_PERSID, K_BUFFER, K_LITE,
  handle, kindOf, payloadOf, newContainer, newTuple, addItem, newGlobal, newCall, newPersid,
  setWord, word, arenaReset, resetRecordCount, R_STATE, R_CALLEE,
  G_MODULE, G_MODULE_LEN, G_NAME, G_NAME_LEN, G_EXT, G_CALLS, G_QUIET, recordsUsed, MAX_RECORDS,
} from "./values";
import { Memo } from "./memo";

// Feed results.
export const M_NEED_MORE: i32 = 0;
export const M_STOPPED: i32 = 1;
/** Events to drain (or a joblib BUILD to look at): call feed again with the same window. */
export const M_PAUSED: i32 = 2;
export const M_UNKNOWN_OPCODE: i32 = -1;
export const M_BAD_ARGUMENT: i32 = -2;
export const M_STACK_UNDERFLOW: i32 = -3;
export const M_TRUNCATED: i32 = -4;
export const M_LENGTH_BEYOND_FILE: i32 = -5;
export const M_LIMIT: i32 = -6;
export const M_MEMO_MISS: i32 = -7;
/** DICT / SETITEMS with an odd number of items: CPython fails on it. */
export const M_ODD_ITEMS: i32 = -8;
/** A str argument that is not UTF-8 (surrogates allowed): CPython's decoder refuses it. */
export const M_BAD_UTF8: i32 = -9;

// Which limit was hit (pickleMachineLimit()).
export const L_STACK: i32 = 1;
export const L_MARKS: i32 = 2;
export const L_MEMO: i32 = 3;
export const L_RECORDS: i32 = 4;
export const L_LINE: i32 = 5;
export const L_NESTING: i32 = 6;

/** Values on the stack; CPython's own stack has no limit, but real pickles stay at thousands. */
export const MAX_STACK: i32 = 1 << 22;
/** MARK nesting; real pickles nest tens deep. 100,000-deep hostile nesting still fits. */
export const MAX_MARKS: i32 = 1 << 20;
/** Longest protocol-0 text line (module path, number, persistent id). */
export const MAX_LINE: i32 = 65536;
/** Pickles inside pickles (joblib object arrays; joblib nests only at the top level, so files reach depth 1): bounds the per-pickle context arrays. */
export const MAX_NESTING: i32 = 8;

// Events: six f64 words each [type, offset, opcode index, a, b, c].
export const E_IMPORT: i64 = 1; // a: global handle
export const E_CALL: i64 = 2; // a: call handle, b: callee, c: args
export const E_MUTATION: i64 = 3; // a: target, b: key or state, c: opcode
export const E_PERSID: i64 = 4; // a: persid handle
export const E_FRAME: i64 = 5; // a: 1 opcode crosses the frame end, 2 frame inside a frame; b: frame end
export const E_STOP: i64 = 6; // a: value, b: nesting depth
export const E_BUILD: i64 = 7; // a: target, b: state (joblib layout only; the machine pauses after it)
export const E_BUFFER: i64 = 8; // out-of-band buffer (NEXT_BUFFER)
export const E_PROTO: i64 = 9; // a: protocol
const EVENT_WORDS: i32 = 6;
const EVENT_CAPACITY: i32 = 4096;
const EVENTS: usize = memory.data(EVENT_CAPACITY * EVENT_WORDS * 8, 16);
let eventCount: i32 = 0;

let stack: usize = 0;
let stackCap: i32 = 0;
let top: i32 = 0;
let marks: usize = 0;
let marksCap: i32 = 0;
let markDepth: i32 = 0;

/**
 * Longest str argument checked as UTF-8, as CPython decodes it when loading.
 * Longer ones are payloads skipped by length, never read (a text that long
 * names no import); a short one is read whole, even across a window end.
 */
export const MAX_VALIDATED_TEXT: i64 = 65536;

// Nesting contexts: where the stack and marks of the current pickle start, and its memo.
const ctxStackBase = new StaticArray<i32>(MAX_NESTING + 1);
const ctxMarkBase = new StaticArray<i32>(MAX_NESTING + 1);
const ctxMemo = new Array<Memo>();
let depth: i32 = 0;
let memo: Memo = new Memo();

let position: i64 = 0;
let streamSize: i64 = 0;
let opIndex: i64 = 0;
let frameEnd: i64 = -1;
let protocol: i32 = -1;
let lastOpcode: i32 = -1;
let limitHit: i32 = 0;
let joblibLayout: bool = false;
/**
 * Pause before the next opcode: after a joblib BUILD (TypeScript reads the
 * array layout), and after every import, so an import is drained and judged
 * before anything later can spend the memory budget (a trap would lose the
 * events not yet drained, and the import with them).
 */
let pauseNext: bool = false;

/** Events are f64 words: every handle fits 48 bits (values.ts), so JavaScript reads them as plain numbers. */
function emit(type: i64, offset: i64, a: i64, b: i64, c: i64): void {
  const e = EVENTS + (<usize>(eventCount * EVENT_WORDS) << 3);
  store<f64>(e, <f64>type);
  store<f64>(e, <f64>offset, 8);
  store<f64>(e, <f64>opIndex, 16);
  store<f64>(e, <f64>a, 24);
  store<f64>(e, <f64>b, 32);
  store<f64>(e, <f64>c, 40);
  eventCount++;
}

function release(): void {
  if (stack != 0) heap.free(stack);
  if (marks != 0) heap.free(marks);
  stack = 0;
  marks = 0;
  stackCap = 0;
  marksCap = 0;
  for (let i = 0; i < ctxMemo.length; i++) ctxMemo[i].release();
  ctxMemo.length = 0;
  memo.release();
}

/** Starts a stream of `size` bytes at `start`; joblib: pause after every BUILD. */
export function pickleMachineBegin(start: f64, size: f64, joblib: bool): void {
  release();
  arenaReset();
  resetRecordCount();
  memo = new Memo();
  stackCap = 1024;
  stack = heap.alloc(<usize>stackCap << 3);
  marksCap = 256;
  marks = heap.alloc(<usize>marksCap << 2);
  position = <i64>start;
  streamSize = <i64>size;
  opIndex = 0;
  joblibLayout = joblib;
  beginPickle();
}

/** A fresh pickle at the current position (after STOP): new stack and memo, same arena. */
export function pickleMachineNext(at: f64): void {
  position = <i64>at;
  memo.release();
  memo = new Memo();
  beginPickle();
}

function beginPickle(): void {
  top = 0;
  markDepth = 0;
  depth = 0;
  frameEnd = -1;
  protocol = -1;
  lastOpcode = -1;
  limitHit = 0;
  eventCount = 0;
  pauseNext = false;
  unchecked(ctxStackBase[0] = 0);
  unchecked(ctxMarkBase[0] = 0);
}

/** A pickle nested at the current position (joblib object array): its own memo; STOP returns to this one. */
export function pickleMachineNest(): bool {
  if (depth >= MAX_NESTING) {
    limitHit = L_NESTING;
    return false;
  }
  ctxMemo.push(memo);
  memo = new Memo();
  depth++;
  unchecked(ctxStackBase[depth] = top);
  unchecked(ctxMarkBase[depth] = markDepth);
  return true;
}

/** Moves the read position (joblib: past raw array bytes). */
export function pickleMachineSeek(at: f64): void { position = <i64>at; }
export function pickleMachineEnd(): void { release(); arenaReset(); resetRecordCount(); }

export function pickleMachinePosition(): f64 { return <f64>position; }
export function pickleMachineOpcodes(): f64 { return <f64>opIndex; }
export function pickleMachineProtocol(): i32 { return protocol; }
export function pickleMachineLastOpcode(): i32 { return lastOpcode; }
export function pickleMachineLimit(): i32 { return limitHit; }
export function pickleMachineDepth(): i32 { return depth; }
export function pickleMachineMemoSize(): f64 { return <f64>memo.size; }
export function pickleMachineStackSize(): i32 { return top; }
export function pickleMachineMarks(): i32 { return markDepth; }
export function pickleMachineRecords(): i32 { return recordsUsed(); }
/** The callee handle of a kept call (what joblib's BUILD check needs), or -1. */
export function pickleMachineCalleeOf(handleValue: f64): f64 {
  const h = <i64>handleValue;
  return kindOf(h) == K_CALL ? <f64>word(<usize>payloadOf(h), R_CALLEE) : -1;
}
/**
 * Stops call events for an import (a global handle): TypeScript has judged it
 * and rendered what it lists, so the millions of calls of one class in a big
 * pickle are only counted here (pickleMachineCallCount), not drained one by one.
 */
export function pickleMachineQuiet(handleValue: f64): void {
  const h = <i64>handleValue;
  if (kindOf(h) == K_GLOBAL) setWord(<usize>payloadOf(h), G_QUIET, 1);
}
/** Calls of an import (a global handle) so far, quiet or not; -1 for any other value. */
export function pickleMachineCallCount(handleValue: f64): f64 {
  const h = <i64>handleValue;
  return kindOf(h) == K_GLOBAL ? <f64>word(<usize>payloadOf(h), G_CALLS) : -1;
}
export function pickleEventCount(): i32 { return eventCount; }
export function pickleEventsPointer(): usize { return EVENTS; }
export function pickleEventsClear(): void { eventCount = 0; }

// ---- fixed-width arguments ----

/**
 * Bytes of fixed-width argument (or length prefix) after each opcode, 0 for
 * none or a text line. A table, not a switch: AssemblyScript compiles a sparse
 * switch to a chain of compares, which cost more than the rest of an opcode.
 */
const ARG_WIDTH: usize = memory.data(256);
const ARG_WIDTHS: StaticArray<i32> = [
  0x4b, 1, 0x68, 1, 0x71, 1, 0x80, 1, 0x82, 1, 0x43, 1, 0x55, 1, 0x8c, 1, 0x8a, 1, // uint1 or 1-byte length
  0x4d, 2, 0x83, 2,
  0x4a, 4, 0x6a, 4, 0x72, 4, 0x84, 4, 0x42, 4, 0x54, 4, 0x58, 4, 0x8b, 4,
  0x47, 8, 0x95, 8, 0x8d, 8, 0x8e, 8, 0x96, 8,
];
for (let i = 0; i < ARG_WIDTHS.length; i += 2) store<u8>(ARG_WIDTH + <usize>ARG_WIDTHS[i], <u8>ARG_WIDTHS[i + 1]);

// ---- stack ----

@inline function fence(): i32 {
  return markDepth > unchecked(ctxMarkBase[depth]) ? load<i32>(marks + (<usize>(markDepth - 1) << 2)) : unchecked(ctxStackBase[depth]);
}
@inline function above(): i32 { return top - fence(); }
@inline function at(i: i32): i64 { return load<i64>(stack + (<usize>i << 3)); }
@inline function peek(): i64 { return load<i64>(stack + (<usize>(top - 1) << 3)); }
@inline function pop(): i64 { top--; return load<i64>(stack + (<usize>top << 3)); }

/** New capacity of a full heap array (doubling, up to `max` items), or 0 when it is already at `max`. */
function grownCapacity(cap: i32, max: i32): i32 {
  return cap >= max ? 0 : min(cap * 2, max);
}

@inline function push(h: i64): bool {
  if (top == stackCap && !growStack()) return false;
  store<i64>(stack + (<usize>top << 3), h);
  top++;
  return true;
}

function growStack(): bool {
  const cap = grownCapacity(stackCap, MAX_STACK);
  if (cap == 0) {
    limitHit = L_STACK;
    return false;
  }
  stack = heap.realloc(stack, <usize>cap << 3);
  stackCap = cap;
  return true;
}

function pushMark(): bool {
  if (markDepth == marksCap) {
    const cap = grownCapacity(marksCap, MAX_MARKS);
    if (cap == 0) {
      limitHit = L_MARKS;
      return false;
    }
    marks = heap.realloc(marks, <usize>cap << 2);
    marksCap = cap;
  }
  store<i32>(marks + (<usize>markDepth << 2), top);
  markDepth++;
  return true;
}

/** Items above the topmost mark become a container; the mark is dropped. */
function fromMark(kind: i64, offset: i64): i64 {
  const base = fence();
  const h = kind == K_TUPLE ? newTuple(offset, top - base) : newContainer(kind, offset);
  for (let i = base; i < top; i++) addItem(h, at(i));
  top = base;
  markDepth--;
  return h;
}

@inline function isImported(h: i64): bool { return kindOf(h) == K_GLOBAL; }

// ---- argument helpers ----

/** Length of the line at `from`; -1 when no newline is in the window, -2 when the line is over MAX_LINE. */
function findNewline(from: usize, end: usize): i32 {
  const stop = min(end, from + <usize>MAX_LINE + 1);
  for (let p = from; p < stop; p++) if (load<u8>(p) == 0x0a) return <i32>(p - from);
  return stop < end ? -2 : -1;
}

/** Parses an optionally signed decimal line; sets parsedValue, false when it is not one or is too long for i64 math. */
let parsedValue: i64 = 0;
function parseDecimal(p: usize, n: i32, allowL: bool): bool {
  let end = n;
  if (allowL && end > 0 && load<u8>(p + end - 1) == 0x4c) end--;
  let i = 0;
  let negative = false;
  if (end > 0 && (load<u8>(p) == 0x2d || load<u8>(p) == 0x2b)) {
    negative = load<u8>(p) == 0x2d;
    i = 1;
  }
  if (i >= end) return false;
  let v: i64 = 0;
  let big = false;
  for (; i < end; i++) {
    const c = load<u8>(p + i);
    if (c < 0x30 || c > 0x39) return false;
    if (v > 100000000000000000) big = true;
    else v = v * 10 + <i64>(c - 0x30);
  }
  parsedValue = big ? 0x7fffffffffffffff : negative ? -v : v;
  return true;
}

/** Ints kept in the handle itself; the rest are read back from the stream (see values.ts: 48-bit handles). */
@inline function fitsInline(v: i64): bool { return v >= -(<i64>1 << 40) && v < (<i64>1 << 40); }

// ---- the loop ----

/** Every return of the feed loop goes through here: the loop's local read position back to the global. */
@inline function exit(at: i64, status: i32): i32 {
  position = at;
  return status;
}

let feedWindowStart: i64 = 0;
let feedWindowEnd: i64 = 0;

/**
 * Runs opcodes in the window [windowStart, windowStart + length) copied to the
 * input buffer, from the current position. NEED_MORE: read on at the position;
 * PAUSED: drain events, then call again; STOPPED: the outermost pickle ended
 * (position after STOP); negative: an error at the opcode at the position.
 */
export function pickleMachineFeed(windowStartF: f64, length: i32, atEnd: bool): i32 {
  // Kept in globals, not locals: V8 redid the f64 → i64 conversion on every opcode.
  feedWindowStart = <i64>windowStartF;
  feedWindowEnd = feedWindowStart + <i64>length;
  const windowStart = feedWindowStart;
  const windowEnd = feedWindowEnd;
  // The read position lives in a local while the loop runs (V8 keeps it in a
  // register; a global is a memory round trip on every opcode) and goes back
  // to the global on every way out (exit()).
  let pos = position;
  const lastWindow = atEnd || windowEnd >= streamSize;
  while (true) {
    if (eventCount > EVENT_CAPACITY - 4) return exit(pos, M_PAUSED);
    if (pauseNext) {
      pauseNext = false;
      return exit(pos, M_PAUSED);
    }
    if (pos < windowStart || pos >= windowEnd) {
      if (pos >= streamSize) return exit(pos, M_TRUNCATED);
      return exit(pos, pos == windowEnd && lastWindow ? M_TRUNCATED : M_NEED_MORE);
    }
    const p = INPUT + <usize>(pos - windowStart);
    const avail = windowEnd - pos - 1; // bytes after the opcode byte in the window
    const code = <i32>load<u8>(p);
    const a = p + 1;
    const offset = pos;
    lastOpcode = code;
    let next: i64 = pos + 1;
    let h: i64 = 0;

    // Arguments first: how long, and is it all here?
    const fixed = <i64>load<u8>(ARG_WIDTH + <usize>code);
    if (avail < fixed) return exit(pos, lastWindow ? M_TRUNCATED : M_NEED_MORE);
    next += fixed;

    switch (code) {
      // ---- framing and protocol ----
      case 0x80: { // PROTO
        const v = <i32>load<u8>(a);
        if (v > HIGHEST_PROTOCOL) return exit(pos, M_BAD_ARGUMENT);
        if (protocol < 0) protocol = v;
        emit(E_PROTO, offset, <i64>v, 0, 0);
        break;
      }
      case 0x95: { // FRAME
        const n = load<i64>(a);
        if (n < 0 || n > streamSize - next) return exit(pos, M_LENGTH_BEYOND_FILE);
        if (offset < frameEnd) emit(E_FRAME, offset, 2, frameEnd, 0);
        frameEnd = next + n;
        break;
      }
      case 0x2e: { // STOP
        if (above() < 1) return exit(pos, M_STACK_UNDERFLOW);
        const v = pop();
        emit(E_STOP, offset, v, <i64>depth, 0);
        if (depth > 0) {
          // back to the outer pickle: its stack and marks resume where they were
          memo.release();
          memo = ctxMemo.pop();
          top = unchecked(ctxStackBase[depth]);
          markDepth = unchecked(ctxMarkBase[depth]);
          depth--;
          pos = next;
          opIndex++;
          return exit(pos, M_PAUSED);
        }
        pos = next;
        opIndex++;
        return exit(pos, M_STOPPED);
      }
      // ---- stack and memo ----
      case 0x28: if (!pushMark()) return exit(pos, M_LIMIT); break; // MARK
      case 0x30: { // POP: an empty frame drops the mark instead, as CPython does
        if (above() > 0) top--;
        else if (markDepth > unchecked(ctxMarkBase[depth])) markDepth--;
        else return exit(pos, M_STACK_UNDERFLOW);
        break;
      }
      case 0x31: { // POP_MARK
        if (markDepth <= unchecked(ctxMarkBase[depth])) return exit(pos, M_STACK_UNDERFLOW);
        top = fence();
        markDepth--;
        break;
      }
      case 0x32: { // DUP
        if (above() < 1) return exit(pos, M_STACK_UNDERFLOW);
        if (!push(peek())) return exit(pos, M_LIMIT);
        break;
      }
      case 0x68: case 0x6a: case 0x67: { // BINGET, LONG_BINGET, GET
        let key: i64 = 0;
        if (code == 0x68) key = <i64>load<u8>(a);
        else if (code == 0x6a) key = <i64>load<u32>(a);
        else {
          const n = findNewline(a, a + <usize>avail);
          if (n < 0) return exit(pos, needLine(avail, lastWindow));
          if (!parseDecimal(a, n, false) || parsedValue < 0) return exit(pos, M_BAD_ARGUMENT);
          key = parsedValue;
          next += <i64>n + 1;
        }
        h = memo.get(key);
        if (h == 0) return exit(pos, M_MEMO_MISS);
        break;
      }
      case 0x71: case 0x72: case 0x70: case 0x94: { // BINPUT, LONG_BINPUT, PUT, MEMOIZE
        if (above() < 1) return exit(pos, M_STACK_UNDERFLOW);
        let key: i64 = 0;
        if (code == 0x71) key = <i64>load<u8>(a);
        else if (code == 0x72) key = <i64>load<u32>(a);
        else if (code == 0x94) key = memo.size;
        else {
          const n = findNewline(a, a + <usize>avail);
          if (n < 0) return exit(pos, needLine(avail, lastWindow));
          if (!parseDecimal(a, n, false) || parsedValue < 0) return exit(pos, M_BAD_ARGUMENT);
          key = parsedValue;
          next += <i64>n + 1;
        }
        if (!memo.set(key, peek())) {
          limitHit = L_MEMO;
          return exit(pos, M_LIMIT);
        }
        break;
      }
      // ---- scalars ----
      case 0x4e: h = handle(K_NONE, 0); break;
      case 0x88: h = handle(K_BOOL, 1); break;
      case 0x89: h = handle(K_BOOL, 0); break;
      case 0x4b: h = handle(K_INT, <i64>load<u8>(a)); break;
      case 0x4d: h = handle(K_INT, <i64>load<u16>(a)); break;
      case 0x4a: h = handle(K_INT, <i64>load<i32>(a)); break;
      case 0x47: h = handle(K_FLOAT_AT, offset); break;
      case 0x8a: { // LONG1
        next += <i64>load<u8>(a);
        h = handle(K_INT_AT, offset);
        break;
      }
      case 0x8b: { // LONG4
        const n = load<i32>(a);
        if (n < 0) return exit(pos, M_BAD_ARGUMENT);
        next += <i64>n;
        h = handle(K_INT_AT, offset);
        break;
      }
      case 0x49: case 0x4c: case 0x46: { // INT, LONG, FLOAT (text)
        const n = findNewline(a, a + <usize>avail);
        if (n < 0) return exit(pos, needLine(avail, lastWindow));
        if (code == 0x46) {
          if (n == 0) return exit(pos, M_BAD_ARGUMENT);
          h = handle(K_FLOAT_AT, offset);
        } else {
          if (!parseDecimal(a, n, code == 0x4c)) return exit(pos, M_BAD_ARGUMENT);
          if (code == 0x49 && n == 2 && load<u8>(a) == 0x30 && (load<u8>(a + 1) == 0x30 || load<u8>(a + 1) == 0x31)) {
            h = handle(K_BOOL, <i64>(load<u8>(a + 1) - 0x30)); // protocol 0 writes True/False as I01/I00
          } else {
            h = fitsInline(parsedValue) && parsedValue != 0x7fffffffffffffff ? handle(K_INT, parsedValue) : handle(K_INT_AT, offset);
          }
        }
        next += <i64>n + 1;
        break;
      }
      case 0x53: case 0x56: { // STRING, UNICODE (text)
        const n = findNewline(a, a + <usize>avail);
        if (n < 0) return exit(pos, needLine(avail, lastWindow));
        if (code == 0x53) {
          const q = n >= 2 ? load<u8>(a) : 0;
          if (n < 2 || (q != 0x27 && q != 0x22) || load<u8>(a + n - 1) != q) return exit(pos, M_BAD_ARGUMENT);
        }
        next += <i64>n + 1;
        h = handle(K_STR_AT, offset);
        break;
      }
      case 0x55: case 0x43: case 0x8c: { // SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE
        const n = <i64>load<u8>(a);
        if (code == 0x8c) {
          const status = checkText(a + 1, n, avail - 1, lastWindow);
          if (status != TEXT_OK) return exit(pos, status);
        }
        next += n;
        h = handle(code == 0x43 ? K_BYTES_AT : K_STR_AT, offset);
        break;
      }
      case 0x54: { // BINSTRING: signed length
        const n = load<i32>(a);
        if (n < 0) return exit(pos, M_BAD_ARGUMENT);
        next += <i64>n;
        h = handle(K_STR_AT, offset);
        break;
      }
      case 0x58: case 0x42: { // BINUNICODE, BINBYTES
        const n = <i64>load<u32>(a);
        if (code == 0x58) {
          const status = checkText(a + 4, n, avail - 4, lastWindow);
          if (status != TEXT_OK) return exit(pos, status);
        }
        next += n;
        h = handle(code == 0x42 ? K_BYTES_AT : K_STR_AT, offset);
        break;
      }
      case 0x8d: case 0x8e: case 0x96: { // BINUNICODE8, BINBYTES8, BYTEARRAY8
        const n = load<i64>(a);
        if (n < 0 || n > streamSize) return exit(pos, M_LENGTH_BEYOND_FILE);
        if (code == 0x8d) {
          const status = checkText(a + 8, n, avail - 8, lastWindow);
          if (status != TEXT_OK) return exit(pos, status);
        }
        next += n;
        h = handle(code == 0x8d ? K_STR_AT : code == 0x8e ? K_BYTES_AT : K_BYTEARRAY_AT, offset);
        break;
      }
      case 0x97: { // NEXT_BUFFER: only a loader given out-of-band buffers can resolve it
        h = handle(K_BUFFER, offset);
        emit(E_BUFFER, offset, 0, 0, 0);
        break;
      }
      case 0x98: if (above() < 1) return exit(pos, M_STACK_UNDERFLOW); break; // READONLY_BUFFER
      // ---- containers ----
      case 0x29: h = newTuple(offset, 0); break;
      case 0x5d: h = newContainer(K_LIST, offset); break;
      case 0x7d: h = newContainer(K_DICT, offset); break;
      case 0x8f: h = newContainer(K_SET, offset); break;
      case 0x85: case 0x86: case 0x87: { // TUPLE1..3
        const n = code - 0x84;
        if (above() < n) return exit(pos, M_STACK_UNDERFLOW);
        h = newTuple(offset, n);
        for (let i = top - n; i < top; i++) addItem(h, at(i));
        top -= n;
        break;
      }
      case 0x74: case 0x6c: case 0x91: { // TUPLE, LIST, FROZENSET from the mark
        if (markDepth <= unchecked(ctxMarkBase[depth])) return exit(pos, M_STACK_UNDERFLOW);
        h = fromMark(code == 0x74 ? K_TUPLE : code == 0x6c ? K_LIST : K_FROZENSET, offset);
        break;
      }
      case 0x64: { // DICT from the mark
        if (markDepth <= unchecked(ctxMarkBase[depth])) return exit(pos, M_STACK_UNDERFLOW);
        if (above() & 1) return exit(pos, M_ODD_ITEMS);
        h = fromMark(K_DICT, offset);
        break;
      }
      case 0x61: { // APPEND
        if (above() < 2) return exit(pos, M_STACK_UNDERFLOW);
        const v = pop();
        write(peek(), 0, v, code, offset);
        break;
      }
      case 0x73: { // SETITEM
        if (above() < 3) return exit(pos, M_STACK_UNDERFLOW);
        const v = pop();
        const k = pop();
        write(peek(), k, v, code, offset);
        break;
      }
      case 0x65: case 0x75: case 0x90: { // APPENDS, SETITEMS, ADDITEMS: target below the mark
        if (markDepth <= unchecked(ctxMarkBase[depth])) return exit(pos, M_STACK_UNDERFLOW);
        const base = fence();
        if (base - unchecked(ctxStackBase[depth]) < 1 || (markDepth - 1 > unchecked(ctxMarkBase[depth]) && base <= load<i32>(marks + (<usize>(markDepth - 2) << 2)))) {
          return exit(pos, M_STACK_UNDERFLOW);
        }
        if (code == 0x75 && ((top - base) & 1)) return exit(pos, M_ODD_ITEMS);
        const target = at(base - 1);
        if (isImported(target)) {
          // one event per opcode: the write itself is the finding
          if (top > base) emit(E_MUTATION, offset, target, at(base), <i64>code);
        } else if (kindOf(target) >= K_LITE) {
          // a container past the keep budget keeps no items: nothing to write, item by item
        } else if (code == 0x75) {
          for (let i = base; i < top; i += 2) write(target, at(i), at(i + 1), code, offset);
        } else {
          for (let i = base; i < top; i++) write(target, 0, at(i), code, offset);
        }
        top = base;
        markDepth--;
        break;
      }
      // ---- imports ----
      case 0x63: case 0x69: { // GLOBAL, INST: "module\nname\n"
        const end = a + <usize>avail;
        const n1 = findNewline(a, end);
        if (n1 < 0) return exit(pos, needLine(avail, lastWindow));
        const n2 = findNewline(a + <usize>n1 + 1, end);
        if (n2 < 0) return exit(pos, needLine(avail, lastWindow));
        if (n1 == 0 || n2 == 0) return exit(pos, M_BAD_ARGUMENT);
        const g = newGlobal(offset, opIndex, <i64>code);
        if (g == 0) return exit(pos, recordsLimit());
        setWord(g, G_MODULE, offset + 1);
        setWord(g, G_MODULE_LEN, <i64>n1);
        setWord(g, G_NAME, offset + 2 + <i64>n1);
        setWord(g, G_NAME_LEN, <i64>n2);
        next += <i64>n1 + <i64>n2 + 2;
        const gh = handle(K_GLOBAL, <i64>g);
        emit(E_IMPORT, offset, gh, 0, 0);
        pauseNext = true;
        if (code == 0x63) {
          h = gh;
        } else {
          if (markDepth <= unchecked(ctxMarkBase[depth])) return exit(pos, M_STACK_UNDERFLOW);
          const args = fromMark(K_TUPLE, offset);
          h = call(offset, code, gh, args, 0);
          if (h == 0) return exit(pos, M_LIMIT);
        }
        break;
      }
      case 0x93: { // STACK_GLOBAL: module and name from the stack, constant or not
        if (above() < 2) return exit(pos, M_STACK_UNDERFLOW);
        const name = pop();
        const module = pop();
        const g = newGlobal(offset, opIndex, <i64>code);
        if (g == 0) return exit(pos, recordsLimit());
        setWord(g, G_MODULE, module);
        setWord(g, G_MODULE_LEN, -1);
        setWord(g, G_NAME, name);
        setWord(g, G_NAME_LEN, -1);
        h = handle(K_GLOBAL, <i64>g);
        emit(E_IMPORT, offset, h, 0, 0);
        pauseNext = true;
        break;
      }
      case 0x82: case 0x83: case 0x84: { // EXT1, EXT2, EXT4: through the copyreg registry
        const ext: i64 = code == 0x82 ? <i64>load<u8>(a) : code == 0x83 ? <i64>load<u16>(a) : <i64>load<i32>(a);
        const g = newGlobal(offset, opIndex, <i64>code);
        if (g == 0) return exit(pos, recordsLimit());
        setWord(g, G_MODULE_LEN, -2);
        setWord(g, G_NAME_LEN, -2);
        setWord(g, G_EXT, ext);
        h = handle(K_GLOBAL, <i64>g);
        emit(E_IMPORT, offset, h, 0, 0);
        pauseNext = true;
        break;
      }
      // ---- calls ----
      case 0x52: case 0x81: { // REDUCE callable(*args), NEWOBJ cls.__new__(cls, *args)
        if (above() < 2) return exit(pos, M_STACK_UNDERFLOW);
        const args = pop();
        const callee = pop();
        h = call(offset, code, callee, args, 0);
        if (h == 0) return exit(pos, M_LIMIT);
        break;
      }
      case 0x92: { // NEWOBJ_EX cls.__new__(cls, *args, **kwargs)
        if (above() < 3) return exit(pos, M_STACK_UNDERFLOW);
        const kwargs = pop();
        const args = pop();
        const callee = pop();
        h = call(offset, code, callee, args, kwargs);
        if (h == 0) return exit(pos, M_LIMIT);
        break;
      }
      case 0x6f: { // OBJ: class and arguments above the mark
        if (markDepth <= unchecked(ctxMarkBase[depth])) return exit(pos, M_STACK_UNDERFLOW);
        const base = fence();
        if (top - base < 1) return exit(pos, M_STACK_UNDERFLOW);
        const callee = at(base);
        const args = newTuple(offset, top - base - 1);
        for (let i = base + 1; i < top; i++) addItem(args, at(i));
        top = base;
        markDepth--;
        h = call(offset, code, callee, args, 0);
        if (h == 0) return exit(pos, M_LIMIT);
        break;
      }
      case 0x62: { // BUILD: obj.__setstate__(state), or a write into its __dict__
        if (above() < 2) return exit(pos, M_STACK_UNDERFLOW);
        const state = pop();
        const target = peek();
        if (isImported(target)) emit(E_MUTATION, offset, target, state, <i64>code);
        else if (kindOf(target) == K_CALL) setWord(<usize>payloadOf(target), R_STATE, state);
        // joblib reads array bytes after the BUILD of a NumpyArrayWrapper (a call); only a call can be one.
        if (joblibLayout && depth == 0 && kindOf(target) == K_CALL) {
          emit(E_BUILD, offset, target, state, <i64>depth);
          pauseNext = true;
        }
        break;
      }
      case 0x50: { // PERSID: a text id
        const n = findNewline(a, a + <usize>avail);
        if (n < 0) return exit(pos, needLine(avail, lastWindow));
        const r = newPersid(offset, opIndex, offset + 1, <i64>n);
        if (r == 0) return exit(pos, recordsLimit());
        next += <i64>n + 1;
        h = handle(K_PERSID, <i64>r);
        emit(E_PERSID, offset, h, 0, 0);
        break;
      }
      case 0x51: { // BINPERSID: the id is a value
        if (above() < 1) return exit(pos, M_STACK_UNDERFLOW);
        const r = newPersid(offset, opIndex, pop(), -1);
        if (r == 0) return exit(pos, recordsLimit());
        h = handle(K_PERSID, <i64>r);
        emit(E_PERSID, offset, h, 0, 0);
        break;
      }
      default:
        return exit(pos, M_UNKNOWN_OPCODE);
    }

    if (next > streamSize) return exit(pos, M_LENGTH_BEYOND_FILE);
    if (offset < frameEnd && next > frameEnd) emit(E_FRAME, offset, 1, frameEnd, 0);
    if (h != 0 && !push(h)) return exit(pos, M_LIMIT);
    pos = next;
    opIndex++;
  }
}

/** checkText's "fine": not a feed status (NEED_MORE is 0, so 0 cannot mean fine). */
const TEXT_OK: i32 = 1 << 30;

/**
 * TEXT_OK when the text of `n` bytes at `p` is fine (or too long to check);
 * else NEED_MORE (a short text crossing the window end: read on from the
 * opcode) or BAD_UTF8. `inWindow` is how many of its bytes the window holds.
 */
function checkText(p: usize, n: i64, inWindow: i64, lastWindow: bool): i32 {
  if (n > MAX_VALIDATED_TEXT) return TEXT_OK;
  if (n > inWindow) return lastWindow ? TEXT_OK : M_NEED_MORE; // at the end of the stream: LENGTH_BEYOND_FILE follows
  return validUtf8(p, <usize>n) ? TEXT_OK : M_BAD_UTF8;
}

/** UTF-8 as CPython decodes pickle text ('surrogatepass': encoded surrogates allowed; overlongs, > U+10FFFF, cut sequences refused). */
function validUtf8(p: usize, n: usize): bool {
  let i: usize = 0;
  while (i < n) {
    if (i + 8 <= n && (load<u64>(p + i) & 0x8080808080808080) == 0) {
      i += 8;
      continue;
    }
    const c = <u32>load<u8>(p + i);
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: usize = 0;
    let lo: u32 = 0x80;
    let hi: u32 = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c == 0xe0) lo = 0xa0; // no overlongs; 0xed (surrogates) allowed: surrogatepass
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c == 0xf0) lo = 0x90;
      else if (c == 0xf4) hi = 0x8f;
    } else return false;
    if (i + need >= n) return false; // cut short
    const c1 = <u32>load<u8>(p + i + 1);
    if (c1 < lo || c1 > hi) return false;
    for (let k: usize = 2; k <= need; k++) {
      const ck = <u32>load<u8>(p + i + k);
      if (ck < 0x80 || ck > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

function needLine(avail: i64, lastWindow: bool): i32 {
  if (avail > <i64>MAX_LINE) {
    limitHit = L_LINE;
    return M_LIMIT;
  }
  return lastWindow ? M_TRUNCATED : M_NEED_MORE;
}

function recordsLimit(): i32 {
  limitHit = L_RECORDS;
  return M_LIMIT;
}

/** A call's value and event. joblib must keep every call: its array wrappers are read back from their records. */
function call(offset: i64, via: i32, callee: i64, args: i64, kwargs: i64): i64 {
  const r = newCall(offset, opIndex, <i64>via, callee, args, kwargs, joblibLayout);
  let h: i64;
  if (r != 0) {
    h = handle(K_CALL, <i64>r);
  } else if (joblibLayout) {
    limitHit = L_RECORDS;
    return 0;
  } else {
    h = handle(K_CALL + K_LITE, offset);
  }
  if (kindOf(callee) == K_GLOBAL) {
    const g = <usize>payloadOf(callee);
    setWord(g, G_CALLS, word(g, G_CALLS) + 1);
    if (word(g, G_QUIET) != 0) return h;
  }
  emit(E_CALL, offset, h, callee, args);
  return h;
}

/** APPEND(S) / SETITEM(S) / ADDITEMS into a target: a write into an import is a gadget. */
function write(target: i64, key: i64, value: i64, code: i32, offset: i64): void {
  const kind = kindOf(target);
  if (kind == K_GLOBAL) {
    if (code == 0x61 || code == 0x73) emit(E_MUTATION, offset, target, key != 0 ? key : value, <i64>code);
    return;
  }
  if (kind == K_CALL) {
    // items set on an object (OrderedDict state dicts): kept as pairs, key 0 for appends
    addItem(target, key);
    addItem(target, value);
  } else if (kind == K_DICT) {
    addItem(target, key);
    addItem(target, value);
  } else {
    addItem(target, value);
  }
}

export { MAX_RECORDS };
