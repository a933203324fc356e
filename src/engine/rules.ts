// Every finding has a stable rule id. This table is the single list of them:
// the default severity and a one-line explanation a reviewer can read top to bottom.
// docs/rules.md is checked against it by a test.
import type { Severity } from './report.js';

export interface RuleInfo {
  readonly severity: Severity;
  readonly title: string;
}

export const RULES = {
  'format.unsupported': {
    severity: 'info',
    title: 'Not a model format Weightlens analyses; the report says what the bytes look like.',
  },
  'format.not-analysed': {
    severity: 'info',
    title: 'A recognised model format whose contents this version cannot check yet: the file is unscanned, not clean.',
  },
  'format.malformed': {
    severity: 'high',
    title: 'The bytes break the rules of their format; loaders may fail or, worse, disagree about what the file holds.',
  },
  'scan.limit-reached': {
    severity: 'medium',
    title: 'A named safety limit stopped the analysis early: what follows the limit was not checked.',
  },
  'scan.read-error': {
    severity: 'high',
    title: 'The file could not be read to the end, so it was not fully checked.',
  },
  'scan.internal-error': {
    severity: 'high',
    title: 'The analyser failed unexpectedly (a Weightlens bug); the file was not fully checked.',
  },
  'numpy.object-array': {
    severity: 'high',
    title: 'A numpy array of Python objects: its data is a pickle, and numpy.load(allow_pickle=True) runs whatever it imports.',
  },
  'numpy.trailing-data': {
    severity: 'medium',
    title: 'Bytes after the array data that numpy never reads: a place to hide a payload.',
  },
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

export function isRuleId(value: string): value is RuleId {
  return Object.hasOwn(RULES, value);
}
