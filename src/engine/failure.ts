// What stopped an analysis, as a finding and a status. The scanner uses it for
// a whole file; archive drivers use it per member, so one bad member is
// recorded and the others are still checked.
import { LimitError, MalformedError, ReadError } from './errors.js';
import type { FindingList } from './formats/driver.js';
import { MEMORY_BUDGET_LIMIT } from './memory-budget.js';
import type { Location } from './report.js';
import type { AnalysisStatus } from './verdict.js';
import { WasmAbort, WasmMemoryBudgetError } from './wasm.js';

/**
 * Turns what stopped the analysis into a finding; returns the resulting status.
 * `where` fills in what the error's own location lacks (the member it came from).
 */
export function recordFailure(error: unknown, findings: FindingList, where: Location = {}): AnalysisStatus {
  if (error instanceof LimitError) {
    findings.add('scan.limit-reached', `analysis incomplete: ${error.message}`, { ...where, ...error.location }, { limit: error.limit, value: error.value });
    return 'complete';
  }
  if (error instanceof WasmMemoryBudgetError) {
    // a limit like the named ones (never clean: at least suspicious); the instance is replaced for the next file
    findings.add('scan.limit-reached', `analysis incomplete: ${error.message}; the rest was not checked`, where, { limit: MEMORY_BUDGET_LIMIT, value: error.budgetBytes });
    return 'complete';
  }
  if (error instanceof MalformedError) {
    findings.add(error.rule, error.message, { ...where, ...error.location });
    return 'failed';
  }
  if (error instanceof ReadError) {
    findings.add('scan.read-error', error.message, where);
    return 'failed';
  }
  const detail = error instanceof WasmAbort || error instanceof WebAssembly.RuntimeError ? `decoder trap: ${error.message}` : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  findings.add('scan.internal-error', `analysis failed unexpectedly (${detail}); the file was not fully checked`, where);
  return 'failed';
}

const STATUS_RANK: Record<AnalysisStatus, number> = { complete: 0, unsupported: 1, failed: 2 };

/** The status of an analysis made of parts: the worst part decides. */
export function worseStatus(a: AnalysisStatus, b: AnalysisStatus): AnalysisStatus {
  return STATUS_RANK[b] > STATUS_RANK[a] ? b : a;
}
