// Judging one import. The order is the policy:
//   1. every spelling pickle could load (as written, the Python 2 rewrite, a known alias) is
//      checked against the dangerous list: the module and each module prefix, the full path,
//      each attribute path a dotted name walks through (`pathlib` + `os.system` reaches os), and
//      dunder attributes (`X.__globals__`); the last two are skipped for a path on the built-in
//      safe list (`copyreg.__newobj__`). Any hit is dangerous, whatever the safe lists say;
//   2. the built-in safe list, exact paths and then class families;
//   3. the user's entries;
//   4. everything else is unknown.
import { MODULE_ALIASES } from './aliases.js';
import { DANGEROUS, DANGEROUS_EXCEPTIONS } from './dangerous.js';
import { PY2_MODULES, PY2_NAMES } from './py2-names.js';
import { SAFE, SAFE_PATTERNS, type SafePattern } from './safe.js';
import { type ImportJudgement, type ImportPolicy } from './types.js';
import { parseUserEntry, userEntryMatches, type UserEntry } from './user-entries.js';

const UNKNOWN_REASON = 'not on the reviewed safe list';
const DUNDER_REASON = 'a dunder attribute reaches interpreter internals (__globals__, __builtins__, __subclasses__ …)';

interface Entry {
  readonly path: string;
  readonly reason: string;
}

// Maps, not object lookups: an import named `constructor` or `__proto__` must find nothing.
const DANGEROUS_BY_PATH = new Map<string, Entry>();
// Module paths folded to lower case: with PYTHONCASEOK on a case-insensitive file system,
// `import OS` loads os.py.
const DANGEROUS_FOLDED = new Map<string, Entry>();
for (const group of DANGEROUS) {
  for (const path of group.paths) {
    DANGEROUS_BY_PATH.set(path, { path, reason: group.reason });
    DANGEROUS_FOLDED.set(path.toLowerCase(), { path, reason: group.reason });
  }
}

const SAFE_BY_PATH = new Map<string, Entry>();
for (const group of SAFE) for (const path of group.paths) SAFE_BY_PATH.set(path, { path, reason: group.reason });

const PY2_MODULE_MAP = new Map(Object.entries(PY2_MODULES));
const PY2_NAME_MAP = new Map(Object.entries(PY2_NAMES));
const ALIAS_MAP = new Map(Object.entries(MODULE_ALIASES));

/** A way pickle may resolve the import, with a note saying how it differs from what was written. */
interface Spelling {
  readonly module: string;
  readonly name: string;
  readonly note?: string;
}

/** As written; as pickle rewrites Python 2 names (protocols 0-2); under a known alias. The last is canonical. */
function spellings(module: string, name: string): Spelling[] {
  const out: Spelling[] = [{ module, name }];
  let current: Spelling = out[0]!;
  const py2 = PY2_NAME_MAP.get(`${module} ${name}`);
  const py2Module = PY2_MODULE_MAP.get(module);
  if (py2) current = { module: py2[0], name: py2[1] };
  else if (py2Module !== undefined) current = { module: py2Module, name };
  if (current !== out[0]) {
    current = { ...current, note: `Python 2 spelling of ${current.module}.${current.name}` };
    out.push(current);
  }
  for (const [alias, target] of ALIAS_MAP) {
    if (current.module === alias || current.module.startsWith(`${alias}.`)) {
      const m = target + current.module.slice(alias.length);
      out.push({ module: m, name: current.name, note: `${alias} is ${target}` });
      break;
    }
  }
  return out;
}

interface Hit {
  readonly entry: string;
  readonly reason: string;
  readonly how?: string;
}

function findDangerous(module: string, name: string, exactSafe: boolean): Hit | undefined {
  const moduleParts = module.split('.');
  const nameParts = name.split('.');
  const full = [...moduleParts, ...nameParts];
  const fullPath = full.join('.');
  const excepted = DANGEROUS_EXCEPTIONS.find((e) => (e.exact ? fullPath === e.path : fullPath.startsWith(`${e.path}.`)));
  // The module, each module prefix, and the full path with each prefix of the name.
  for (let l = 1; l <= full.length; l++) {
    const key = full.slice(0, l).join('.');
    if (excepted && excepted.path.startsWith(`${key}.`)) continue; // a dangerous parent of a carved-out path
    const exact = DANGEROUS_BY_PATH.get(key);
    if (exact) return { entry: exact.path, reason: exact.reason };
    const folded = l <= moduleParts.length ? DANGEROUS_FOLDED.get(key.toLowerCase()) : undefined;
    if (folded) return { entry: folded.path, reason: folded.reason, how: `module ${key} matched case-insensitively` };
  }
  // A path on the built-in safe list reaches the reviewed object however it is split.
  if (exactSafe) return undefined;
  // A dotted name walks attributes: each component walked through may be a module under
  // another name (pathlib.os, torch.serialization.pickle), so judge each path it starts.
  for (let q = 0; q + 1 < nameParts.length; q++) {
    for (let l = 1; q + l <= nameParts.length; l++) {
      const hit = DANGEROUS_BY_PATH.get(nameParts.slice(q, q + l).join('.'));
      if (hit) {
        const via = [...moduleParts, ...nameParts.slice(0, q + l)].join('.');
        return { entry: hit.path, reason: hit.reason, how: `reached through the attribute path ${via}` };
      }
    }
  }
  const dunder = nameParts.find((p) => p.length > 4 && p.startsWith('__') && p.endsWith('__'));
  if (dunder !== undefined) return { entry: dunder, reason: DUNDER_REASON };
  return undefined;
}

const MODULE_COMPONENT = /^_?[a-z][a-z0-9_]*$/;
const TEST_MODULE = /^(?:tests?|test_.*|.*_tests?)$/;

function patternMatches(pattern: SafePattern, full: string): boolean {
  if (!full.startsWith(`${pattern.under}.`)) return false;
  const parts = full.split('.');
  const last = parts[parts.length - 1]!;
  const modules = parts.slice(pattern.under.split('.').length, -1);
  return pattern.name.test(last) && modules.every((m) => MODULE_COMPONENT.test(m) && !TEST_MODULE.test(m));
}

function withNotes(reason: string, notes: (string | undefined)[]): string {
  const shown = notes.filter((n): n is string => n !== undefined);
  return shown.length ? `${reason} (${shown.join('; ')})` : reason;
}

// A hostile pickle can repeat one import millions of times; judging is cheap, but not free.
const CACHE_LIMIT = 10_000;

class Policy implements ImportPolicy {
  private readonly parsed: readonly UserEntry[];
  private readonly cache = new Map<string, ImportJudgement>();

  constructor(readonly userEntries: readonly string[]) {
    this.parsed = userEntries.map((e, i) => parseUserEntry(e, i));
  }

  judge(module: string, name: string): ImportJudgement {
    const key = `${module.length}:${module}${name}`;
    let judgement = this.cache.get(key);
    if (!judgement) {
      judgement = this.decide(module, name);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, judgement);
    }
    // A copy: callers may annotate what they are given.
    return { ...judgement };
  }

  private decide(module: string, name: string): ImportJudgement {
    const all = spellings(module, name);
    const canonical = all[all.length - 1]!;
    const full = `${canonical.module}.${canonical.name}`;
    const safe = SAFE_BY_PATH.get(full);
    const user = this.parsed.find((e) => userEntryMatches(e, full));

    for (const s of all) {
      const hit = findDangerous(s.module, s.name, safe !== undefined);
      if (hit) {
        const ignored = user ? `user entry '${user.text}' ignored: nothing makes a dangerous import safe` : undefined;
        return { tier: 'dangerous', entry: hit.entry, reason: withNotes(hit.reason, [s.note, hit.how, ignored]) };
      }
    }
    if (safe) return { tier: 'safe', entry: safe.path, reason: withNotes(safe.reason, [canonical.note]) };
    const pattern = SAFE_PATTERNS.find((p) => patternMatches(p, full));
    if (pattern) return { tier: 'safe', entry: pattern.id, reason: withNotes(pattern.reason, [canonical.note]) };
    if (user) {
      return { tier: 'safe', entry: user.text, byUser: true, reason: withNotes("on the user's safe list", [canonical.note]) };
    }
    return { tier: 'unknown', reason: UNKNOWN_REASON };
  }
}

/** The built-in policy, extended by the user's safe entries; throws PolicyError on a malformed entry. */
export function createImportPolicy(userSafe: readonly string[] = []): ImportPolicy {
  return new Policy([...userSafe]);
}

export const DEFAULT_IMPORT_POLICY: ImportPolicy = createImportPolicy();
