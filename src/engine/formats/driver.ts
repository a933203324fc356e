// The contract every format module fulfils: "does this look like me?" and
// "analyse it". Adding a format means adding one module and one registry line.
import type { ByteSource } from '../byte-source.js';
import type { ImportPolicy } from '../policy/index.js';
import type { Evidence, Finding, FormatId, Location, RuleId, Severity } from '../report.js';
import { RULES } from '../rules.js';
import type { Siblings } from '../siblings.js';
import type { SniffContext } from '../sniff/context.js';
import type { WeightlensWasm } from '../wasm.js';

export interface SniffMatch {
  /** Human-readable name, possibly refined ("pickle (protocol 4)"). */
  label: string;
  /** What the sniffer learned; becomes `content.sniff` in the report. */
  details: Record<string, unknown>;
}

export interface AnalysisContext {
  source: ByteSource;
  /** The sniffing state (head bytes, zip directory), so nothing is read twice. */
  sniffContext: SniffContext;
  wasm: WeightlensWasm;
  match: SniffMatch;
  /** Files beside this one (shards, external data, config.json); empty when none were offered. */
  siblings: Siblings;
  findings: FindingList;
  /** Format-specific report content; drivers fill it as they go, so partial results survive an error. */
  content: Record<string, unknown>;
  /** How pickle imports are judged; the built-in policy when absent. */
  policy?: ImportPolicy;
}

export interface FormatDriver {
  readonly id: FormatId;
  /** Cheap look at the bytes (never the file name): a match, or null. */
  sniff(ctx: SniffContext): Promise<SniffMatch | null>;
  /**
   * Full analysis: 'complete' when every part that can hold a risk was checked,
   * 'unsupported' when parts were left unchecked (with a finding saying which),
   * 'failed' when a part was malformed and the driver recorded that itself and
   * went on with the others (an archive member; see failure.ts).
   * Throws MalformedError / LimitError to stop; findings and content added
   * before the throw are kept. Absent while a format is recognised but not yet
   * analysed: the file is then reported unscanned.
   */
  analyse?(ctx: AnalysisContext): Promise<'complete' | 'unsupported' | 'failed'>;
}

/** Collects findings in order; severity defaults to the rule's. */
export class FindingList {
  readonly items: Finding[] = [];

  add(rule: RuleId, message: string, location: Location = {}, evidence: Evidence = {}, severity: Severity = RULES[rule].severity): Finding {
    const finding: Finding = { rule, severity, message, location, evidence };
    this.items.push(finding);
    return finding;
  }
}
