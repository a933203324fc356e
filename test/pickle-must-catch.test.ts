// Issue 3's must-catch list and bad-input list, on the files
// test/fixtures/make_pickle_fixtures.py writes (never loaded by anything).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanBytes } from './helpers.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`fixtures/pickle/${name}`, import.meta.url)));

async function scan(name: string) {
  const report = await scanBytes(fixture(name), name);
  return { verdict: report.verdict, rules: [...new Set(report.findings.map((f) => f.rule))], report };
}

// file → verdict, and rules that must be among the findings
const EXPECTED: [string, string, string[]][] = [
  ['pip-main.pkl', 'malicious', ['pickle.dangerous-import']],
  ['asyncio-subprocess-shell.pkl', 'malicious', ['pickle.dangerous-import']],
  ['asyncio-unix-events.pkl', 'malicious', ['pickle.dangerous-import']],
  ['pydoc-locate.pkl', 'malicious', ['pickle.dangerous-import']],
  ['code-interactive-interpreter.pkl', 'malicious', ['pickle.dangerous-import']],
  ['operator-methodcaller.pkl', 'malicious', ['pickle.dangerous-import']],
  ['functools-partial.pkl', 'malicious', ['pickle.dangerous-import']],
  ['getattr-chain.pkl', 'malicious', ['pickle.dangerous-import']],
  ['stack-global-memo.pkl', 'malicious', ['pickle.dangerous-import']],
  ['stack-global-computed.pkl', 'malicious', ['pickle.dynamic-import']],
  ['inst-os-system.pkl', 'malicious', ['pickle.dangerous-import']],
  ['obj-os-system.pkl', 'malicious', ['pickle.dangerous-import']],
  ['second-pickle-after-stop.pkl', 'malicious', ['pickle.extra-pickle', 'pickle.dangerous-import']],
  ['raw-pickle.bin', 'malicious', ['pickle.dangerous-import']],
  ['raw-pickle.pt', 'malicious', ['pickle.dangerous-import']],
  ['pathlib-os-system.pkl', 'malicious', ['pickle.dangerous-import']],
  ['builtin-eval-py2.pkl', 'malicious', ['pickle.dangerous-import']],
  ['frame-straddle.pkl', 'malicious', ['pickle.frame-straddle', 'pickle.dangerous-import']],
  ['write-then-call.pkl', 'malicious', ['pickle.global-mutation', 'pickle.dangerous-import']],
  ['joblib-os-system.joblib', 'malicious', ['pickle.dangerous-import']],
  ['ext1.pkl', 'suspicious', ['pickle.ext-code']],
  ['torch-extra-member.pt', 'malicious', ['pickle.dangerous-import']],
  ['zip-name-mismatch.pt', 'malicious', ['zip.local-header-mismatch', 'pickle.dangerous-import']],
  ['zip-flag-encrypted.pt', 'unsupported', ['zip.flag-bits', 'zip.unreadable-member']],
  ['zip-flag-patched.pt', 'unsupported', ['zip.flag-bits', 'zip.unreadable-member']],
  ['zip-bad-crc.pt', 'malicious', ['zip.crc-mismatch', 'pickle.dangerous-import']],
  ['pickle-with-zip-appended.pkl', 'malicious', ['zip.appended-to-pickle', 'pickle.dangerous-import']],
  ['torch-legacy-payload.pt', 'malicious', ['pickle.dangerous-import']],
  ['npy-object-os-system.npy', 'malicious', ['numpy.object-array', 'pickle.dangerous-import']],
  ['benign-torch-state-dict.pt', 'clean', []],
  ['benign-torch-module.pt', 'clean', []],
  ['benign-torch-legacy.pt', 'clean', []],
  ['persistent-id.pkl', 'clean', ['pickle.persistent-id']],
  ['benign-plain-p0.pkl', 'clean', []],
  ['benign-plain-p1.pkl', 'clean', []],
  ['benign-plain-p2.pkl', 'clean', []],
  ['benign-plain-p3.pkl', 'clean', []],
  ['benign-plain-p4.pkl', 'clean', []],
  ['benign-plain-p5.pkl', 'clean', []],
  ['benign-joblib-logreg.joblib', 'clean', []],
  ['benign-joblib-forest.joblib', 'clean', []],
  ['benign-joblib-arrays.joblib', 'clean', []],
  ['benign-joblib-array-looks-like-opcodes.joblib', 'clean', []],
];

describe('pickle must-catch fixtures', () => {
  for (const [name, verdict, rules] of EXPECTED) {
    it(`${name} is ${verdict}`, async () => {
      const r = await scan(name);
      expect(r.verdict).toBe(verdict);
      expect(r.rules).toEqual(expect.arrayContaining(rules));
      if (verdict === 'clean') expect(r.rules.filter((x) => x !== 'pickle.persistent-id' || name !== 'persistent-id.pkl')).toEqual([]);
    });
  }

  it('names the zip member that holds the payload, whatever it is called', async () => {
    const { report } = await scan('torch-extra-member.pt');
    const f = report.findings.find((x) => x.rule === 'pickle.dangerous-import')!;
    expect(f.location.member).toMatch(/extra\/payload\.bin$/);
  });

  it('rebuilds the tensor table of a real torch.save checkpoint', async () => {
    const { report } = await scan('benign-torch-state-dict.pt');
    const streams = (report.content.pickle as { streams: { tensors?: { name: string }[]; tensorTotals?: { tensors: number } }[] }).streams;
    const tensors = report.content.tensors as { name: string }[];
    expect(tensors.length).toBeGreaterThan(0);
    // lifted to the top of the report, not listed twice; the stream keeps its totals
    expect(streams.flatMap((s) => s.tensors ?? [])).toEqual([]);
    expect(streams.reduce((n, s) => n + (s.tensorTotals?.tensors ?? 0), 0)).toBe(tensors.length);
  });

  it('shows the getattr chain as the Python it runs', async () => {
    const { report } = await scan('getattr-chain.pkl');
    const events = (report.content.pickle as { streams: { events: { python: string }[] }[] }).streams[0]!.events;
    expect(events.map((e) => e.python).join('\n')).toMatch(/builtins\.getattr\(builtins\.__import__\('os'\), 'system'\)\('echo weightlens-fixture'\)/);
  });
});

describe('pickle bad-input fixtures', () => {
  const kinds = ['truncated', 'unknown-opcode', 'stack-underflow', 'memo-miss', 'mark-without-end', 'length-past-end'];
  for (const kind of kinds) {
    it(`bad-${kind}: malformed at the damage, and the import before it still reported`, async () => {
      const safe = await scan(`bad-${kind}.pkl`);
      expect(safe.verdict).toBe('malformed');
      expect(safe.rules).toEqual(['format.malformed']);
      const withImport = await scan(`bad-${kind}-os.pkl`);
      expect(withImport.verdict).toBe('malicious');
      expect(withImport.rules).toEqual(['pickle.dangerous-import', 'format.malformed']);
      const damage = withImport.report.findings.find((f) => f.rule === 'format.malformed')!;
      expect(damage.location.offset).toBeGreaterThanOrEqual(13);
      expect(damage.location.opcodeIndex).toBeGreaterThan(0);
    });
  }

  it('follows 100,000 nested lists and still finds the import inside', async () => {
    expect((await scan('bad-deep-nesting-os.pkl')).verdict).toBe('malicious');
    expect((await scan('bad-deep-marks.pkl')).verdict).toBe('malformed');
  });
});
