// Zip members as PyTorch reads them: the central directory names a member and
// says where its local header is; the data starts after the local header's own
// name and extra field. Every way the local headers can disagree with the
// directory, overlap, or hide bytes is reported as an issue, because tools that
// trust one or the other see different files.
import type { ByteSource } from '../byte-source.js';
import { SliceByteSource } from '../byte-source.js';
import { safeInteger, startsWith, view } from '../bytes.js';
import type { Evidence, Location, RuleId } from '../report.js';
import { InflateBudget, InflatingByteSource } from './inflate.js';
import { zip64Values, type ZipDirectory, type ZipEntry } from './zip-directory.js';

const SIG_LOCAL = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;
/** Local extra field bytes read with the header; PyTorch pads to 64-byte alignment with less. */
const LOCAL_EXTRA_ALLOWANCE = 256;
/** First bytes of member data read with its local header: enough to tell most tensor data from a pickle. */
export const MEMBER_PEEK_BYTES = 64;
/** Local headers closer than this are read in one piece (small members of TorchScript, npz). */
const BATCH_GAP_BYTES = 4096;
/** Largest batched read of local headers. */
const MAX_BATCH_BYTES = 1024 * 1024;
/** Header batches read at once; with MAX_BATCH_BYTES this bounds the bytes held to 16 MiB. */
const CONCURRENT_HEADER_READS = 16;

/** Flag bits writers of model files set: 0x0008 data descriptor follows, 0x0800 UTF-8 names. */
const BENIGN_FLAGS = 0x0008 | 0x0800;
/** Bits 1-2 are deflate's compression-level hint (Info-ZIP and 7-Zip set them): harmless for deflate. */
const DEFLATE_LEVEL_FLAGS = 0x0006;
const FLAG_NAMES: Record<number, string> = {
  0: 'encrypted',
  1: 'compression option 1',
  2: 'compression option 2',
  4: 'enhanced deflating (reserved)',
  5: 'compressed patched data',
  6: 'strong encryption',
  13: 'encrypted central directory (masked local headers)',
};
const METHOD_NAMES: Record<number, string> = { 0: 'stored', 8: 'deflate', 9: 'deflate64', 12: 'bzip2', 14: 'lzma', 93: 'zstd', 95: 'xz', 98: 'ppmd', 99: 'AES encryption' };

export interface MemberProblem {
  rule: RuleId;
  message: string;
  /** 'unsupported': the member could not be checked; 'failed': it is malformed. */
  status: 'unsupported' | 'failed';
}

export interface ZipMember {
  /** Position in the central directory. */
  index: number;
  /** The central directory record: PyTorch, numpy and Python's zipfile use its name, method and sizes. */
  entry: ZipEntry;
  name: string;
  /** Offsets in the archive's source (the file, or the member holding a nested archive). */
  headerOffset: number;
  dataOffset: number;
  /** The first MEMBER_PEEK_BYTES of the stored (for deflate: compressed) data; a small stored member's whole data (hasWholePeek). */
  peek: Uint8Array;
  /** Why the member cannot be read; absent when it can. */
  problem?: MemberProblem;
}

/** An inconsistency of the archive, about one member. */
export interface ZipIssue {
  rule: RuleId;
  member: string;
  message: string;
  evidence: Evidence;
}

export interface ZipLayout {
  members: ZipMember[];
  /** Where the archive begins: its first local header (or its directory when it has no members). Bytes before are not the archive's. */
  archiveStart: number;
  issues: ZipIssue[];
}

interface LocalHeader {
  nameBytes: Uint8Array;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  dataOffset: number;
  /** The first data bytes, when the batch held them. */
  peek?: Uint8Array;
}

export async function readZipLayout(source: ByteSource, dir: ZipDirectory): Promise<ZipLayout> {
  const issues: ZipIssue[] = [];
  const members: ZipMember[] = dir.entries.map((entry, index) => ({ index, entry, name: entry.name, headerOffset: entry.localHeaderOffset + dir.prefixBytes, dataOffset: 0, peek: new Uint8Array(0) }));
  const locals = await readLocalHeaders(source, members);

  for (const member of members) {
    const local = locals.get(member.index);
    if (!local) continue; // readLocalHeaders set the problem
    member.dataOffset = local.dataOffset;
    compareWithDirectory(member, local, issues);
    checkFlags(member, local, issues);
    checkReadable(member, source.size);
  }
  await readPeeks(source, members, locals);
  checkOverlaps(members, dir, issues);
  await checkUnlistedBytes(source, members, locals, dir, issues);
  checkDuplicateNames(members, issues);

  let archiveStart = dir.directoryOffset;
  for (const m of members) if (locals.has(m.index)) archiveStart = Math.min(archiveStart, m.headerOffset);
  return { members, archiveStart, issues };
}

/** The member's bytes as PyTorch would extract them: a window of the file, or inflated on demand. */
export function openMember(source: ByteSource, member: ZipMember, budget: InflateBudget, where: Location, path: string): ByteSource {
  const { entry } = member;
  if (entry.method === 0) return new SliceByteSource(source, member.dataOffset, entry.compressedSize, path);
  return new InflatingByteSource(source, member.dataOffset, entry.compressedSize, entry.uncompressedSize, path, { budget, where, what: `member ${path}`, brokenRule: 'zip.unreadable-member' });
}

/** Largest stored member whose data is kept whole from its header's batch. */
export const WHOLE_PEEK_MEMBER_BYTES = 4096;
/**
 * Bytes of such members kept per archive (a state dict of 100,000 small
 * tensors holds about 3 MB): past it, members are read again when checked.
 */
export const MAX_WHOLE_PEEK_BYTES = 32 << 20;

function isWholePeekCandidate(member: ZipMember): boolean {
  const { method, compressedSize, uncompressedSize } = member.entry;
  return method === 0 && compressedSize === uncompressedSize && compressedSize > 0 && compressedSize <= WHOLE_PEEK_MEMBER_BYTES;
}

/** Whether `member.peek` is its whole (stored) data. */
export function hasWholePeek(member: ZipMember): boolean {
  return isWholePeekCandidate(member) && member.peek.length === member.entry.compressedSize;
}

/** Reads local headers in batches: neighbouring small members cost one read, a checkpoint's tensors one small read each. */
async function readLocalHeaders(source: ByteSource, members: ZipMember[]): Promise<Map<number, LocalHeader>> {
  const found = new Map<number, LocalHeader>();
  const held = { bytes: 0 };
  // a directory whose offsets disagree with its own position can point before the file's start
  for (const m of members) {
    if (m.headerOffset < 0) m.problem = { rule: 'format.malformed', status: 'failed', message: `the central directory puts the local header of ${m.name} at offset ${m.headerOffset}, before the start of the file: loaders cannot extract it` };
  }
  const order = members.filter((m) => m.headerOffset >= 0).sort((a, b) => a.headerOffset - b.headerOffset);
  const need = (m: ZipMember) => LOCAL_HEADER_BYTES + m.entry.nameBytes.length + LOCAL_EXTRA_ALLOWANCE + MEMBER_PEEK_BYTES;
  const batches: { members: ZipMember[]; start: number; end: number }[] = [];
  for (let i = 0; i < order.length; ) {
    const first = order[i]!;
    let end = first.headerOffset + need(first);
    let j = i + 1;
    while (j < order.length && order[j]!.headerOffset - end <= BATCH_GAP_BYTES && order[j]!.headerOffset + need(order[j]!) - first.headerOffset <= MAX_BATCH_BYTES) {
      end = Math.max(end, order[j]!.headerOffset + need(order[j]!));
      j++;
    }
    batches.push({ members: order.slice(i, j), start: first.headerOffset, end });
    i = j;
  }
  // Reads in flight together: a browser File costs milliseconds per slice, so a
  // checkpoint's hundreds of headers are read concurrently, a few at a time.
  for (let k = 0; k < batches.length; k += CONCURRENT_HEADER_READS) {
    const group = batches.slice(k, k + CONCURRENT_HEADER_READS);
    const bytes = await Promise.all(group.map(({ start, end }) => (start < source.size ? source.read(start, Math.min(end, source.size) - start) : Promise.resolve(new Uint8Array(0)))));
    for (const [n, { members: batchMembers, start }] of group.entries()) {
      for (const member of batchMembers) {
        const header = await parseLocalHeader(source, bytes[n]!, start, member, held);
        if (header) found.set(member.index, header);
      }
    }
  }
  return found;
}

async function parseLocalHeader(source: ByteSource, batch: Uint8Array, batchStart: number, member: ZipMember, held: { bytes: number }): Promise<LocalHeader | undefined> {
  const at = member.headerOffset - batchStart;
  if (at + LOCAL_HEADER_BYTES > batch.length || view(batch).getUint32(at, true) !== SIG_LOCAL) {
    member.problem = { rule: 'format.malformed', status: 'failed', message: `the central directory puts the local header of ${member.name} at offset ${member.headerOffset}, but there is none: loaders cannot extract it` };
    return undefined;
  }
  const dv = view(batch);
  const nameLength = dv.getUint16(at + 26, true);
  const extraLength = dv.getUint16(at + 28, true);
  const variable = at + LOCAL_HEADER_BYTES;
  // Name or extra field longer than the batch: read them on their own.
  const rest = variable + nameLength + extraLength <= batch.length ? batch.subarray(variable, variable + nameLength + extraLength) : await source.read(member.headerOffset + LOCAL_HEADER_BYTES, nameLength + extraLength);
  const header: LocalHeader = {
    nameBytes: rest.subarray(0, nameLength),
    flags: dv.getUint16(at + 6, true),
    method: dv.getUint16(at + 8, true),
    crc32: dv.getUint32(at + 14, true),
    compressedSize: dv.getUint32(at + 18, true),
    uncompressedSize: dv.getUint32(at + 22, true),
    dataOffset: member.headerOffset + LOCAL_HEADER_BYTES + nameLength + extraLength,
  };
  applyLocalZip64(header, rest.subarray(nameLength), member.headerOffset);
  const peekStart = header.dataOffset - batchStart;
  const peekEnd = peekStart + Math.min(MEMBER_PEEK_BYTES, member.entry.compressedSize);
  const size = member.entry.compressedSize;
  if (isWholePeekCandidate(member) && peekStart + size <= batch.length && held.bytes + size <= MAX_WHOLE_PEEK_BYTES) {
    // a small stored member the batch holds whole: kept, so its CRC costs no other read
    header.peek = batch.slice(peekStart, peekStart + size);
    held.bytes += size;
  } else if (peekEnd <= batch.length) {
    header.peek = batch.slice(peekStart, peekEnd);
  }
  return header;
}

/** In a local header, 0xFFFFFFFF sizes live in the zip64 extra field: uncompressed first, then compressed. */
function applyLocalZip64(header: LocalHeader, extra: Uint8Array, offset: number): void {
  const values = zip64Values(extra);
  if (!values) return;
  if (header.uncompressedSize === 0xffffffff && values.length) header.uncompressedSize = safeInteger(values.shift()!, 'zip64 uncompressed size', offset);
  if (header.compressedSize === 0xffffffff && values.length) header.compressedSize = safeInteger(values.shift()!, 'zip64 compressed size', offset);
}

function compareWithDirectory(member: ZipMember, local: LocalHeader, issues: ZipIssue[]): void {
  const { entry } = member;
  const differences: string[] = [];
  const fields: string[] = [];
  const differ = (field: string, central: unknown, localValue: unknown) => {
    fields.push(field);
    differences.push(`${field} ${JSON.stringify(localValue)} where the directory says ${JSON.stringify(central)}`);
  };
  if (!sameBytes(local.nameBytes, entry.nameBytes)) differ('name', entry.name, new TextDecoder().decode(local.nameBytes));
  if (local.method !== entry.method) differ('method', entry.method, local.method);
  if (local.flags !== entry.flags) differ('flags', hex4(entry.flags), hex4(local.flags));
  // With a data descriptor (bit 3) the local CRC and sizes are zero by design: the directory holds them.
  if (!((local.flags | entry.flags) & 0x0008)) {
    if (local.crc32 !== entry.crc32) differ('crc32', hex8(entry.crc32), hex8(local.crc32));
    if (local.compressedSize !== entry.compressedSize) differ('compressed size', entry.compressedSize, local.compressedSize);
    if (local.uncompressedSize !== entry.uncompressedSize) differ('uncompressed size', entry.uncompressedSize, local.uncompressedSize);
  }
  if (!differences.length) return;
  issues.push({
    rule: 'zip.local-header-mismatch',
    member: member.name,
    message: `the local header of ${member.name} (offset ${member.headerOffset}) has ${differences.join(', ')}: PyTorch reads the directory, other zip tools the local header`,
    evidence: { fields, localHeaderOffset: member.headerOffset },
  });
}

function checkFlags(member: ZipMember, local: LocalHeader, issues: ZipIssue[]): void {
  const flags = member.entry.flags | local.flags;
  const allowed = BENIGN_FLAGS | (member.entry.method === 8 ? DEFLATE_LEVEL_FLAGS : 0);
  const odd = flags & ~allowed;
  if (odd) {
    const bits = Array.from({ length: 16 }, (_, b) => b).filter((b) => odd & (1 << b));
    const named = bits.map((b) => `bit ${b} (${FLAG_NAMES[b] ?? 'unused'})`);
    issues.push({
      rule: 'zip.flag-bits',
      member: member.name,
      message: `${member.name} has general-purpose flag ${named.join(', ')} set (flags ${hex4(flags)}); model writers never set ${bits.length > 1 ? 'these' : 'it'}`,
      evidence: { flags, bits, localHeaderOffset: member.headerOffset },
    });
  }
  if (flags & 0x0041) {
    member.problem = { rule: 'zip.unreadable-member', status: 'unsupported', message: `${member.name} is encrypted: it cannot be read without the password, so it was not checked` };
  } else if (flags & 0x0020) {
    member.problem = { rule: 'zip.unreadable-member', status: 'unsupported', message: `${member.name} holds compressed patched data (flag bit 5), which no model loader reads: not checked` };
  }
}

function checkReadable(member: ZipMember, sourceSize: number): void {
  if (member.problem) return;
  const { entry } = member;
  if (entry.method !== 0 && entry.method !== 8) {
    member.problem = { rule: 'zip.unreadable-member', status: 'unsupported', message: `${member.name} uses compression method ${entry.method} (${METHOD_NAMES[entry.method] ?? 'unknown'}), which this version cannot read: not checked` };
  } else if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) {
    member.problem = { rule: 'format.malformed', status: 'failed', message: `${member.name} is stored uncompressed, yet the directory gives it ${entry.compressedSize} bytes stored and ${entry.uncompressedSize} bytes extracted` };
  } else if (member.dataOffset + entry.compressedSize > sourceSize) {
    member.problem = { rule: 'format.malformed', status: 'failed', message: `the data of ${member.name} (${entry.compressedSize} bytes at offset ${member.dataOffset}) runs past the end of the archive` };
  }
}

/** The first bytes of each member's data, from the batches where they fell, else one small read each. */
async function readPeeks(source: ByteSource, members: ZipMember[], locals: Map<number, LocalHeader>): Promise<void> {
  for (const member of members) {
    const local = locals.get(member.index);
    if (!local || member.problem?.status === 'failed') continue;
    member.peek = local.peek ?? (await source.read(member.dataOffset, Math.min(MEMBER_PEEK_BYTES, member.entry.compressedSize)));
  }
}

function checkOverlaps(members: ZipMember[], dir: ZipDirectory, issues: ZipIssue[]): void {
  const spans = members
    .filter((m) => m.dataOffset > 0)
    .map((m) => ({ member: m, start: m.headerOffset, end: m.dataOffset + m.entry.compressedSize }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let furthest: (typeof spans)[number] | undefined;
  for (const span of spans) {
    if (furthest && span.start < furthest.end) {
      issues.push({
        rule: 'zip.overlapping-members',
        member: span.member.name,
        message: `${span.member.name} (bytes ${span.start}-${span.end}) overlaps ${furthest.member.name} (bytes ${furthest.start}-${furthest.end}): the same bytes are read as two members`,
        evidence: { other: furthest.member.name, start: span.start, end: span.end, otherStart: furthest.start, otherEnd: furthest.end },
      });
    }
    if (!furthest || span.end > furthest.end) furthest = span;
    const directoryEnd = dir.eocdOffset;
    if (span.end > dir.directoryOffset && span.start < directoryEnd) {
      issues.push({
        rule: 'zip.overlapping-members',
        member: span.member.name,
        message: `${span.member.name} (bytes ${span.start}-${span.end}) overlaps the central directory (bytes ${dir.directoryOffset}-${directoryEnd})`,
        evidence: { other: 'central directory', start: span.start, end: span.end, otherStart: dir.directoryOffset, otherEnd: directoryEnd },
      });
    }
  }
}

/** A data descriptor after a member's data: signature, CRC, sizes (8 bytes each in zip64). */
const MAX_DESCRIPTOR_BYTES = 24;

/**
 * Bytes between members, or between the last member and the central directory, that
 * no entry covers (past a data descriptor): loaders that use the directory never read
 * them, readers that walk local headers (streaming unzip) do. Where the directory
 * lost a member, its payload sits there.
 */
async function checkUnlistedBytes(source: ByteSource, members: ZipMember[], locals: Map<number, LocalHeader>, dir: ZipDirectory, issues: ZipIssue[]): Promise<void> {
  if (members.length === 0 || members.some((m) => !locals.has(m.index))) return; // a member not found: the archive is damaged anyway
  const spans = members
    .map((m) => ({ member: m, start: m.headerOffset, end: m.dataOffset + m.entry.compressedSize, descriptor: (m.entry.flags & 0x0008) !== 0 }))
    .sort((a, b) => a.start - b.start);
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const next = i + 1 < spans.length ? spans[i + 1]!.start : dir.directoryOffset;
    const gap = next - span.end;
    if (gap <= (span.descriptor ? MAX_DESCRIPTOR_BYTES : 0)) continue;
    const head = await source.read(span.end, Math.min(gap, 64));
    const at = head.findIndex((_, k) => k + 3 < head.length && head[k] === 0x50 && head[k + 1] === 0x4b && head[k + 2] === 0x03 && head[k + 3] === 0x04);
    const what = at >= 0 ? `a local header no directory entry lists (at offset ${span.end + at})` : 'bytes no member covers';
    issues.push({
      rule: 'zip.unlisted-bytes',
      member: span.member.name,
      message: `${gap} bytes after ${span.member.name} (offset ${span.end}), before ${i + 1 < spans.length ? spans[i + 1]!.member.name : 'the central directory'}: ${what}; loaders that use the directory skip them, readers that walk local headers do not`,
      evidence: { offset: span.end, length: gap, localHeader: at >= 0 },
    });
  }
}

function checkDuplicateNames(members: ZipMember[], issues: ZipIssue[]): void {
  const seen = new Map<string, ZipMember>();
  for (const member of members) {
    const first = seen.get(member.name);
    if (!first) {
      seen.set(member.name, member);
      continue;
    }
    issues.push({
      rule: 'zip.duplicate-name',
      member: member.name,
      message: `${member.name} appears twice in the central directory (entries ${first.index} and ${member.index}): loaders disagree on which one they read; both were checked`,
      evidence: { entries: [first.index, member.index], localHeaderOffset: member.headerOffset },
    });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && startsWith(a, b);
}

function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

function hex8(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
