// Sharded safetensors: model.safetensors.index.json maps each tensor name to
// the shard file holding it. A loader joins each shard name to the model's
// folder, so a name with `..`, an absolute path or a URL makes it read outside
// the folder or fetch something. This driver checks the names, opens the shards
// only through the siblings it was offered, reads only their headers (with the
// single-file validation) and checks that index and shards agree.
import { readSpan, type ByteSource } from '../../byte-source.js';
import { LimitError, MalformedError, ReadError } from '../../errors.js';
import type { Severity } from '../../report.js';
import type { SniffContext } from '../../sniff/context.js';
import type { AnalysisContext, FormatDriver } from '../driver.js';
import { MAX_JSON_DEPTH, readSafetensorsHeader, type SafetensorsTensor } from './safetensors.js';
import { JSON_MAX_OPEN_KEYS, JsonError, parseStrictJson, valueOffsets, type JsonObject, type JsonValue } from '../../strict-json.js';

/** Index files past this are not parsed (real ones are a few MB even for the largest models). */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024;
/** Distinct shards one index may name; more stop the analysis before any is opened. */
export const MAX_SHARDS = 10_000;
/** Tensor names listed in the evidence of one grouped finding. */
const EVIDENCE_NAMES = 20;

const WEIGHT_MAP_KEY = '"weight_map"';
/** UTF-8 byte-order mark: some Windows editors write it before JSON. */
const BOM = [0xef, 0xbb, 0xbf];
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const isSpace = (b: number | undefined) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/** `bom`: the file starts with a UTF-8 byte-order mark, read past as whitespace. */
type Parsed = ({ ok: true; value: JsonValue } | { ok: false; error: JsonError | 'utf8' | 'too-large' }) & { bom: boolean };

/** The parse made while sniffing, so analysis neither reads nor parses the file twice. */
const parsedBy = new WeakMap<SniffContext, Parsed>();

export interface ShardSummary {
  name: string;
  /** Whether the shard was among the files offered beside the index (unsafe names are never looked up). */
  present: boolean;
  /** `ok`, `unsafe-name`, `missing`, `malformed` (its header failed validation) or `unchecked` (a limit or read error). */
  status: 'ok' | 'unsafe-name' | 'missing' | 'malformed' | 'unchecked';
  /** Tensors the index assigns to this shard. */
  tensors: number;
  /** Bytes of the tensors in the shard's header, or null when it was not read. */
  bytes: number | null;
}

export interface IndexedTensor extends Omit<SafetensorsTensor, 'offset'> {
  /** The shard the tensor was found in. */
  shard: string;
}

export const safetensorsIndex: FormatDriver = {
  id: 'safetensors-index',
  async sniff(ctx) {
    const head = await ctx.head();
    let at = startsWithBom(head) ? BOM.length : 0;
    while (isSpace(head[at])) at++;
    if (head[at] !== 0x7b) return null;
    // Only a head that names weight_map is worth reading whole: tokenizer.json and
    // other big JSON files are not parsed just to be told apart (HF writes it in the first bytes).
    const namesWeightMap = new TextDecoder('utf-8').decode(head).includes(WEIGHT_MAP_KEY);
    if (!namesWeightMap) return null;
    const parsed = await parse(ctx);
    parsedBy.set(ctx, parsed);
    const claims = parsed.ok ? parsed.value instanceof Map && parsed.value.has('weight_map') : parsed.error !== 'utf8';
    return claims ? { label: 'safetensors index (sharded model)', details: {} } : null;
  },

  async analyse(ctx) {
    const parsed = parsedBy.get(ctx.sniffContext) ?? (await parse(ctx.sniffContext));
    if (parsed.bom) {
      ctx.findings.add(
        'safetensors.index-bom',
        "index starts with a UTF-8 byte-order mark: Python's json.load of the text (transformers, huggingface_hub) and serde_json refuse it, so those loaders cannot load the model, while fetch().json() (transformers.js) skips it; checked past the mark",
        { offset: 0, length: BOM.length },
      );
    }
    const index = readIndex(parsed, ctx.source);
    ctx.content.metadata = index.metadata;
    return checkShards(ctx, index);
  },
};

async function parse(ctx: SniffContext): Promise<Parsed> {
  const source = ctx.source;
  if (source.size > MAX_INDEX_BYTES) return { ok: false, error: 'too-large', bom: false };
  let bytes = await readSpan(source, 0, source.size);
  const bom = startsWithBom(bytes);
  if (bom) {
    // Read past the mark as whitespace, so every offset stays a file offset (a copy: the bytes may be the caller's).
    bytes = bytes.slice();
    bytes.fill(0x20, 0, BOM.length);
  }
  try {
    return { ok: true, value: parseStrictJson(ctx.wasm, bytes, { maxDepth: MAX_JSON_DEPTH }), bom };
  } catch (error) {
    if (error instanceof JsonError) return { ok: false, error: error.kind === 'invalid-utf8' ? 'utf8' : error, bom };
    throw error;
  }
}

const startsWithBom = (bytes: Uint8Array) => BOM.every((b, i) => bytes[i] === b);

interface Index {
  /** tensor name → shard name, in index order. */
  weightMap: Map<string, string>;
  totalSize: number | null;
  metadata: Record<string, unknown> | null;
}

function readIndex(parsed: Parsed, source: ByteSource): Index {
  const invalid = (message: string, offset?: number) => new MalformedError(message, offset === undefined ? {} : { offset }, 'safetensors.index-invalid');
  if (!parsed.ok) {
    if (parsed.error === 'too-large') {
      throw new LimitError('MAX_INDEX_BYTES', source.size, `index file of ${source.size} bytes is larger than ${MAX_INDEX_BYTES} bytes (MAX_INDEX_BYTES): not parsed`);
    }
    if (parsed.error === 'utf8') throw invalid('index is not valid UTF-8');
    if (parsed.error.kind === 'too-many-open-keys') throw new LimitError('JSON_MAX_OPEN_KEYS', JSON_MAX_OPEN_KEYS + 1, `index JSON: ${parsed.error.message}`, { offset: parsed.error.at });
    // transformers reads the index with Python's json, which nests far deeper: our bound, not the file's fault
    if (parsed.error.kind === 'too-deep') throw new LimitError('MAX_JSON_DEPTH', MAX_JSON_DEPTH + 1, `index JSON: ${parsed.error.message} (MAX_JSON_DEPTH): not read further`, { offset: parsed.error.at });
    throw invalid(`index JSON: ${parsed.error.message}`, parsed.error.at);
  }
  const root = parsed.value;
  if (!(root instanceof Map)) throw invalid('index is not a JSON object', 0);
  const offsets = valueOffsets.get(root)!;

  const map = root.get('weight_map');
  if (!(map instanceof Map)) throw invalid('weight_map is not an object mapping tensor names to shard file names', offsets.get('weight_map'));
  const mapOffsets = valueOffsets.get(map)!;
  const weightMap = new Map<string, string>();
  for (const [tensor, shard] of map) {
    if (typeof shard !== 'string' || shard === '') {
      throw new MalformedError(`weight_map entry ${JSON.stringify(tensor)} is not a shard file name`, { offset: mapOffsets.get(tensor)!, tensor }, 'safetensors.index-invalid');
    }
    weightMap.set(tensor, shard);
  }

  let totalSize: number | null = null;
  let metadata: Record<string, unknown> | null = null;
  if (root.has('metadata')) {
    const value = root.get('metadata')!;
    if (value !== null && !(value instanceof Map)) throw invalid('metadata is not an object', offsets.get('metadata'));
    if (value instanceof Map) {
      metadata = plain(value) as Record<string, unknown>;
      if (value.has('total_size')) {
        const size = value.get('total_size');
        if (typeof size !== 'bigint' || size < 0n || size > MAX_SAFE) {
          throw invalid('metadata.total_size is not a non-negative integer below 2^53', valueOffsets.get(value)!.get('total_size'));
        }
        totalSize = Number(size);
      }
    }
  }
  return { weightMap, totalSize, metadata };
}

/** Why a shard name must not be joined to the model's folder; null when it is a plain file name. */
export function unsafeShardName(name: string): { severity: Severity; reason: string } | null {
  if (name.includes('\0')) return { severity: 'critical', reason: 'contains a NUL byte' };
  if (name.includes('://')) return { severity: 'critical', reason: 'is a URL' };
  if (name.includes('\\')) return { severity: 'critical', reason: 'contains a backslash (a Windows path separator or UNC path)' };
  if (/^[A-Za-z]:/.test(name)) return { severity: 'critical', reason: 'starts with a drive letter' };
  if (name.startsWith('/')) return { severity: 'critical', reason: 'is an absolute path' };
  if (name.split('/').includes('..')) return { severity: 'critical', reason: "climbs out of the model's folder with '..'" };
  if (name.includes('/')) return { severity: 'high', reason: 'names a file in a subfolder' };
  return null;
}

async function checkShards(ctx: AnalysisContext, index: Index): Promise<'complete'> {
  const { findings, siblings, content } = ctx;
  const assigned = new Map<string, string[]>(); // shard → tensors the index puts there
  for (const [tensor, shard] of index.weightMap) {
    const list = assigned.get(shard);
    if (list) list.push(tensor);
    else assigned.set(shard, [tensor]);
  }
  const shards: ShardSummary[] = [...assigned].map(([name, tensors]) => ({ name, present: false, status: 'unchecked', tensors: tensors.length, bytes: null }));
  content.shards = shards;

  const safe: ShardSummary[] = [];
  for (const shard of shards) {
    const unsafe = unsafeShardName(shard.name);
    if (!unsafe) {
      safe.push(shard);
      continue;
    }
    shard.status = 'unsafe-name';
    const names = assigned.get(shard.name)!;
    findings.add(
      'safetensors.index-unsafe-shard-name',
      `shard name ${JSON.stringify(shard.name)} ${unsafe.reason}: a loader joining it to the model's folder reads ${unsafe.severity === 'critical' ? 'outside that folder' : 'a file in a subfolder'}; not opened`,
      { tensor: names[0]! },
      { shard: shard.name, tensors: names.length },
      unsafe.severity,
    );
  }
  if (safe.length > MAX_SHARDS) {
    throw new LimitError('MAX_SHARDS', safe.length, `index names ${safe.length} shards, more than ${MAX_SHARDS} (MAX_SHARDS): none was opened`);
  }

  const available = new Set(await siblings.names());
  const found = new Map<string, { tensor: SafetensorsTensor; shard: string }[]>(); // tensor → where it is
  const extra = new Map<string, string[]>(); // shard → tensors the index does not list
  let computed = 0;
  for (const shard of safe) {
    const source = available.has(shard.name) ? await siblings.open(shard.name) : undefined;
    if (!source) {
      shard.status = 'missing';
      findings.add('safetensors.index-missing-shard', `shard ${JSON.stringify(shard.name)} is not beside the index: the model cannot be loaded as shipped, and the missing part was not checked`, { tensor: assigned.get(shard.name)![0]! }, { shard: shard.name, tensors: shard.tensors });
      continue;
    }
    shard.present = true;
    let tensors: SafetensorsTensor[];
    try {
      ({ tensors } = await readSafetensorsHeader(source, ctx.wasm));
    } catch (error) {
      if (error instanceof MalformedError) {
        shard.status = 'malformed';
        findings.add('safetensors.index-shard-malformed', `shard ${JSON.stringify(shard.name)} fails ${error.rule}: ${error.message}`, {}, { shard: shard.name, rule: error.rule });
        continue;
      }
      if (error instanceof LimitError || error instanceof ReadError) {
        findings.add(error instanceof LimitError ? 'scan.limit-reached' : 'scan.read-error', `shard ${JSON.stringify(shard.name)} not checked: ${error.message}`, {}, { shard: shard.name });
        continue;
      }
      throw error;
    }
    shard.status = 'ok';
    shard.bytes = tensors.reduce((n, t) => n + t.bytes, 0);
    computed += shard.bytes;
    for (const tensor of tensors) {
      if (!index.weightMap.has(tensor.name)) {
        const list = extra.get(shard.name);
        if (list) list.push(tensor.name);
        else extra.set(shard.name, [tensor.name]);
      }
      const places = found.get(tensor.name);
      if (places) places.push({ tensor, shard: shard.name });
      else found.set(tensor.name, [{ tensor, shard: shard.name }]);
    }
  }

  const checked = new Set(shards.filter((s) => s.status === 'ok').map((s) => s.name));
  const missing = new Map<string, string[]>(); // shard → indexed tensors it lacks
  const elsewhere: { tensor: string; named: string; in: string[] }[] = [];
  const duplicated: { tensor: string; in: string[] }[] = [];
  const table: IndexedTensor[] = [];
  for (const [name, shard] of index.weightMap) {
    const places = found.get(name) ?? [];
    const inNamed = places.find((p) => p.shard === shard);
    if (places.length > 1) duplicated.push({ tensor: name, in: places.map((p) => p.shard) });
    if (!inNamed && places.length > 0) elsewhere.push({ tensor: name, named: shard, in: places.map((p) => p.shard) });
    if (!inNamed && places.length === 0 && checked.has(shard)) {
      const list = missing.get(shard);
      if (list) list.push(name);
      else missing.set(shard, [name]);
    }
    const at = inNamed ?? places[0];
    if (at) {
      const { offset: _offset, ...rest } = at.tensor;
      table.push({ ...rest, shard: at.shard });
    }
  }
  for (const [shard, names] of missing) {
    findings.add('safetensors.index-tensor-missing', `shard ${JSON.stringify(shard)} lacks ${count(names)} the index puts there: ${list(names)}`, { tensor: names[0]! }, { shard, tensors: names.slice(0, EVIDENCE_NAMES), count: names.length });
  }
  for (const e of elsewhere.slice(0, EVIDENCE_NAMES)) {
    findings.add('safetensors.index-tensor-elsewhere', `tensor ${JSON.stringify(e.tensor)} is indexed in shard ${JSON.stringify(e.named)} but found in ${e.in.map((s) => JSON.stringify(s)).join(', ')}`, { tensor: e.tensor }, { shard: e.named, foundIn: e.in });
  }
  if (elsewhere.length > EVIDENCE_NAMES) {
    findings.add('safetensors.index-tensor-elsewhere', `${elsewhere.length - EVIDENCE_NAMES} more tensors are found in a shard other than the one the index names`, {}, { count: elsewhere.length });
  }
  for (const d of duplicated.slice(0, EVIDENCE_NAMES)) {
    findings.add('safetensors.index-tensor-duplicate', `tensor ${JSON.stringify(d.tensor)} is in ${d.in.length} shards (${d.in.map((s) => JSON.stringify(s)).join(', ')}): loaders disagree on which copy wins`, { tensor: d.tensor }, { foundIn: d.in });
  }
  if (duplicated.length > EVIDENCE_NAMES) {
    findings.add('safetensors.index-tensor-duplicate', `${duplicated.length - EVIDENCE_NAMES} more tensors are in more than one shard`, {}, { count: duplicated.length });
  }
  for (const [shard, names] of extra) {
    findings.add('safetensors.index-extra-tensor', `shard ${JSON.stringify(shard)} holds ${count(names)} the index does not list: ${list(names)}`, { tensor: names[0]! }, { shard, tensors: names.slice(0, EVIDENCE_NAMES), count: names.length });
  }

  const complete = shards.every((s) => s.status === 'ok');
  if (complete && index.totalSize !== null && index.totalSize !== computed) {
    findings.add('safetensors.index-total-size', `metadata.total_size is ${index.totalSize} bytes, but the shards' tensors hold ${computed} bytes`, {}, { declared: index.totalSize, computed });
  }
  Object.assign(content, {
    tensors: table,
    parameters: table.reduce((n, t) => n + t.parameters, 0),
    totalSize: { declared: index.totalSize, computed: complete ? computed : null },
  });
  return 'complete';
}

const count = (names: string[]) => (names.length === 1 ? '1 tensor' : `${names.length} tensors`);
const list = (names: string[]) => names.slice(0, 5).map((n) => JSON.stringify(n)).join(', ') + (names.length > 5 ? ', …' : '');

/** JSON-ready copy of a parsed value: objects as records, integers as numbers where exact, else strings. */
function plain(value: JsonValue): unknown {
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value as JsonObject) Object.defineProperty(out, k, { value: plain(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'bigint') return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value.toString();
  if (value !== null && typeof value === 'object') return Number(value.text);
  return value;
}
