// Legacy PyTorch checkpoints (torch.save before 1.6, or with
// _use_new_zipfile_serialization=False): a pickle whose first value is the
// magic number 0x1950a86a20f9469cfc6c, then more pickles and raw storages.
// The oldest releases wrote a tar with members `sys_info`, `pickle`, `storages`, `tensors`.
// Read as torch/serialization.py's _legacy_load reads them, every pickle analysed.
import { liftCheckpointTensors } from './checkpoint-tensors.js';
import { SliceByteSource, type ByteSource } from '../byte-source.js';
import { ascii, decodeUtf8, startsWith } from '../bytes.js';
import { LimitError, MalformedError } from '../errors.js';
import { recordFailure, worseStatus } from '../failure.js';
import { MAX_PERSISTENT_IDS } from '../pickle/analyse-stream.js';
import { renderPython } from '../pickle/render.js';
import type { PyValue } from '../pickle/types.js';
import type { AnalysisStatus } from '../verdict.js';
import type { AnalysisContext, FormatDriver } from './driver.js';
import { asInt, asString, itemsOf, PickleSequence, storageElementSize } from './pickle-sequence.js';
import { lookAtPickleBytes } from '../sniff/pickle-look.js';
import { archiveStartOf, scanArchiveAfter } from './polyglot.js';

/** LONG1 of 10 bytes holding the magic number, little-endian, right after PROTO n. */
const MAGIC_LONG1 = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const USTAR = ascii('ustar');
const TAR_BLOCK = 512;
/**
 * Tar headers walked (512 bytes read each). torch's writer puts four members, but tarfile
 * finds `pickle` behind any number of others, so the walk goes far; past it is a limit finding.
 */
export const MAX_TAR_MEMBERS = 100_000;
/** torch.save's values: the first two pickles of the magic-number layout. */
const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001n;
/** Bytes read to tell whether trailing bytes or a tar member are a pickle. */
const HEAD_BYTES = 4096;
/** Storage or tensor records one tar member may declare; old checkpoints hold hundreds. Bounds the work a forged count costs. */
export const MAX_LEGACY_RECORDS = 100_000;

export const pytorchLegacy: FormatDriver = {
  id: 'pytorch-legacy',
  async sniff(ctx) {
    const head = await ctx.head();
    if (head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5 && startsWith(head, MAGIC_LONG1, 2)) {
      return { label: 'PyTorch checkpoint (legacy format)', details: { layout: 'pickle', protocol: head[1] } };
    }
    const names = (await tarMembers(ctx.source))?.members.map((m) => m.name);
    if (names && names.includes('pickle') && names.some((m) => m === 'storages' || m === 'tensors')) {
      return { label: 'PyTorch checkpoint (legacy tar format)', details: { layout: 'tar', members: names } };
    }
    return null;
  },
  async analyse(ctx) {
    const status = ctx.match.details.layout === 'tar' ? await analyseTarLayout(ctx) : await analyseMagicLayout(ctx);
    liftCheckpointTensors(ctx.content, ctx.findings, undefined, undefined);
    return status;
  },
};

/**
 * torch.load of the magic-number layout: five pickles (magic number, protocol
 * version, sys_info, the saved object, the sorted storage keys), then for each
 * key in that order an 8-byte element count and the storage's raw bytes, whose
 * element size the storage class in the object's persistent ids gives.
 */
async function analyseMagicLayout(ctx: AnalysisContext): Promise<AnalysisStatus> {
  const seq = new PickleSequence(ctx, ctx.source);
  const legacy: Record<string, unknown> = { layout: 'pickle' };
  ctx.content.legacy = legacy;
  const magic = await seq.pickle('the magic number');
  if (asInt(magic.value) !== MAGIC_NUMBER) {
    throw new MalformedError(`the first pickle returns ${shown(magic.value)}, not PyTorch's magic number: torch.load refuses the file`, seq.at(magic.offset));
  }
  const protocol = await seq.pickle('the protocol version');
  legacy.protocolVersion = shown(protocol.value);
  if (asInt(protocol.value) !== PROTOCOL_VERSION) {
    throw new MalformedError(`the protocol version is ${shown(protocol.value)}; torch.load accepts only ${PROTOCOL_VERSION}`, seq.at(protocol.offset));
  }
  const sysInfo = await seq.pickle('sys_info');
  legacy.sysInfo = shown(sysInfo.value);
  const object = await seq.pickle('the saved object');
  legacy.objectOffset = object.offset;
  const keys = await seq.pickle('the storage keys');
  legacy.storagesOffset = seq.position;
  let status: AnalysisStatus = [magic, protocol, sysInfo, object, keys].every((p) => p.complete) ? 'complete' : 'unsupported';

  if (object.persistentIdsDropped > 0) {
    const total = object.persistentIds.length + object.persistentIdsDropped;
    throw new LimitError('MAX_PERSISTENT_IDS', total, `the saved object holds ${total} persistent ids, over the ${MAX_PERSISTENT_IDS} kept to size its storages: the raw storages from offset ${seq.position} were not stepped over and not checked`, seq.at(seq.position));
  }
  const sizes = storageElementSizes(object.persistentIds);
  const order = storageOrder(keys.value, sizes);
  if (!order) {
    ctx.findings.add('format.not-analysed', `the storage key list at offset ${keys.offset} is not a list of strings matching the persistent ids (${shown(keys.value)}): the raw storages from offset ${seq.position} could not be stepped over and were not checked`, seq.at(seq.position));
    return 'unsupported';
  }
  const storages: Record<string, number> = {};
  ctx.content.storages = storages;
  for (const key of order) {
    if (!sizes.has(key)) throw new MalformedError(`storage key ${JSON.stringify(key)} is listed, but no persistent id of the saved object names it: torch.load fails`, seq.at(keys.offset));
    const elementSize = sizes.get(key);
    if (elementSize === undefined) {
      ctx.findings.add('format.not-analysed', `storage ${JSON.stringify(key)} has a storage class of unknown element size: the raw storages from offset ${seq.position} could not be stepped over and were not checked`, seq.at(seq.position));
      return 'unsupported';
    }
    const count = await seq.integer(8, `the element count of storage ${JSON.stringify(key)}`);
    seq.skip(count * elementSize, `storage ${JSON.stringify(key)} (${count} elements of ${elementSize} bytes)`);
    storages[key] = count * elementSize;
  }
  legacy.dataEnd = seq.position;
  if (seq.remaining > 0) status = worseStatus(status, await afterLastStorage(ctx, seq));
  return status;
}

/** Element size of each storage key the saved object names through persistent ids ('storage', type, key, location, numel, view). */
function storageElementSizes(ids: PyValue[]): Map<string, number | undefined> {
  const sizes = new Map<string, number | undefined>();
  for (const id of ids) {
    const items = itemsOf(id);
    const key = asString(items?.[2]);
    if (asString(items?.[0]) !== 'storage' || key === undefined) continue;
    if (!sizes.has(key) || sizes.get(key) === undefined) sizes.set(key, storageElementSize(items![1]));
  }
  return sizes;
}

/**
 * The keys in the order torch.load reads the storages: the listed order when the
 * engine shows the whole list; for longer lists, which it shows in part, the
 * sorted keys of the persistent ids (torch.save writes them sorted), provided
 * the part shown agrees.
 */
function storageOrder(listed: PyValue | undefined, sizes: Map<string, number | undefined>): string[] | undefined {
  if (listed?.type !== 'list') return undefined;
  const shownKeys = listed.items.map(asString);
  if (shownKeys.some((k) => k === undefined)) return undefined;
  if (listed.items.length === listed.length) return shownKeys as string[];
  const sorted = [...sizes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sorted.length !== listed.length || shownKeys.some((k, i) => k !== sorted[i])) return undefined;
  return sorted;
}

/** Bytes after the last storage, which torch.load never reads: an appended archive, a pickle, or plain trailing data. */
async function afterLastStorage(ctx: AnalysisContext, seq: PickleSequence): Promise<AnalysisStatus> {
  const start = seq.position;
  const look = await ctx.sniffContext.zip();
  if (look.kind === 'zip' && archiveStartOf(look.directory) >= start) {
    const archive = archiveStartOf(look.directory);
    if (archive > start) ctx.findings.add('pickle.trailing-data', `${archive - start} bytes after the last storage at offset ${start}, before an appended zip archive`, seq.at(start, archive - start));
    ctx.findings.add('zip.appended-to-pickle', `a zip archive of ${look.directory.entries.length} members starts at offset ${archive}, after the checkpoint's last storage: torch.load reads the checkpoint, zip readers the archive; both were analysed`, seq.at(archive, seq.size - archive), { archiveOffset: archive, members: look.directory.entries.length });
    return scanArchiveAfter(ctx, look.directory);
  }
  return trailingBytes(ctx, seq, 'the last storage');
}

/** Reports the bytes left in `seq`; a pickle among them is analysed too. */
async function trailingBytes(ctx: AnalysisContext, seq: PickleSequence, after: string): Promise<AnalysisStatus> {
  const start = seq.position;
  const head = await seq.source.read(start, Math.min(HEAD_BYTES, seq.remaining));
  const look = lookAtPickleBytes(ctx.wasm, head, seq.remaining);
  const isPickle = !!look && (look.stopped || !look.probeError);
  ctx.findings.add('pickle.trailing-data', `${seq.remaining} bytes after ${after} (offset ${start}) that torch.load never reads${isPickle ? ': they are a pickle, analysed too' : ''}`, seq.at(start, seq.remaining));
  if (!isPickle) return 'complete';
  return (await seq.rest()) ? 'complete' : 'unsupported';
}

/**
 * The oldest layout, a tar: `pickle` (the object), `storages` (a count, then per
 * storage a (key, location, type) pickle and its raw bytes, then a pickle of
 * views), `tensors` (a count, then per tensor a pickle and its raw shape),
 * `sys_info`. Each member is read as torch.load reads it; any other member that
 * is a pickle is analysed too.
 */
async function analyseTarLayout(ctx: AnalysisContext): Promise<AnalysisStatus> {
  const { members, cut } = (await tarMembers(ctx.source)) ?? { members: [] };
  ctx.content.legacy = { layout: 'tar', members: members.map(({ name, offset, size }) => ({ name, offset, size })) };
  let status: AnalysisStatus = 'complete';
  if (cut) {
    const why = cut.limit === 'MAX_TAR_MEMBERS'
      ? `the tar holds more than ${MAX_TAR_MEMBERS} members (MAX_TAR_MEMBERS)`
      : `a GNU long name or pax header at offset ${cut.at} is ${cut.value} bytes, over the ${MAX_TAR_NAME_HEADER_BYTES} read (MAX_TAR_NAME_HEADER_BYTES; Python's tarfile reads it)`;
    ctx.findings.add('scan.limit-reached', `analysis incomplete: ${why}; the members from offset ${cut.at} on were not read`, { offset: cut.at }, { limit: cut.limit, value: cut.value });
  }
  for (const required of ['pickle', 'storages', 'tensors']) {
    const member = members.find((m) => m.name === required && m.regular);
    if (!member || member.size === 0) {
      ctx.findings.add('format.malformed', `the legacy tar checkpoint has ${member ? 'an empty' : 'no'} ${required} member: torch.load fails on it`, member ? { member: required } : {});
      status = worseStatus(status, 'failed');
    }
  }
  if (!cut) status = worseStatus(status, await bytesAfterTar(ctx, members));
  for (const member of members) {
    if (!member.regular) continue;
    const source = new SliceByteSource(ctx.source, member.offset, member.size, member.name);
    try {
      status = worseStatus(status, await analyseTarMember(ctx, member.name, source));
    } catch (error) {
      status = worseStatus(status, recordFailure(error, ctx.findings, { member: member.name }));
    }
  }
  return status;
}

async function analyseTarMember(ctx: AnalysisContext, name: string, source: ByteSource): Promise<AnalysisStatus> {
  const seq = new PickleSequence(ctx, source, name);
  if (source.size === 0) return 'complete';
  if (name === 'storages' || name === 'tensors') return walkRecords(ctx, seq, name);
  const head = await source.read(0, Math.min(HEAD_BYTES, source.size));
  const look = lookAtPickleBytes(ctx.wasm, head, source.size);
  // torch.load unpickles `pickle` whatever it holds; other members are analysed when they are pickles.
  if (name !== 'pickle' && !(look && (look.stopped || !look.probeError))) return 'complete';
  return (await seq.rest()) ? 'complete' : 'unsupported';
}

/** The `storages` and `tensors` members: a count pickle, then per record a pickle and raw bytes. */
async function walkRecords(ctx: AnalysisContext, seq: PickleSequence, name: 'storages' | 'tensors'): Promise<AnalysisStatus> {
  const first = await seq.pickle(`the ${name} count`);
  const count = asInt(first.value);
  if (count === undefined || count < 0n) {
    // Not the layout torch.load reads (it would fail here): whatever follows is analysed as plain pickles.
    return seq.remaining > 0 ? ((await seq.rest()) ? 'complete' : 'unsupported') : first.complete ? 'complete' : 'unsupported';
  }
  if (count > BigInt(MAX_LEGACY_RECORDS)) {
    throw new LimitError('MAX_LEGACY_RECORDS', Number(count), `the ${name} member declares ${count} records, over the ${MAX_LEGACY_RECORDS} limit`, seq.at(first.offset));
  }
  let complete = first.complete;
  for (let i = 0; i < count; i++) {
    const record = await seq.pickle(`record ${i} of ${name}`);
    complete &&= record.complete;
    if (name === 'storages') {
      // (key, location, storage type): the type gives the element size of the raw data that follows.
      const elementSize = storageElementSize(itemsOf(record.value)?.[2]);
      if (elementSize === undefined) {
        ctx.findings.add('format.not-analysed', `storage record ${i} at offset ${record.offset} does not name a known storage class (${shown(record.value)}): the rest of the member could not be stepped over and was not checked`, seq.at(seq.position));
        return 'unsupported';
      }
      const elements = await seq.integer(8, `the element count of storage record ${i}`);
      seq.skip(elements * elementSize, `storage record ${i} (${elements} elements of ${elementSize} bytes)`);
    } else {
      // ndim (int32), 4 unused bytes, ndim sizes, ndim strides, the storage offset: all int64.
      const ndim = await seq.integer(4, `the dimension count of tensor record ${i}`);
      if (ndim < 0) throw new MalformedError(`tensor record ${i} declares ${ndim} dimensions`, seq.at(seq.position - 4));
      seq.skip(4 + 16 * ndim + 8, `the shape of tensor record ${i}`);
    }
  }
  if (name === 'storages') complete &&= (await seq.pickle('the storage views')).complete;
  const status: AnalysisStatus = complete ? 'complete' : 'unsupported';
  return seq.remaining > 0 ? worseStatus(status, await trailingBytes(ctx, seq, `the last ${name} record`)) : status;
}

/**
 * Bytes past where the member walk stopped. Python's tarfile takes an invalid
 * header after the first member for the end of the archive, so whatever lies
 * there is never read by torch.load, but other tar readers may see members.
 */
async function bytesAfterTar(ctx: AnalysisContext, members: TarMember[]): Promise<AnalysisStatus> {
  const last = members.at(-1);
  if (!last) return 'complete';
  const end = last.offset + Math.ceil(last.size / TAR_BLOCK) * TAR_BLOCK;
  for (let at = end; at < ctx.source.size; at += TAR_TAIL_CHUNK) {
    const chunk = await ctx.source.read(at, Math.min(TAR_TAIL_CHUNK, ctx.source.size - at));
    const first = chunk.findIndex((b) => b !== 0);
    if (first < 0) continue;
    const start = at + first;
    const seq = new PickleSequence(ctx, ctx.source);
    seq.position = start;
    const head = await ctx.source.read(start, Math.min(HEAD_BYTES, ctx.source.size - start));
    const look = lookAtPickleBytes(ctx.wasm, head, ctx.source.size - start);
    const isPickle = !!look && (look.stopped || !look.probeError);
    ctx.findings.add('pickle.trailing-data', `${ctx.source.size - start} bytes from offset ${start}, after the last tar member (${last.name}), that torch.load never reads: Python's tarfile stops at the first header it cannot read${isPickle ? '; they are a pickle, analysed too' : ''}`, { offset: start, length: ctx.source.size - start });
    if (!isPickle) return 'complete';
    return (await seq.rest()) ? 'complete' : 'unsupported';
  }
  return 'complete';
}

/** Bytes read at a time while looking past the last tar member (zero padding is skipped). */
const TAR_TAIL_CHUNK = 1 << 20;

interface TarMember {
  name: string;
  /** Offset of the member's data in the file. */
  offset: number;
  size: number;
  /** A regular file (type '0' or NUL), not a directory or a pax header. */
  regular: boolean;
}

/** Where and why a limit stopped the tar walk before the end of the archive. */
interface TarCut {
  limit: 'MAX_TAR_MEMBERS' | 'MAX_TAR_NAME_HEADER_BYTES';
  value: number;
  /** Offset of the first header not read. */
  at: number;
}

/** The members of a ustar archive (headers only), or undefined when not a tar; `cut` when a limit stopped the walk. */
async function tarMembers(source: ByteSource): Promise<{ members: TarMember[]; cut?: TarCut } | undefined> {
  const first = await source.read(0, TAR_BLOCK);
  if (!startsWith(first, USTAR, 257)) return undefined;
  const members: TarMember[] = [];
  let offset = 0;
  // What a pax extended header ('x') or a GNU long name ('L') says of the next member, as tarfile applies it.
  let next: { name?: string; size?: number } = {};
  while (offset + TAR_BLOCK <= source.size) {
    const header = await source.read(offset, TAR_BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    if (!startsWith(header, USTAR, 257)) return members.length ? { members } : undefined;
    if (members.length === MAX_TAR_MEMBERS) return { members, cut: { limit: 'MAX_TAR_MEMBERS', value: MAX_TAR_MEMBERS + 1, at: offset } };
    const type = header[156]!;
    let size = parseInt(decodeUtf8(header.subarray(124, 136)).replace(/\0.*$/s, '').trim() || '0', 8);
    if (!Number.isSafeInteger(size) || size < 0) break;
    const dataAt = offset + TAR_BLOCK;
    const name = next.name ?? decodeUtf8(header.subarray(0, 100)).replace(/\0.*$/s, '');
    if (next.size !== undefined) size = next.size;
    next = {};
    if (type === TAR_PAX || type === TAR_GNU_LONGNAME) {
      // tarfile reads it whole; we stop the walk here, with a limit finding
      if (size > MAX_TAR_NAME_HEADER_BYTES) return { members, cut: { limit: 'MAX_TAR_NAME_HEADER_BYTES', value: size, at: offset } };
      const body = await source.read(dataAt, size);
      next = type === TAR_PAX ? paxOverrides(body) : { name: decodeUtf8(body).replace(/\0.*$/s, '') };
    }
    members.push({ name, offset: dataAt, size: Math.min(size, Math.max(0, source.size - dataAt)), regular: type === 0x30 || type === 0 });
    offset = dataAt + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
  }
  return { members };
}

const TAR_PAX = 0x78; // 'x': pax extended header for the next member
const TAR_GNU_LONGNAME = 0x4c; // 'L': GNU long name of the next member
/** A pax header or GNU long name read whole; real ones hold a path of a few hundred bytes. */
const MAX_TAR_NAME_HEADER_BYTES = 64 * 1024;

/** The `path` and `size` records of a pax header ("<length> <key>=<value>\n" each), which tarfile applies to the next member. */
function paxOverrides(body: Uint8Array): { name?: string; size?: number } {
  const out: { name?: string; size?: number } = {};
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const length = space < 0 ? NaN : Number(decodeUtf8(body.subarray(at, space)));
    if (!Number.isSafeInteger(length) || length <= space - at || at + length > body.length) break;
    const record = decodeUtf8(body.subarray(space + 1, at + length - 1));
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.name = value;
    else if (key === 'size' && /^\d+$/.test(value) && Number.isSafeInteger(Number(value))) out.size = Number(value);
    at += length;
  }
  return out;
}

function shown(value: PyValue | undefined): string {
  return value ? renderPython(value, 200) : 'nothing';
}
