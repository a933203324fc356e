// A resumable, validating walk over a pickle stream: every opcode is checked
// (known code, well-formed argument, lengths inside the file, no stack
// underflow) without building any value. The sniffer uses it to tell a pickle
// from other bytes; the full decoder builds on the same opcode table.
import { INPUT } from "../io";
import {
  ARG_NONE, ARG_UINT1, ARG_UINT2, ARG_INT4, ARG_UINT4, ARG_UINT8, ARG_LONG1, ARG_LONG4,
  ARG_DECIMALNL_SHORT, ARG_DECIMALNL_LONG, ARG_FLOATNL, ARG_FLOAT8, ARG_STRINGNL,
  ARG_STRINGNL_NOESCAPE, ARG_STRINGNL_NOESCAPE_PAIR, ARG_UNICODESTRINGNL, ARG_STRING1,
  ARG_STRING4, ARG_BYTES1, ARG_BYTES4, ARG_BYTES8, ARG_BYTEARRAY8, ARG_UNICODESTRING1,
  ARG_UNICODESTRING4, ARG_UNICODESTRING8, HIGHEST_PROTOCOL,
  opcodeKnown, opcodeArg, opcodePops, opcodePushes, opcodePopsMark, opcodePushesMark,
} from "./opcodes";

export const PROBE_NEED_MORE: i32 = 0;
export const PROBE_STOPPED: i32 = 1;
/** Disassembly mode: the record buffer is full (read the records, then feed on). */
export const PROBE_RECORDS_FULL: i32 = 2;
export const PROBE_UNKNOWN_OPCODE: i32 = -1;
export const PROBE_BAD_ARGUMENT: i32 = -2;
export const PROBE_STACK_UNDERFLOW: i32 = -3;
export const PROBE_TRUNCATED: i32 = -4;
export const PROBE_LENGTH_BEYOND_FILE: i32 = -5;
export const PROBE_LIMIT: i32 = -6;

/** Deepest MARK nesting followed; real pickles nest a few dozen deep. Bounds the mark stack. */
export const PROBE_MAX_MARKS: i32 = 65536;
/** Longest text argument (a protocol-0 line); real module paths and numbers are far shorter. */
export const PROBE_MAX_LINE: i32 = 65536;

const marks = new StaticArray<i32>(PROBE_MAX_MARKS);
let markDepth: i32 = 0;
let items: i32 = 0;
let position: f64 = 0;
let fileSize: f64 = 0;
let opcodes: f64 = 0;
let protocol: i32 = -1;
let lastOpcode: i32 = -1;

// Disassembly mode: no stack accounting (a page may start mid-stream), and
// each opcode's offset and code recorded: two f64 words a line.
/** Lines one disassembly feed returns at most. */
export const MAX_DISASM_LINES: i32 = 4096;
const RECORDS: usize = memory.data(MAX_DISASM_LINES * 16, 16);
let recording: bool = false;
let recordLimit: i32 = 0;
let recorded: i32 = 0;

/** Starts a disassembly walk at an opcode boundary `start`, recording up to `lines` opcodes. */
export function pickleDisasmBegin(start: f64, size: f64, lines: i32): void {
  pickleProbeBegin(start, size);
  recording = true;
  recordLimit = min(max(lines, 1), MAX_DISASM_LINES);
  recorded = 0;
}
export function pickleDisasmLines(): i32 { return recorded; }
export function pickleDisasmPointer(): usize { return RECORDS; }

export function pickleProbeBegin(start: f64, size: f64): void {
  recording = false;
  markDepth = 0;
  items = 0;
  position = start;
  fileSize = size;
  opcodes = 0;
  protocol = -1;
  lastOpcode = -1;
}

export function pickleProbePosition(): f64 { return position; }
export function pickleProbeOpcodes(): f64 { return opcodes; }
export function pickleProbeProtocol(): i32 { return protocol; }
export function pickleProbeItems(): i32 { return items; }
export function pickleProbeMarks(): i32 { return markDepth; }
export function pickleProbeLastOpcode(): i32 { return lastOpcode; }

function findNewline(from: usize, end: usize): isize {
  for (let p = from; p < end; p++) if (load<u8>(p) == 0x0a) return <isize>(p - from);
  return -1;
}

function isDigit(c: u8): bool { return c >= 0x30 && c <= 0x39; }

function validLine(kind: u8, start: usize, length: usize): bool {
  if (kind == ARG_UNICODESTRINGNL) return true;
  if (length == 0) return false;
  if (kind == ARG_STRINGNL) {
    const q = load<u8>(start);
    return length >= 2 && (q == 0x27 || q == 0x22) && load<u8>(start + length - 1) == q;
  }
  if (kind == ARG_STRINGNL_NOESCAPE || kind == ARG_STRINGNL_NOESCAPE_PAIR) {
    for (let i: usize = 0; i < length; i++) {
      const c = load<u8>(start + i);
      if (c <= 0x20 || c == 0x7f) return false;
    }
    return true;
  }
  if (kind == ARG_FLOATNL) {
    for (let i: usize = 0; i < length; i++) {
      const c = load<u8>(start + i);
      const ok = isDigit(c) || c == 0x2e || c == 0x2b || c == 0x2d || (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
      if (!ok) return false;
    }
    return true;
  }
  // decimal integers: optional sign, digits, and for LONG an optional trailing 'L'
  let i: usize = 0;
  let end = length;
  if (kind == ARG_DECIMALNL_LONG && load<u8>(start + end - 1) == 0x4c) end--;
  const c0 = load<u8>(start);
  if (c0 == 0x2d || c0 == 0x2b) i++;
  if (i >= end) return false;
  for (; i < end; i++) if (!isDigit(load<u8>(start + i))) return false;
  return true;
}

/**
 * Walks opcodes in the window [windowStart, windowStart + length) already copied
 * to the input buffer, from the current position. Returns PROBE_NEED_MORE when
 * the next opcode lies past the window (read on at pickleProbePosition()),
 * PROBE_STOPPED after STOP, or a negative error with the position at the bad opcode.
 */
export function pickleProbeFeed(windowStart: f64, length: i32, atEnd: bool): i32 {
  const windowEnd = windowStart + <f64>length;
  while (true) {
    if (position < windowStart || position >= windowEnd) {
      if (position >= fileSize) return PROBE_TRUNCATED;
      return position == windowEnd && atEnd ? PROBE_TRUNCATED : PROBE_NEED_MORE;
    }
    const at = INPUT + <usize>(position - windowStart);
    const avail = <usize>(windowEnd - position) - 1; // bytes after the opcode byte
    const code = load<u8>(at);
    lastOpcode = code;
    if (!opcodeKnown(code)) return PROBE_UNKNOWN_OPCODE;
    const arg = opcodeArg(code);
    const a = at + 1;
    let argLength: f64 = 0; // bytes of argument after the opcode byte
    let header: usize = 0; // fixed part that must be in the window
    let payload: f64 = 0; // length-prefixed bytes that may be skipped past the window
    if (arg == ARG_NONE) {
      header = 0;
    } else if (arg == ARG_UINT1) header = 1;
    else if (arg == ARG_UINT2) header = 2;
    else if (arg == ARG_INT4 || arg == ARG_UINT4) header = 4;
    else if (arg == ARG_UINT8 || arg == ARG_FLOAT8) header = 8;
    else if (arg == ARG_LONG1 || arg == ARG_STRING1 || arg == ARG_BYTES1 || arg == ARG_UNICODESTRING1) header = 1;
    else if (arg == ARG_LONG4 || arg == ARG_STRING4 || arg == ARG_BYTES4 || arg == ARG_UNICODESTRING4) header = 4;
    else if (arg == ARG_BYTES8 || arg == ARG_BYTEARRAY8 || arg == ARG_UNICODESTRING8) header = 8;
    if (arg >= ARG_DECIMALNL_SHORT && arg <= ARG_UNICODESTRINGNL && arg != ARG_FLOAT8) {
      // newline-terminated text; GLOBAL and INST carry two lines
      const lines = arg == ARG_STRINGNL_NOESCAPE_PAIR ? 2 : 1;
      let p = a;
      const end = a + avail;
      for (let l = 0; l < lines; l++) {
        const n = findNewline(p, end);
        if (n < 0) {
          if (atEnd || windowEnd >= fileSize) return PROBE_TRUNCATED;
          return <i32>(end - p) >= PROBE_MAX_LINE ? PROBE_LIMIT : PROBE_NEED_MORE;
        }
        if (n > PROBE_MAX_LINE) return PROBE_LIMIT;
        if (!validLine(arg, p, <usize>n)) return PROBE_BAD_ARGUMENT;
        p += <usize>n + 1;
      }
      argLength = <f64>(p - a);
    } else {
      if (avail < header) {
        return atEnd || windowEnd >= fileSize ? PROBE_TRUNCATED : PROBE_NEED_MORE;
      }
      if (arg == ARG_LONG1 || arg == ARG_STRING1 || arg == ARG_BYTES1 || arg == ARG_UNICODESTRING1) {
        payload = <f64>load<u8>(a);
      } else if (arg == ARG_LONG4 || arg == ARG_STRING4) {
        const n = load<i32>(a);
        if (n < 0) return PROBE_BAD_ARGUMENT;
        payload = <f64>n;
      } else if (arg == ARG_BYTES4 || arg == ARG_UNICODESTRING4) {
        payload = <f64>load<u32>(a);
      } else if (arg == ARG_BYTES8 || arg == ARG_BYTEARRAY8 || arg == ARG_UNICODESTRING8) {
        payload = <f64>load<u64>(a);
      } else if (arg == ARG_UINT1 && code == 0x80) {
        const version = <i32>load<u8>(a);
        if (version > HIGHEST_PROTOCOL) return PROBE_BAD_ARGUMENT;
        protocol = version;
      } else if (arg == ARG_UINT8 && code == 0x95) {
        const frame = <f64>load<u64>(a);
        if (position + 9 + frame > fileSize) return PROBE_LENGTH_BEYOND_FILE;
      }
      argLength = <f64>header + payload;
    }
    const next = position + 1 + argLength;
    if (next > fileSize) return PROBE_LENGTH_BEYOND_FILE;

    if (recording) {
      store<f64>(RECORDS + (<usize>recorded << 4), position);
      store<f64>(RECORDS + (<usize>recorded << 4), <f64>code, 8);
      recorded++;
      position = next;
      opcodes += 1;
      if (code == 0x2e) return PROBE_STOPPED;
      if (recorded >= recordLimit) return PROBE_RECORDS_FULL;
      continue;
    }
    // stack effect, as the unpickler would apply it
    if (opcodePopsMark(code)) {
      if (markDepth == 0) return PROBE_STACK_UNDERFLOW;
      if (code == 0x6f /* OBJ needs its class */ && items < 1) return PROBE_STACK_UNDERFLOW;
      items = unchecked(marks[--markDepth]);
    }
    const pops = opcodePops(code);
    if (items < pops) {
      if (code == 0x30 /* POP of an empty frame drops the mark */ && markDepth > 0) {
        items = unchecked(marks[--markDepth]) + 1;
      } else {
        return PROBE_STACK_UNDERFLOW;
      }
    }
    items -= pops;
    if (opcodePushesMark(code)) {
      if (markDepth >= PROBE_MAX_MARKS) return PROBE_LIMIT;
      unchecked(marks[markDepth++] = items);
      items = 0;
    }
    items += opcodePushes(code);

    position = next;
    opcodes += 1;
    if (code == 0x2e /* STOP */) return PROBE_STOPPED;
  }
}
