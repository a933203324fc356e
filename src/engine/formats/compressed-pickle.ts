// Compressed pickles: joblib.dump(compress=...) writes the whole joblib pickle
// through zlib (the default, starting 0x78) or gzip; someone's model.pkl.gz is
// the same thing. Told by inflating the first kilobytes and finding a pickle
// there; analysed by inflating the stream (bounded) and running the engine.
// bz2, xz, lzma and lz4, which joblib also writes, cannot be decompressed here.
import { MemoryByteSource } from '../byte-source.js';
import { ascii, indexOfBytes, startsWith } from '../bytes.js';
import { InflateBudget, Inflater, MAX_INFLATED_BYTES, type Compression } from '../containers/inflate.js';
import { MalformedError } from '../errors.js';
import { analysePickleStream } from '../pickle/analyse-stream.js';
import type { SniffContext } from '../sniff/context.js';
import type { AnalysisStatus } from '../verdict.js';
import type { AnalysisContext, FormatDriver, SniffMatch } from './driver.js';
import { lookAtPickleBytes, type PickleLook } from '../sniff/pickle-look.js';

/** Inflated bytes looked at to tell a compressed pickle from other compressed data. */
const SNIFF_INFLATED_BYTES = 4096;
const JOBLIB_MARKER = ascii('joblib.numpy_pickle');
const NAMES: Record<Compression, string> = { deflate: 'zlib', gzip: 'gzip', 'deflate-raw': 'deflate' };

interface CompressedLook {
  compression: Compression;
  look: PickleLook;
  joblib: boolean;
}

/** One look per file, however many drivers ask. */
const looks = new WeakMap<SniffContext, Promise<CompressedLook | undefined>>();

function lookInside(ctx: SniffContext): Promise<CompressedLook | undefined> {
  let look = looks.get(ctx);
  if (!look) {
    look = inflatedHead(ctx);
    looks.set(ctx, look);
  }
  return look;
}

async function inflatedHead(ctx: SniffContext): Promise<CompressedLook | undefined> {
  const compression = compressionOf(await ctx.head());
  if (!compression) return undefined;
  const inflater = new Inflater(ctx.source, 0, ctx.source.size, compression, { budget: new InflateBudget(), where: {}, what: 'the compressed stream' });
  try {
    await inflater.fill(SNIFF_INFLATED_BYTES);
  } catch {
    // Damaged further on: what inflated before the damage still tells what it is.
  } finally {
    inflater.close();
  }
  const head = inflater.copy(0, Math.min(inflater.length, SNIFF_INFLATED_BYTES));
  const look = lookAtPickleBytes(ctx.wasm, head, inflater.ended ? inflater.length : Number.MAX_SAFE_INTEGER);
  return look ? { compression, look, joblib: indexOfBytes(head, JOBLIB_MARKER) >= 0 } : undefined;
}

/** zlib: CMF 0x78 (deflate, 32 KiB window) and an FLG byte that makes the pair a multiple of 31. */
function compressionOf(head: Uint8Array): Compression | undefined {
  if (head.length >= 2 && head[0] === 0x78 && ((head[0] << 8) | head[1]!) % 31 === 0) return 'deflate';
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'gzip';
  return undefined;
}

async function analyseCompressed(ctx: AnalysisContext, layout: 'plain' | 'joblib'): Promise<AnalysisStatus> {
  const found = await lookInside(ctx.sniffContext);
  if (!found) throw new Error('compressed pickle driver without a sniff match');
  const name = NAMES[found.compression];
  const member = `(${name}-decompressed)`;
  const inflater = new Inflater(ctx.source, 0, ctx.source.size, found.compression, { budget: new InflateBudget(), where: { member }, what: `the ${name} stream`, brokenRule: 'format.malformed' });
  let bytes: Uint8Array;
  let damaged = false;
  try {
    bytes = await inflater.fillAll();
  } catch (error) {
    if (!(error instanceof MalformedError)) throw error;
    // A damaged stream still unpickles up to the damage when loaded: analyse what inflated.
    bytes = inflater.bytes;
    damaged = true;
    ctx.findings.add(error.rule, `${error.message}; the ${bytes.length} bytes inflated before the damage are analysed`, error.location);
  } finally {
    inflater.close();
  }
  ctx.content.compression = { format: name, compressedBytes: ctx.source.size, inflatedBytes: bytes.length, limit: MAX_INFLATED_BYTES };
  // Offsets of findings are in the decompressed stream, named as a member.
  const result = await analysePickleStream(ctx, { source: new MemoryByteSource(bytes, member), member, layout });
  return damaged ? 'failed' : result.complete ? 'complete' : 'unsupported';
}

function label(found: CompressedLook, what: string): string {
  return `${what} (protocol ${found.look.protocol}), ${NAMES[found.compression]}-compressed`;
}

export const compressedJoblib: FormatDriver = {
  id: 'joblib',
  async sniff(ctx): Promise<SniffMatch | null> {
    const found = await lookInside(ctx);
    if (!found?.joblib) return null;
    return { label: label(found, 'joblib pickle'), details: { compression: NAMES[found.compression], ...found.look } };
  },
  analyse: (ctx) => analyseCompressed(ctx, 'joblib'),
};

export const compressedPickle: FormatDriver = {
  id: 'pickle',
  async sniff(ctx): Promise<SniffMatch | null> {
    const found = await lookInside(ctx);
    if (!found) return null;
    return { label: label(found, 'pickle'), details: { compression: NAMES[found.compression], ...found.look } };
  },
  analyse: (ctx) => analyseCompressed(ctx, 'plain'),
};

/** Compressions joblib writes that no platform decompressor reads; lzma is the raw "alone" format. */
const UNREADABLE: { name: string; joblib: string; test: (head: Uint8Array) => boolean }[] = [
  { name: 'bzip2', joblib: 'bz2', test: (h) => startsWith(h, ascii('BZh')) && h[3]! >= 0x31 && h[3]! <= 0x39 },
  { name: 'xz', joblib: 'xz', test: (h) => startsWith(h, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  { name: 'lzma', joblib: 'lzma', test: (h) => h.length >= 13 && h[0] === 0x5d && h.subarray(5, 13).every((b) => b === 0xff) },
  { name: 'LZ4', joblib: 'lz4', test: (h) => startsWith(h, [0x04, 0x22, 0x4d, 0x18]) },
];

/**
 * Data compressed with bz2, xz, lzma or lz4: what joblib.dump(compress='bz2')
 * and the like write. Its contents cannot be checked here, so it is reported
 * unscanned; the format is honestly unknown, since the bytes inside were not seen.
 */
export const unreadableCompression: FormatDriver = {
  id: 'unknown',
  async sniff(ctx): Promise<SniffMatch | null> {
    const head = await ctx.head();
    const found = UNREADABLE.find((c) => c.test(head));
    return found ? { label: `${found.name}-compressed data`, details: { compression: found.name, joblib: found.joblib } } : null;
  },
  async analyse(ctx) {
    const { compression: name, joblib } = ctx.match.details as { compression: string; joblib: string };
    ctx.findings.add(
      'format.not-analysed',
      `${name}-compressed data: joblib.dump(compress='${joblib}') writes files like this, and loading one unpickles what is inside. This version cannot decompress ${name}, so nothing inside was checked: treat the file as unscanned`,
      {},
      { compression: name },
    );
    return 'unsupported';
  },
};
