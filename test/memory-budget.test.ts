// The wasm memory budget: the decoders' memory is an imported WebAssembly.Memory
// with a maximum, so a file that needs more stops with a limit finding (never
// clean), the instance is replaced, and the next file is analysed as usual.
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { scanSource } from '../src/engine/scan.js';
import { clampMemoryBudget, DEFAULT_MEMORY_BUDGET_BYTES, MAX_MEMORY_BUDGET_BYTES, MIN_MEMORY_BUDGET_BYTES, WasmMemoryBudgetError } from '../src/engine/wasm.js';
import { loadWasm } from '../src/node/load-wasm.js';
import { callPickle, P, pickle } from './pickle-asm.js';

const MiB = 1024 * 1024;

/** Memo keys one 96 KiB memo chunk apart: each LONG_BINPUT (5 bytes) makes the memo take another chunk. */
function sparseMemo(keys: number): Uint8Array {
  const puts = new Uint8Array(5 * keys);
  for (let i = 0; i < keys; i++) puts.set(P.longBinput(i * 16384), 5 * i);
  return puts;
}

/** 400 chunks: about 38 MiB of memo from a 2 KB file (under MAX_MEMO_CHUNKS, so only a budget stops it). */
const memoHungry = pickle(P.proto(2), P.NONE, sparseMemo(400), P.STOP);

describe('wasm memory budget (src/engine/wasm.ts)', () => {
  it('a file that needs more than the budget ends in scan.limit-reached MEMORY_BUDGET, suspicious, never clean', async () => {
    const wasm = await loadWasm({ memoryBudgetBytes: MIN_MEMORY_BUDGET_BYTES });
    expect(wasm.memoryBudgetBytes).toBe(16 * MiB);
    const r = await scanSource(new MemoryByteSource(memoHungry, 'memo.pkl'), { wasm });
    const limit = r.findings.find((f) => f.rule === 'scan.limit-reached');
    expect(limit?.evidence).toEqual({ limit: 'MEMORY_BUDGET', value: 16 * MiB });
    expect(limit?.message).toMatch(/^analysis incomplete: the decoder needed more than its memory budget of 16 MiB \(\d+(\.\d)? MiB in use\)/);
    expect(r.verdict).toBe('suspicious');
    // the same file within the default budget is read to the end
    const roomy = await scanSource(new MemoryByteSource(memoHungry, 'memo.pkl'), { wasm: await loadWasm() });
    expect(roomy.verdict).toBe('clean');
  });

  it('the instance is replaced after the budget is spent: the next file gets the whole budget again', async () => {
    const wasm = await loadWasm({ memoryBudgetBytes: MIN_MEMORY_BUDGET_BYTES });
    await scanSource(new MemoryByteSource(memoHungry, 'memo.pkl'), { wasm });
    const next = await scanSource(new MemoryByteSource(callPickle('os', 'system', 'echo hi'), 'next.pkl'), { wasm });
    expect(next.verdict).toBe('malicious');
    expect(wasm.resets).toBe(1);
    expect(wasm.memoryBytes).toBeLessThan(MIN_MEMORY_BUDGET_BYTES);
    // a smaller file that fits is clean under the same budget
    const fits = await scanSource(new MemoryByteSource(pickle(P.proto(2), P.NONE, sparseMemo(20), P.STOP), 'fits.pkl'), { wasm });
    expect(fits.verdict).toBe('clean');
  });

  it('a dangerous import in a window read before the budget ran out still makes the file malicious', async () => {
    // the import sits a window earlier, behind 1.1 MiB of bytes
    const wasm = await loadWasm({ memoryBudgetBytes: MIN_MEMORY_BUDGET_BYTES });
    const filler = pickle(P.binbytes(1_100_000), new Uint8Array(1_100_000), P.POP);
    const evil = pickle(P.proto(2), P.global('os', 'system'), P.str('echo hi'), P.TUPLE1, P.REDUCE, P.POP, filler, P.NONE, sparseMemo(400), P.STOP);
    const r = await scanSource(new MemoryByteSource(evil, 'evil.pkl'), { wasm });
    expect(r.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['pickle.dangerous-import', 'scan.limit-reached']));
    expect(r.verdict).toBe('malicious');
  });

  it('a dangerous import right before the blow-up, in the same window, still makes the file malicious', async () => {
    // the machine pauses after every import, so it is drained and judged before the memo grows
    for (const evil of [
      pickle(P.proto(2), P.global('os', 'system'), P.str('echo hi'), P.TUPLE1, P.REDUCE, P.POP, P.NONE, sparseMemo(400), P.STOP),
      pickle(P.proto(2), P.MARK, P.str('echo hi'), P.inst('os', 'system'), P.POP, P.NONE, sparseMemo(400), P.STOP),
      pickle(P.proto(4), P.str('os'), P.str('system'), P.STACK_GLOBAL, P.POP, P.NONE, sparseMemo(400), P.STOP),
    ]) {
      const r = await scanSource(new MemoryByteSource(evil, 'evil.pkl'), { wasm: await loadWasm({ memoryBudgetBytes: MIN_MEMORY_BUDGET_BYTES }) });
      expect(r.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['pickle.dangerous-import', 'scan.limit-reached']));
      expect(r.verdict).toBe('malicious');
    }
  });

  it('only the failed grow is read as the budget: other traps stay internal errors', async () => {
    const wasm = await loadWasm({ memoryBudgetBytes: MIN_MEMORY_BUDGET_BYTES });
    const machine = wasm.pickleMachine(0, 10, false);
    // a record pointer far outside memory: an out-of-bounds load, not a failed grow
    expect(() => machine.describe((2 ** 32 - 64) * 64 + 14, 10, 4, 4)).toThrow(WebAssembly.RuntimeError);
    let grow: unknown;
    try {
      wasm.pickleMachine(0, 10, false).describe(0, 1, 1, 1); // fresh instance after the trap
      const m = wasm.pickleMachine(0, memoHungry.length, false);
      m.feed(0, memoHungry, true);
    } catch (error) {
      grow = error;
    }
    expect(grow).toBeInstanceOf(WasmMemoryBudgetError);
  });

  it('budgets are clamped to whole pages between MIN and MAX', () => {
    expect(clampMemoryBudget(1)).toBe(MIN_MEMORY_BUDGET_BYTES);
    expect(clampMemoryBudget(1e12)).toBe(MAX_MEMORY_BUDGET_BYTES);
    expect(MAX_MEMORY_BUDGET_BYTES).toBe(1024 * MiB);
    expect(clampMemoryBudget(100 * MiB + 123)).toBe(100 * MiB);
    expect(DEFAULT_MEMORY_BUDGET_BYTES).toBe(512 * MiB);
  });
});
