// Reads a zip's end-of-central-directory record and its central directory:
// the member list that PyTorch, numpy .npz and Keras archives are built on.
// Only the tail and the directory are read, never member data.
import type { ByteSource } from '../byte-source.js';
import { decodeUtf8, safeInteger, view } from '../bytes.js';
import { LimitError, MalformedError } from '../errors.js';

/** EOCD (22 bytes) plus the longest comment a zip can carry (65535). */
const EOCD_SEARCH_BYTES = 22 + 0xffff;
/** A directory larger than this is refused: a real checkpoint with 100k tensors needs ~10 MB. */
export const MAX_ZIP_DIRECTORY_BYTES = 64 * 1024 * 1024;
/** Members listed; far above real checkpoints, bounds memory for hostile directories. */
export const MAX_ZIP_ENTRIES = 1_000_000;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;

export interface ZipEntry {
  name: string;
  /** The name as stored: compared byte for byte with the local header's. */
  nameBytes: Uint8Array;
  /** 0 stored, 8 deflate, … */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the local header as the directory records it (add `prefixBytes` for the file offset). */
  localHeaderOffset: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Bytes before the archive proper (self-extractors, polyglots); 0 for a plain zip. */
  prefixBytes: number;
  eocdOffset: number;
  /** Where the end record and its comment end: the file's size for a zip that is the file's tail. */
  endOffset: number;
  directoryOffset: number;
  zip64: boolean;
  comment: string;
  /** An earlier end record whose comment holds this one (readers may disagree on the directory). */
  shadowingEnd?: number;
}

export async function startsWithLocalHeader(source: ByteSource): Promise<boolean> {
  const head = await source.read(0, 4);
  return head.length === 4 && view(head).getUint32(0, true) === SIG_LOCAL;
}

/**
 * Finds the EOCD record as PyTorch's reader (miniz) and Python's zipfile find it: the
 * last signature in the tail with a whole record after it, whatever its comment length
 * says. Undefined when the file has none (not a zip).
 */
export async function findEndOfCentralDirectory(source: ByteSource): Promise<number | undefined> {
  if (source.size < 22) return undefined;
  const start = Math.max(0, source.size - EOCD_SEARCH_BYTES);
  const tail = await source.read(start, source.size - start);
  const dv = view(tail);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (dv.getUint32(i, true) !== SIG_EOCD) continue;
    // the tail read serves the search for a record that shadows this one too, when it holds every candidate
    if (start === 0 || start + i - 0xffff >= start) tailShadows.set(source, { eocd: start + i, shadowingEnd: shadowingIn(dv, start, i) });
    return start + i;
  }
  return undefined;
}

/** What findEndOfCentralDirectory learnt from its tail read, so readZipDirectory does not read it again. */
const tailShadows = new WeakMap<ByteSource, { eocd: number; shadowingEnd: number | undefined }>();

/** Offset of a record before index `at` of `dv` (which starts at file offset `start`) whose comment holds the record at `at`. */
function shadowingIn(dv: DataView, start: number, at: number): number | undefined {
  for (let i = at - 1; i >= 0; i--) {
    if (dv.getUint32(i, true) === SIG_EOCD && i + 22 + dv.getUint16(i + 20, true) >= at + 22) return start + i;
  }
  return undefined;
}

/**
 * An earlier EOCD record whose comment holds the one loaders read (`eocd`): a reader
 * that trusts comment lengths opens that record's directory instead, so the archive
 * shows two different member lists.
 */
async function shadowingEndRecord(source: ByteSource, eocd: number): Promise<number | undefined> {
  const known = tailShadows.get(source);
  if (known?.eocd === eocd) return known.shadowingEnd;
  const start = Math.max(0, eocd - EOCD_SEARCH_BYTES);
  const tail = await source.read(start, eocd + 22 - start);
  return shadowingIn(view(tail), start, eocd - start);
}

export async function readZipDirectory(source: ByteSource, eocdOffset?: number): Promise<ZipDirectory> {
  const eocd = eocdOffset ?? (await findEndOfCentralDirectory(source));
  if (eocd === undefined) throw new MalformedError('no end-of-central-directory record: not a complete zip archive');
  const record = await source.read(eocd, 22);
  const dv = view(record);
  let entryCount = dv.getUint16(10, true);
  let directorySize = dv.getUint32(12, true);
  let directoryOffset = dv.getUint32(16, true);
  const commentLength = dv.getUint16(20, true);
  const comment = decodeUtf8(await source.read(eocd + 22, commentLength));
  let recordStart = eocd; // where the records that follow the directory begin
  let zip64 = false;

  if (eocd >= 20) {
    const locator = view(await source.read(eocd - 20, 20));
    if (locator.getUint32(0, true) === SIG_ZIP64_LOCATOR) {
      zip64 = true;
      const recorded = Number(locator.getBigUint64(8, true));
      const actual = eocd - 20 - 56;
      const at = await readSignature(source, recorded) === SIG_ZIP64_EOCD ? recorded : actual;
      const z = await source.read(at, 56);
      if (z.length < 56 || view(z).getUint32(0, true) !== SIG_ZIP64_EOCD) {
        throw new MalformedError('zip64 locator points to no zip64 end-of-central-directory record', { offset: eocd - 20 });
      }
      const zv = view(z);
      entryCount = safeInteger(zv.getBigUint64(32, true), 'zip64 entry count', at);
      directorySize = safeInteger(zv.getBigUint64(40, true), 'zip64 directory size', at);
      directoryOffset = safeInteger(zv.getBigUint64(48, true), 'zip64 directory offset', at);
      recordStart = at;
    }
  }

  if (directorySize > MAX_ZIP_DIRECTORY_BYTES) {
    throw new LimitError('MAX_ZIP_DIRECTORY_BYTES', directorySize, `zip central directory of ${directorySize} bytes exceeds the ${MAX_ZIP_DIRECTORY_BYTES}-byte limit`, { offset: eocd });
  }
  if (entryCount > MAX_ZIP_ENTRIES) {
    throw new LimitError('MAX_ZIP_ENTRIES', entryCount, `zip declares ${entryCount} members, over the ${MAX_ZIP_ENTRIES} limit`, { offset: eocd });
  }

  // The directory sits right before the EOCD records; if the recorded offset
  // disagrees, bytes were prepended to the archive (a prefix).
  let prefixBytes = 0;
  const expected = recordStart - directorySize;
  if (expected < 0) throw new MalformedError(`zip central directory size ${directorySize} is larger than the file before it`, { offset: eocd });
  if (directoryOffset !== expected && (await readSignature(source, directoryOffset)) !== SIG_CENTRAL) {
    prefixBytes = expected - directoryOffset;
    directoryOffset = expected;
  }

  const directory = await source.read(directoryOffset, directorySize);
  if (directory.length < directorySize) {
    throw new MalformedError('zip central directory runs past the end of the file', { offset: directoryOffset });
  }
  const entries = parseEntries(directory, entryCount, directoryOffset);
  const shadowingEnd = await shadowingEndRecord(source, eocd);
  return { entries, prefixBytes, eocdOffset: eocd, endOffset: eocd + 22 + commentLength, directoryOffset, zip64, comment, ...(shadowingEnd !== undefined ? { shadowingEnd } : {}) };
}

async function readSignature(source: ByteSource, offset: number): Promise<number | undefined> {
  if (offset + 4 > source.size) return undefined;
  return view(await source.read(offset, 4)).getUint32(0, true);
}

function parseEntries(directory: Uint8Array, entryCount: number, baseOffset: number): ZipEntry[] {
  const dv = view(directory);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < entryCount; i++) {
    if (at + 46 > directory.length || dv.getUint32(at, true) !== SIG_CENTRAL) {
      throw new MalformedError(`zip central directory entry ${i} is missing or truncated`, { offset: baseOffset + at });
    }
    const nameLength = dv.getUint16(at + 28, true);
    const extraLength = dv.getUint16(at + 30, true);
    const commentLength = dv.getUint16(at + 32, true);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) {
      throw new MalformedError(`zip central directory entry ${i} runs past the directory`, { offset: baseOffset + at });
    }
    const entry: ZipEntry = {
      name: decodeUtf8(directory.subarray(at + 46, at + 46 + nameLength)),
      nameBytes: directory.slice(at + 46, at + 46 + nameLength),
      flags: dv.getUint16(at + 8, true),
      method: dv.getUint16(at + 10, true),
      crc32: dv.getUint32(at + 16, true),
      compressedSize: dv.getUint32(at + 20, true),
      uncompressedSize: dv.getUint32(at + 24, true),
      localHeaderOffset: dv.getUint32(at + 42, true),
    };
    applyZip64Extra(entry, directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength), baseOffset + at);
    entries.push(entry);
    at = end;
  }
  return entries;
}

/**
 * The zip64 extended-information field (id 0x0001) of an extra block: its
 * 8-byte values in order, as far as the field holds them. The record decides
 * which fields are there (only those set to 0xFFFFFFFF), so callers take them in order.
 */
export function zip64Values(extra: Uint8Array): bigint[] | undefined {
  const dv = view(extra);
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = dv.getUint16(at, true);
    const size = dv.getUint16(at + 2, true);
    if (id === 0x0001) {
      const values: bigint[] = [];
      const end = Math.min(at + 4 + size, extra.length);
      for (let p = at + 4; p + 8 <= end; p += 8) values.push(dv.getBigUint64(p, true));
      return values;
    }
    at += 4 + size;
  }
  return undefined;
}

/** Sizes and offsets of 0xFFFFFFFF live in the zip64 extra field, in this order. */
function applyZip64Extra(entry: ZipEntry, extra: Uint8Array, offset: number): void {
  const values = zip64Values(extra);
  if (!values) return;
  const next = (what: string): number => {
    const value = values.shift();
    if (value === undefined) throw new MalformedError(`zip64 extra field of ${entry.name} is too short for its ${what}`, { offset });
    return safeInteger(value, what, offset);
  };
  if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next('uncompressed size');
  if (entry.compressedSize === 0xffffffff) entry.compressedSize = next('compressed size');
  if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next('local header offset');
}
