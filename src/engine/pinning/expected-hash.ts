// Hash pinning: compare a report's SHA-256 (and size) with what the user, a
// checksum file or a Git LFS pointer says the file must be. A mismatch is a
// high finding; a match an info one. The verdict is decided again by
// verdictFor, so the app (a pasted hash) and the CLI agree.
import type { Finding, Report, Verdict } from '../report.js';
import { RULES } from '../rules.js';
import { verdictFor, type AnalysisStatus } from '../verdict.js';

export interface ExpectedHash {
  /** Lowercase or uppercase hex. */
  sha256: string;
  /** Expected size in bytes, when the source gives one (a Git LFS pointer). */
  size?: number;
  /** Where the expectation came from, for people: `--expect-sha256`, `SHA256SUMS line 3`, `Git LFS pointer lfs/model.bin`. */
  source: string;
}

export class PinError extends Error {
  override name = 'PinError';
}

export const PIN_RULES = ['hash.mismatch', 'hash.match'] as const;

/** How far the analysis got, read back from the verdict it produced (a malicious verdict stays malicious whatever it was). */
function statusOf(verdict: Verdict): AnalysisStatus {
  return verdict === 'malformed' ? 'failed' : verdict === 'unsupported' ? 'unsupported' : 'complete';
}

/**
 * The report with one finding per expectation and its verdict decided again.
 * Apply it once, to the report as scanned: a report that already carries a pin
 * finding is refused (its verdict no longer says how far the analysis got).
 * Throws PinError when the report has no SHA-256 yet or a value is not a SHA-256.
 */
export function applyExpectedHashes(report: Report, expected: readonly ExpectedHash[]): Report {
  if (expected.length === 0) return report;
  if (report.file.sha256 === null) throw new PinError(`${report.file.path} has no SHA-256 yet (hashing skipped or still running): nothing to compare`);
  if (report.findings.some((f) => (PIN_RULES as readonly string[]).includes(f.rule))) throw new PinError(`${report.file.path} is already pinned: apply expected hashes to the report as scanned`);
  const actual = report.file.sha256;
  const added: Finding[] = expected.map((e) => {
    const want = e.sha256.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(want)) throw new PinError(`${e.source}: "${e.sha256}" is not a SHA-256 (64 hex digits)`);
    const sizeDiffers = e.size !== undefined && e.size !== report.file.size;
    const evidence = { expected: want, actual, source: e.source, ...(e.size !== undefined ? { expectedSize: e.size, actualSize: report.file.size } : {}) };
    if (want === actual && !sizeDiffers) {
      return { rule: 'hash.match', severity: RULES['hash.match'].severity, message: `SHA-256 matches ${e.source}`, location: {}, evidence };
    }
    const what = want !== actual ? `SHA-256 ${actual} is not the ${want} that ${e.source} expects` : `size ${report.file.size} is not the ${e.size} bytes ${e.source} expects`;
    return { rule: 'hash.mismatch', severity: RULES['hash.mismatch'].severity, message: `not the expected file: ${what}`, location: {}, evidence };
  });
  const findings = [...report.findings, ...added];
  return { ...report, findings, verdict: verdictFor(statusOf(report.verdict), findings) };
}
