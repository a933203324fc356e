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
}

export type Command = ScanCommand | { kind: 'help' } | { kind: 'version' };

export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP = `Usage: weightlens scan [options] PATH...

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
  --no-color        no colour in the text output (NO_COLOR=1 works too)
  -h, --help        show this help
  -v, --version     print the version

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
  if (command !== 'scan') throw new UsageError(`unknown command "${command}"; the command is "scan"`);
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
  };
}

/** The worst verdict that still passes, per level (rank ≥ the next one fails). */
export const FAIL_ON_MIN_VERDICT: Record<Exclude<FailOn, 'never'>, Verdict> = {
  any: 'unsupported',
  suspicious: 'suspicious',
  malformed: 'malformed',
  malicious: 'malicious',
};
