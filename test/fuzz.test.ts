// The fuzzer's regressions, and a short seeded run of it on every test run
// (the long run is `node fuzz/run.mjs --count 1000000`).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { scanSource } from '../src/engine/scan.js';
import { loadCorpus } from '../fuzz/corpus.mjs';
import { makeEngine } from '../fuzz/engine.mjs';
import { inputAt, MAX_INPUT_BYTES } from '../fuzz/mutate.mjs';
import { ROOT, scanBytes, validateReport, wasm } from './helpers.js';

const REGRESSIONS: Record<string, string> = {
  'zip-directory-offset-before-file.zip': 'malformed',
  'inflate-truncated-nested-zip.zip': 'malformed',
  'string-called-after-bad-utf8.pkl': 'malformed',
  'import-name-bad-utf8.pkl': 'malformed',
  'legacy-tar-storages-size-zeroed.pt': 'malicious',
  'legacy-tar-header-damaged.pt': 'malformed',
  'joblib-builds-described-each.joblib': 'unsupported',
};

describe('fuzz regressions', () => {
  it('lists every committed regression here', () => {
    const files = readdirSync(`${ROOT}/test/fixtures/fuzz`).filter((f) => !f.endsWith('.md'));
    expect(files.sort()).toEqual(Object.keys(REGRESSIONS).sort());
  });
  for (const [name, verdict] of Object.entries(REGRESSIONS)) {
    it(`${name}: ${verdict}, no internal error`, async () => {
      const r = await scanBytes(new Uint8Array(readFileSync(`${ROOT}/test/fixtures/fuzz/${name}`)), name);
      expect(r.findings.map((f) => f.rule)).not.toContain('scan.internal-error');
      expect(r.verdict).toBe(verdict);
    });
  }
});

describe('fuzz harness bounds', () => {
  it('MAX_SEED_BYTES (256 KiB, fuzz/corpus.mjs): seeds up to it are loaded, larger files are skipped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weightlens-corpus-'));
    try {
      writeFileSync(join(dir, 'at.bin'), new Uint8Array(256 * 1024));
      writeFileSync(join(dir, 'over.bin'), new Uint8Array(256 * 1024 + 1));
      expect(loadCorpus(dir).map((f: { name: string }) => f.name)).toEqual(['at.bin']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('MAX_INPUT_BYTES (4 MiB, fuzz/mutate.mjs): a mutation that grows an input past it is cut to it', () => {
    const corpus = [{ name: 'full', bytes: new Uint8Array(MAX_INPUT_BYTES).fill(7) }];
    const sizes = Array.from({ length: 100 }, (_, i) => inputAt(corpus, 1, i).bytes.length);
    expect(Math.max(...sizes)).toBe(MAX_INPUT_BYTES);
    expect(sizes.filter((n) => n === MAX_INPUT_BYTES).length).toBeGreaterThan(10); // inserts and repeats, cut
    expect(sizes.some((n) => n < MAX_INPUT_BYTES)).toBe(true); // truncations and deletions
  });
});

describe('a short seeded fuzz run', () => {
  it('survives 3,000 mutated fixtures: no crash, no malicious seed turned clean', async () => {
    const corpus = loadCorpus(`${ROOT}/test/fixtures`);
    const engine = makeEngine({ scanSource, MemoryByteSource, wasm: await wasm() });
    const markers = await engine.learn(corpus);
    expect(markers.size).toBeGreaterThan(20);
    const failures: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const input = inputAt(corpus, 20261122, i);
      const result = await engine.check(input);
      if (result.failure) failures.push(`${i} ${input.seedFile.name} ${input.strategies.join('+')}: ${result.failure} ${result.detail}`);
    }
    expect(failures).toEqual([]);
  }, 60_000);
});

describe('a short seeded fuzz run of the share-link and report readers', () => {
  it('survives 600 mutated links, deflate streams and report texts: only the readers\' own errors, nothing invalid accepted', async () => {
    const { makeTextTargets } = await import('../fuzz/text-targets.mjs');
    const link = await import('../src/share/report-link.js');
    const reader = await import('../src/engine/report-reader.js');
    const { fixtureReports } = await import('./fixture-reports.js');
    const reports = (await fixtureReports()).filter((_, i) => i % 4 === 0); // a quarter of the fixtures' reports as seeds
    const targets = makeTextTargets({ reports, ...link, ...reader, validate: validateReport });
    await targets.learn();
    const failures: string[] = [];
    const verdicts: Record<string, number> = {};
    for (let i = 0; i < 600; i++) {
      const input = targets.inputAt(20261207, i);
      const result = await targets.check(input);
      if (result.failure) failures.push(`${i} ${input.layer} ${input.seedFile.name}: ${result.failure} ${result.detail}`);
      else verdicts[result.verdict!] = (verdicts[result.verdict!] ?? 0) + 1;
    }
    expect(failures).toEqual([]);
    expect(verdicts.accepted).toBeGreaterThan(0); // some mutations still read as reports, and were checked against the schema
    expect(verdicts.refused).toBeGreaterThan(0);
  }, 60_000);
});
