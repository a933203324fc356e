// sniff → format driver → findings → report. The one entry point both front
// doors call; it never throws for anything a file can do.
import type { ByteSource } from './byte-source.js';
import type { ImportPolicy } from './policy/index.js';
import { recordFailure } from './failure.js';
import { FORMAT_DRIVERS, type FormatDriver, type SniffMatch } from './formats/index.js';
import { FindingList } from './formats/driver.js';
import { SCHEMA_VERSION, type FormatId, type Report } from './report.js';
import { CountingSiblings, NO_SIBLINGS, type Siblings } from './siblings.js';
import { describeUnknown } from './sniff/describe-unknown.js';
import { lfsPointerAloneMessage } from './pinning/lfs-pairing.js';
import { parseLfsPointer } from './pinning/lfs-pointer.js';
import { requestedTensorStats } from './tensor-stats.js';
import { SniffContext } from './sniff/context.js';
import { verdictFor, type AnalysisStatus } from './verdict.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';
import type { WeightlensWasm } from './wasm.js';

export interface ScanOptions {
  wasm: WeightlensWasm;
  /** Path to show in the report; defaults to the source's name. */
  path?: string;
  /** Known SHA-256 (the CLI hashes separately); null until then. */
  sha256?: string | null;
  /** Files beside this one, for formats spread over several files. */
  siblings?: Siblings;
  /** Tensors whose statistics to compute (reads each one's bytes): on request only. */
  tensorStats?: readonly string[];
  /** How pickle imports are judged (a user allowlist on top of the built-in one); built-in by default. */
  policy?: ImportPolicy;
  /** Drivers to try, in order; the registry by default. */
  drivers?: readonly FormatDriver[];
  clock?: () => number;
}

export async function scanSource(source: ByteSource, options: ScanOptions): Promise<Report> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const findings = new FindingList();
  const content: Record<string, unknown> = {};
  let format: FormatId = 'unknown';
  let formatLabel = 'unknown';
  let status: AnalysisStatus = 'unsupported';
  const ctx = new SniffContext(source, options.wasm);
  const siblings = new CountingSiblings(options.siblings ?? NO_SIBLINGS);
  options = { ...options, siblings }; // so stats.bytesRead counts every read of a file beside this one

  try {
    const found = await identify(ctx, options.drivers ?? FORMAT_DRIVERS);
    if (!found) {
      const head = await ctx.head();
      formatLabel = describeUnknown(head, source.size);
      const pointer = parseLfsPointer(head.subarray(0, source.size));
      if (pointer) {
        content.lfsPointer = pointer;
        findings.add('lfs.pointer-without-file', lfsPointerAloneMessage(pointer), {}, { sha256: pointer.sha256, size: pointer.size });
      } else {
        findings.add('format.unsupported', `not a model format Weightlens analyses: looks like ${formatLabel}`);
      }
    } else {
      const { driver, match } = found;
      format = driver.id;
      formatLabel = match.label;
      content.sniff = match.details;
      if (driver.analyse) {
        status = await driver.analyse({ source: ctx.source, sniffContext: ctx, wasm: options.wasm, match, siblings: options.siblings ?? NO_SIBLINGS, findings, content, ...(options.policy ? { policy: options.policy } : {}) });
        if (options.tensorStats?.length) content.tensorStats = await requestedTensorStats(ctx.source, content, options.tensorStats);
      } else {
        findings.add('format.not-analysed', `recognised as ${match.label}, but this version cannot check its contents yet: treat the file as unscanned`);
      }
    }
  } catch (error) {
    options.wasm.noteFailure(error);
    status = recordFailure(error, findings);
  }

  const path = options.path ?? source.name;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    file: { path, name: baseName(path), size: source.size, sha256: options.sha256 ?? null },
    format,
    formatLabel,
    verdict: verdictFor(status, findings.items),
    findings: findings.items,
    stats: { bytesRead: source.bytesRead + siblings.bytesRead, elapsedMs: Math.round((clock() - started) * 100) / 100 },
    content,
  };
}

async function identify(ctx: SniffContext, drivers: readonly FormatDriver[]): Promise<{ driver: FormatDriver; match: SniffMatch } | undefined> {
  for (const driver of drivers) {
    const match = await driver.sniff(ctx);
    if (match) return { driver, match };
  }
  return undefined;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}
