// SARIF, CycloneDX and Markdown exports of real reports of every fixture,
// validated against the official schemas: SARIF 2.1.0 (test/schemas, see its
// README) and CycloneDX 1.6 as shipped in @cyclonedx/cyclonedx-library.
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactUri } from '../src/engine/export/common.js';
import { toCycloneDx } from '../src/engine/export/cyclonedx.js';
import { markdownText, MAX_MARKDOWN_FINDINGS_PER_FILE, MAX_MARKDOWN_TEXT, toMarkdown } from '../src/engine/export/markdown.js';
import { modelFacts } from '../src/engine/export/model-facts.js';
import { SARIF_LEVEL, toSarif } from '../src/engine/export/sarif.js';
import type { Finding, Report } from '../src/engine/report.js';
import { RULES } from '../src/engine/rules.js';
import { fixtureReports } from './fixture-reports.js';
import { ROOT } from './helpers.js';

const sarifSchema = JSON.parse(readFileSync(join(ROOT, 'test/schemas/sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateSarif = ajv.compile(sarifSchema);
const cyclonedx = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

let reports: Report[];
beforeAll(async () => {
  reports = await fixtureReports();
});

/** A report whose every string a file controls carries markup, mentions, links and control characters. */
function hostileReport(base: Report): Report {
  const evil = '<img src=x onerror=alert(1)> | @octocat [x](javascript:alert(1)) `code` *b* #1 \u202eevil\n';
  const finding: Finding = { rule: 'pickle.dangerous-import', severity: 'critical', message: `imports ${evil}`, location: { member: `${evil}/data.pkl`, offset: 3, tensor: evil }, evidence: { global: evil } };
  return { ...base, file: { ...base.file, path: `models/${evil}.pkl`, name: `${evil}.pkl` }, formatLabel: evil, verdict: 'malicious', findings: [finding] };
}

describe('SARIF export', () => {
  it('is valid SARIF 2.1.0 for the reports of every fixture, one run with every rule', () => {
    expect(reports.length).toBeGreaterThan(150);
    const log = toSarif(reports);
    expect(validateSarif(log), JSON.stringify(validateSarif.errors?.slice(0, 5))).toBe(true);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(Object.keys(RULES));
    expect(run.artifacts).toHaveLength(reports.length);
    expect(run.results).toHaveLength(reports.reduce((n, r) => n + r.findings.length, 0));
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
  });

  it('maps severities to levels, file offsets to byte regions, and fingerprints each result', () => {
    const all = reports.flatMap((r) => r.findings.map((f) => ({ r, f })));
    const run = toSarif(reports).runs[0];
    run.results.forEach((result, i) => {
      const { r, f } = all[i]!;
      expect(result.ruleId).toBe(f.rule);
      expect(result.level).toBe(f.severity === 'info' ? 'none' : SARIF_LEVEL[f.severity]);
      expect(result.kind).toBe(f.severity === 'info' ? (f.rule === 'format.unsupported' ? 'notApplicable' : 'informational') : 'fail');
      const { artifactLocation, region } = result.locations[0].physicalLocation;
      expect(run.artifacts[artifactLocation.index!]!.location.uri).toBe(artifactUri(r.file.path));
      if (f.location.offset !== undefined && f.location.member === undefined) expect(region).toEqual({ startLine: 1, byteOffset: f.location.offset, ...(f.location.length !== undefined ? { byteLength: f.location.length } : {}) });
      else expect(region).toEqual({ startLine: 1 }); // GitHub places alerts by line only
      expect(result.partialFingerprints['weightlensFinding/v1']).toMatch(/^[0-9a-f]{16}$/);
    });
    expect(run.results.filter((r) => r.level === 'error').length).toBeGreaterThan(50);
    expect(run.results.some((r) => r.locations[0].physicalLocation.region.byteLength !== undefined)).toBe(true);
  });

  it('gives the same fingerprint to the same finding in a later run, and different ones to different findings', () => {
    const [a, b] = [toSarif(reports).runs[0].results, toSarif(reports).runs[0].results];
    expect(a.map((r) => r.partialFingerprints)).toEqual(b.map((r) => r.partialFingerprints));
    const malicious = reports.find((r) => r.file.path.endsWith('pickle/raw-pickle.bin'))!;
    const prints = toSarif([malicious, reports.find((r) => r.file.path.endsWith('pickle/inst-os-system.pkl'))!]).runs[0].results.map((r) => r.partialFingerprints['weightlensFinding/v1']);
    expect(new Set(prints).size).toBe(prints.length);
  });

  it('gives GitHub a security severity and tags for every rule that is not informational', () => {
    const rules = toSarif([]).runs[0].tool.driver.rules;
    const critical = rules.find((r) => r.id === 'pickle.dangerous-import')!;
    expect(critical.properties['security-severity']).toBe('9.5');
    expect(critical.defaultConfiguration.level).toBe('error');
    expect(critical.properties.tags).toContain('security');
    expect(rules.find((r) => r.id === 'format.unsupported')!.properties['security-severity']).toBeUndefined();
    for (const rule of rules) expect(rule.shortDescription.text.length).toBeLessThanOrEqual(121);
  });

  it('stays valid with hostile strings, unknown rules, missing inputs and paths that need escaping', () => {
    const base = reports.find((r) => r.file.path.endsWith('pickle/raw-pickle.bin'))!;
    const fromTheFuture: Report = { ...base, findings: [...base.findings, { rule: 'future.rule' as Finding['rule'], severity: 'high', message: 'new', location: {}, evidence: {} }] };
    const windows: Report = { ...base, file: { ...base.file, path: 'C:\\models\\a b#1%.pt' } };
    const log = toSarif([hostileReport(base), fromTheFuture, windows], { problems: [{ path: '/no/such file', message: 'no such file or directory' }] });
    expect(validateSarif(log), JSON.stringify(validateSarif.errors?.slice(0, 5))).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.rules.at(-1)!.id).toBe('future.rule');
    expect(run.results.at(-2)!.ruleIndex).toBe(run.tool.driver.rules.length - 1);
    expect(run.artifacts[2]!.location.uri).toBe('file:///C:/models/a%20b%231%25.pt');
    expect(run.invocations[0]!.toolExecutionNotifications[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('file:///no/such%20file');
    expect(run.results[0]!.message.text).toContain('<img src=x onerror=alert(1)>'); // SARIF text is plain text; viewers escape it
  });

  it('writes paths as URI references', () => {
    expect(artifactUri('models/model.safetensors')).toBe('models/model.safetensors');
    expect(artifactUri('./a/./b:c.pt')).toBe('a/./b%3Ac.pt');
    expect(artifactUri('/abs/x y.onnx')).toBe('file:///abs/x%20y.onnx');
    expect(artifactUri('\\\\server\\share\\m.bin')).toBe('file://server/share/m.bin');
  });
});

describe('CycloneDX export', () => {
  it('is a valid CycloneDX 1.6 BOM for the reports of every fixture: one component per file', async () => {
    const bom = toCycloneDx(reports);
    expect(await cyclonedx.validate(JSON.stringify(bom))).toBeNull();
    expect(bom.components).toHaveLength(reports.length);
    expect(new Set(bom.components.map((c) => c['bom-ref'])).size).toBe(reports.length);
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(toCycloneDx([]).serialNumber).not.toBe(bom.serialNumber);
  });

  it('describes each model file with its hash, format, parameters, dtypes, verdict and findings', () => {
    const bom = toCycloneDx(reports, { serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', timestamp: '2026-01-02T03:04:05Z' });
    expect(bom.metadata.timestamp).toBe('2026-01-02T03:04:05Z');
    reports.forEach((report, i) => {
      const c = bom.components[i]!;
      const props = (name: string) => c.properties.filter((p) => p.name === name).map((p) => p.value);
      expect(c.type).toBe(['unknown', 'zip', 'safetensors-index'].includes(report.format) ? 'file' : 'machine-learning-model');
      expect(c.hashes).toEqual([{ alg: 'SHA-256', content: report.file.sha256 }]);
      expect(props('weightlens:verdict')).toEqual([report.verdict]);
      expect(props('weightlens:format')).toEqual([report.format]);
      expect(props('weightlens:finding')).toHaveLength(report.findings.length);
      expect(c.evidence.occurrences[0]!.location).toBe(report.file.path);
    });
    const safetensors = bom.components[reports.findIndex((r) => r.file.path.endsWith('sniff/model.safetensors'))]!;
    expect(safetensors.properties).toEqual(expect.arrayContaining([{ name: 'weightlens:parameters', value: '6' }, { name: 'weightlens:dtypes', value: expect.stringMatching(/^[A-Z0-9_,]+$/) }]));
    const evil = bom.components[reports.findIndex((r) => r.file.path.endsWith('pickle/raw-pickle.bin'))]!;
    expect(evil.properties.find((p) => p.name === 'weightlens:finding')!.value).toMatch(/^critical pickle\.dangerous-import: /);
  });

  it('stays valid without hashes (--no-hash), with hostile strings and with missing inputs', async () => {
    const base = reports.find((r) => r.file.path.endsWith('pickle/raw-pickle.bin'))!;
    const unhashed: Report = { ...base, file: { ...base.file, sha256: null } };
    const bom = toCycloneDx([unhashed, hostileReport(base)], { problems: [{ path: 'gone.bin', message: 'no such file or directory' }] });
    expect(await cyclonedx.validate(JSON.stringify(bom))).toBeNull();
    expect(bom.components[0]!.hashes).toBeUndefined();
    expect(bom.metadata.properties).toEqual([{ name: 'weightlens:error', value: 'gone.bin: no such file or directory' }]);
  });

  it('rejects what it should: the schema check is real', async () => {
    const bom = toCycloneDx(reports.slice(0, 3)) as unknown as Record<string, unknown>;
    expect(await cyclonedx.validate(JSON.stringify({ ...bom, specVersion: '1.6', components: [{ type: 'model', name: 'x' }] }))).not.toBeNull();
    const log = toSarif(reports.slice(0, 3)) as unknown as { runs: { results: unknown[] }[] };
    expect(validateSarif({ ...log, runs: [{ ...log.runs[0], results: [{ level: 'fatal', message: { text: 'x' } }] }] })).toBe(false);
  });
});

describe('model facts', () => {
  it('finds parameters and dtypes in every format that has them', () => {
    const by = (suffix: string) => modelFacts(reports.find((r) => r.file.path.endsWith(suffix))!);
    expect(by('sniff/model.safetensors')).toMatchObject({ parameters: 6 });
    expect(by('sniff/array.npy')).toMatchObject({ parameters: 12, dtypes: ['<f4'] });
    expect(by('sniff/arrays.npz').parameters).toBe(17);
    expect(by('onnx/benign-mlp.onnx').parameters).toBe(195);
    expect(by('engine/torch-state-dict.pkl').parameters).toBe(37);
    expect(by('engine/torch-state-dict.pkl').dtypes).toContain('float32');
    expect(by('sniff/text.txt')).toEqual({ parameters: null, dtypes: [], architectureFamily: null, architectures: [] });
  });
});

describe('Markdown export', () => {
  it('summarises every file in a table and lists the findings of each flagged file', () => {
    const md = toMarkdown(reports);
    expect(md).toMatch(/^### Weightlens scan: \d+ malicious, /);
    const rows = md.split('\n').filter((l) => /^\| (✅|⚪|🟡|🟠|🔴) \*\*/.test(l));
    expect(rows).toHaveLength(reports.length);
    expect(md.match(/^#### 🔴 test\\\/fixtures\\\/.*: malicious$/gm)).toHaveLength(50); // MAX_MARKDOWN_FILES_DETAILED, the worst first
    expect(md).toMatch(/- \*\*critical\*\* `pickle\.dangerous-import`: imports os\\\.system/);
    expect(md).toMatch(/… and \d+ more files that are not clean/);
    const small = toMarkdown(reports.filter((r) => /sniff\/(image\.png|model\.h5|torch-zip-prefixed\.bin)$/.test(r.file.path)));
    expect(small).toContain('#### 🟡 test\\/fixtures\\/sniff\\/torch\\-zip\\-prefixed\\.bin: suspicious');
    expect(small).toContain('#### ⚪ test\\/fixtures\\/sniff\\/model\\.h5: unsupported'); // a model format not analysed yet
    expect(small).not.toContain('image\\.png: unsupported'); // bytes that are no model at all: in the table only
  });

  it('shows hostile text as text: no HTML, links, mentions, references or broken table cells', () => {
    const base = reports.find((r) => r.file.path.endsWith('pickle/raw-pickle.bin'))!;
    const md = toMarkdown([hostileReport(base)]);
    const row = md.split('\n').find((l) => l.startsWith('| 🔴'))!;
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(6); // six cells, the path's pipe escaped
    const body = md.replace(/<\/?sub>/g, '');
    for (const pattern of [/(?<!\\)</, /(?<!\\)@octocat/, /(?<!\\)\[x\]/, /(?<!\\)#1/, /\u202e/]) expect(body).not.toMatch(pattern);
    expect(md).toContain('\\<img src\\=x onerror\\=alert\\(1\\)\\>');
    expect(markdownText('a\nb')).toBe('a\\\\u000ab');
  });

  it(`MAX_MARKDOWN_TEXT (${MAX_MARKDOWN_TEXT}): a message or path is shown whole up to it, cut with an ellipsis past it`, () => {
    expect(markdownText('m'.repeat(MAX_MARKDOWN_TEXT))).toBe('m'.repeat(MAX_MARKDOWN_TEXT));
    expect(markdownText('m'.repeat(MAX_MARKDOWN_TEXT + 1))).toBe(`${'m'.repeat(MAX_MARKDOWN_TEXT)}…`);
    const base = reports.find((r) => r.file.path.endsWith('pickle/raw-pickle.bin'))!;
    const long: Report = { ...base, findings: [{ ...base.findings[0]!, message: `start ${'x'.repeat(5000)} end` }] };
    const md = toMarkdown([long]);
    expect(md).toContain(`start ${'x'.repeat(MAX_MARKDOWN_TEXT - 6)}…`);
    expect(md).not.toContain(' end');
  });

  it('bounds the findings listed per file', () => {
    const base = reports.find((r) => r.file.path.endsWith('pickle/raw-pickle.bin'))!;
    const many: Report = { ...base, findings: Array.from({ length: 30 }, (_, i) => ({ ...base.findings[0]!, message: `finding ${i}` })) };
    const md = toMarkdown([many]);
    expect(md.match(/^- \*\*critical\*\*/gm)).toHaveLength(MAX_MARKDOWN_FINDINGS_PER_FILE);
    expect(md).toContain(`… and ${30 - MAX_MARKDOWN_FINDINGS_PER_FILE} more findings`);
  });
});
