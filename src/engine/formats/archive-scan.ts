// Scans a zip archive member by member, by content: every member whose bytes
// are a pickle is analysed whatever its name, .npy members are read as numpy
// does, and archives inside are opened to a bounded depth. One bad member is
// recorded and the others are still checked.
import { SliceByteSource, SpanCachingByteSource, type ByteSource } from '../byte-source.js';
import { startsWith } from '../bytes.js';
import { crc32 } from '../containers/crc32.js';
import { InflateBudget, InflatingByteSource } from '../containers/inflate.js';
import { readZipDirectory, type ZipDirectory } from '../containers/zip-directory.js';
import { hasWholePeek, openMember, readZipLayout, type ZipIssue, type ZipMember } from '../containers/zip-members.js';
import { LimitError } from '../errors.js';
import { recordFailure, worseStatus } from '../failure.js';
import { analysePickleStream } from '../pickle/analyse-stream.js';
import type { Evidence, Location, RuleId } from '../report.js';
import { describeUnknown } from '../sniff/describe-unknown.js';
import type { AnalysisStatus } from '../verdict.js';
import { ProbeStatus, type WeightlensWasm } from '../wasm.js';
import type { AnalysisContext } from './driver.js';
import { analyseNpy } from './numpy/numpy.js';
import { lookAtPickleBytes, mayStartPickle } from '../sniff/pickle-look.js';

/** Archives inside archives opened; real files nest one (an .npz in a zip). Bounds recursion. */
export const MAX_ARCHIVE_DEPTH = 4;
/** Findings of one rule per archive; past it one summary counts the rest, so a hostile directory cannot flood the report. */
export const MAX_FINDINGS_PER_RULE = 100;
/** Members listed in the report content; the rest are counted. Real checkpoints have a few thousand. */
export const MAX_MEMBERS_LISTED = 10_000;
/**
 * A stored member analysed as a pickle is read once more for its CRC up to this
 * size. Tensor data is never read for its CRC: that would cost the whole file,
 * when a scan of a 2 GB checkpoint should read under 1% of it.
 */
export const MAX_CRC_REREAD_BYTES = 64 * 1024 * 1024;
/** Members this small are read whole (their CRC checked) whatever they are: version, byteorder, small constants. */
const SMALL_MEMBER_BYTES = 4096;
/** Bytes read to tell what a member is. */
const HEAD_BYTES = 4096;
/** Opcodes a protocol 0/1 member cut short before STOP must hold to be taken for a (damaged) pickle. */
const MIN_OPCODES_CUT_SHORT = 3;
const CRC_CHUNK = 1024 * 1024;

const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06];
const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const METHODS: Record<number, string> = { 0: 'stored', 8: 'deflate' };

/** What the loaders of a format read by name; everything else is judged by content only. */
export interface ArchiveRoles {
  /** Members the loader unpickles by name: analysed as pickles whatever their first bytes. */
  pickles?: ReadonlySet<string>;
  /** Folder of PyTorch's tensor data (`archive/data/`): listed as tensor data, sizes in `content.storages`. */
  storagePrefix?: string;
  /** TorchScript's source folder (`archive/code/`): compiled by TorchScript, never unpickled. */
  codePrefix?: string;
}

export type MemberKind = 'pickle' | 'npy' | 'zip' | 'damaged zip' | 'tensor data' | 'torchscript source' | 'data' | 'empty' | 'unreadable';

export interface MemberListing {
  name: string;
  size: number;
  compressedSize: number;
  method: string;
  /** Offset of the local header in the file (in the holding member, for nested archives). */
  offset: number;
  kind: MemberKind;
  crc?: 'ok' | 'mismatch';
}

/** One scan of a file's archives: shared by nested archives. */
export class ArchiveScan {
  readonly budget = new InflateBudget();
  readonly listed: MemberListing[] = [];
  memberCount = 0;
  /** Members of a kind a scan checks (pickle, npy, archive) were found. */
  recognised = 0;
  readonly storages: Record<string, number> = {};
  readonly code: string[] = [];
  readonly arrays: Record<string, unknown> = {};

  constructor(readonly ctx: AnalysisContext) {}

  /** Puts what the scan learned into the report content. */
  publish(): void {
    const { content } = this.ctx;
    content.members = this.listed;
    if (this.memberCount > this.listed.length) content.membersTotal = this.memberCount;
    if (Object.keys(this.storages).length) content.storages = this.storages;
    if (this.code.length) content.code = this.code;
    if (Object.keys(this.arrays).length) content.arrays = this.arrays;
  }
}

export interface ArchiveOptions {
  roles?: ArchiveRoles;
  /** Path of the member holding this archive (nested archives), used for names and locations. */
  container?: string;
  depth?: number;
  /** The bytes before the archive were analysed already (the pickle of a pickle-then-zip polyglot). */
  prefixHandled?: boolean;
}

/** Scans one archive; findings go to ctx.findings, the returned status is the worst of its members. */
export async function scanZipArchive(scan: ArchiveScan, source: ByteSource, dir: ZipDirectory, options: ArchiveOptions = {}): Promise<AnalysisStatus> {
  const { ctx } = scan;
  const depth = options.depth ?? 1;
  const roles = options.roles ?? {};
  const pathOf = (name: string) => (options.container !== undefined ? `${options.container}!/${name}` : name);
  const layout = await readZipLayout(source, dir);
  const report = new CappedReport(ctx, pathOf, options.container);
  for (const issue of layout.issues) report.add(issue);

  let status: AnalysisStatus = 'complete';
  if (layout.archiveStart > 0 && !options.prefixHandled) status = await scanPrefix(scan, source, layout.archiveStart, options.container);
  if (dir.shadowingEnd !== undefined) {
    ctx.findings.add('zip.shadowed-end-record', `the end-of-central-directory record at offset ${dir.eocdOffset}, which PyTorch and Python's zipfile read (the last one), lies inside the comment of another at offset ${dir.shadowingEnd}: a reader that trusts comment lengths opens a different directory; the members of the one loaders read were analysed`, { ...(options.container !== undefined ? { member: options.container } : {}), offset: dir.shadowingEnd }, { eocdOffset: dir.eocdOffset, shadowingEnd: dir.shadowingEnd });
  }

  const members = new SpanCachingByteSource(source);
  for (let i = 0; i < layout.members.length; i++) {
    const member = layout.members[i]!;
    if (isSmallStored(member) && !members.covers(member.dataOffset, member.entry.compressedSize)) {
      await members.hold(member.dataOffset, smallRunEnd(layout.members, i) - member.dataOffset);
    }
    status = worseStatus(status, await scanMember(scan, members, member, pathOf(member.name), roles, depth, options.container));
  }
  report.summarise();
  return status;
}

/** Bytes of small members read at once (a run of them, in file order). */
const SMALL_RUN_BYTES = 1 << 20;

/** A small stored member whose data did not come whole with its local header: read in a run with its neighbours. */
function isSmallStored(member: ZipMember): boolean {
  return !member.problem && member.entry.method === 0 && member.entry.compressedSize <= SMALL_MEMBER_BYTES && member.dataOffset > 0 && !hasWholePeek(member);
}

/** End of the run of small stored members from `first` on, laid out one after another, within SMALL_RUN_BYTES. */
function smallRunEnd(members: ZipMember[], first: number): number {
  const start = members[first]!.dataOffset;
  let end = start + members[first]!.entry.compressedSize;
  for (let i = first + 1; i < members.length; i++) {
    const next = members[i]!;
    const nextEnd = next.dataOffset + next.entry.compressedSize;
    if (!isSmallStored(next) || next.dataOffset < end || nextEnd - start > SMALL_RUN_BYTES) break;
    end = nextEnd;
  }
  return end;
}

/** Bytes before the first local header: a pickle there is analysed (a polyglot), anything else reported. */
async function scanPrefix(scan: ArchiveScan, source: ByteSource, archiveStart: number, container: string | undefined): Promise<AnalysisStatus> {
  const { ctx } = scan;
  const where: Location = { ...(container !== undefined ? { member: container } : {}), offset: 0, length: archiveStart };
  const head = await source.read(0, Math.min(HEAD_BYTES, archiveStart));
  const look = lookAtPickleBytes(ctx.wasm, head, archiveStart);
  if (look && (look.stopped || !look.probeError)) {
    ctx.findings.add('zip.appended-to-pickle', `the ${archiveStart} bytes before the zip archive are a pickle (protocol ${look.protocol}): pickle.load and torch.load read the pickle, zip readers the archive; both were analysed`, where, { pickleBytes: archiveStart });
    try {
      const result = await analysePickleStream(ctx, { source: new SliceByteSource(source, 0, archiveStart), ...(container !== undefined ? { member: container } : {}) });
      return result.complete ? 'complete' : 'unsupported';
    } catch (error) {
      return recordFailure(error, ctx.findings, container !== undefined ? { member: container } : {});
    }
  }
  ctx.findings.add('zip.prefix-data', `${archiveStart} bytes before the first local header (they look like ${describeUnknown(head, archiveStart)}): a reader of the file's start sees something other than the archive`, where, { prefixBytes: archiveStart });
  return 'complete';
}

async function scanMember(scan: ArchiveScan, archive: ByteSource, member: ZipMember, path: string, roles: ArchiveRoles, depth: number, container: string | undefined): Promise<AnalysisStatus> {
  const { ctx } = scan;
  const { entry } = member;
  const where: Location = { member: path };
  const listing: MemberListing = { name: path, size: entry.uncompressedSize, compressedSize: entry.compressedSize, method: METHODS[entry.method] ?? `method ${entry.method}`, offset: member.headerOffset, kind: 'data' };
  scan.memberCount++;
  if (scan.listed.length < MAX_MEMBERS_LISTED) scan.listed.push(listing);
  if (container === undefined && roles.storagePrefix && member.name.startsWith(roles.storagePrefix)) {
    scan.storages[member.name.slice(roles.storagePrefix.length)] = entry.uncompressedSize;
  }

  if (member.problem) {
    listing.kind = 'unreadable';
    ctx.findings.add(member.problem.rule, member.problem.message, where, { localHeaderOffset: member.headerOffset });
    return member.problem.status;
  }
  if (entry.uncompressedSize === 0 && entry.compressedSize === 0) {
    listing.kind = 'empty';
    return 'complete';
  }

  const source = openMember(archive, member, scan.budget, where, path);
  try {
    const tensorData = roles.storagePrefix !== undefined && member.name.startsWith(roles.storagePrefix);
    const kind = await kindOf(scan, source, member, roles.pickles?.has(member.name) === true, tensorData);
    listing.kind = kind === 'data' ? defaultKind(member.name, roles) : kind;
    if (listing.kind === 'torchscript source' && scan.code.length < MAX_MEMBERS_LISTED) scan.code.push(path);
    let status: AnalysisStatus = 'complete';
    let readWhole = false;
    if (kind === 'pickle') {
      scan.recognised++;
      const result = await analysePickleStream(ctx, { source, member: path });
      status = result.complete ? 'complete' : 'unsupported';
      readWhole = true;
    } else if (kind === 'npy') {
      scan.recognised++;
      const array: Record<string, unknown> = {};
      scan.arrays[path] = array;
      const result = await analyseNpy(ctx, source, path, array);
      status = result.status;
      readWhole = result.objectArray;
    } else if (kind === 'zip') {
      scan.recognised++;
      status = await scanNested(scan, source, path, depth, listing);
    }
    const checked = await checkCrc(ctx, source, member, path, readWhole);
    if (checked) listing.crc = checked;
    return status;
  } catch (error) {
    return recordFailure(error, ctx.findings, where);
  } finally {
    if (source instanceof InflatingByteSource) source.close();
  }
}

/** Tells what a member holds from its first bytes; `named` members (data.pkl) are pickles by the loader's decree. */
async function kindOf(scan: ArchiveScan, source: ByteSource, member: ZipMember, named: boolean, tensorData: boolean): Promise<MemberKind> {
  if (named) return 'pickle';
  // Stored members: the peek read with the local header is the data. Deflated ones: inflate a little.
  const first = member.entry.method === 0 ? member.peek : await source.read(0, Math.min(member.peek.length || 64, source.size));
  if (startsWith(first, ZIP_LOCAL) || startsWith(first, ZIP_EMPTY)) return 'zip';
  if (startsWith(first, NPY_MAGIC)) return 'npy';
  if (first.length === 0 || !mayStartPickle(first[0]!)) return 'data';
  const head = hasWholePeek(member) ? member.peek.subarray(0, HEAD_BYTES) : await source.read(0, Math.min(HEAD_BYTES, source.size));
  return looksLikePickle(scan.ctx.wasm, head, source.size, tensorData) ? 'pickle' : 'data';
}

/**
 * Whether a member's first bytes are a pickle. Tensor data may start like one
 * by chance, so there the opcodes must run clean through the head (or to STOP);
 * elsewhere a damaged pickle counts too, since unpickling runs what comes
 * before the damage: a headed stream that fails after a few opcodes, or a
 * protocol 0/1 stream every byte of which is opcodes, cut short before STOP.
 */
function looksLikePickle(wasm: WeightlensWasm, head: Uint8Array, size: number, tensorData: boolean): boolean {
  const look = lookAtPickleBytes(wasm, head, size);
  if (look) return !tensorData || look.stopped || !look.probeError;
  if (tensorData || head.length < size || head[0] === 0x80) return false;
  const probe = wasm.pickleProbe(0, size);
  return probe.feed(0, head, true) === ProbeStatus.Truncated && probe.state().opcodes >= MIN_OPCODES_CUT_SHORT;
}

function defaultKind(name: string, roles: ArchiveRoles): MemberKind {
  if (roles.codePrefix && name.startsWith(roles.codePrefix)) return 'torchscript source';
  if (roles.storagePrefix && name.startsWith(roles.storagePrefix)) return 'tensor data';
  return 'data';
}

async function scanNested(scan: ArchiveScan, source: ByteSource, path: string, depth: number, listing: MemberListing): Promise<AnalysisStatus> {
  const { ctx } = scan;
  const where: Location = { member: path };
  if (depth >= MAX_ARCHIVE_DEPTH) {
    throw new LimitError('MAX_ARCHIVE_DEPTH', depth + 1, `${path} is an archive nested ${depth + 1} deep; archives deeper than ${MAX_ARCHIVE_DEPTH} are not opened`, where);
  }
  let dir: ZipDirectory;
  try {
    dir = await readZipDirectory(source);
  } catch (error) {
    if (error instanceof LimitError) throw error;
    listing.kind = 'damaged zip';
    ctx.findings.add('format.not-analysed', `${path} starts like a zip archive, but its directory cannot be read (${(error as Error).message}): what it holds was not checked`, where);
    return 'unsupported';
  }
  ctx.findings.add('zip.nested-archive', `${path} is a zip archive of ${dir.entries.length} members inside the archive: they are scanned too`, where, { members: dir.entries.length, depth: depth + 1 });
  return scanZipArchive(scan, source, dir, { container: path, depth: depth + 1 });
}

/**
 * Checks the member's CRC-32 when its bytes were read anyway (a pickle, an
 * object array, an inflated archive) or are few; tensor data is never read
 * for it. PyTorch itself ignores the CRC, so a mismatch means bytes changed
 * after the archive was written.
 */
async function checkCrc(ctx: AnalysisContext, source: ByteSource, member: ZipMember, path: string, readWhole: boolean): Promise<'ok' | 'mismatch' | undefined> {
  const size = member.entry.uncompressedSize;
  const inflated = source instanceof InflatingByteSource;
  const affordable = size <= SMALL_MEMBER_BYTES || (readWhole && (inflated || size <= MAX_CRC_REREAD_BYTES)) || (inflated && source.wholeInflated);
  if (!affordable) return undefined;
  let crc = 0;
  if (hasWholePeek(member)) crc = crc32(member.peek);
  else for (let at = 0; at < size; at += CRC_CHUNK) crc = crc32(await source.read(at, Math.min(CRC_CHUNK, size - at)), crc);
  if (crc === member.entry.crc32) return 'ok';
  ctx.findings.add('zip.crc-mismatch', `the CRC-32 of ${path} is ${hex8(crc)}, the directory records ${hex8(member.entry.crc32)}: its bytes were changed after the archive was written (PyTorch does not check)`, { member: path }, { expected: hex8(member.entry.crc32), actual: hex8(crc) });
  return 'mismatch';
}

/** Adds an archive's issues as findings, at most MAX_FINDINGS_PER_RULE per rule, then one that counts the rest. */
class CappedReport {
  private readonly counts = new Map<RuleId, { shown: number; hidden: number }>();

  constructor(
    private readonly ctx: AnalysisContext,
    private readonly pathOf: (name: string) => string,
    private readonly container: string | undefined,
  ) {}

  add(issue: ZipIssue): void {
    const count = this.counts.get(issue.rule) ?? { shown: 0, hidden: 0 };
    this.counts.set(issue.rule, count);
    if (count.shown >= MAX_FINDINGS_PER_RULE) {
      count.hidden++;
      return;
    }
    count.shown++;
    this.ctx.findings.add(issue.rule, issue.message, { member: this.pathOf(issue.member) }, issue.evidence);
  }

  summarise(): void {
    for (const [rule, count] of this.counts) {
      if (!count.hidden) continue;
      const evidence: Evidence = { limit: 'MAX_FINDINGS_PER_RULE', more: count.hidden };
      const where: Location = this.container !== undefined ? { member: this.container } : {};
      this.ctx.findings.add(rule, `${count.hidden} more members have the same problem; only the first ${MAX_FINDINGS_PER_RULE} are listed (MAX_FINDINGS_PER_RULE)`, where, evidence);
    }
  }
}

function hex8(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
