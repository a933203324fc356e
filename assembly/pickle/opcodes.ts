// Every pickle opcode of protocols 0-5, as CPython's pickletools lists them:
// its argument encoding and its effect on the unpickler's stack.

// Argument encodings (pickletools' ArgumentDescriptor names).
export const ARG_NONE: u8 = 0;
export const ARG_UINT1: u8 = 1;
export const ARG_UINT2: u8 = 2;
export const ARG_INT4: u8 = 3;
export const ARG_UINT4: u8 = 4;
export const ARG_UINT8: u8 = 5;
export const ARG_LONG1: u8 = 6;
export const ARG_LONG4: u8 = 7;
export const ARG_DECIMALNL_SHORT: u8 = 8;
export const ARG_DECIMALNL_LONG: u8 = 9;
export const ARG_FLOATNL: u8 = 10;
export const ARG_FLOAT8: u8 = 11;
export const ARG_STRINGNL: u8 = 12;
export const ARG_STRINGNL_NOESCAPE: u8 = 13;
export const ARG_STRINGNL_NOESCAPE_PAIR: u8 = 14;
export const ARG_UNICODESTRINGNL: u8 = 15;
export const ARG_STRING1: u8 = 16;
export const ARG_STRING4: u8 = 17;
export const ARG_BYTES1: u8 = 18;
export const ARG_BYTES4: u8 = 19;
export const ARG_BYTES8: u8 = 20;
export const ARG_BYTEARRAY8: u8 = 21;
export const ARG_UNICODESTRING1: u8 = 22;
export const ARG_UNICODESTRING4: u8 = 23;
export const ARG_UNICODESTRING8: u8 = 24;

// Table entry layout (u32): bit 31 known; bits 0-7 argument; bits 8-9 items
// popped; bits 10-11 items pushed; bit 12 pops to the topmost mark first;
// bit 13 pushes a mark; bits 16-18 protocol that introduced the opcode.
const KNOWN: u32 = 1 << 31;
const POPS_MARK: u32 = 1 << 12;
const PUSHES_MARK: u32 = 1 << 13;

const TABLE: StaticArray<u32> = new StaticArray<u32>(256);

function def(code: i32, arg: u8, pops: u32, pushes: u32, flags: u32, proto: u32): void {
  TABLE[code] = KNOWN | <u32>arg | (pops << 8) | (pushes << 10) | flags | (proto << 16);
}

// protocol 0 and 1
def(0x28 /* ( MARK */, ARG_NONE, 0, 0, PUSHES_MARK, 0);
def(0x2e /* . STOP */, ARG_NONE, 1, 0, 0, 0);
def(0x30 /* 0 POP */, ARG_NONE, 1, 0, 0, 0);
def(0x31 /* 1 POP_MARK */, ARG_NONE, 0, 0, POPS_MARK, 1);
def(0x32 /* 2 DUP */, ARG_NONE, 1, 2, 0, 0);
def(0x46 /* F FLOAT */, ARG_FLOATNL, 0, 1, 0, 0);
def(0x49 /* I INT */, ARG_DECIMALNL_SHORT, 0, 1, 0, 0);
def(0x4a /* J BININT */, ARG_INT4, 0, 1, 0, 1);
def(0x4b /* K BININT1 */, ARG_UINT1, 0, 1, 0, 1);
def(0x4c /* L LONG */, ARG_DECIMALNL_LONG, 0, 1, 0, 0);
def(0x4d /* M BININT2 */, ARG_UINT2, 0, 1, 0, 1);
def(0x4e /* N NONE */, ARG_NONE, 0, 1, 0, 0);
def(0x50 /* P PERSID */, ARG_STRINGNL_NOESCAPE, 0, 1, 0, 0);
def(0x51 /* Q BINPERSID */, ARG_NONE, 1, 1, 0, 1);
def(0x52 /* R REDUCE */, ARG_NONE, 2, 1, 0, 0);
def(0x53 /* S STRING */, ARG_STRINGNL, 0, 1, 0, 0);
def(0x54 /* T BINSTRING */, ARG_STRING4, 0, 1, 0, 1);
def(0x55 /* U SHORT_BINSTRING */, ARG_STRING1, 0, 1, 0, 1);
def(0x56 /* V UNICODE */, ARG_UNICODESTRINGNL, 0, 1, 0, 0);
def(0x58 /* X BINUNICODE */, ARG_UNICODESTRING4, 0, 1, 0, 1);
def(0x61 /* a APPEND */, ARG_NONE, 2, 1, 0, 0);
def(0x62 /* b BUILD */, ARG_NONE, 2, 1, 0, 0);
def(0x63 /* c GLOBAL */, ARG_STRINGNL_NOESCAPE_PAIR, 0, 1, 0, 0);
def(0x64 /* d DICT */, ARG_NONE, 0, 1, POPS_MARK, 0);
def(0x7d /* } EMPTY_DICT */, ARG_NONE, 0, 1, 0, 1);
def(0x65 /* e APPENDS */, ARG_NONE, 1, 1, POPS_MARK, 1);
def(0x67 /* g GET */, ARG_DECIMALNL_SHORT, 0, 1, 0, 0);
def(0x68 /* h BINGET */, ARG_UINT1, 0, 1, 0, 1);
def(0x69 /* i INST */, ARG_STRINGNL_NOESCAPE_PAIR, 0, 1, POPS_MARK, 0);
def(0x6a /* j LONG_BINGET */, ARG_UINT4, 0, 1, 0, 1);
def(0x6c /* l LIST */, ARG_NONE, 0, 1, POPS_MARK, 0);
def(0x5d /* ] EMPTY_LIST */, ARG_NONE, 0, 1, 0, 1);
def(0x6f /* o OBJ */, ARG_NONE, 0, 1, POPS_MARK, 1);
def(0x70 /* p PUT */, ARG_DECIMALNL_SHORT, 1, 1, 0, 0);
def(0x71 /* q BINPUT */, ARG_UINT1, 1, 1, 0, 1);
def(0x72 /* r LONG_BINPUT */, ARG_UINT4, 1, 1, 0, 1);
def(0x73 /* s SETITEM */, ARG_NONE, 3, 1, 0, 0);
def(0x74 /* t TUPLE */, ARG_NONE, 0, 1, POPS_MARK, 0);
def(0x29 /* ) EMPTY_TUPLE */, ARG_NONE, 0, 1, 0, 1);
def(0x75 /* u SETITEMS */, ARG_NONE, 1, 1, POPS_MARK, 1);
def(0x47 /* G BINFLOAT */, ARG_FLOAT8, 0, 1, 0, 1);
// protocol 2
def(0x80 /* PROTO */, ARG_UINT1, 0, 0, 0, 2);
def(0x81 /* NEWOBJ */, ARG_NONE, 2, 1, 0, 2);
def(0x82 /* EXT1 */, ARG_UINT1, 0, 1, 0, 2);
def(0x83 /* EXT2 */, ARG_UINT2, 0, 1, 0, 2);
def(0x84 /* EXT4 */, ARG_INT4, 0, 1, 0, 2);
def(0x85 /* TUPLE1 */, ARG_NONE, 1, 1, 0, 2);
def(0x86 /* TUPLE2 */, ARG_NONE, 2, 1, 0, 2);
def(0x87 /* TUPLE3 */, ARG_NONE, 3, 1, 0, 2);
def(0x88 /* NEWTRUE */, ARG_NONE, 0, 1, 0, 2);
def(0x89 /* NEWFALSE */, ARG_NONE, 0, 1, 0, 2);
def(0x8a /* LONG1 */, ARG_LONG1, 0, 1, 0, 2);
def(0x8b /* LONG4 */, ARG_LONG4, 0, 1, 0, 2);
// protocol 3
def(0x42 /* B BINBYTES */, ARG_BYTES4, 0, 1, 0, 3);
def(0x43 /* C SHORT_BINBYTES */, ARG_BYTES1, 0, 1, 0, 3);
// protocol 4
def(0x8c /* SHORT_BINUNICODE */, ARG_UNICODESTRING1, 0, 1, 0, 4);
def(0x8d /* BINUNICODE8 */, ARG_UNICODESTRING8, 0, 1, 0, 4);
def(0x8e /* BINBYTES8 */, ARG_BYTES8, 0, 1, 0, 4);
def(0x8f /* EMPTY_SET */, ARG_NONE, 0, 1, 0, 4);
def(0x90 /* ADDITEMS */, ARG_NONE, 1, 1, POPS_MARK, 4);
def(0x91 /* FROZENSET */, ARG_NONE, 0, 1, POPS_MARK, 4);
def(0x92 /* NEWOBJ_EX */, ARG_NONE, 3, 1, 0, 4);
def(0x93 /* STACK_GLOBAL */, ARG_NONE, 2, 1, 0, 4);
def(0x94 /* MEMOIZE */, ARG_NONE, 1, 1, 0, 4);
def(0x95 /* FRAME */, ARG_UINT8, 0, 0, 0, 4);
// protocol 5
def(0x96 /* BYTEARRAY8 */, ARG_BYTEARRAY8, 0, 1, 0, 5);
def(0x97 /* NEXT_BUFFER */, ARG_NONE, 0, 1, 0, 5);
def(0x98 /* READONLY_BUFFER */, ARG_NONE, 1, 1, 0, 5);

export const HIGHEST_PROTOCOL: i32 = 5;

@inline export function opcodeKnown(code: u8): bool { return (unchecked(TABLE[code]) & KNOWN) != 0; }
@inline export function opcodeArg(code: u8): u8 { return <u8>(unchecked(TABLE[code]) & 0xff); }
@inline export function opcodePops(code: u8): i32 { return <i32>((unchecked(TABLE[code]) >> 8) & 3); }
@inline export function opcodePushes(code: u8): i32 { return <i32>((unchecked(TABLE[code]) >> 10) & 3); }
@inline export function opcodePopsMark(code: u8): bool { return (unchecked(TABLE[code]) & POPS_MARK) != 0; }
@inline export function opcodePushesMark(code: u8): bool { return (unchecked(TABLE[code]) & PUSHES_MARK) != 0; }
@inline export function opcodeProtocol(code: u8): i32 { return <i32>((unchecked(TABLE[code]) >> 16) & 7); }

/** Number of opcodes in the table (a self-check for tests: 68 in protocol 5). */
export function pickleOpcodeCount(): i32 {
  let n = 0;
  for (let i = 0; i < 256; i++) if (opcodeKnown(<u8>i)) n++;
  return n;
}
