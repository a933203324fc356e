// A page of disassembly, like `python -m pickletools`: offset, opcode and an
// argument summary for each opcode from a known opcode start. The walk itself
// is the wasm probe's (no stack accounting, so a page may start anywhere an
// opcode starts: a finding's offset, the last page's end).
import type { ByteSource } from '../byte-source.js';
import { ProbeStatus, type WeightlensWasm } from '../wasm.js';
import { opcodeName } from './opcode-names.js';
import { strRepr, renderPython } from './render.js';
import { decodeScalar } from './scalars.js';
import { StreamReader } from './stream-reader.js';

/** Lines one page may hold. */
export const MAX_PAGE_LINES = 4096;
/** Characters of one argument summary. */
const ARG_CHARS = 120;

export interface DisasmLine {
  offset: number;
  opcode: string;
  /** The argument, summarised (strings quoted and cut, payload sizes instead of payloads). */
  arg?: string;
}

export interface DisasmPage {
  lines: DisasmLine[];
  /** Where the next page starts; absent at the end of the stream or at an error. */
  next?: number;
  /** Why the page ended early: the stream ended, or the bytes stop being a pickle. */
  error?: string;
}

const STRINGS = new Set([0x8c, 0x58, 0x8d, 0x55, 0x54, 0x53, 0x56]);
const BYTES = new Set([0x43, 0x42, 0x8e, 0x96]);
const NUMBERS = new Set([0x8a, 0x8b, 0x49, 0x4c, 0x46, 0x47]);

export async function disassemble(wasm: WeightlensWasm, source: ByteSource, from: number, count: number): Promise<DisasmPage> {
  const lines = Math.min(Math.max(1, count), MAX_PAGE_LINES);
  const walk = wasm.pickleDisasm(from, source.size, lines);
  let windowStart = from;
  let status: ProbeStatus;
  for (;;) {
    const window = await source.read(windowStart, wasm.inputCapacity);
    status = walk.feed(windowStart, window, windowStart + window.length >= source.size);
    if (status !== ProbeStatus.NeedMore) break;
    windowStart = walk.position();
  }
  const reader = new StreamReader(source);
  const out: DisasmLine[] = [];
  for (const { offset, opcode } of walk.lines()) {
    const arg = await argument(reader, offset, opcode);
    out.push({ offset, opcode: opcodeName(opcode), ...(arg !== undefined ? { arg } : {}) });
  }
  const position = walk.position();
  if (status === ProbeStatus.RecordsFull || (status === ProbeStatus.Stopped && position < source.size)) return { lines: out, next: position };
  if (status === ProbeStatus.Stopped) return { lines: out };
  const why = status === ProbeStatus.Truncated ? 'the stream ends inside an opcode or before STOP' : `${opcodeName(walk.lastOpcode())} at offset ${position} cannot be decoded`;
  return { lines: out, error: why };
}

async function argument(reader: StreamReader, offset: number, code: number): Promise<string | undefined> {
  const head = await reader.bytes(offset + 1, 8);
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  switch (code) {
    case 0x4b: case 0x68: case 0x71: case 0x80: case 0x82: return String(head[0]);
    case 0x4d: case 0x83: return String(v.getUint16(0, true));
    case 0x4a: case 0x84: return String(v.getInt32(0, true));
    case 0x6a: case 0x72: return String(v.getUint32(0, true));
    case 0x95: return `${v.getBigUint64(0, true)} bytes`;
    case 0x63: case 0x69: case 0x50: case 0x67: case 0x70: {
      const text = new TextDecoder('utf-8').decode(await reader.bytes(offset + 1, ARG_CHARS * 2));
      const parts = text.split('\n').slice(0, code === 0x63 || code === 0x69 ? 2 : 1);
      return cut(parts.map((p) => (code === 0x50 ? strRepr(p) : p)).join(' '));
    }
  }
  if (STRINGS.has(code) || NUMBERS.has(code)) return cut(renderPython(await decodeScalar(reader, 'str', offset), ARG_CHARS * 2));
  if (BYTES.has(code)) {
    const value = await decodeScalar(reader, 'bytes', offset);
    return value.type === 'bytes' ? `${value.length} bytes` : undefined;
  }
  return undefined;
}

function cut(s: string): string {
  return s.length > ARG_CHARS ? `${s.slice(0, ARG_CHARS - 1)}…` : s;
}
