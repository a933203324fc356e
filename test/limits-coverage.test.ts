// Every named limit has a test: each `MAX_*` constant declared in src/,
// assembly/ or fuzz/ must be named by a test file under test/ that also names
// its module (the path's last two parts, e.g. `pickle/describe` or `onnx/limits`),
// so a limit declared in several modules needs a test for each. The exceptions
// are listed below with their reason, and the list must match exactly: it
// cannot grow, or keep an entry whose test has since been written, unnoticed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

/** `module:NAME` → why no test names it yet (reviewed; keep short). */
const UNTESTED: Record<string, string> = {
  'graph/graph-canvas:MAX_FILLED_FRAMES': 'a drawing-cost switch (past 400 frames in view they are outlined, not filled), not a bound on anything a file sets; bench/graph.mjs times the all-groups-open view it serves',
};

function files(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'out' || entry === 'fixtures') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files(path, out);
    else out.push(path);
  }
  return out;
}

const moduleOf = (file: string) => file.replace(/\.[a-z]+$/u, '').split('/').slice(-2).join('/');

/** Every `const|let|var MAX_…` declaration, as module:NAME. */
function declaredLimits(): string[] {
  const found = new Set<string>();
  for (const dir of ['src', 'assembly', 'fuzz']) {
    for (const file of files(join(ROOT, dir)).filter((f) => /\.(ts|mts|mjs|js)$/u.test(f))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:const|let|var)\s+(MAX_[A-Z0-9_]+)\b/gu)) found.add(`${moduleOf(relative(ROOT, file))}:${m[1]}`);
    }
  }
  return [...found].sort();
}

describe('named limits', () => {
  const tests = files(join(ROOT, 'test'))
    .filter((f) => /\.(ts|mjs)$/u.test(f) && !f.endsWith('limits-coverage.test.ts'))
    .map((f) => readFileSync(f, 'utf8'));
  const limits = declaredLimits();

  it('finds the limits it checks (a broken scan must not pass for a clean one)', () => {
    expect(limits.length).toBeGreaterThan(100);
    expect(limits).toContain('pickle/describe:MAX_DESCRIBE_NODES');
    expect(limits).toContain('onnx/walker:MAX_INTS_EMITTED');
    expect(limits).toContain('engine/wasm:MAX_MEMORY_BUDGET_BYTES');
  });

  it('each is named, with its module, by a test file; the exceptions are exactly the reviewed list', () => {
    const untested = limits.filter((key) => {
      const [module, name] = key.split(':') as [string, string];
      const word = new RegExp(`\\b${name}\\b`, 'u');
      return !tests.some((text) => word.test(text) && text.includes(module));
    });
    expect(untested).toEqual(Object.keys(UNTESTED).sort());
  });
});
