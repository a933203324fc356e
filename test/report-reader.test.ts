// The hand-written report reader (no eval: it runs under the app's CSP) accepts
// every real report, rejects broken and hostile ones, and agrees with ajv and
// docs/report.schema.json.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/engine/report.js';
import { MAX_CONTENT_DEPTH, MAX_ENTRIES, MAX_FINDINGS, MAX_REPORT_TEXT_CHARS, MAX_STRING_CHARS, MAX_VALUES, parseReport, readReport, ReportReadError, ReportVersionError } from '../src/engine/report-reader.js';
import { fixtureReports } from './fixture-reports.js';
import { validateReport } from './helpers.js';

let reports: Report[];
let good: Report;
beforeAll(async () => {
  reports = await fixtureReports();
  good = JSON.parse(JSON.stringify(reports.find((r) => r.file.path.endsWith('pickle/raw-pickle.bin'))!));
});

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { x: value };
  return value;
}

/** Variations of a real report, each valid or not by the schema. */
function cases(): { name: string; value: unknown }[] {
  const g = good;
  const f = g.findings[0]!;
  return [
    { name: 'the report', value: g },
    { name: 'no sha256', value: { ...g, file: { ...g.file, sha256: null } } },
    { name: 'unknown content keys', value: { ...g, content: { ...g.content, fromTheFuture: { a: [1, 'b', null, true] } } } },
    { name: 'a rule from a newer version', value: { ...g, findings: [{ ...f, rule: 'gguf.template-injection' }] } },
    { name: 'empty evidence list', value: { ...g, findings: [{ ...f, evidence: { list: [] } }] } },
    { name: 'share trimmed', value: { ...g, content: { ...g.content, shareTrimmed: [{ path: 'content.tensors', items: 5 }] } } },
    { name: 'lfs pointer', value: { ...g, content: { lfsPointer: { sha256: 'a'.repeat(64), size: 12 } } } },
    { name: 'verdict', value: { ...g, verdict: 'fine' } },
    { name: 'schema version 2', value: { ...g, schemaVersion: 2 } },
    { name: 'extra field', value: { ...g, extra: true } },
    { name: 'missing content', value: (({ content: _c, ...rest }) => rest)(g) },
    { name: 'uppercase sha', value: { ...g, file: { ...g.file, sha256: 'A'.repeat(64) } } },
    { name: 'path too long', value: { ...g, file: { ...g.file, path: 'x'.repeat(4097) } } },
    { name: 'size negative', value: { ...g, file: { ...g.file, size: -1 } } },
    { name: 'size fractional', value: { ...g, file: { ...g.file, size: 1.5 } } },
    { name: 'size past 2^53', value: { ...g, file: { ...g.file, size: 2 ** 53 } } },
    { name: 'tool name', value: { ...g, tool: { name: 'other', version: '1.0.0' } } },
    { name: 'tool version', value: { ...g, tool: { name: 'weightlens', version: 'latest' } } },
    { name: 'format', value: { ...g, format: 'exe' } },
    { name: 'findings not a list', value: { ...g, findings: {} } },
    { name: 'bad rule', value: { ...g, findings: [{ ...f, rule: 'x' }] } },
    { name: 'bad severity', value: { ...g, findings: [{ ...f, severity: 'bad' }] } },
    { name: 'negative offset', value: { ...g, findings: [{ ...f, location: { offset: -1 } }] } },
    { name: 'unknown location field', value: { ...g, findings: [{ ...f, location: { line: 1 } }] } },
    { name: 'nested evidence', value: { ...g, findings: [{ ...f, evidence: { x: { nested: 1 } } }] } },
    { name: 'mixed evidence list', value: { ...g, findings: [{ ...f, evidence: { x: [1, 'a'] } }] } },
    { name: 'finding missing message', value: { ...g, findings: [{ ...f, message: undefined }].map((x) => JSON.parse(JSON.stringify(x))) } },
    { name: 'stats fractional bytes', value: { ...g, stats: { bytesRead: 1.5, elapsedMs: 1 } } },
    { name: 'stats negative time', value: { ...g, stats: { bytesRead: 1, elapsedMs: -1 } } },
    { name: 'content not an object', value: { ...g, content: [] } },
    { name: 'bad lfs pointer', value: { ...g, content: { lfsPointer: { sha256: 'x', size: 1 } } } },
    { name: 'bad share trimmed', value: { ...g, content: { shareTrimmed: [{ path: 1, items: 1 }] } } },
    { name: 'not an object', value: [g] },
    { name: 'null', value: null },
  ];
}

describe('report reader', () => {
  it('accepts the report of every fixture, and returns an equal copy', () => {
    for (const report of reports) {
      const plain = JSON.parse(JSON.stringify(report));
      const read = readReport(plain);
      expect(read, report.file.path).toEqual(plain);
      expect(read).not.toBe(plain);
    }
  });

  it('agrees with ajv and docs/report.schema.json', () => {
    for (const { name, value } of cases()) {
      const ajvSays = validateReport(value);
      let readerSays = true;
      try {
        readReport(value);
      } catch (error) {
        expect(error, name).toBeInstanceOf(ReportReadError);
        readerSays = false;
      }
      expect(readerSays, `${name}: ajv says ${ajvSays} ${JSON.stringify(validateReport.errors?.[0])}`).toBe(ajvSays);
    }
    expect(cases().filter(({ value }) => validateReport(value)).length).toBe(7);
  });

  it('says where a report is wrong, and tells another schema version apart', () => {
    expect(() => readReport({ ...good, findings: [{ ...good.findings[0], severity: 'bad' }] })).toThrow('findings[0].severity: must be one of critical, high, medium, low, info');
    expect(() => readReport({ ...good, schemaVersion: 2 })).toThrow(ReportVersionError);
  });

  it('bounds nesting, string lengths and the text it parses', () => {
    expect(() => readReport({ ...good, content: { deep: nested(MAX_CONTENT_DEPTH + 5) } })).toThrow(/nested deeper than 64/);
    expect(() => readReport({ ...good, content: { deep: nested(MAX_CONTENT_DEPTH - 2) } })).not.toThrow();
    // 100,000 levels: refused at the bound, no stack overflow.
    expect(() => parseReport(JSON.stringify({ ...good, content: {} }).replace('"content":{}', `"content":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`))).toThrow(ReportReadError);
    expect(() => readReport({ ...good, content: { s: 'x'.repeat(4 * 1024 * 1024 + 1) } })).toThrow(/longer than/);
    expect(() => parseReport(' '.repeat(MAX_REPORT_TEXT_CHARS + 1))).toThrow(/MAX_REPORT_TEXT_CHARS/);
    expect(() => parseReport('{"schemaVersion":')).toThrow(/not JSON/);
  });

  it('MAX_STRING_CHARS, MAX_ENTRIES, MAX_VALUES, MAX_FINDINGS (src/engine/report-reader.ts): each bound is accepted at it and refused one past it', () => {
    expect(() => readReport({ ...good, content: { s: 'x'.repeat(MAX_STRING_CHARS) } })).not.toThrow();
    expect(() => readReport({ ...good, content: { s: 'x'.repeat(MAX_STRING_CHARS + 1) } })).toThrow(`content.s: longer than ${MAX_STRING_CHARS} characters`);
    const list = (n: number) => new Array<number>(n).fill(0);
    expect(() => readReport({ ...good, content: { a: list(MAX_ENTRIES) } })).not.toThrow();
    expect(() => readReport({ ...good, content: { a: list(MAX_ENTRIES + 1) } })).toThrow(`content.a: more than ${MAX_ENTRIES} items`);
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 0]));
    expect(() => readReport({ ...good, content: { o: keys(MAX_ENTRIES + 1) } })).toThrow(`content.o: more than ${MAX_ENTRIES} entries`);
    // values are counted across the whole report: ten lists of a million are past 10,000,000 together
    const many = Object.fromEntries(Array.from({ length: MAX_VALUES / MAX_ENTRIES }, (_, i) => [`l${i}`, list(MAX_ENTRIES)]));
    expect(() => readReport({ ...good, content: many })).toThrow(`more than ${MAX_VALUES} values (MAX_VALUES)`);
    const findings = (n: number) => new Array(n).fill(good.findings[0]);
    expect(() => readReport({ ...good, findings: findings(MAX_FINDINGS + 1) })).toThrow(`findings: more than ${MAX_FINDINGS} findings (MAX_FINDINGS)`);
    expect(readReport({ ...good, findings: findings(1000) }).findings).toHaveLength(1000);
  }, 60_000);

  it('MAX_SAFE (src/engine/report-reader.ts): sizes and offsets up to 2^53 - 1 are read, 2^53 is refused', () => {
    expect(readReport({ ...good, file: { ...good.file, size: Number.MAX_SAFE_INTEGER } }).file.size).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => readReport({ ...good, file: { ...good.file, size: 2 ** 53 } })).toThrow('file.size: must be an integer from 0 to 2^53 - 1');
  });

  it('keeps hostile keys as plain data and refuses values JSON cannot hold', () => {
    const hostile = JSON.parse(`{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}`);
    const read = readReport({ ...good, content: hostile });
    expect(Object.keys(read.content)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(read.content)).toBe(Object.prototype);
    expect(() => readReport({ ...good, content: { when: new Date() } })).toThrow(/plain JSON data/);
    expect(() => readReport({ ...good, content: { n: Infinity } })).toThrow(/finite/);
    expect(() => readReport({ ...good, content: { f: () => 1 } })).toThrow(/plain JSON data/);
  });
});
