// Bounds of the pickle machine's memo (assembly/pickle/memo.ts), of one
// disassembly feed (assembly/pickle/probe.ts) and of the page cache the
// stream reader keeps (src/engine/pickle/stream-reader.ts).
import { describe, expect, it } from 'vitest';
import { CountingByteSource } from '../src/engine/byte-source.js';
import { StreamReader } from '../src/engine/pickle/stream-reader.js';
import type { Report } from '../src/engine/report.js';
import { scanBytes, wasm } from './helpers.js';
import { P, pickle } from './pickle-asm.js';

const limitOf = (r: Report) => r.findings.find((f) => f.rule === 'scan.limit-reached')?.evidence.limit;

/** NONE, then LONG_BINPUT of `count` consecutive keys from `first`, then STOP. */
function puts(first: number, count: number): Uint8Array {
  const body = new Uint8Array(5 * count);
  for (let i = 0; i < count; i++) body.set(P.longBinput(first + i), 5 * i);
  return pickle(P.proto(2), P.NONE, body, P.STOP);
}

describe('memo keys (assembly/pickle/memo.ts)', () => {
  const MAX_DENSE_KEY = 2 ** 26;
  const MAX_SPARSE_KEYS = 65536;

  it('MAX_SPARSE_KEYS: 65,536 keys at or past MAX_DENSE_KEY (2^26) are held; one more stops the walk with MAX_MEMO, never clean', async () => {
    expect((await scanBytes(puts(MAX_DENSE_KEY, MAX_SPARSE_KEYS))).verdict).toBe('clean');
    const over = await scanBytes(puts(MAX_DENSE_KEY, MAX_SPARSE_KEYS + 1));
    expect(limitOf(over)).toBe('MAX_MEMO');
    expect(over.verdict).toBe('suspicious');
  });

  it('MAX_DENSE_KEY: a key below 2^26 is dense (chunked) and does not count against the sparse keys', async () => {
    // the same 65,537 keys moved one lower: the first is dense, 65,536 are sparse
    expect((await scanBytes(puts(MAX_DENSE_KEY - 1, MAX_SPARSE_KEYS + 1))).verdict).toBe('clean');
    // many dense keys close together cost a few chunks, far from any limit
    expect((await scanBytes(puts(0, 200_000))).verdict).toBe('clean');
  });
});

describe('disassembly feed (assembly/pickle/probe.ts)', () => {
  it('MAX_DISASM_LINES: one feed records at most 4,096 opcodes whatever is asked', async () => {
    const ops = new Uint8Array(2 * 5000);
    for (let i = 0; i < 5000; i++) ops.set([0x4e, 0x30], 2 * i); // NONE POP
    const bytes = pickle(P.proto(2), ops, P.NONE, P.STOP);
    const disasm = (await wasm()).pickleDisasm(0, bytes.length, 10_000);
    disasm.feed(0, bytes, true);
    expect(disasm.lines()).toHaveLength(4096);
    const exact = (await wasm()).pickleDisasm(0, bytes.length, 4096);
    exact.feed(0, bytes, true);
    expect(exact.lines()).toHaveLength(4096);
  });
});

describe('stream reader pages (src/engine/pickle/stream-reader.ts)', () => {
  class Counting extends CountingByteSource {
    readonly name = 'pages';
    reads = 0;
    constructor(readonly size: number) { super(); }
    protected async fetch(_offset: number, length: number): Promise<Uint8Array> {
      this.reads++;
      return new Uint8Array(length);
    }
  }

  it('MAX_PAGES: keeps the 64 most recently used 64 KiB pages; the 65th evicts the oldest', async () => {
    const PAGE = 64 * 1024;
    const source = new Counting(100 * PAGE);
    const reader = new StreamReader(source);
    for (let p = 0; p < 64; p++) await reader.bytes(p * PAGE, 1);
    expect(source.reads).toBe(64);
    await reader.bytes(0, 1); // all 64 still held (page 0 is now the most recent)
    expect(source.reads).toBe(64);
    await reader.bytes(64 * PAGE, 1); // the 65th page: page 1, the least recently used, goes
    expect(source.reads).toBe(65);
    await reader.bytes(0, 1);
    expect(source.reads).toBe(65);
    await reader.bytes(1 * PAGE, 1);
    expect(source.reads).toBe(66);
  });
});
