// The memory budget's mark on a report, for the app (which retires the worker
// that spent it) without pulling the wasm wrapper into the page.
import type { Report } from './report.js';

/** `evidence.limit` of the scan.limit-reached finding made when the decoders' memory budget is spent. */
export const MEMORY_BUDGET_LIMIT = 'MEMORY_BUDGET';

/** Whether a report's analysis was stopped by the memory budget. */
export function spentMemoryBudget(report: Report): boolean {
  return report.findings.some((f) => f.rule === 'scan.limit-reached' && f.evidence?.limit === MEMORY_BUDGET_LIMIT);
}
