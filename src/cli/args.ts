// Command-line arguments of `weightlens scan`.
import { parseArgs } from 'node:util';
import type { Verdict } from '../engine/report.js';

export const FAIL_ON_LEVELS = ['any', 'suspicious', 'malformed', 'malicious', 'never'] as const;
export type FailOn = (typeof FAIL_ON_LEVELS)[number];

export interface ScanCommand {
  kind: 'scan';
  paths: string[];
  json: boolean;
  failOn: FailOn;
  hash: boolean;
  color: boolean | undefined;
  tensorStats: string[];
  /** Extra safe pickle imports (`module.name`, `module.*`, `module.**`). */
  allow: string[];
  /** Files with one allowlist entry per line. */
  allowFiles: string[];
}

export interface DisasmCommand {
  kind: 'disasm';
  path: string;
  offset: number;
  count: number;
  json: boolean;
}

export type Command = ScanCommand | DisasmCommand | { kind: 'help' } | { kind: 'version' };

export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP = `Usage: weightlens scan [options] PATH...
       weightlens disasm [--offset N] [--count N] [--json] FILE

Looks inside machine-learning model files without loading them and says
whether they are safe to load. Formats are recognised by their bytes, never
by their file names. Directories are scanned recursively; symbolic links
inside them are not followed.

Options:
  --json            print one JSON document on stdout and nothing else:
                    {schemaVersion, tool, reports: [...], errors: [...], skipped: [...]}
  --fail-on LEVEL   which verdicts fail the run (exit code 1):
                      any         anything but clean (default)
                      suspicious  suspicious, malformed or malicious
                      malformed   malformed or malicious
                      malicious   malicious only
                      never       report only; exit 0 unless nothing was scanned
  --no-hash         skip the SHA-256 of each file
  --tensor-stats NAME
                    also compute min, max, mean and NaN/Inf counts of tensor NAME
                    (reads that tensor's bytes; repeat for more tensors)
  --allow ENTRY     judge pickle imports matching ENTRY safe (your project's own
                    classes): module.name, module.* (its names) or module.**
                    (and its submodules); repeat for more. Never overrides the
                    dangerous list; reports say when an entry was used.
  --allow-file FILE read --allow entries from FILE, one per line (# comments)
  --no-color        no colour in the text output (NO_COLOR=1 works too)
  -h, --help        show this help
  -v, --version     print the version

disasm prints a pickle's opcodes like python -m pickletools, from --offset
(an opcode start, e.g. a finding's offset; default 0), --count lines
(default 200, at most 4096), and where the next page starts.

Verdicts, from harmless to worst:
  clean < unsupported < suspicious < malformed < malicious

Exit codes:
  0  every file is below the --fail-on level
  1  at least one file is at or above the --fail-on level (a missing or
     unreadable input counts as unsupported)
  2  usage error, or an internal error
  3  nothing could be scanned: every input was unsupported, missing or unreadable
`;

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        'fail-on': { type: 'string', default: 'any' },
        'no-hash': { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        'tensor-stats': { type: 'string', multiple: true, default: [] },
        allow: { type: 'string', multiple: true, default: [] },
        'allow-file': { type: 'string', multiple: true, default: [] },
        offset: { type: 'string' },
        count: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [command, ...paths] = positionals;
  if (command === undefined) throw new UsageError('no command given; try "weightlens scan PATH"');
  if (command === 'disasm') {
    if (paths.length !== 1) throw new UsageError('disasm needs exactly one file');
    return { kind: 'disasm', path: paths[0]!, offset: count('--offset', values.offset, 0), count: count('--count', values.count, 200), json: values.json };
  }
  if (command !== 'scan') throw new UsageError(`unknown command "${command}"; the commands are "scan" and "disasm"`);
  if (paths.length === 0) throw new UsageError('scan needs at least one file or directory');
  const failOn = values['fail-on'];
  if (!(FAIL_ON_LEVELS as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on must be one of ${FAIL_ON_LEVELS.join(', ')}; got "${failOn}"`);
  }
  return {
    kind: 'scan',
    paths,
    json: values.json,
    failOn: failOn as FailOn,
    hash: !values['no-hash'],
    color: values['no-color'] ? false : undefined,
    tensorStats: values['tensor-stats'],
    allow: values.allow,
    allowFiles: values['allow-file'],
  };
}

function count(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`${flag} must be a non-negative integer; got "${text}"`);
  return Number(text);
}

/** The worst verdict that still passes, per level (rank ≥ the next one fails). */
export const FAIL_ON_MIN_VERDICT: Record<Exclude<FailOn, 'never'>, Verdict> = {
  any: 'unsupported',
  suspicious: 'suspicious',
  malformed: 'malformed',
  malicious: 'malicious',
};
