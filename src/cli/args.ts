// Command-line arguments of `weightlens scan`.
import { parseArgs } from 'node:util';
import type { Verdict } from '../engine/report.js';
import { DEFAULT_MEMORY_BUDGET_BYTES, MAX_MEMORY_BUDGET_BYTES, MIN_MEMORY_BUDGET_BYTES } from '../engine/wasm.js';

const MiB = 1024 * 1024;

export const FAIL_ON_LEVELS = ['any', 'suspicious', 'malformed', 'malicious', 'never'] as const;
export type FailOn = (typeof FAIL_ON_LEVELS)[number];

export const OUTPUT_FORMATS = ['text', 'json', 'sarif', 'cyclonedx', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ScanCommand {
  kind: 'scan';
  paths: string[];
  format: OutputFormat;
  /** Write the document here instead of stdout (stdout then gets the text summary). */
  output: string | undefined;
  /** `FILE=HEX`: the SHA-256 FILE must have. */
  expectSha256: { path: string; sha256: string }[];
  /** sha256sum-format files of expected hashes. */
  checksums: string[];
  failOn: FailOn;
  hash: boolean;
  color: boolean | undefined;
  tensorStats: string[];
  /** Extra safe pickle imports (`module.name`, `module.*`, `module.**`). */
  allow: string[];
  /** Files with one allowlist entry per line. */
  allowFiles: string[];
  /** Wasm memory the decoders may take for one file. */
  memoryBudgetBytes: number;
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
  --format FORMAT   what to print on stdout:
                      text       a readable table (default)
                      json       one JSON document: {schemaVersion, tool,
                                 reports: [...], errors: [...], skipped: [...]}
                      sarif      SARIF 2.1.0, for code scanning
                      cyclonedx  a CycloneDX 1.6 ML bill of materials
                      markdown   a summary to paste into an issue or pull request
  --json            the same as --format json
  --output FILE     write the document to FILE instead; stdout then gets the
                    readable table
  --expect-sha256 FILE=HEX
                    FILE must have this SHA-256, or it gets a high finding
                    (hash.mismatch); repeat for more files
  --checksums FILE  expected SHA-256s in sha256sum format ("HEX  path" or
                    "HEX *path", paths relative to FILE's folder); a listed
                    file that does not exist is reported as an error; FILE
                    itself is not scanned
  --fail-on LEVEL   which verdicts fail the run (exit code 1):
                      any         anything but clean (default)
                      suspicious  suspicious, malformed or malicious
                      malformed   malformed or malicious
                      malicious   malicious only
                      never       report only; exit 0 unless nothing was scanned
  --no-hash         skip the SHA-256 of each file (not with --expect-sha256
                    or --checksums)
  --tensor-stats NAME
                    also compute min, max, mean and NaN/Inf counts of tensor NAME
                    (reads that tensor's bytes; repeat for more tensors)
  --allow ENTRY     judge pickle imports matching ENTRY safe (your project's own
                    classes): module.name, module.* (its names) or module.**
                    (and its submodules); repeat for more. Never overrides the
                    dangerous list; reports say when an entry was used.
  --allow-file FILE read --allow entries from FILE, one per line (# comments)
  --memory-budget MIB
                    decoder memory one file may take, 16 to 1024 (default 512);
                    a file that needs more gets scan.limit-reached (never clean)
                    and the next file starts afresh
  --no-color        no colour in the text output (NO_COLOR=1 works too)
  -h, --help        show this help
  -v, --version     print the version

A Git LFS pointer scanned together with the file it stands for (same file
name, elsewhere among the scanned paths) pins that file's SHA-256 and size; a
pointer scanned without its file says the real file is not here.

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
        format: { type: 'string' },
        output: { type: 'string' },
        'expect-sha256': { type: 'string', multiple: true, default: [] },
        checksums: { type: 'string', multiple: true, default: [] },
        'fail-on': { type: 'string', default: 'any' },
        'no-hash': { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        'tensor-stats': { type: 'string', multiple: true, default: [] },
        allow: { type: 'string', multiple: true, default: [] },
        'allow-file': { type: 'string', multiple: true, default: [] },
        'memory-budget': { type: 'string' },
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
  if (values['no-hash'] && (values['expect-sha256'].length || values.checksums.length)) {
    throw new UsageError('--no-hash cannot be combined with --expect-sha256 or --checksums: pinning needs the hash');
  }
  const failOn = values['fail-on'];
  if (!(FAIL_ON_LEVELS as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on must be one of ${FAIL_ON_LEVELS.join(', ')}; got "${failOn}"`);
  }
  return {
    kind: 'scan',
    paths,
    format: outputFormat(values.format, values.json),
    output: values.output,
    expectSha256: values['expect-sha256'].map(expectedHash),
    checksums: values.checksums,
    failOn: failOn as FailOn,
    hash: !values['no-hash'],
    color: values['no-color'] ? false : undefined,
    tensorStats: values['tensor-stats'],
    allow: values.allow,
    allowFiles: values['allow-file'],
    memoryBudgetBytes: memoryBudget(values['memory-budget']),
  };
}

function outputFormat(format: string | undefined, json: boolean): OutputFormat {
  if (format === undefined) return json ? 'json' : 'text';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}; got "${format}"`);
  if (json && format !== 'json') throw new UsageError(`--json is --format json; it cannot be combined with --format ${format}`);
  return format as OutputFormat;
}

function expectedHash(text: string): { path: string; sha256: string } {
  const at = text.lastIndexOf('=');
  const path = text.slice(0, at);
  const sha256 = text.slice(at + 1);
  if (at <= 0 || !/^[0-9a-fA-F]{64}$/.test(sha256)) throw new UsageError(`--expect-sha256 takes FILE=HEX with 64 hex digits; got "${text}"`);
  return { path, sha256: sha256.toLowerCase() };
}

function memoryBudget(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MEMORY_BUDGET_BYTES;
  const mib = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(mib * MiB >= MIN_MEMORY_BUDGET_BYTES && mib * MiB <= MAX_MEMORY_BUDGET_BYTES)) {
    throw new UsageError(`--memory-budget takes MiB from ${MIN_MEMORY_BUDGET_BYTES / MiB} to ${MAX_MEMORY_BUDGET_BYTES / MiB}; got "${text}"`);
  }
  return mib * MiB;
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
