// Reports as one SARIF 2.1.0 log (OASIS), for code scanning in CI (GitHub and
// others). One run; every rule Weightlens has is described in
// tool.driver.rules; each finding is a result on its file, with a byte region
// when the finding has a file offset. Validated against the SARIF 2.1.0 schema
// in test/export.test.ts.
import type { Finding, Report, Severity } from '../report.js';
import { RULES, type RuleId } from '../rules.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { describeLocation } from './model-facts.js';
import { artifactUri, fingerprint, type ExportOptions, type ToolInfo } from './common.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note' | 'none';

/** Critical and high findings fail a check; medium warns; low is a note; info is informational. */
export const SARIF_LEVEL: Record<Severity, SarifLevel> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'none',
};

/** GitHub's `security-severity` (0–10): over 9 is shown as critical, 7–8.9 high, 4–6.9 medium, under 4 low. */
export const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: undefined,
};

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: [SarifRun];
}

export interface SarifRun {
  tool: { driver: SarifDriver };
  artifacts: SarifArtifact[];
  results: SarifResult[];
  invocations: SarifInvocation[];
  columnKind: 'unicodeCodePoints';
}

interface SarifMessage {
  text: string;
}

interface SarifDriver {
  name: string;
  version: string;
  semanticVersion: string;
  informationUri?: string;
  rules: SarifRule[];
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: 'high'; 'problem.severity': string; 'security-severity'?: string };
}

interface SarifArtifactLocation {
  uri: string;
  index?: number;
}

interface SarifArtifact {
  location: SarifArtifactLocation;
  length: number;
  roles: ['analysisTarget'];
  hashes?: { 'sha-256': string };
  properties: { format: string; formatLabel: string; verdict: string };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  kind: 'fail' | 'informational' | 'notApplicable';
  level: SarifLevel;
  message: SarifMessage;
  locations: [
    {
      physicalLocation: { artifactLocation: SarifArtifactLocation; region?: { byteOffset: number; byteLength?: number } };
      logicalLocations?: { name: string; fullyQualifiedName: string; kind: string }[];
    },
  ];
  partialFingerprints: Record<string, string>;
  properties: { severity: Severity; verdict: string; where?: string; evidence?: Finding['evidence'] };
}

interface SarifInvocation {
  executionSuccessful: boolean;
  toolExecutionNotifications: { level: 'error'; message: SarifMessage; locations: { physicalLocation: { artifactLocation: SarifArtifactLocation } }[] }[];
}

const RULE_IDS = Object.keys(RULES) as RuleId[];
const RULE_INDEX = new Map<string, number>(RULE_IDS.map((id, i) => [id, i]));

/** `pickle.dangerous-import` → `PickleDangerousImport`: SARIF's readable rule name. */
function ruleName(id: string): string {
  return id
    .split(/[.-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function sarifRule(id: string, severity: Severity, title: string): SarifRule {
  const securitySeverity = SECURITY_SEVERITY[severity];
  return {
    id,
    name: ruleName(id),
    shortDescription: { text: title.length > 120 ? `${title.slice(0, title.lastIndexOf(' ', 117))}…` : title },
    fullDescription: { text: title },
    help: { text: `${title} Default severity: ${severity}. See docs/rules.md in Weightlens.` },
    defaultConfiguration: { level: SARIF_LEVEL[severity] },
    properties: {
      tags: ['security', 'machine-learning', id.split('.')[0]!],
      precision: 'high',
      'problem.severity': SARIF_LEVEL[severity] === 'none' ? 'recommendation' : SARIF_LEVEL[severity],
      ...(securitySeverity ? { 'security-severity': securitySeverity } : {}),
    },
  };
}

/** A file offset is a byte region of the artifact; an offset inside a member or a decompressed stream is not. */
function region(finding: Finding): { byteOffset: number; byteLength?: number } | undefined {
  const { member, offset, length } = finding.location;
  if (member !== undefined || offset === undefined) return undefined;
  return length === undefined ? { byteOffset: offset } : { byteOffset: offset, byteLength: length };
}

/** Stable across runs for the same problem in the same place; the path is not in it (code scanning adds it). */
function findingFingerprint(finding: Finding): string {
  const { member, offset, opcodeIndex, node, tensor } = finding.location;
  const global = finding.evidence.global;
  return fingerprint([finding.rule, member ?? '', offset ?? '', opcodeIndex ?? '', node ?? '', tensor ?? '', typeof global === 'string' ? global : ''].join('\u0000'));
}

export function toSarif(reports: readonly Report[], options: ExportOptions = {}): SarifLog {
  const tool: ToolInfo = options.tool ?? { name: TOOL_NAME, version: TOOL_VERSION };
  const rules = RULE_IDS.map((id) => sarifRule(id, RULES[id].severity, RULES[id].title));
  const ruleIndexes = new Map(RULE_INDEX);
  const artifacts: SarifArtifact[] = [];
  const results: SarifResult[] = [];

  for (const report of reports) {
    const index = artifacts.length;
    const location = { uri: artifactUri(report.file.path), index };
    artifacts.push({
      location: { uri: location.uri },
      length: report.file.size,
      roles: ['analysisTarget'],
      ...(report.file.sha256 ? { hashes: { 'sha-256': report.file.sha256 } } : {}),
      properties: { format: report.format, formatLabel: report.formatLabel, verdict: report.verdict },
    });
    for (const finding of report.findings) {
      let ruleIndex = ruleIndexes.get(finding.rule);
      if (ruleIndex === undefined) {
        // A report from a newer version can name a rule this one does not know: describe it from the finding.
        ruleIndex = rules.length;
        ruleIndexes.set(finding.rule, ruleIndex);
        rules.push(sarifRule(finding.rule, finding.severity, finding.message));
      }
      const where = describeLocation(finding.location);
      const byteRegion = region(finding);
      const logical = finding.location.member !== undefined ? [{ name: finding.location.member.split('/').pop() ?? finding.location.member, fullyQualifiedName: finding.location.member, kind: 'member' }] : undefined;
      const kind = finding.severity !== 'info' ? 'fail' : finding.rule === 'format.unsupported' ? 'notApplicable' : 'informational';
      results.push({
        ruleId: finding.rule,
        ruleIndex,
        kind,
        level: kind === 'fail' ? SARIF_LEVEL[finding.severity] : 'none',
        message: { text: where ? `${finding.message} (${where})` : finding.message },
        locations: [{ physicalLocation: { artifactLocation: location, ...(byteRegion ? { region: byteRegion } : {}) }, ...(logical ? { logicalLocations: logical } : {}) }],
        partialFingerprints: { 'weightlensFinding/v1': findingFingerprint(finding) },
        properties: { severity: finding.severity, verdict: report.verdict, ...(where ? { where } : {}), ...(Object.keys(finding.evidence).length ? { evidence: finding.evidence } : {}) },
      });
    }
  }

  const problems = options.problems ?? [];
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: tool.name, version: tool.version, semanticVersion: tool.version.match(/^\d+\.\d+\.\d+/)?.[0] ?? tool.version, ...(tool.informationUri ? { informationUri: tool.informationUri } : {}), rules } },
        artifacts,
        results,
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: problems.map((p) => ({ level: 'error' as const, message: { text: `${p.path}: ${p.message}` }, locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(p.path) } } }] })),
          },
        ],
        columnKind: 'unicodeCodePoints',
      },
    ],
  };
}
