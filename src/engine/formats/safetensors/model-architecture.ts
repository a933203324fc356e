// What model a tensor table holds, read from the tensor names and shapes and
// from a config.json beside the file, without any network. The name patterns
// are plain data below, one row per naming family, tried top to bottom. Many
// models share one naming (Llama, Mistral, Qwen2 and Gemma all write
// model.layers.N.self_attn.q_proj): such rows say "-like" rather than guess.
import type { FindingList } from '../driver.js';
import type { Siblings } from '../../siblings.js';
import { JsonError, parseStrictJson, type JsonObject, type JsonValue } from '../../strict-json.js';
import type { WeightlensWasm } from '../../wasm.js';
import type { TensorSummary } from './quantisation.js';

/** config.json files are a few KiB; a larger one is not read. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** A config.json nests a few levels; deeper is refused. */
export const MAX_CONFIG_DEPTH = 64;
export const CONFIG_NAME = 'config.json';

interface FamilyRow {
  readonly family: string;
  readonly note: string;
  /** Any tensor name matching this identifies the family. */
  readonly marker: RegExp;
  /** Captures the block index; layers = highest index + 1. */
  readonly layer: RegExp;
  /** The token embedding, [vocab, hidden]. */
  readonly embedding: RegExp;
  /** A projection whose `hiddenAxis` dimension is the hidden size (used when no embedding is present). */
  readonly projection: RegExp;
  readonly hiddenAxis: number;
  /** The output layer, when the family has one. */
  readonly lmHead?: RegExp;
  /** config.json model_type values whose checkpoints use this naming; another family's type is a mismatch. */
  readonly modelTypes: readonly string[];
}

export const FAMILIES: readonly FamilyRow[] = [
  {
    family: 'phi-3-like',
    note: 'Phi-3 naming: fused qkv_proj and gate_up_proj under model.layers.N',
    marker: /^model\.layers\.\d+\.self_attn\.qkv_proj\./,
    layer: /^model\.layers\.(\d+)\./,
    embedding: /^model\.embed_tokens\.weight$/,
    projection: /^model\.layers\.\d+\.self_attn\.qkv_proj\.weight$/,
    hiddenAxis: 1,
    lmHead: /^lm_head\.weight$/,
    modelTypes: ['phi3'],
  },
  {
    family: 'phi',
    note: 'Phi-1/1.5/2 naming (self_attn.dense, mlp.fc1 under model.layers.N)',
    marker: /^model\.layers\.\d+\.self_attn\.dense\./,
    layer: /^model\.layers\.(\d+)\./,
    embedding: /^model\.embed_tokens\.weight$/,
    projection: /^model\.layers\.\d+\.self_attn\.q_proj\.weight$/,
    hiddenAxis: 1,
    lmHead: /^lm_head\.weight$/,
    modelTypes: ['phi'],
  },
  {
    family: 'llama-like',
    note: 'model.layers.N.self_attn.q_proj naming, shared by Llama, Mistral, Mixtral, Qwen2, Gemma and others: the names alone cannot tell them apart',
    marker: /^model\.layers\.\d+\.self_attn\.q_proj\./,
    layer: /^model\.layers\.(\d+)\./,
    embedding: /^model\.embed_tokens\.weight$/,
    projection: /^model\.layers\.\d+\.self_attn\.q_proj\.weight$/,
    hiddenAxis: 1,
    lmHead: /^lm_head\.weight$/,
    modelTypes: ['llama', 'mistral', 'mixtral', 'qwen2', 'qwen2_moe', 'qwen3', 'qwen3_moe', 'gemma', 'gemma2', 'gemma3_text', 'starcoder2', 'stablelm', 'granite', 'olmo', 'olmo2', 'cohere'],
  },
  {
    family: 'gpt-neox',
    note: 'GPT-NeoX naming (gpt_neox.layers.N), used by Pythia and GPT-NeoX-20B',
    marker: /^gpt_neox\.layers\.\d+\./,
    layer: /^gpt_neox\.layers\.(\d+)\./,
    embedding: /^gpt_neox\.embed_in\.weight$/,
    projection: /^gpt_neox\.layers\.\d+\.attention\.query_key_value\.weight$/,
    hiddenAxis: 1,
    lmHead: /^embed_out\.weight$/,
    modelTypes: ['gpt_neox'],
  },
  {
    family: 'falcon',
    note: 'Falcon naming (transformer.h.N.self_attention)',
    marker: /^transformer\.h\.\d+\.self_attention\./,
    layer: /^transformer\.h\.(\d+)\./,
    embedding: /^transformer\.word_embeddings\.weight$/,
    projection: /^transformer\.h\.\d+\.self_attention\.query_key_value\.weight$/,
    hiddenAxis: 1,
    lmHead: /^lm_head\.weight$/,
    modelTypes: ['falcon', 'RefinedWeb', 'RefinedWebModel'],
  },
  {
    family: 'gpt2-like',
    note: 'GPT-2 naming (h.N.attn.c_attn, Conv1D weights stored [in, out]), shared by GPT-BigCode/StarCoder',
    marker: /^(?:transformer\.)?h\.\d+\.attn\.c_attn\./,
    layer: /^(?:transformer\.)?h\.(\d+)\./,
    embedding: /^(?:transformer\.)?wte\.weight$/,
    projection: /^(?:transformer\.)?h\.\d+\.attn\.c_attn\.weight$/,
    hiddenAxis: 0,
    lmHead: /^lm_head\.weight$/,
    modelTypes: ['gpt2', 'gpt_bigcode'],
  },
  {
    family: 'bert-like',
    note: 'BERT naming (encoder.layer.N.attention.self.query), shared by RoBERTa, ELECTRA and others',
    marker: /^(?:\w+\.)?encoder\.layer\.\d+\.attention\.self\.query\./,
    layer: /^(?:\w+\.)?encoder\.layer\.(\d+)\./,
    embedding: /^(?:\w+\.)?embeddings\.word_embeddings\.weight$/,
    projection: /^(?:\w+\.)?encoder\.layer\.\d+\.attention\.self\.query\.weight$/,
    hiddenAxis: 1,
    modelTypes: ['bert', 'roberta', 'xlm-roberta', 'electra', 'camembert'],
  },
  {
    family: 't5-like',
    note: 'T5 naming (encoder.block.N / decoder.block.N), shared by mT5 and Flan-T5; layers counts encoder blocks',
    marker: /^encoder\.block\.\d+\./,
    layer: /^encoder\.block\.(\d+)\./,
    embedding: /^shared\.weight$/,
    projection: /^encoder\.block\.\d+\.layer\.0\.SelfAttention\.q\.weight$/,
    hiddenAxis: 1,
    lmHead: /^lm_head\.weight$/,
    modelTypes: ['t5', 'mt5', 'umt5'],
  },
];

/**
 * Multimodal and wrapped checkpoints keep the language model under a prefix
 * (LLaVA, Gemma 3, Mllama: language_model.model.layers.N before transformers
 * 4.52, model.language_model.layers.N since; Idefics3: model.text_model.layers.N).
 * Names under a prefix are read as written here; the others (vision tower,
 * projector, a top-level lm_head) are left as they are.
 */
export const WRAPPERS: readonly { readonly prefix: string; readonly as: string }[] = [
  { prefix: 'model.language_model.', as: 'model.' },
  { prefix: 'language_model.', as: '' },
  { prefix: 'model.text_model.', as: 'model.' },
];

/** What the tensor names and shapes say. */
export interface TensorArchitecture {
  family: string;
  note: string;
  /** The wrapper the language model's tensors sit under (language_model.), when there is one. */
  prefix?: string;
  layers?: number;
  hiddenSize?: number;
  vocabSize?: number;
  /** Whether a separate output layer tensor exists; absent for families without one (encoders). */
  lmHead?: boolean;
}

/** Family and sizes from the tensor table; undefined when no family's naming matches, wrapped or not. */
export function architectureFromTensors(tensors: readonly TensorSummary[]): TensorArchitecture | undefined {
  for (const w of WRAPPERS) {
    if (!tensors.some((t) => t.name.startsWith(w.prefix))) continue;
    const unwrapped = tensors.map((t) => (t.name.startsWith(w.prefix) ? { ...t, name: w.as + t.name.slice(w.prefix.length) } : t));
    const found = readNaming(unwrapped);
    if (found) return { ...found, prefix: w.prefix, note: `${found.note}; the language model's tensors are under ${w.prefix}` };
  }
  return readNaming(tensors);
}

function readNaming(tensors: readonly TensorSummary[]): TensorArchitecture | undefined {
  const row = FAMILIES.find((f) => tensors.some((t) => f.marker.test(t.name)));
  if (!row) return undefined;
  const out: TensorArchitecture = { family: row.family, note: row.note };
  let top = -1;
  for (const t of tensors) {
    const m = row.layer.exec(t.name);
    if (m) top = Math.max(top, Number(m[1]));
  }
  if (top >= 0) out.layers = top + 1;
  const embedding = tensors.find((t) => row.embedding.test(t.name) && t.shape.length === 2);
  const projection = tensors.find((t) => row.projection.test(t.name) && t.shape.length === 2);
  if (embedding) {
    out.vocabSize = embedding.shape[0];
    out.hiddenSize = embedding.shape[1];
  } else if (projection) {
    out.hiddenSize = projection.shape[row.hiddenAxis];
  }
  if (row.lmHead) out.lmHead = tensors.some((t) => row.lmHead!.test(t.name));
  return out;
}

/** The family whose naming a config.json model_type is known to use. */
export function familyOfModelType(modelType: string): string | undefined {
  return FAMILIES.find((f) => f.modelTypes.includes(modelType))?.family;
}

/** The facts of config.json Weightlens reads; each is absent when the config lacks it or has the wrong type. */
export interface ConfigFacts {
  modelType?: string;
  /** text_config.model_type of a wrapped model (LLaVA's "llama"). */
  textModelType?: string;
  architectures?: string[];
  layers?: number;
  hiddenSize?: number;
  vocabSize?: number;
  tiedEmbeddings?: boolean;
  torchDtype?: string;
  quantMethod?: string;
}

/** config.json keys per fact, first present wins (GPT-2 writes n_layer/n_embd, T5 num_layers/d_model). */
export const CONFIG_KEYS = {
  layers: ['num_hidden_layers', 'n_layer', 'num_layers'],
  hiddenSize: ['hidden_size', 'n_embd', 'd_model'],
  vocabSize: ['vocab_size'],
} as const;

const asInt = (v: JsonValue | undefined) => (typeof v === 'bigint' && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined);
const asString = (v: JsonValue | undefined) => (typeof v === 'string' ? v : undefined);

/**
 * A wrapped model (LLaVA, Gemma 3, Mllama) describes its language model in a
 * nested text_config: its facts are read there when the top level lacks them.
 */
export function factsFromConfig(config: JsonObject): ConfigFacts {
  const text = config.get('text_config');
  const nested = text instanceof Map ? text : undefined;
  const get = (key: string) => (config.has(key) ? config.get(key) : nested?.get(key));
  const has = (key: string) => config.has(key) || nested?.has(key) === true;
  const out: ConfigFacts = {};
  const modelType = asString(config.get('model_type'));
  if (modelType !== undefined) out.modelType = modelType;
  const textModelType = asString(nested?.get('model_type'));
  if (textModelType !== undefined) out.textModelType = textModelType;
  const architectures = config.get('architectures');
  if (Array.isArray(architectures) && architectures.every((a) => typeof a === 'string')) out.architectures = architectures as string[];
  for (const fact of ['layers', 'hiddenSize', 'vocabSize'] as const) {
    const key = CONFIG_KEYS[fact].find(has);
    const value = key === undefined ? undefined : asInt(get(key));
    if (value !== undefined) out[fact] = value;
  }
  const tied = get('tie_word_embeddings');
  if (typeof tied === 'boolean') out.tiedEmbeddings = tied;
  const dtype = asString(get('torch_dtype')) ?? asString(get('dtype'));
  if (dtype !== undefined) out.torchDtype = dtype;
  const quant = config.get('quantization_config');
  const method = quant instanceof Map ? asString(quant.get('quant_method')) : undefined;
  if (method !== undefined) out.quantMethod = method;
  return out;
}

/** Reads config.json beside the file: its facts, or undefined (with an info finding when it exists but cannot be used). */
export async function readConfigSibling(siblings: Siblings, findings: FindingList, wasm: WeightlensWasm): Promise<ConfigFacts | undefined> {
  if (!(await siblings.names()).includes(CONFIG_NAME)) return undefined;
  const source = await siblings.open(CONFIG_NAME);
  if (!source) return undefined;
  const unreadable = (why: string) => {
    findings.add('safetensors.config-unreadable', `${CONFIG_NAME} beside the file was not used: ${why}`, {}, { sibling: CONFIG_NAME });
    return undefined;
  };
  if (source.size > MAX_CONFIG_BYTES) return unreadable(`it is ${source.size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit (MAX_CONFIG_BYTES)`);
  let config: JsonValue;
  try {
    const bytes = await source.read(0, source.size);
    config = parseStrictJson(wasm, bytes, { maxDepth: MAX_CONFIG_DEPTH });
  } catch (error) {
    if (error instanceof JsonError) return unreadable(error.kind === 'invalid-utf8' ? 'it is not valid UTF-8' : `invalid JSON, ${error.message}`);
    return unreadable(`it could not be read (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!(config instanceof Map)) return unreadable('it is not a JSON object');
  return factsFromConfig(config);
}

export type FactSource = 'config.json' | 'tensors' | 'both';

/** One fact and where it came from; `tensors` holds the tensors' differing value when config.json and tensors disagree. */
export interface Fact<T> {
  value: T;
  source: FactSource;
  tensors?: T;
}

export interface Architecture {
  family?: Fact<string> & { note: string; prefix?: string };
  modelType?: Fact<string>;
  textModelType?: Fact<string>;
  architectures?: Fact<string[]>;
  layers?: Fact<number>;
  hiddenSize?: Fact<number>;
  vocabSize?: Fact<number>;
  lmHead?: Fact<boolean>;
  tiedEmbeddings?: Fact<boolean>;
  torchDtype?: Fact<string>;
  quantMethod?: Fact<string>;
}

const FACT_WORDS = { layers: 'layers', hiddenSize: 'hidden size', vocabSize: 'vocabulary size (embedding rows)' } as const;

/**
 * Merges the two readings: config.json wins (loaders build the model from it), the
 * tensors' value is kept when they differ, and each difference is a finding.
 * `partial` (one shard of a sharded model) holds only some layers, so fewer layers
 * than the config is expected there, and a missing lm_head says nothing of tying.
 */
export function mergeArchitecture(fromTensors: TensorArchitecture | undefined, config: ConfigFacts | undefined, partial: boolean, findings: FindingList): Architecture | undefined {
  if (!fromTensors && !config) return undefined;
  const out: Architecture = {};
  if (fromTensors) {
    out.family = { value: fromTensors.family, source: 'tensors', note: fromTensors.note };
    if (fromTensors.prefix !== undefined) out.family.prefix = fromTensors.prefix;
  }
  if (config?.modelType !== undefined) out.modelType = { value: config.modelType, source: 'config.json' };
  if (config?.textModelType !== undefined) out.textModelType = { value: config.textModelType, source: 'config.json' };
  // The language model's type (text_config's in a wrapped model) against the naming of the tensors.
  const modelType = config?.textModelType ?? config?.modelType;
  const expected = modelType === undefined ? undefined : familyOfModelType(modelType);
  if (fromTensors && expected !== undefined && expected !== fromTensors.family) {
    const key = config?.textModelType !== undefined ? 'text_config.model_type' : 'model_type';
    findings.add(
      'safetensors.config-mismatch',
      `${CONFIG_NAME} says ${key} ${JSON.stringify(modelType)} (${expected} naming), the tensor names follow ${fromTensors.family} naming`,
      {},
      { sibling: CONFIG_NAME, fact: 'modelType', config: modelType!, tensors: fromTensors.family },
    );
  }
  if (config?.architectures !== undefined) out.architectures = { value: config.architectures, source: 'config.json' };
  for (const key of ['layers', 'hiddenSize', 'vocabSize'] as const) {
    const t = fromTensors?.[key];
    const c = config?.[key];
    if (c === undefined && t === undefined) continue;
    if (c === undefined) out[key] = { value: t!, source: 'tensors' };
    else if (t === undefined) out[key] = { value: c, source: 'config.json' };
    else if (c === t || (key === 'layers' && partial && t < c)) out[key] = { value: c, source: c === t ? 'both' : 'config.json' };
    else {
      out[key] = { value: c, source: 'config.json', tensors: t };
      findings.add('safetensors.config-mismatch', `${CONFIG_NAME} says ${FACT_WORDS[key]} ${c}, the tensors show ${t}`, {}, { sibling: CONFIG_NAME, fact: key, config: c, tensors: t });
    }
  }
  if (fromTensors?.lmHead !== undefined) out.lmHead = { value: fromTensors.lmHead, source: 'tensors' };
  if (config?.tiedEmbeddings !== undefined) out.tiedEmbeddings = { value: config.tiedEmbeddings, source: 'config.json' };
  else if (fromTensors?.lmHead !== undefined && fromTensors.vocabSize !== undefined && !partial) out.tiedEmbeddings = { value: !fromTensors.lmHead, source: 'tensors' };
  if (config?.torchDtype !== undefined) out.torchDtype = { value: config.torchDtype, source: 'config.json' };
  if (config?.quantMethod !== undefined) out.quantMethod = { value: config.quantMethod, source: 'config.json' };
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A shard of a sharded model: named like one, or beside an index. */
export async function isShard(name: string, siblings: Siblings): Promise<boolean> {
  if (/-\d+-of-\d+\.safetensors$/i.test(name)) return true;
  return (await siblings.names()).some((n) => n.endsWith('.safetensors.index.json'));
}

/** Everything the driver needs: the architecture (tensor names + config.json), with findings for disagreements. */
export async function describeArchitecture(tensors: readonly TensorSummary[], name: string, siblings: Siblings, findings: FindingList, wasm: WeightlensWasm): Promise<Architecture | undefined> {
  const config = await readConfigSibling(siblings, findings, wasm);
  return mergeArchitecture(architectureFromTensors(tensors), config, await isShard(name, siblings), findings);
}
