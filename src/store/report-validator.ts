// The one check every stored or received report goes through before it is shown.
// (Replaced by the engine's strict report reader when it lands.)
import { FORMAT_IDS, SCHEMA_VERSION, SEVERITIES, VERDICTS, type Report } from '../engine/report.js';

export function validateReport(value: unknown): Report {
  const fail = (why: string): never => {
    throw new Error(`not a Weightlens report: ${why}`);
  };
  if (typeof value !== 'object' || value === null) return fail('not an object');
  const r = value as Record<string, unknown>;
  if (r.schemaVersion !== SCHEMA_VERSION) return fail(`schema version ${String(r.schemaVersion)} is not ${SCHEMA_VERSION}`);
  const file = r.file as Record<string, unknown> | undefined;
  if (!file || typeof file.path !== 'string' || typeof file.name !== 'string' || typeof file.size !== 'number') return fail('bad file facts');
  if (!(FORMAT_IDS as readonly unknown[]).includes(r.format)) return fail('unknown format');
  if (!(VERDICTS as readonly unknown[]).includes(r.verdict)) return fail('unknown verdict');
  if (!Array.isArray(r.findings)) return fail('no findings list');
  for (const f of r.findings as Record<string, unknown>[]) {
    if (typeof f !== 'object' || f === null || typeof f.rule !== 'string' || typeof f.message !== 'string' || !(SEVERITIES as readonly unknown[]).includes(f.severity)) return fail('a bad finding');
    if (typeof f.location !== 'object' || typeof f.evidence !== 'object') return fail('a bad finding');
  }
  if (typeof r.content !== 'object' || r.content === null) return fail('no content');
  return value as Report;
}
