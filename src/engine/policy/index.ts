// Which pickle imports are safe, dangerous or unknown: plain data (safe.ts, dangerous.ts,
// py2-names.ts, aliases.ts) and one function that reads it (judge.ts). See docs/policy.md.
export { type ImportJudgement, type ImportPolicy, type ImportTier, PolicyError } from './types.js';
export { createImportPolicy, DEFAULT_IMPORT_POLICY } from './judge.js';
