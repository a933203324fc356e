// The report: the one versioned shape every front door reads and writes.
// docs/report.schema.json is its JSON Schema; a test keeps the two in step.
import type { RuleId } from './rules.js';
export type { RuleId } from './rules.js';

/** Bump when a field changes meaning or is removed; adding optional content does not. */
export const SCHEMA_VERSION = 1;

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const VERDICTS = ['clean', 'suspicious', 'malicious', 'malformed', 'unsupported'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const FORMAT_IDS = [
  'pickle',
  'pytorch-zip',
  'pytorch-legacy',
  'torchscript',
  'numpy',
  'npz',
  'joblib',
  'safetensors',
  'safetensors-index',
  'tokenizer-config',
  'onnx',
  'gguf',
  'hdf5',
  'keras',
  'zip',
  'unknown',
] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

/** Where a finding is; every field optional, use whichever apply. */
export interface Location {
  /** Archive member path (zip entry, tar member). */
  member?: string;
  /** Byte offset in the file (or in the member when `member` is set). */
  offset?: number;
  length?: number;
  /** Index of the pickle opcode, counted from 0. */
  opcodeIndex?: number;
  /** Graph node name (ONNX). */
  node?: string;
  /** Tensor name. */
  tensor?: string;
}

/** Facts backing a finding, e.g. `{ global: 'posix.system', call: "posix.system('echo hi')" }`. */
export type EvidenceValue = string | number | boolean | string[] | number[];
export type Evidence = Record<string, EvidenceValue>;

export interface Finding {
  rule: RuleId;
  severity: Severity;
  message: string;
  location: Location;
  evidence: Evidence;
}

export interface FileFacts {
  /** The path as given (CLI) or the relative path inside a dropped folder (app). */
  path: string;
  name: string;
  size: number;
  /** Lowercase hex, or null when hashing was skipped or has not finished. */
  sha256: string | null;
}

export interface ScanStats {
  /** Bytes the analysis read from the file (the hash pass is not counted). */
  bytesRead: number;
  elapsedMs: number;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'weightlens'; version: string };
  file: FileFacts;
  format: FormatId;
  /** Human-readable name of what the bytes are, e.g. "PyTorch checkpoint (zip)" or "PNG image". */
  formatLabel: string;
  verdict: Verdict;
  findings: Finding[];
  stats: ScanStats;
  /** Format-specific content (tensors, graph, calls, archive members); documented per format. */
  content: Record<string, unknown>;
}
