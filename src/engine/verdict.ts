// How a verdict follows from what the analysis found: one function, documented
// in docs/report.md, so the app, the CLI and every format agree.
import type { Finding, Severity, Verdict } from './report.js';

/** How far the analysis got. */
export type AnalysisStatus =
  /** The driver read the whole structure it needed. */
  | 'complete'
  /** Parsing failed part-way; findings before the failure are kept. */
  | 'failed'
  /** Not a format we analyse (or one we recognise but cannot check yet). */
  | 'unsupported';

/**
 * - any critical finding → `malicious`, even when parsing later failed: a payload
 *   followed by garbage must not be downgraded to "malformed";
 * - parsing failed → `malformed` (never clean: what was not read was not checked);
 * - not analysed → `unsupported` — unless a pinned SHA-256 did not match
 *   (`hash.mismatch`): whatever the bytes are, they are not the file expected,
 *   so `suspicious`;
 * - any high or medium finding → `suspicious`;
 * - otherwise (only low / info findings, or none) → `clean`.
 */
export function verdictFor(status: AnalysisStatus, findings: readonly (Pick<Finding, 'severity'> & { rule?: string })[]): Verdict {
  if (findings.some((f) => f.severity === 'critical')) return 'malicious';
  if (status === 'failed') return 'malformed';
  if (status === 'unsupported') return findings.some((f) => f.rule === 'hash.mismatch') ? 'suspicious' : 'unsupported';
  if (findings.some((f) => f.severity === 'high' || f.severity === 'medium')) return 'suspicious';
  return 'clean';
}

/** Verdicts from harmless to worst, for gates such as `--fail-on`. */
export const VERDICT_RANK: Record<Verdict, number> = {
  clean: 0,
  unsupported: 1,
  suspicious: 2,
  malformed: 3,
  malicious: 4,
};

export const SEVERITY_RANK: Record<Severity, number> = {
  info: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

/** The most severe finding (first among equals), for one-line summaries. */
export function worstFinding<T extends Pick<Finding, 'severity'>>(findings: readonly T[]): T | undefined {
  let worst: T | undefined;
  for (const f of findings) {
    if (!worst || SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst.severity]) worst = f;
  }
  return worst;
}
