// A tiny pickle assembler for tests: hand-made opcode streams, exactly as
// written, so each test states the bytes it feeds the engine.
import { concat } from './helpers.js';

const enc = new TextEncoder();
const u32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const u64 = (n: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n), true); return b; };

export const P = {
  proto: (n: number) => [0x80, n],
  frame: (n: number) => concat([0x95], u64(n)),
  global: (module: string, name: string) => concat([0x63], `${module}\n${name}\n`),
  inst: (module: string, name: string) => concat([0x69], `${module}\n${name}\n`),
  str: (s: string) => { const b = enc.encode(s); return b.length < 256 ? concat([0x8c, b.length], b) : concat([0x58], u32(b.length), b); },
  binunicode: (s: string) => { const b = enc.encode(s); return concat([0x58], u32(b.length), b); },
  unicode: (s: string) => concat([0x56], `${s}\n`),
  string: (s: string) => concat([0x53], `'${s}'\n`),
  int: (n: number) => (n >= 0 && n < 256 ? [0x4b, n] : concat([0x4a], u32(n >>> 0))),
  binget: (i: number) => [0x68, i],
  binput: (i: number) => [0x71, i],
  longBinput: (i: number) => concat([0x72], u32(i)),
  get: (i: number) => concat([0x67], `${i}\n`),
  put: (i: number) => concat([0x70], `${i}\n`),
  ext1: (code: number) => [0x82, code],
  persid: (id: string) => concat([0x50], `${id}\n`),
  binbytes: (n: number) => concat([0x42], u32(n)),
  binunicodeHeader: (n: number) => concat([0x58], u32(n)),
  binunicode8Header: (n: number) => concat([0x8d], u64(n)),
  MARK: [0x28], STOP: [0x2e], POP: [0x30], DUP: [0x32], NONE: [0x4e], TRUE: [0x88], FALSE: [0x89],
  REDUCE: [0x52], BUILD: [0x62], NEWOBJ: [0x81], NEWOBJ_EX: [0x92], OBJ: [0x6f], STACK_GLOBAL: [0x93],
  MEMOIZE: [0x94], TUPLE: [0x74], TUPLE1: [0x85], TUPLE2: [0x86], TUPLE3: [0x87], EMPTY_TUPLE: [0x29],
  EMPTY_LIST: [0x5d], EMPTY_DICT: [0x7d], EMPTY_SET: [0x8f], APPEND: [0x61], APPENDS: [0x65], SETITEM: [0x73],
  SETITEMS: [0x75], LIST: [0x6c], DICT: [0x64], BINPERSID: [0x51], NEXT_BUFFER: [0x97],
};

export function pickle(...parts: (Uint8Array | number[] | string)[]): Uint8Array {
  return concat(...parts);
}

/** `module.name(arg)` by GLOBAL + REDUCE, protocol 2, ending in STOP. */
export function callPickle(module: string, name: string, arg: string): Uint8Array {
  return pickle(P.proto(2), P.global(module, name), P.str(arg), P.TUPLE1, P.REDUCE, P.STOP);
}

/** `parts` assembled once and written `times` times end to end (hundreds of thousands of opcodes, no spread). */
export function repeat(times: number, ...parts: (Uint8Array | number[] | string)[]): Uint8Array {
  const one = pickle(...parts);
  const out = new Uint8Array(one.length * times);
  for (let i = 0; i < times; i++) out.set(one, i * one.length);
  return out;
}
