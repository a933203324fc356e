// The app's plain logic, in Node: grouping dropped files by folder, reading a
// pasted hash, checking the safe-list setting.
import { describe, expect, it } from 'vitest';
import { siblingsByFolder } from '../src/intake/folders.js';
import { parseExpectedHash } from '../src/ui/file-facts.js';
import { DEFAULT_SETTINGS, MAX_ALLOW_ENTRIES, MAX_MEMORY_MIB, MAX_SCAN_SECONDS, MIN_MEMORY_MIB, MIN_SCAN_SECONDS, parseAllowList, validMemoryMiB, validScanSeconds } from '../src/store/settings.js';
import { MAX_MEMORY_BUDGET_BYTES, MIN_MEMORY_BUDGET_BYTES } from '../src/engine/wasm.js';

const file = (name: string) => new File([name], name);

describe('siblingsByFolder', () => {
  it('gives each file the other files of its own folder, and only those', () => {
    const dropped = [
      { file: file('index.json'), path: 'model/model.safetensors.index.json' },
      { file: file('a'), path: 'model/model-00001-of-00002.safetensors' },
      { file: file('b'), path: 'model/model-00002-of-00002.safetensors' },
      { file: file('c'), path: 'other/config.json' },
      { file: file('loose'), path: 'loose.pt' },
    ];
    const siblings = siblingsByFolder(dropped);
    expect(siblings.get(dropped[0]!)!.map(([n]) => n)).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(siblings.get(dropped[3]!)).toEqual([]);
    expect(siblings.get(dropped[4]!)).toEqual([]);
  });
});

describe('parseExpectedHash', () => {
  const hex = 'a'.repeat(32) + 'B'.repeat(32);
  it('reads bare hex, sha256sum lines and sha256: prefixes, lowercased', () => {
    expect(parseExpectedHash(hex)).toBe(hex.toLowerCase());
    expect(parseExpectedHash(`  ${hex}  model.safetensors\n`)).toBe(hex.toLowerCase());
    expect(parseExpectedHash(`${hex} *model.bin`)).toBe(hex.toLowerCase());
    expect(parseExpectedHash(`sha256:${hex}`)).toBe(hex.toLowerCase());
  });
  it('refuses anything that is not 64 hex digits', () => {
    expect(parseExpectedHash(hex.slice(1))).toBeUndefined();
    expect(parseExpectedHash(`${hex}0`)).toBeUndefined();
    expect(parseExpectedHash('g'.repeat(64))).toBeUndefined();
  });
});

describe('parseAllowList', () => {
  it('takes one entry per line, with comments and blank lines', () => {
    expect(parseAllowList('mypkg.models.Net\n\n# ours\nmypkg.layers.*  # layers\nother.**\n')).toEqual(['mypkg.models.Net', 'mypkg.layers.*', 'other.**']);
  });
  it('names the bad line', () => {
    expect(() => parseAllowList('mypkg.models.Net\n**')).toThrow(/entry 2/);
    expect(() => parseAllowList('os')).toThrow(/names a module/);
  });
  it(`stops at ${MAX_ALLOW_ENTRIES} entries`, () => {
    expect(() => parseAllowList(Array.from({ length: MAX_ALLOW_ENTRIES + 1 }, (_, i) => `p.c${i}`).join('\n'))).toThrow(/at most/);
  });
});

describe('time limit and memory budget settings (src/store/settings)', () => {
  it(`MAX_SCAN_SECONDS: whole seconds from ${MIN_SCAN_SECONDS} to ${MAX_SCAN_SECONDS} are kept; others are refused`, () => {
    for (const ok of [MIN_SCAN_SECONDS, DEFAULT_SETTINGS.scanTimeLimitSeconds, MAX_SCAN_SECONDS]) expect(validScanSeconds(ok), String(ok)).toBe(true);
    for (const bad of [MIN_SCAN_SECONDS - 1, MAX_SCAN_SECONDS + 1, 1.5, '60', NaN]) expect(validScanSeconds(bad), String(bad)).toBe(false);
  });
  it(`MAX_MEMORY_MIB: whole MiB from ${MIN_MEMORY_MIB} to ${MAX_MEMORY_MIB}, the engine's own bounds`, () => {
    for (const ok of [MIN_MEMORY_MIB, DEFAULT_SETTINGS.memoryBudgetMiB, MAX_MEMORY_MIB]) expect(validMemoryMiB(ok), String(ok)).toBe(true);
    for (const bad of [MIN_MEMORY_MIB - 1, MAX_MEMORY_MIB + 1, 100.5, '512', Infinity]) expect(validMemoryMiB(bad), String(bad)).toBe(false);
    expect(MIN_MEMORY_MIB * 2 ** 20).toBe(MIN_MEMORY_BUDGET_BYTES);
    expect(MAX_MEMORY_MIB * 2 ** 20).toBe(MAX_MEMORY_BUDGET_BYTES);
  });
});
