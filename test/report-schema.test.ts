// The JSON Schema in docs/ and the TypeScript types describe the same report,
// and every report the engine makes from the fixtures validates against it.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FORMAT_IDS, SEVERITIES, VERDICTS } from '../src/engine/report.js';
import { RULES } from '../src/engine/rules.js';
import { TOOL_VERSION } from '../src/engine/version.js';
import { fixtureBytes, fixturePath, ROOT, scanBytes, validateReport } from './helpers.js';

const schema = JSON.parse(readFileSync(`${ROOT}/docs/report.schema.json`, 'utf8'));

describe('report schema', () => {
  it('validates the report of every fixture', async () => {
    const fixtures = readdirSync(fixturePath('.'));
    expect(fixtures.length).toBeGreaterThan(25);
    for (const name of fixtures) {
      const report = await scanBytes(fixtureBytes(name), name);
      expect(validateReport(report), `${name}: ${JSON.stringify(validateReport.errors)}`).toBe(true);
    }
  });

  it('lists the same formats, verdicts and severities as the code', () => {
    expect(schema.properties.format.enum).toEqual([...FORMAT_IDS]);
    expect(schema.properties.verdict.enum).toEqual([...VERDICTS]);
    expect(schema.$defs.severity.enum).toEqual([...SEVERITIES]);
  });

  it('rejects reports that break it', async () => {
    const good = await scanBytes(fixtureBytes('array.npy'));
    const broken = [
      { ...good, verdict: 'fine' },
      { ...good, schemaVersion: 2 },
      { ...good, extra: true },
      { ...good, file: { ...good.file, sha256: 'ABC' } },
      { ...good, findings: [{ rule: 'x', severity: 'info', message: 'm', location: {}, evidence: {} }] },
      { ...good, findings: [{ rule: 'format.malformed', severity: 'bad', message: 'm', location: {}, evidence: {} }] },
      { ...good, findings: [{ rule: 'format.malformed', severity: 'info', message: 'm', location: { offset: -1 }, evidence: {} }] },
      { ...good, findings: [{ rule: 'format.malformed', severity: 'info', message: 'm', location: {}, evidence: { x: { nested: 1 } } }] },
      { ...good, stats: { bytesRead: 1.5, elapsedMs: 1 } },
    ];
    for (const report of broken) expect(validateReport(report), JSON.stringify(report).slice(0, 200)).toBe(false);
  });

  it('documents every rule id in docs/rules.md', () => {
    const doc = readFileSync(`${ROOT}/docs/rules.md`, 'utf8');
    for (const id of Object.keys(RULES)) expect(doc, id).toContain(`\`${id}\``);
  });

  it('carries the package version', () => {
    expect(TOOL_VERSION).toBe(JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version);
  });
});
