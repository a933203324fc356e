// The hand-written report reader (no eval: it runs under the app's CSP) accepts
// every real report, rejects broken and hostile ones, and agrees with ajv and
// docs/report.schema.json.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/engine/report.js';
import { MAX_CONTENT_DEPTH, MAX_REPORT_TEXT_CHARS, parseReport, readReport, ReportReadError, ReportVersionError } from '../src/engine/report-reader.js';
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
