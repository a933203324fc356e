// A trap inside the wasm module (a decoder bug, memory exhausted) must cost
// one file, not every file after it: the instance is replaced on next use.
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { scanSource } from '../src/engine/scan.js';
import { loadWasm } from '../src/node/load-wasm.js';
import { callPickle } from './pickle-asm.js';

describe('wasm instance after a trap', () => {
  it('is replaced, and the next scan works', async () => {
    const wasm = await loadWasm();
    const machine = wasm.pickleMachine(0, 10, false);
    // a global handle whose record pointer lies far outside memory: an out-of-bounds load
    const bogus = (2 ** 32 - 64) * 64 + 14;
    let trap: unknown;
    try {
      machine.describe(bogus, 10, 4, 4);
    } catch (error) {
      trap = error;
    }
    expect(trap).toBeInstanceOf(WebAssembly.RuntimeError);
    wasm.noteFailure(trap);
    const report = await scanSource(new MemoryByteSource(callPickle('os', 'system', 'echo hi'), 'after.pkl'), { wasm });
    expect(report.verdict).toBe('malicious');
    expect(wasm.resets).toBe(1);
  });
});
