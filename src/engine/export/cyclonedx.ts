// Reports as one CycloneDX 1.6 BOM: an ML bill of materials. Each model file is
// a `machine-learning-model` component with its SHA-256, and what Weightlens
// found — format, parameter count, dtypes, verdict, findings — as properties
// (`weightlens:*`); other files scanned with it are `file` components. A folder
// scan is one BOM. Validated against the official CycloneDX 1.6 JSON schema
// (from @cyclonedx/cyclonedx-library) in test/export.test.ts.
import type { FormatId, Report } from '../report.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { ExportOptions } from './common.js';
import { describeLocation, modelFacts } from './model-facts.js';

export const CYCLONEDX_SCHEMA_URI = 'http://cyclonedx.org/schema/bom-1.6.schema.json';

/** Formats that are not a model: a plain archive, an index of shards, bytes we do not recognise. */
const NOT_MODEL_FILES: ReadonlySet<FormatId> = new Set(['unknown', 'zip', 'safetensors-index']);

export interface CycloneDxOptions extends ExportOptions {
  /** `urn:uuid:…`; a fresh random one by default (every BOM should have its own). */
  serialNumber?: string;
  /** ISO 8601; now by default. */
  timestamp?: string;
}

interface Property {
  name: string;
  value: string;
}

export interface CycloneDxComponent {
  type: 'machine-learning-model' | 'file';
  'bom-ref': string;
  name: string;
  hashes?: { alg: 'SHA-256'; content: string }[];
  modelCard?: { modelParameters: { architectureFamily?: string; modelArchitecture?: string } };
  evidence: { occurrences: { location: string }[] };
  properties: Property[];
}

export interface CycloneDxBom {
  $schema: string;
  bomFormat: 'CycloneDX';
  specVersion: '1.6';
  serialNumber: string;
  version: 1;
  metadata: {
    timestamp: string;
    tools: { components: { type: 'application'; name: string; version: string }[] };
    properties?: Property[];
  };
  components: CycloneDxComponent[];
}

function component(report: Report, index: number): CycloneDxComponent {
  const facts = modelFacts(report);
  const isModel = !NOT_MODEL_FILES.has(report.format);
  const properties: Property[] = [
    { name: 'weightlens:verdict', value: report.verdict },
    { name: 'weightlens:format', value: report.format },
    { name: 'weightlens:formatLabel', value: report.formatLabel },
    { name: 'weightlens:size', value: String(report.file.size) },
  ];
  if (facts.parameters !== null) properties.push({ name: 'weightlens:parameters', value: String(facts.parameters) });
  if (facts.dtypes.length) properties.push({ name: 'weightlens:dtypes', value: facts.dtypes.join(',') });
  for (const f of report.findings) {
    const where = describeLocation(f.location);
    properties.push({ name: 'weightlens:finding', value: `${f.severity} ${f.rule}: ${f.message}${where ? ` (${where})` : ''}` });
  }
  const modelParameters = {
    ...(facts.architectureFamily ? { architectureFamily: facts.architectureFamily } : {}),
    ...(facts.architectures.length ? { modelArchitecture: facts.architectures.join(', ') } : {}),
  };
  return {
    type: isModel ? 'machine-learning-model' : 'file',
    'bom-ref': `weightlens-file-${index + 1}`,
    name: report.file.name || report.file.path,
    ...(report.file.sha256 ? { hashes: [{ alg: 'SHA-256' as const, content: report.file.sha256 }] } : {}),
    ...(isModel && Object.keys(modelParameters).length ? { modelCard: { modelParameters } } : {}),
    evidence: { occurrences: [{ location: report.file.path }] },
    properties,
  };
}

export function toCycloneDx(reports: readonly Report[], options: CycloneDxOptions = {}): CycloneDxBom {
  const tool = options.tool ?? { name: TOOL_NAME, version: TOOL_VERSION };
  const problems = options.problems ?? [];
  return {
    $schema: CYCLONEDX_SCHEMA_URI,
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: options.serialNumber ?? `urn:uuid:${crypto.randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: options.timestamp ?? new Date().toISOString(),
      tools: { components: [{ type: 'application', name: tool.name, version: tool.version }] },
      ...(problems.length ? { properties: problems.map((p) => ({ name: 'weightlens:error', value: `${p.path}: ${p.message}` })) } : {}),
    },
    components: reports.map(component),
  };
}
