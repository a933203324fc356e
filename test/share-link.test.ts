// Share links: report → link → report round trips, trimming to the budget, and
// links as hostile input (bombs, damage, markup, other versions, deep nesting).
import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/engine/report.js';
import { DEFAULT_LINK_CHARS, decodeReportLink, encodeReportLink, encodeReportLinkDetailed, inflateBounded, LINK_PREFIX, MAX_FRAGMENT_CHARS, MAX_INFLATED_BYTES, ShareLinkError, type ShareLinkErrorCode } from '../src/share/report-link.js';
import { fixtureReports } from './fixture-reports.js';
import { validateReport } from './helpers.js';

let reports: Report[];
let small: Report;
beforeAll(async () => {
  reports = await fixtureReports();
  small = JSON.parse(JSON.stringify(reports.find((r) => r.file.path.endsWith('pickle/raw-pickle.bin'))!));
});

function linkOf(json: string): string {
  return LINK_PREFIX + deflateRawSync(Buffer.from(json)).toString('base64url');
}

async function failure(fragment: string): Promise<ShareLinkErrorCode> {
  try {
    await decodeReportLink(fragment);
  } catch (error) {
    expect(error).toBeInstanceOf(ShareLinkError);
    return (error as ShareLinkError).code;
  }
  throw new Error('decoded');
}

/** Every string of a report replaced by markup (keys too, where they are data). */
function withMarkupEverywhere(value: unknown, evil: string): unknown {
  if (typeof value === 'string') return `${value}${evil}`;
  if (Array.isArray(value)) return value.map((v) => withMarkupEverywhere(v, evil));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withMarkupEverywhere(v, evil)]));
  return value;
}

/** Fuzz regressions (test/fixtures/fuzz/): mutated files, some with reports too big for a link. */
const FUZZ_INPUT = /\/fixtures\/fuzz\//;

describe('share links', () => {
  it('round-trips the report of every fixture that fits, and typical reports fit in 8 KB', async () => {
    let fitted = 0;
    for (const report of reports) {
      const { fragment, trimmed } = await encodeReportLinkDetailed(report);
      expect(fragment.length, report.file.path).toBeLessThanOrEqual(DEFAULT_LINK_CHARS);
      expect(fragment).toMatch(/^r1\.[A-Za-z0-9_-]+$/);
      const decoded = await decodeReportLink(`#${fragment}`);
      expect(validateReport(decoded)).toBe(true);
      if (trimmed.length === 0) {
        expect(decoded, report.file.path).toEqual(JSON.parse(JSON.stringify(report)));
        fitted++;
      } else expect(report.file.path).toMatch(FUZZ_INPUT); // a fuzzer's pathological input may be trimmed
    }
    expect(fitted).toBeGreaterThanOrEqual(reports.filter((r) => !FUZZ_INPUT.test(r.file.path)).length); // every other fixture's whole report fits in a link
  });

  it('leaves bulky content out before findings when a report is too big, and says what', async () => {
    const base = reports.find((r) => r.file.path.endsWith('sniff/model.safetensors'))!;
    const tensors = Array.from({ length: 5000 }, (_, i) => ({ name: `model.layers.${i}.mlp.weight.${(i * 7919) % 10007}`, dtype: 'F16', shape: [i % 97, 4096], parameters: (i % 97) * 4096, bytes: (i % 97) * 8192, offset: i * 8192 }));
    const big: Report = { ...base, verdict: 'suspicious', findings: [...base.findings, { rule: 'safetensors.offsets-gap', severity: 'high', message: 'a gap', location: { offset: 10 }, evidence: {} }], content: { ...base.content, tensors } };
    const { fragment, trimmed } = await encodeReportLinkDetailed(big);
    expect(fragment.length).toBeLessThanOrEqual(DEFAULT_LINK_CHARS);
    expect(trimmed).toEqual([{ path: 'content.tensors', items: 5000 }]);
    const decoded = await decodeReportLink(fragment);
    expect(decoded.content.tensors).toBeUndefined();
    expect(decoded.content.shareTrimmed).toEqual([{ path: 'content.tensors', items: 5000 }]);
    expect(decoded.findings).toEqual(big.findings);
    expect(decoded.content.totals).toEqual(base.content.totals);
    expect(decoded.verdict).toBe('suspicious');
  });

  it('drops the least severe findings last of all, keeping the verdict and the worst finding', async () => {
    const noise = Array.from({ length: 400 }, (_, i) => ({ rule: 'pickle.unknown-import' as const, severity: 'medium' as const, message: `imports pkg${i * 7919}.Cls${i}: not on the safe list ${'x'.repeat(i % 50)}`, location: { offset: i * 13 }, evidence: { global: `pkg${i}.Cls${(i * 31) % 977}` } }));
    const big: Report = { ...small, findings: [...noise, ...small.findings] };
    const { fragment, trimmed } = await encodeReportLinkDetailed(big, 3000);
    expect(fragment.length).toBeLessThanOrEqual(3000);
    const decoded = await decodeReportLink(fragment);
    expect(decoded.verdict).toBe('malicious');
    expect(decoded.findings.map((f) => f.rule)).toContain('pickle.dangerous-import');
    const left = trimmed.find((t) => t.path === 'findings')!;
    expect(left.items).toBe(big.findings.length - decoded.findings.length);
    expect(trimmed.some((t) => t.path.startsWith('content.'))).toBe(true); // content went first
    await expect(encodeReportLink(big, 40)).rejects.toMatchObject({ code: 'report-too-big' });
  });

  it('carries markup in every string as plain data', async () => {
    const evil = `<img src=x onerror=alert(1)><script>alert(2)</script>"'\`\${x}</textarea>&amp;\u202e`;
    const hostile = withMarkupEverywhere(small, evil) as Report;
    const fixed = { ...hostile, schemaVersion: 1, tool: { name: 'weightlens', version: '0.1.0<b>x</b>' }, format: small.format, verdict: small.verdict, file: { ...hostile.file, sha256: small.file.sha256 }, findings: hostile.findings.map((f, i) => ({ ...f, rule: small.findings[i]!.rule, severity: small.findings[i]!.severity })) } as Report;
    const decoded = await decodeReportLink(await encodeReportLink(fixed));
    expect(decoded).toEqual(fixed);
    expect(decoded.file.path.endsWith(evil)).toBe(true);
    expect(decoded.findings[0]!.message).toContain('<script>alert(2)</script>');
  });

  it('refuses damaged, oversized and foreign links with a clear error', async () => {
    const good = await encodeReportLink(small);
    expect(await failure('#' + 'r1.' + 'A'.repeat(MAX_FRAGMENT_CHARS))).toBe('too-long');
    expect(await failure('#report=abc')).toBe('not-a-report-link');
    expect(await failure('r2.' + good.slice(3))).toBe('not-a-report-link');
    expect(await failure(good + '!')).toBe('bad-base64');
    const body = good.slice(LINK_PREFIX.length);
    expect(await failure(LINK_PREFIX + body.slice(0, body.length - (body.length % 4)) + 'A')).toBe('bad-base64'); // a length base64 cannot have
    expect(await failure(good.slice(0, -1) + (good.at(-1) === 'B' ? 'C' : 'B'))).toMatch(/bad-base64|bad-compression|bad-json|bad-text/);
    expect(await failure(LINK_PREFIX + body.slice(0, 36))).toBe('bad-compression'); // cut short
    expect(await failure(LINK_PREFIX + Buffer.from('not deflate at all').toString('base64url'))).toBe('bad-compression');
    expect(await failure(linkOf('{"schemaVersion":'))).toBe('bad-json');
    expect(await failure(LINK_PREFIX + deflateRawSync(Buffer.from([0xff, 0xfe, 0x7b])).toString('base64url'))).toBe('bad-text');
    expect(await failure(linkOf(JSON.stringify({ ...small, schemaVersion: 2 })))).toBe('other-version');
    expect(await failure(linkOf(JSON.stringify({ ...small, verdict: 'clean-ish' })))).toBe('invalid-report');
    const deep = JSON.stringify({ ...small, content: { x: 0 } }).replace('"x":0', `"x":${'['.repeat(50_000)}${']'.repeat(50_000)}`);
    expect(await failure(linkOf(deep))).toMatch(/invalid-report|bad-json/); // refused at MAX_CONTENT_DEPTH (or by the parser), never a stack overflow
  });

  it('MAX_ASSUMED_RATIO (64, src/share/report-link.ts): a report up to 64 times the link budget is tried whole; past it, content is left out untried', async () => {
    // spaces compress far better than 64:1, so both would fit whole: the bound trades that case for fewer attempts
    const padded = (total: number) => {
      const report: Report = { ...small, content: { ...small.content, padding: '' } };
      report.content.padding = ' '.repeat(total - JSON.stringify(report).length);
      expect(JSON.stringify(report).length).toBe(total);
      return report;
    };
    const under = await encodeReportLinkDetailed(padded(DEFAULT_LINK_CHARS * 64));
    expect(under.trimmed).toEqual([]);
    expect((await decodeReportLink(under.fragment)).content.padding).toHaveLength(DEFAULT_LINK_CHARS * 64 - JSON.stringify({ ...small, content: { ...small.content, padding: '' } }).length);
    const over = await encodeReportLinkDetailed(padded(DEFAULT_LINK_CHARS * 64 + 1));
    expect(over.trimmed.length).toBeGreaterThan(0); // content left out untried, although the whole would have fit
    expect(over.fragment.length).toBeLessThanOrEqual(DEFAULT_LINK_CHARS);
    expect((await decodeReportLink(over.fragment)).verdict).toBe(small.verdict);
  });

  it('stops inflating a zip bomb at the bound instead of inflating it in full', async () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 }); // 64 MB of spaces in ~64 KB
    await expect(inflateBounded(new Uint8Array(bomb))).rejects.toSatisfy((e: ShareLinkError) => e.code === 'too-big-inflated' && e.inflatedAtStop! > MAX_INFLATED_BYTES && e.inflatedAtStop! < MAX_INFLATED_BYTES + 1024 * 1024);
    // As a link: JSON padded with whitespace, small enough to pass the length check.
    const padded = deflateRawSync(Buffer.concat([Buffer.from('{"a":'), Buffer.alloc(40 * 1024 * 1024, 0x20), Buffer.from('1}')]), { level: 9 });
    const fragment = LINK_PREFIX + padded.toString('base64url');
    expect(fragment.length).toBeLessThanOrEqual(MAX_FRAGMENT_CHARS);
    expect(await failure(fragment)).toBe('too-big-inflated');
  });
});
