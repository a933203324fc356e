// A pickle with a zip archive appended: torch.load and pickle.load read the
// pickle (torch only takes files that start with "PK" for zips), zip readers
// and scanners that unpack archives read the zip. Both halves are analysed.
import { SliceByteSource, type ByteSource } from '../byte-source.js';
import type { ZipDirectory } from '../containers/zip-directory.js';
import { recordFailure, worseStatus } from '../failure.js';
import type { AnalysisStatus } from '../verdict.js';
import { ProbeStatus, type WeightlensWasm } from '../wasm.js';
import { ArchiveScan, scanZipArchive } from './archive-scan.js';
import type { AnalysisContext } from './driver.js';

/**
 * Runs `analyse` on the pickle at the start of the file: on the whole file, or,
 * when a zip archive follows the pickle, on the bytes before the archive, and
 * then scans the archive. Without an archive, errors propagate as before.
 */
export async function withAppendedArchive(ctx: AnalysisContext, analyse: (source: ByteSource) => Promise<AnalysisStatus>): Promise<AnalysisStatus> {
  const appended = await findAppendedArchive(ctx);
  if (!appended) return analyse(ctx.source);
  const { start, dir } = appended;
  ctx.findings.add(
    'zip.appended-to-pickle',
    `a zip archive of ${dir.entries.length} members starts at offset ${start}, after the pickle: pickle.load and torch.load read the pickle, zip readers the archive; both were analysed`,
    { offset: start, length: ctx.source.size - start },
    { archiveOffset: start, members: dir.entries.length },
  );
  let status: AnalysisStatus;
  try {
    status = await analyse(new SliceByteSource(ctx.source, 0, start));
  } catch (error) {
    status = recordFailure(error, ctx.findings);
  }
  return worseStatus(status, await scanArchiveAfter(ctx, dir));
}

/** Scans an archive whose prefix was analysed already (a legacy checkpoint's tail uses this too). */
export async function scanArchiveAfter(ctx: AnalysisContext, dir: ZipDirectory): Promise<AnalysisStatus> {
  const scan = new ArchiveScan(ctx);
  try {
    return await scanZipArchive(scan, ctx.source, dir, { prefixHandled: true });
  } catch (error) {
    return recordFailure(error, ctx.findings);
  } finally {
    scan.publish();
  }
}

/** The archive at the end of the file, when one starts where the pickle has ended. */
async function findAppendedArchive(ctx: AnalysisContext): Promise<{ start: number; dir: ZipDirectory } | undefined> {
  const look = await ctx.sniffContext.zip();
  if (look.kind !== 'zip') return undefined;
  const dir = look.directory;
  const start = archiveStartOf(dir);
  if (start <= 0) return undefined;
  // A zip inside the pickle (the payload of a bytes object) is the pickle's own data, not a
  // polyglot: the pickle's STOP would follow it. So the archive is appended when it ends the
  // file exactly, or when the pickle's opcodes reach STOP before it begins (the walk cannot
  // follow joblib's raw arrays, hence the first test).
  if (dir.endOffset === ctx.source.size || (await pickleEnd(ctx.wasm, ctx.source, start)) !== undefined) return { start, dir };
  return undefined;
}

/** Where the archive begins by its directory's own account: the first local header, or the directory itself. */
export function archiveStartOf(dir: ZipDirectory): number {
  let start = dir.directoryOffset;
  for (const entry of dir.entries) start = Math.min(start, entry.localHeaderOffset + dir.prefixBytes);
  return start;
}

/**
 * Walks the pickle at the start of `source` (opcodes only) within its first
 * `limit` bytes; the offset after its STOP, or undefined when it does not end there.
 */
export async function pickleEnd(wasm: WeightlensWasm, source: ByteSource, limit: number): Promise<number | undefined> {
  const probe = wasm.pickleProbe(0, limit);
  let windowStart = 0;
  for (;;) {
    const window = await source.read(windowStart, Math.min(wasm.inputCapacity, limit - windowStart));
    if (window.length === 0) return undefined;
    const status = probe.feed(windowStart, window, windowStart + window.length >= limit);
    if (status === ProbeStatus.Stopped) return probe.state().position;
    if (status !== ProbeStatus.NeedMore) return undefined;
    const next = probe.state().position;
    if (next <= windowStart) return undefined; // an opcode larger than the window: not a pickle we follow
    windowStart = next;
  }
}
