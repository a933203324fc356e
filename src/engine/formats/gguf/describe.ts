// The model a GGUF file describes, from its metadata: general.* facts, the
// architecture's hyper-parameters (<arch>.* keys) and the tokenizer.
import type { MetadataEntry } from './header.js';
import { scalarJson, summarise, type JsonScalar, type SummaryValue } from './metadata.js';

/** llama.cpp's llama_ftype (general.file_type): the quantisation the file was made with. */
const FILE_TYPES: Readonly<Record<number, string>> = {
  0: 'ALL_F32', 1: 'MOSTLY_F16', 2: 'MOSTLY_Q4_0', 3: 'MOSTLY_Q4_1', 4: 'MOSTLY_Q4_1_SOME_F16', 7: 'MOSTLY_Q8_0', 8: 'MOSTLY_Q5_0',
  9: 'MOSTLY_Q5_1', 10: 'MOSTLY_Q2_K', 11: 'MOSTLY_Q3_K_S', 12: 'MOSTLY_Q3_K_M', 13: 'MOSTLY_Q3_K_L', 14: 'MOSTLY_Q4_K_S',
  15: 'MOSTLY_Q4_K_M', 16: 'MOSTLY_Q5_K_S', 17: 'MOSTLY_Q5_K_M', 18: 'MOSTLY_Q6_K', 19: 'MOSTLY_IQ2_XXS', 20: 'MOSTLY_IQ2_XS',
  21: 'MOSTLY_Q2_K_S', 22: 'MOSTLY_IQ3_XS', 23: 'MOSTLY_IQ3_XXS', 24: 'MOSTLY_IQ1_S', 25: 'MOSTLY_IQ4_NL', 26: 'MOSTLY_IQ3_S',
  27: 'MOSTLY_IQ3_M', 28: 'MOSTLY_IQ2_S', 29: 'MOSTLY_IQ2_M', 30: 'MOSTLY_IQ4_XS', 31: 'MOSTLY_IQ1_M', 32: 'MOSTLY_BF16',
  36: 'MOSTLY_TQ1_0', 37: 'MOSTLY_TQ2_0', 38: 'MOSTLY_MXFP4_MOE', 1024: 'GUESSED',
};

/** general.* keys shown as model facts (the rest stay in `metadata`). */
const GENERAL_FACTS = ['name', 'basename', 'finetune', 'size_label', 'type', 'organization', 'version', 'license', 'quantization_version', 'file_type'];

export interface ModelDescription {
  architecture: { name: string | null; fileType: string | null } & Record<string, JsonScalar>;
  hyperParameters: Record<string, SummaryValue>;
  tokenizer: Tokenizer | null;
}

interface Tokenizer {
  model: string | null;
  pre: string | null;
  vocabSize: number | null;
  merges: number | null;
  specialTokens: Record<string, JsonScalar>;
  addBos: boolean | null;
  addEos: boolean | null;
}

export function describeModel(entries: readonly MetadataEntry[]): ModelDescription {
  const byKey = new Map(entries.map((e) => [e.key, e.value]));
  const scalar = (key: string): JsonScalar => {
    const v = byKey.get(key);
    if (!v) return null;
    if (v.type === 'string') return v.value.text;
    if (v.type === 'array') return null;
    return scalarJson(v.value);
  };
  const archValue = scalar('general.architecture');
  const arch = typeof archValue === 'string' ? archValue : null;
  const fileTypeId = scalar('general.file_type');
  const architecture: ModelDescription['architecture'] = {
    name: arch,
    fileType: typeof fileTypeId === 'number' ? (FILE_TYPES[fileTypeId] ?? `unknown(${fileTypeId})`) : null,
  };
  for (const fact of GENERAL_FACTS) {
    const v = scalar(`general.${fact}`);
    if (v !== null && fact !== 'file_type') architecture[fact === 'name' ? 'modelName' : camel(fact)] = v;
  }

  // Every <arch>.* key: context_length, embedding_length, block_count, attention.head_count …
  const hyperParameters: Record<string, SummaryValue> = {};
  if (arch) {
    const prefix = `${arch}.`;
    for (const e of entries) if (e.key.startsWith(prefix)) hyperParameters[e.key.slice(prefix.length)] = summarise(e.value);
  }

  const tokens = byKey.get('tokenizer.ggml.tokens');
  const merges = byKey.get('tokenizer.ggml.merges');
  const hasTokenizer = entries.some((e) => e.key.startsWith('tokenizer.'));
  let tokenizer: Tokenizer | null = null;
  if (hasTokenizer) {
    const specialTokens: Record<string, JsonScalar> = {};
    for (const e of entries) {
      const m = /^tokenizer\.ggml\.([a-z_]+)_token_id$/.exec(e.key);
      if (m && e.value.type !== 'array' && e.value.type !== 'string') specialTokens[m[1]!] = scalarJson(e.value.value);
    }
    const bool = (key: string) => {
      const v = byKey.get(key);
      return v?.type === 'bool' ? (v.value as boolean) : null;
    };
    const text = (key: string) => {
      const v = scalar(key);
      return typeof v === 'string' ? v : null;
    };
    tokenizer = {
      model: text('tokenizer.ggml.model'),
      pre: text('tokenizer.ggml.pre'),
      vocabSize: tokens?.type === 'array' ? tokens.value.length : null,
      merges: merges?.type === 'array' ? merges.value.length : null,
      specialTokens,
      addBos: bool('tokenizer.ggml.add_bos_token'),
      addEos: bool('tokenizer.ggml.add_eos_token'),
    };
  }
  return { architecture, hyperParameters, tokenizer };
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
