// The user's extra safe entries (a CLI flag, an app setting): parsed strictly, because a typo
// that silently matches nothing, or matches everything, is worse than an error.
//
//   pkg.models.Net   exactly that import
//   pkg.models.*     every name directly in pkg.models (not pkg.models.sub.X, not Net.Inner)
//   pkg.**           everything in pkg and its submodules
//
// Entries match the full dotted path of an import, however a pickle splits it between module
// and name (protocol 4 allows `pkg` + `models.Net`).
import { PolicyError } from './types.js';

export type UserEntryKind = 'exact' | 'module' | 'tree';

export interface UserEntry {
  /** As the user wrote it. */
  readonly text: string;
  readonly kind: UserEntryKind;
  /** The dotted path without the wildcard. */
  readonly path: string;
}

/** A Python identifier (PEP 3131 letters allowed, as in module and class names). */
const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u;

export function parseUserEntry(text: unknown, index: number): UserEntry {
  const fail = (why: string): never => {
    throw new PolicyError(`user safe-list entry ${index + 1} (${JSON.stringify(text)}): ${why}`);
  };
  if (typeof text !== 'string') return fail('not a string');
  if (text.trim() === '') return fail('empty');
  if (/\s/u.test(text)) return fail('contains whitespace');
  const parts = text.split('.');
  if (parts.some((p) => p === '')) return fail('a leading, trailing or doubled dot leaves an empty component');
  const last = parts[parts.length - 1];
  const kind: UserEntryKind = last === '**' ? 'tree' : last === '*' ? 'module' : 'exact';
  const pathParts = kind === 'exact' ? parts : parts.slice(0, -1);
  if (pathParts.length === 0) return fail('would allow every import; name a module, e.g. "mypkg.**"');
  for (const p of pathParts) {
    if (p.includes('*')) return fail("a wildcard is only allowed as the whole last component: 'pkg.*' or 'pkg.**'");
    if (!IDENTIFIER.test(p)) return fail(`${JSON.stringify(p)} is not a Python identifier`);
  }
  if (kind === 'exact' && pathParts.length < 2) {
    return fail(`names a module, not an import: write '${text}.*' (its names) or '${text}.**' (and submodules)`);
  }
  return { text, kind, path: pathParts.join('.') };
}

/** Whether the entry covers the import whose full dotted path is `full`. */
export function userEntryMatches(entry: UserEntry, full: string): boolean {
  switch (entry.kind) {
    case 'exact':
      return full === entry.path;
    case 'module':
      return full.startsWith(`${entry.path}.`) && !full.slice(entry.path.length + 1).includes('.');
    case 'tree':
      return full === entry.path || full.startsWith(`${entry.path}.`);
  }
}
