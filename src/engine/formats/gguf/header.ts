// The GGUF header, read in file order: magic, version, tensor and metadata
// counts, the metadata key/values, the tensor infos, then the data section
// start (aligned to general.alignment). Structure errors stop the read
// (MalformedError with the offset); what was read before is kept in `into`.
import type { ByteSource } from '../../byte-source.js';
import { LimitError, MalformedError } from '../../errors.js';
import { HeaderCursor, truncated } from './cursor.js';
import { MAX_DIMS, MAX_KEY_BYTES, MAX_METADATA_COUNT, MAX_TEMPLATE_BYTES, MAX_TENSOR_COUNT, SHOWN_STRING_CHARS } from './limits.js';
import { readString, readValue, readValueType, type GgufString, type GgufValue, type ValueIssues } from './values.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46];
export const SUPPORTED_VERSIONS = [1, 2, 3];

export interface MetadataEntry {
  key: string;
  value: GgufValue;
  /** File offset of the key's length field. */
  offset: number;
}

export interface TensorInfo {
  name: string;
  /** UTF-8 bytes of the name, as stored. */
  nameBytes: number;
  /** ne[0] first, as GGUF stores them; bigint when past 2^53. */
  dims: (number | bigint)[];
  typeId: number;
  /** Relative to the data section start; bigint past 2^53. */
  offset: number | bigint;
  /** File offset of the tensor info. */
  infoOffset: number;
}

export interface GgufHeader {
  version: number;
  littleEndian: boolean;
  tensorCount: number;
  metadataCount: number;
  metadata: MetadataEntry[];
  tensors: TensorInfo[];
  /** File offset just past the last tensor info. */
  infoEnd: number;
  issues: ValueIssues;
}

/** Strings whose text is kept whole: chat templates, which are analysed. */
const isTemplateKey = (key: string) => key === 'tokenizer.chat_template' || key.startsWith('tokenizer.chat_template.');
/** Bytes kept of other strings: enough to show, never a whole 10 MB tokenizer.json. */
const KEPT_STRING_BYTES = SHOWN_STRING_CHARS * 4;

/** Reads magic and version: the version and the byte order it shows. */
export function readPreamble(head: Uint8Array): { version: number; littleEndian: boolean } {
  if (head.length < 8) throw truncated('the magic and version', 0, 8, head.length);
  const view = new DataView(head.buffer, head.byteOffset, 8);
  const little = view.getUint32(4, true);
  const big = view.getUint32(4, false);
  // A big-endian file's version reads as a huge number little-endian (its low 16 bits zero): gguf-py's test.
  if (SUPPORTED_VERSIONS.includes(little)) return { version: little, littleEndian: true };
  if (SUPPORTED_VERSIONS.includes(big)) return { version: big, littleEndian: false };
  throw new MalformedError(`GGUF version ${little} (0x${little.toString(16).padStart(8, '0')}) is none of the versions 1–3 this reader knows`, { offset: 4, length: 4 }, 'gguf.unsupported-version');
}

export async function readHeader(source: ByteSource, into: Partial<GgufHeader>): Promise<GgufHeader> {
  const head = await source.read(0, 8);
  const { version, littleEndian } = readPreamble(head);
  Object.assign(into, { version, littleEndian });
  const c = new HeaderCursor(source, littleEndian, version >= 2, 8);

  await c.fill(2 * c.sizeWidth, 'the tensor and metadata counts');
  const tensorCountAt = c.offset;
  const tensorCountRaw = c.size();
  const metadataCountAt = c.offset;
  const metadataCountRaw = c.size();
  // Counts are checked against the bytes left before anything is allocated: a tensor info takes at least
  // a name length, n_dims, a type and an offset; a key/value at least a key length, a type and one byte.
  const minTensor = BigInt(c.sizeWidth + 4 + 4 + 8);
  const minEntry = BigInt(c.sizeWidth + 4 + 1);
  if (metadataCountRaw * minEntry > BigInt(c.left)) throw truncated(`${metadataCountRaw} metadata entries`, metadataCountAt, metadataCountRaw * minEntry, c.left);
  if (tensorCountRaw * minTensor > BigInt(c.left)) throw truncated(`${tensorCountRaw} tensor infos`, tensorCountAt, tensorCountRaw * minTensor, c.left);
  const tensorCount = Number(tensorCountRaw);
  const metadataCount = Number(metadataCountRaw);
  Object.assign(into, { tensorCount, metadataCount });
  if (metadataCount > MAX_METADATA_COUNT) throw new LimitError('MAX_METADATA_COUNT', metadataCount, `${metadataCount} metadata entries, over the limit of ${MAX_METADATA_COUNT} (MAX_METADATA_COUNT)`, { offset: metadataCountAt });
  if (tensorCount > MAX_TENSOR_COUNT) throw new LimitError('MAX_TENSOR_COUNT', tensorCount, `${tensorCount} tensors, over the limit of ${MAX_TENSOR_COUNT} (MAX_TENSOR_COUNT)`, { offset: tensorCountAt });

  const issues: ValueIssues = {};
  const metadata: MetadataEntry[] = [];
  into.metadata = metadata;
  into.issues = issues;
  for (let i = 0; i < metadataCount; i++) {
    const offset = c.offset;
    const key = (await readName(c, `metadata key ${i}`)).text;
    const typeId = await readValueType(c, `the value of ${quote(key)}`);
    const value = await readValue(c, typeId, `the value of ${quote(key)}`, isTemplateKey(key) ? MAX_TEMPLATE_BYTES : KEPT_STRING_BYTES, issues);
    metadata.push({ key, value, offset });
  }

  const tensors: TensorInfo[] = [];
  into.tensors = tensors;
  for (let i = 0; i < tensorCount; i++) {
    const infoOffset = c.offset;
    const { text: name, bytes: nameBytes } = await readName(c, 'the name of a tensor');
    const dimsAt = c.offset;
    // Labels are built only on failure: files hold up to MAX_TENSOR_COUNT tensor infos.
    if (!c.has(4)) await c.fill(4, () => `the dimension count of ${quote(name)}`);
    const nDims = c.u32();
    if (nDims > MAX_DIMS) throw new MalformedError(`tensor ${quote(name)} has ${nDims} dimensions; ggml tensors have at most ${MAX_DIMS} (MAX_DIMS, GGML_MAX_DIMS)`, { offset: dimsAt, tensor: name }, 'gguf.invalid-tensor');
    const rest = nDims * c.sizeWidth + 4 + 8;
    if (!c.has(rest)) await c.fill(rest, () => `the dims, type and offset of ${quote(name)}`);
    const dims: (number | bigint)[] = [];
    for (let d = 0; d < nDims; d++) {
      const v = c.size();
      dims.push(v <= MAX_SAFE ? Number(v) : v);
    }
    const typeId = c.u32();
    const raw = c.u64();
    tensors.push({ name, nameBytes, dims, typeId, offset: raw <= MAX_SAFE ? Number(raw) : raw, infoOffset });
  }
  into.infoEnd = c.offset;
  return { version, littleEndian, tensorCount, metadataCount, metadata, tensors, infoEnd: c.offset, issues };
}

/** A key or tensor name: a string bounded by MAX_KEY_BYTES (the spec caps keys at 2^16 − 1 bytes). */
async function readName(c: HeaderCursor, what: string): Promise<GgufString> {
  const at = c.offset;
  await c.fill(c.sizeWidth, `the length of ${what}`);
  const length = c.peekSize();
  if (length > BigInt(MAX_KEY_BYTES)) {
    if (length > BigInt(c.left)) throw truncated(what, at, length, c.left);
    throw new LimitError('MAX_KEY_BYTES', Number(length), `${what} is ${length} bytes long, over the limit of ${MAX_KEY_BYTES} (MAX_KEY_BYTES)`, { offset: at });
  }
  return readString(c, what, MAX_KEY_BYTES);
}

export function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
