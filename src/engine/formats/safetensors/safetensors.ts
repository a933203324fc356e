// safetensors: an 8-byte little-endian header length N, N bytes of JSON
// naming each tensor's dtype, shape and data_offsets, then the data. The
// format cannot run code, but only a validated header makes that promise
// hold: this driver applies every check of the reference implementation
// (huggingface/safetensors, tensor.rs) and reads the header, never the data.
import { readSpan, type ByteSource } from '../../byte-source.js';
import { u64 } from '../../bytes.js';
import { LimitError, MalformedError } from '../../errors.js';
import type { RuleId } from '../../report.js';
import type { FormatDriver } from '../driver.js';
import { describeModel } from './model-description.js';
import { scanJson } from '../../json/scan-json.js';
import { JSON_MAX_OPEN_KEYS, JsonError, JsonFloat, parseStrictJson, valueOffsets, type JsonValue } from '../../strict-json.js';
import type { WeightlensWasm } from '../../wasm.js';
import { HeaderSink, METADATA_KEY, type HeaderEntry } from './header-sink.js';

/** Header lengths above this cannot be real (the reference caps headers at 100 MB). */
const PLAUSIBLE_HEADER_BYTES = 2 ** 32;
/** After '{' comes a quoted key, '}' or whitespace. */
const AFTER_BRACE = new Set([0x22, 0x7d, 0x20, 0x09, 0x0a, 0x0d]);

/** The reference's MAX_HEADER_SIZE: it refuses longer headers, so they are malformed; it also bounds our read. */
export const MAX_HEADER_BYTES = 100_000_000;
/**
 * Levels serde_json parses (its budget of 128 fails on entering the 128th; safetensors 0.8.0 refuses a
 * 128-level header), which the reference inherits; a valid header nests 3 levels. Bounds our recursion.
 */
export const MAX_JSON_DEPTH = 127;
/**
 * Keys in one header object, so tensors per file. The largest real checkpoints hold around 10^5
 * in one file; each costs about 1.5 KB of memory here, so this bounds a hostile header to under 1 GB.
 */
export const MAX_TENSORS = 500_000;

/** Bits per element of every dtype the reference knows (tensor.rs `Dtype::bitsize`). */
export const DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  parameters: number;
  bytes: number;
  /** Absolute file offset of the tensor's data. */
  offset: number;
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  parameters: number;
  begin: number;
  end: number;
}

export const safetensors: FormatDriver = {
  id: 'safetensors',
  async sniff(ctx) {
    const head = await ctx.head();
    if (head.length < 10 || head[8] !== 0x7b || !AFTER_BRACE.has(head[9]!)) return null;
    const headerLength = u64(head, 0);
    // '{"' after the length is signal enough to analyse (and refuse) an absurd length such as 2^64 − 1.
    const plausible = headerLength !== undefined && headerLength >= 2 && headerLength <= PLAUSIBLE_HEADER_BYTES;
    if (!plausible && head[9] !== 0x22) return null;
    return { label: 'safetensors', details: { headerLength } };
  },

  async analyse({ source, wasm, content, siblings, findings }) {
    const { tensors } = await readSafetensorsHeader(source, wasm, content);
    const totals: Record<string, { tensors: number; parameters: number; bytes: number }> = {};
    for (const t of tensors) {
      const total = (totals[t.dtype] ??= { tensors: 0, parameters: 0, bytes: 0 });
      total.tensors++;
      total.parameters += t.parameters;
      total.bytes += t.bytes;
    }
    Object.assign(content, {
      tensors,
      totals,
      parameters: tensors.reduce((n, t) => n + t.parameters, 0),
    });
    content.metadata ??= null;
    Object.assign(content, await describeModel(tensors, source.name, siblings, findings, wasm));
    return 'complete';
  },
};

/** What a validated header holds. */
export interface SafetensorsHeader {
  /** The header length N. */
  headerBytes: number;
  /** 8 + N: where the data section starts. */
  dataOffset: number;
  metadata: Record<string, string> | null;
  /** In file order. */
  tensors: SafetensorsTensor[];
}

/**
 * Validates one safetensors file's header against every rule of the reference
 * and returns its tensors, reading the header only. Throws MalformedError (with
 * the rule broken) or LimitError. `into` receives headerBytes, dataOffset and
 * metadata as soon as they are known, so they survive a later error.
 */
export async function readSafetensorsHeader(source: ByteSource, wasm: WeightlensWasm, into: Record<string, unknown> = {}): Promise<SafetensorsHeader> {
  const prefix = await source.read(0, 8);
  const headerLength = u64(prefix, 0);
  if (headerLength === undefined || headerLength > MAX_HEADER_BYTES) {
    const declared = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
    throw new MalformedError(`header length ${declared} exceeds the reference limit of ${MAX_HEADER_BYTES} bytes (MAX_HEADER_BYTES)`, { offset: 0, length: 8 }, 'safetensors.header-too-large');
  }
  const dataOffset = 8 + headerLength;
  if (dataOffset > source.size) {
    throw new MalformedError(`header of ${headerLength} bytes runs past the end of the ${source.size}-byte file`, { offset: 0, length: 8 }, 'safetensors.header-out-of-bounds');
  }
  into.headerBytes = headerLength;
  into.dataOffset = dataOffset;

  // The header is held here whole (it is at most MAX_HEADER_BYTES): names are decoded from it and
  // duplicate-key candidates compared in it. The wasm scanner only ever sees one input window of it.
  const raw = await readSpan(source, 8, headerLength);
  const sink = new HeaderSink(raw, Object.keys(DTYPE_BITS));
  try {
    scanJson(wasm, raw, { maxDepth: MAX_JSON_DEPTH, maxObjectKeys: MAX_TENSORS }, sink);
  } catch (error) {
    if (!(error instanceof JsonError)) throw error;
    const at = 8 + error.at;
    if (error.kind === 'invalid-utf8') throw new MalformedError(`header is not valid UTF-8 (byte ${error.at} of the header)`, { offset: at }, 'safetensors.invalid-utf8');
    if (error.kind === 'too-many-keys') {
      throw new LimitError('MAX_TENSORS', MAX_TENSORS + 1, `header has more than ${MAX_TENSORS} entries in one object (${error.message} of the header)`, { offset: at });
    }
    if (error.kind === 'too-many-open-keys') throw new LimitError('JSON_MAX_OPEN_KEYS', JSON_MAX_OPEN_KEYS + 1, `header JSON: ${error.message} of the header`, { offset: at });
    const rule: RuleId = error.kind === 'duplicate-key' ? 'safetensors.duplicate-key' : error.kind === 'too-deep' ? 'safetensors.nesting-too-deep' : 'safetensors.invalid-json';
    throw new MalformedError(`header JSON: ${error.message} of the header`, { offset: at }, rule);
  }
  if (!sink.rootIsObject) throw new MalformedError('header is not a JSON object', { offset: 8 }, 'safetensors.invalid-json');

  // In header order, __metadata__ at its place: the first bad entry is the one reported.
  const entries: Entry[] = [];
  let metadata: Record<string, string> | null = null;
  const readMeta = () => {
    if (sink.metadata) into.metadata = metadata = readMetadata(sink.metadata.value, 8 + sink.metadata.start);
  };
  sink.entries.forEach((e, i) => {
    if (sink.metadata?.index === i) readMeta();
    const name = sink.nameOf(e);
    entries.push(plainEntry(name, e) ?? readEntry(name, parseStrictJson(wasm, raw.subarray(e.start, e.end), { maxDepth: MAX_JSON_DEPTH }), 8 + e.start));
  });
  if (sink.metadata?.index === sink.entries.length) readMeta();

  const dataBytes = source.size - dataOffset;
  checkLayout(entries, dataOffset, dataBytes);

  const tensors: SafetensorsTensor[] = entries.map((e) => ({
    name: e.name,
    dtype: e.dtype,
    shape: e.shape,
    parameters: e.parameters,
    bytes: e.end - e.begin,
    offset: dataOffset + e.begin,
  }));
  return { headerBytes: headerLength, dataOffset, metadata, tensors };
}

function readMetadata(value: JsonValue, at: number): Record<string, string> | null {
  // The reference reads __metadata__ as Option<HashMap<String, String>>: null is allowed.
  if (value === null) return null;
  if (!(value instanceof Map)) throw new MalformedError(`${METADATA_KEY} at file offset ${at} is not an object of strings`, { offset: at }, 'safetensors.invalid-metadata');
  const out: Record<string, string> = {};
  for (const [key, v] of value) {
    if (typeof v !== 'string') {
      const keyAt = 8 + valueOffsets.get(value)!.get(key)!;
      throw new MalformedError(`${METADATA_KEY} value for ${JSON.stringify(key)} at file offset ${keyAt} is not a string`, { offset: keyAt }, 'safetensors.invalid-metadata');
    }
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function readEntry(name: string, value: JsonValue, at: number): Entry {
  const where = { offset: at, tensor: name };
  const bad = (message: string, rule: RuleId) => new MalformedError(`${message} (header entry at file offset ${at})`, where, rule);
  const quoted = JSON.stringify(name);
  if (!(value instanceof Map)) throw bad(`tensor ${quoted} is not an object`, 'safetensors.invalid-entry');
  for (const key of ['dtype', 'shape', 'data_offsets']) {
    if (!value.has(key)) throw bad(`tensor ${quoted} has no ${key}`, 'safetensors.invalid-entry');
  }

  const dtype = value.get('dtype');
  const bits = typeof dtype === 'string' && Object.hasOwn(DTYPE_BITS, dtype) ? DTYPE_BITS[dtype]! : undefined;
  if (bits === undefined) throw bad(`tensor ${quoted} has unknown dtype ${describe(dtype)}`, 'safetensors.unknown-dtype');

  const shapeValue = value.get('shape');
  if (!Array.isArray(shapeValue) || !shapeValue.every((d) => typeof d === 'bigint' && d >= 0n)) {
    throw bad(`tensor ${quoted} has shape ${describe(shapeValue)}, not a list of non-negative integers`, 'safetensors.invalid-shape');
  }
  const dims = shapeValue as bigint[];
  // Multiply left to right as the reference does; any product past 2^53 is refused, not rounded.
  let elements = 1n;
  for (const d of dims) {
    if (d > MAX_SAFE) throw bad(`tensor ${quoted} has dimension ${d}, past 2^53`, 'safetensors.overflow');
    elements *= d;
    if (elements > MAX_SAFE) throw bad(`tensor ${quoted} with shape [${dims.join(', ')}] has more than 2^53 elements`, 'safetensors.overflow');
  }
  const totalBits = elements * BigInt(bits);
  if (totalBits / 8n > MAX_SAFE) throw bad(`tensor ${quoted} (${dtype} [${dims.join(', ')}]) is larger than 2^53 bytes`, 'safetensors.overflow');
  if (totalBits % 8n !== 0n) {
    throw bad(`tensor ${quoted} (${dtype} [${dims.join(', ')}]) is ${totalBits} bits, not a whole number of bytes`, 'safetensors.misaligned');
  }

  const offsetsValue = value.get('data_offsets');
  if (!Array.isArray(offsetsValue) || offsetsValue.length !== 2 || !offsetsValue.every((o) => typeof o === 'bigint' && o >= 0n)) {
    throw bad(`tensor ${quoted} has data_offsets ${describe(offsetsValue)}, not [begin, end]`, 'safetensors.invalid-offsets');
  }
  const [begin, end] = offsetsValue as [bigint, bigint];
  if (begin > MAX_SAFE || end > MAX_SAFE) throw bad(`tensor ${quoted} has data_offsets [${begin}, ${end}], past 2^53`, 'safetensors.overflow');
  if (end < begin) throw bad(`tensor ${quoted} has data_offsets [${begin}, ${end}]: end before begin`, 'safetensors.invalid-offsets');
  const size = totalBits / 8n;
  if (end - begin !== size) {
    throw bad(`tensor ${quoted} has data_offsets [${begin}, ${end}] (${end - begin} bytes), but ${dtype} [${dims.join(', ')}] needs ${size} bytes`, 'safetensors.size-mismatch');
  }
  return { name, dtype: dtype as string, shape: dims.map(Number), parameters: Number(elements), begin: Number(begin), end: Number(end) };
}

/**
 * The common case without bigints: an entry whose fields are a known dtype and lists of small
 * integers that check out. Anything else (undefined) goes to readEntry, which says what is wrong.
 */
function plainEntry(name: string, e: HeaderEntry): Entry | undefined {
  if (e.dtype === undefined || e.shape === undefined) return undefined;
  const bits = Object.hasOwn(DTYPE_BITS, e.dtype) ? DTYPE_BITS[e.dtype]! : undefined;
  if (bits === undefined) return undefined;
  let elements = 1;
  for (const d of e.shape) {
    elements *= d;
    if (elements > Number.MAX_SAFE_INTEGER) return undefined;
  }
  const totalBits = elements * bits;
  if (totalBits > Number.MAX_SAFE_INTEGER || totalBits % 8 !== 0) return undefined;
  if (e.stop < e.begin || e.stop - e.begin !== totalBits / 8) return undefined;
  return { name, dtype: e.dtype, shape: e.shape, parameters: elements, begin: e.begin, end: e.stop };
}

/** In offset order, the tensors tile the data section exactly: from 0, no gap, no overlap, to its end. */
function checkLayout(entries: Entry[], dataOffset: number, dataBytes: number): void {
  // The reference sorts by (begin, end); so zero-size tensors sit before a tensor at the same offset.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: Entry | undefined;
  for (const e of entries) {
    const where = { offset: dataOffset + e.begin, tensor: e.name };
    const range = `${JSON.stringify(e.name)} [${e.begin}, ${e.end}]`;
    if (e.begin < covered) {
      throw new MalformedError(`tensor ${range} overlaps tensor ${JSON.stringify(previous!.name)} [${previous!.begin}, ${previous!.end}]`, where, 'safetensors.offsets-overlap');
    }
    if (e.begin > covered) {
      const after = previous ? `after tensor ${JSON.stringify(previous.name)} [${previous.begin}, ${previous.end}]` : 'at the start of the data section';
      throw new MalformedError(`${e.begin - covered} bytes at data offset ${covered} belong to no tensor: gap ${after}, before tensor ${range}`, { ...where, offset: dataOffset + covered, length: e.begin - covered }, 'safetensors.offsets-gap');
    }
    if (e.end > dataBytes) {
      throw new MalformedError(`tensor ${range} ends past the ${dataBytes}-byte data section`, { ...where, length: e.end - e.begin }, 'safetensors.offsets-past-end');
    }
    covered = e.end;
    previous = e;
  }
  if (covered !== dataBytes) {
    const last = previous ? `after tensor ${JSON.stringify(previous.name)} [${previous.begin}, ${previous.end}]` : 'and the header names no tensor';
    throw new MalformedError(`${dataBytes - covered} bytes at data offset ${covered} belong to no tensor, ${last}: the tensors must end exactly at the end of the file`, { offset: dataOffset + covered, length: dataBytes - covered }, 'safetensors.data-not-covered');
  }
}

function describe(value: JsonValue | undefined): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? Number(v) : v instanceof JsonFloat ? Number(v.text) : v instanceof Map ? Object.fromEntries(v) : v,
  );
  return text === undefined ? 'undefined' : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
