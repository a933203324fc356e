// The validating opcode walk in wasm, on hand-assembled pickles.
import { describe, expect, it } from 'vitest';
import { ProbeStatus } from '../src/engine/wasm.js';
import { concat, wasm } from './helpers.js';

async function probe(bytes: Uint8Array, size = bytes.length) {
  const w = await wasm();
  const p = w.pickleProbe(0, size);
  const status = p.feed(0, bytes, bytes.length >= size);
  return { status, ...p.state() };
}

const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const u64 = (n: number) => [...u32(n % 2 ** 32), ...u32(Math.floor(n / 2 ** 32))];

describe('pickle probe', () => {
  it('knows all 68 opcodes of protocols 0-5', async () => {
    expect((await wasm()).pickleOpcodeCount).toBe(68);
  });

  it('walks a protocol 4 pickle with a frame, memo and STACK_GLOBAL to STOP', async () => {
    // pickle.dumps(collections.OrderedDict(), protocol=4)
    const body = concat([0x8c, 11], 'collections', [0x94, 0x8c, 11], 'OrderedDict', [0x94, 0x93, 0x94, 0x29, 0x52, 0x94, 0x2e]);
    const bytes = concat([0x80, 4, 0x95], u64(body.length), body);
    const r = await probe(bytes);
    expect(r.status).toBe(ProbeStatus.Stopped);
    expect(r.protocol).toBe(4);
    expect(r.position).toBe(bytes.length);
    expect(r.items).toBe(0);
    expect(r.marks).toBe(0);
  });

  it('walks a protocol 0 pickle with text arguments', async () => {
    const bytes = concat("(dp0\nS'key'\np1\nI42\nsVname\np2\nL12345L\ns.");
    const r = await probe(bytes);
    expect(r.status).toBe(ProbeStatus.Stopped);
    expect(r.protocol).toBe(-1);
  });

  it('rejects an unknown opcode and stops at it', async () => {
    const r = await probe(concat([0x80, 2, 0x4e, 0xff, 0x2e]));
    expect(r.status).toBe(ProbeStatus.UnknownOpcode);
    expect(r.position).toBe(3);
    expect(r.lastOpcode).toBe(0xff);
  });

  it('rejects a protocol above 5', async () => {
    expect((await probe(concat([0x80, 6, 0x4e, 0x2e]))).status).toBe(ProbeStatus.BadArgument);
  });

  it('reports stack underflow (REDUCE on an empty stack)', async () => {
    const r = await probe(concat([0x80, 2, 0x52, 0x2e]));
    expect(r.status).toBe(ProbeStatus.StackUnderflow);
    expect(r.position).toBe(2);
  });

  it('reports popping to a mark that was never set', async () => {
    expect((await probe(concat([0x80, 2, 0x4e, 0x74, 0x2e]))).status).toBe(ProbeStatus.StackUnderflow);
  });

  it('reports a stream that ends without STOP as truncated', async () => {
    expect((await probe(concat([0x80, 4, 0x4e]))).status).toBe(ProbeStatus.Truncated);
    // an argument cut off at the end of the file
    expect((await probe(concat([0x80, 2, 0x4a, 1, 2]))).status).toBe(ProbeStatus.Truncated);
  });

  it('rejects a BINBYTES8 length beyond the end of the file', async () => {
    const r = await probe(concat([0x80, 4, 0x8e], u64(2 ** 40), [0x2e]));
    expect(r.status).toBe(ProbeStatus.LengthBeyondFile);
  });

  it('rejects a negative BINSTRING length', async () => {
    expect((await probe(concat([0x80, 2, 0x54], u32(0xffffffff), [0x2e]))).status).toBe(ProbeStatus.BadArgument);
  });

  it('skips a payload past the window and asks to be fed from after it', async () => {
    const payload = 5000;
    const w = await wasm();
    const size = 3 + 4 + payload + 1;
    const p = w.pickleProbe(0, size);
    // feed only the first 16 bytes: the opcode header is there, the payload is not
    const head = concat([0x80, 3, 0x42], u32(payload), new Uint8Array(9));
    expect(p.feed(0, head, false)).toBe(ProbeStatus.NeedMore);
    expect(p.state().position).toBe(3 + 4 + payload);
    expect(p.feed(3 + 4 + payload, Uint8Array.of(0x2e), true)).toBe(ProbeStatus.Stopped);
  });

  it('asks for more when an opcode straddles the window, then resumes there', async () => {
    const w = await wasm();
    const bytes = concat([0x80, 2, 0x4a], u32(7), [0x2e]);
    const p = w.pickleProbe(0, bytes.length);
    expect(p.feed(0, bytes.subarray(0, 4), false)).toBe(ProbeStatus.NeedMore);
    expect(p.state().position).toBe(2);
    expect(p.feed(2, bytes.subarray(2), true)).toBe(ProbeStatus.Stopped);
  });

  it('hits its MARK depth limit instead of growing without bound', async () => {
    const marks = new Uint8Array(70_000).fill(0x28);
    const r = await probe(concat([0x80, 2], marks, [0x2e]));
    expect(r.status).toBe(ProbeStatus.Limit);
    expect(r.marks).toBe(65536);
  });

  it('rejects malformed text arguments', async () => {
    expect((await probe(concat('Iabc\n.'))).status).toBe(ProbeStatus.BadArgument);
    expect((await probe(concat("S'unterminated\n."))).status).toBe(ProbeStatus.BadArgument);
    expect((await probe(concat('cos system\n.'))).status).toBe(ProbeStatus.BadArgument); // no spaces in a module name
    expect((await probe(concat('cos\nsystem'))).status).toBe(ProbeStatus.Truncated); // GLOBAL needs two lines
  });

  it('hits the line-length limit on an endless text argument', async () => {
    const w = await wasm();
    const line = concat('I', new Uint8Array(70_000).fill(0x31));
    const p = w.pickleProbe(0, line.length + 10);
    expect(p.feed(0, line, false)).toBe(ProbeStatus.Limit);
  });
});

describe('disassembly pages', () => {
  it('holds at most MAX_PAGE_LINES lines a page (the wasm walk records as many) and says where the next starts', async () => {
    const { disassemble, MAX_PAGE_LINES } = await import('../src/engine/pickle/disassemble.js');
    const { MemoryByteSource } = await import('../src/engine/byte-source.js');
    const pairs = 2500;
    const opcodes = 1 + 2 * pairs + 2; // PROTO, (NONE POP)…, NONE, STOP
    const body = new Uint8Array(2 * pairs);
    for (let i = 0; i < body.length; i += 2) body.set([0x4e, 0x30], i);
    const source = new MemoryByteSource(concat([0x80, 0x02], body, [0x4e, 0x2e]), 'long.pkl');
    const first = await disassemble(await wasm(), source, 0, 1_000_000);
    expect(first.lines).toHaveLength(MAX_PAGE_LINES);
    expect(first.next).toBe(first.lines.at(-1)!.offset + 1);
    const second = await disassemble(await wasm(), source, first.next!, 1_000_000);
    expect(second.lines.length + first.lines.length).toBe(opcodes);
    expect(second.lines.at(-1)).toEqual({ offset: source.size - 1, opcode: 'STOP' });
    expect(second.next).toBeUndefined();
  });
});
