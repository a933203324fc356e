// Findings with a per-rule budget: a hostile graph can break a rule a million
// times; the first MAX_FINDINGS_PER_RULE are listed, the rest counted in one more.
import type { Evidence, Location, RuleId, Severity } from '../../report.js';
import type { FindingList } from '../driver.js';
import { MAX_FINDINGS_PER_RULE } from './limits.js';

export class Notes {
  private readonly seen = new Map<RuleId, { count: number; first?: Location }>();

  constructor(private readonly findings: FindingList) {}

  add(rule: RuleId, message: string, location: Location = {}, evidence: Evidence = {}, severity?: Severity): void {
    const seen = this.seen.get(rule) ?? { count: 0 };
    seen.count++;
    this.seen.set(rule, seen);
    if (seen.count <= MAX_FINDINGS_PER_RULE) this.findings.add(rule, message, location, evidence, severity);
    else seen.first ??= location;
  }

  /** Adds the "n more" findings; call once at the end. */
  finish(): void {
    for (const [rule, seen] of this.seen) {
      if (seen.count > MAX_FINDINGS_PER_RULE) {
        this.findings.add(rule, `${seen.count - MAX_FINDINGS_PER_RULE} more of these (only the first ${MAX_FINDINGS_PER_RULE} are listed)`, seen.first ?? {}, { count: seen.count });
      }
    }
  }
}
