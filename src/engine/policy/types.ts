// The policy's contract with the pickle analyser: judge one import, by the two strings a
// GLOBAL, STACK_GLOBAL or INST names, into one of three tiers.

export type ImportTier = 'safe' | 'dangerous' | 'unknown';

export interface ImportJudgement {
  tier: ImportTier;
  /** One line: why (the table entry's reason, or "not on the reviewed safe list"). */
  reason: string;
  /** The table entry that decided, e.g. 'os' or 'torch._utils._rebuild_tensor_v2'. */
  entry?: string;
  /** True when a user-supplied safe entry decided. */
  byUser?: boolean;
}

export interface ImportPolicy {
  judge(module: string, name: string): ImportJudgement;
  /** The user's extra safe entries, as given (empty for the default policy). */
  readonly userEntries: readonly string[];
}

/** A malformed user safe-list entry; the message names the entry and what is wrong with it. */
export class PolicyError extends Error {
  override name = 'PolicyError';
}
