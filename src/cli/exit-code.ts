// How a scan's outcome becomes a process exit code (documented in --help and README).
import type { Report } from '../engine/report.js';
import { VERDICT_RANK } from '../engine/verdict.js';
import { FAIL_ON_MIN_VERDICT, type FailOn } from './args.js';
import type { InputProblem } from './walk.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_NOTHING_SCANNED = 3;

export function exitCodeFor(reports: readonly Report[], errors: readonly InputProblem[], failOn: FailOn): number {
  if (!reports.some((r) => r.verdict !== 'unsupported')) return EXIT_NOTHING_SCANNED;
  if (failOn === 'never') return EXIT_OK;
  const threshold = VERDICT_RANK[FAIL_ON_MIN_VERDICT[failOn]];
  // A missing or unreadable input is as unscanned as an unsupported file.
  const ranks = [...reports.map((r) => VERDICT_RANK[r.verdict]), ...errors.map(() => VERDICT_RANK.unsupported)];
  return ranks.some((rank) => rank >= threshold) ? EXIT_FINDINGS : EXIT_OK;
}
