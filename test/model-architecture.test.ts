// Architecture and quantisation read from tensor names (and config.json beside
// the file), on hand-built tensor tables and small hand-built safetensors files.
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { FindingList } from '../src/engine/formats/driver.js';
import { architectureFromTensors, MAX_CONFIG_DEPTH, mergeArchitecture } from '../src/engine/formats/safetensors/model-architecture.js';
import { detectQuantisation, type TensorSummary } from '../src/engine/formats/safetensors/quantisation.js';
import { scanSource } from '../src/engine/scan.js';
import { BlobSiblings, type Siblings } from '../src/engine/siblings.js';
import { concat, wasm } from './helpers.js';

type Row = [name: string, dtype: string, shape: number[]];
const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I32: 4, I16: 2, U8: 1, F8_E4M3: 1, F8_E5M2: 1, I64: 8 };

const table = (rows: Row[]): TensorSummary[] => rows.map(([name, dtype, shape]) => ({ name, dtype, shape }));

/** A valid safetensors file holding these tensors back to back (zero bytes of data). */
function st(rows: Row[]): Uint8Array {
  const header: Record<string, object> = {};
  let at = 0;
  for (const [name, dtype, shape] of rows) {
    const size = shape.reduce((a, b) => a * b, 1) * BYTES[dtype]!;
    header[name] = { dtype, shape, data_offsets: [at, at + size] };
    at += size;
  }
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (text.length % 8)) % 8);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(text.length), true);
  return concat(length, text, new Uint8Array(at));
}

async function scan(rows: Row[], siblings?: Siblings, name = 'model.safetensors') {
  return scanSource(new MemoryByteSource(st(rows), name), { wasm: await wasm(), siblings });
}

const withConfig = (config: string | object) => new BlobSiblings([['config.json', new Blob([typeof config === 'string' ? config : JSON.stringify(config)])]]);

/** A tiny llama-like model: 2 layers, hidden 8, vocab 16, with lm_head. */
const LLAMA: Row[] = [
  ['model.embed_tokens.weight', 'F16', [16, 8]],
  ...[0, 1].flatMap((i): Row[] => [
    [`model.layers.${i}.self_attn.q_proj.weight`, 'F16', [8, 8]],
    [`model.layers.${i}.self_attn.k_proj.weight`, 'F16', [4, 8]],
    [`model.layers.${i}.mlp.gate_proj.weight`, 'F16', [12, 8]],
  ]),
  ['model.norm.weight', 'F16', [8]],
  ['lm_head.weight', 'F16', [16, 8]],
];

describe('architecture from tensor names', () => {
  it.each<[string, Row[], object]>([
    ['llama-like', LLAMA, { family: 'llama-like', layers: 2, hiddenSize: 8, vocabSize: 16, lmHead: true }],
    [
      'gpt2-like',
      [['wte.weight', 'F32', [50, 6]], ['wpe.weight', 'F32', [10, 6]], ['h.0.attn.c_attn.weight', 'F32', [6, 18]], ['h.2.attn.c_attn.weight', 'F32', [6, 18]], ['h.2.mlp.c_fc.weight', 'F32', [6, 24]]],
      { family: 'gpt2-like', layers: 3, hiddenSize: 6, vocabSize: 50, lmHead: false },
    ],
    [
      'bert-like',
      [['bert.embeddings.word_embeddings.weight', 'F32', [30, 4]], ['bert.encoder.layer.0.attention.self.query.weight', 'F32', [4, 4]], ['bert.encoder.layer.11.attention.self.query.weight', 'F32', [4, 4]]],
      { family: 'bert-like', layers: 12, hiddenSize: 4, vocabSize: 30 },
    ],
    [
      't5-like',
      [['shared.weight', 'F32', [32, 4]], ['encoder.block.0.layer.0.SelfAttention.q.weight', 'F32', [4, 4]], ['encoder.block.5.layer.0.SelfAttention.q.weight', 'F32', [4, 4]], ['decoder.block.0.layer.0.SelfAttention.q.weight', 'F32', [4, 4]]],
      { family: 't5-like', layers: 6, hiddenSize: 4, vocabSize: 32, lmHead: false },
    ],
    [
      'gpt-neox',
      [['gpt_neox.embed_in.weight', 'F16', [20, 4]], ['gpt_neox.layers.0.attention.query_key_value.weight', 'F16', [12, 4]], ['gpt_neox.layers.3.attention.dense.weight', 'F16', [4, 4]], ['embed_out.weight', 'F16', [20, 4]]],
      { family: 'gpt-neox', layers: 4, hiddenSize: 4, vocabSize: 20, lmHead: true },
    ],
    [
      'falcon',
      [['transformer.word_embeddings.weight', 'BF16', [24, 8]], ['transformer.h.0.self_attention.query_key_value.weight', 'BF16', [24, 8]], ['transformer.h.1.self_attention.dense.weight', 'BF16', [8, 8]]],
      { family: 'falcon', layers: 2, hiddenSize: 8, vocabSize: 24, lmHead: false },
    ],
    [
      'phi',
      [['model.embed_tokens.weight', 'F16', [40, 8]], ['model.layers.0.self_attn.q_proj.weight', 'F16', [8, 8]], ['model.layers.0.self_attn.dense.weight', 'F16', [8, 8]], ['model.layers.0.mlp.fc1.weight', 'F16', [16, 8]], ['lm_head.weight', 'F16', [40, 8]]],
      { family: 'phi', layers: 1, hiddenSize: 8, vocabSize: 40, lmHead: true },
    ],
    [
      'phi-3-like',
      [['model.embed_tokens.weight', 'BF16', [40, 8]], ['model.layers.0.self_attn.qkv_proj.weight', 'BF16', [24, 8]], ['model.layers.1.mlp.gate_up_proj.weight', 'BF16', [32, 8]]],
      { family: 'phi-3-like', layers: 2, hiddenSize: 8, vocabSize: 40, lmHead: false },
    ],
  ])('recognises %s naming', (_label, rows, expected) => {
    expect(architectureFromTensors(table(rows))).toMatchObject(expected);
  });

  it('says llama-like, and why, for the naming Llama, Mistral, Qwen2 and Gemma share', () => {
    expect(architectureFromTensors(table(LLAMA))!.note).toMatch(/Mistral.*Qwen2.*Gemma.*cannot tell them apart/);
  });

  it('takes the hidden size from a projection when the embedding is elsewhere (a shard)', () => {
    expect(architectureFromTensors(table([['model.layers.7.self_attn.q_proj.weight', 'F16', [8, 8]]]))).toMatchObject({ family: 'llama-like', layers: 8, hiddenSize: 8 });
    expect(architectureFromTensors(table([['h.0.attn.c_attn.weight', 'F32', [6, 18]]]))).toMatchObject({ hiddenSize: 6 });
  });

  it.each<[string, (name: string) => string, string]>([
    ['LLaVA before transformers 4.52 (language_model.model.layers.N, language_model.lm_head)', (n) => `language_model.${n}`, 'language_model.'],
    ['LLaVA, Gemma 3, Qwen2-VL since 4.52 (model.language_model.layers.N, lm_head at the top)', (n) => (n.startsWith('model.') ? `model.language_model.${n.slice(6)}` : n), 'model.language_model.'],
    ['Idefics3 (model.text_model.layers.N)', (n) => (n.startsWith('model.') ? `model.text_model.${n.slice(6)}` : n), 'model.text_model.'],
  ])('reads the language model of a wrapped checkpoint: %s', (_label, wrap, prefix) => {
    const vision: Row[] = [['vision_tower.vision_model.encoder.layers.0.self_attn.q_proj.weight', 'F16', [4, 4]], ['multi_modal_projector.linear_1.weight', 'F16', [8, 4]]];
    const arch = architectureFromTensors(table([...LLAMA.map(([n, d, s]): Row => [wrap(n), d, s]), ...vision]));
    expect(arch).toMatchObject({ family: 'llama-like', prefix, layers: 2, hiddenSize: 8, vocabSize: 16, lmHead: true });
    expect(arch!.note).toContain(`under ${prefix}`);
  });

  it('recognises nothing in names of no known family', () => {
    expect(architectureFromTensors(table([['weight', 'F32', [2, 2]], ['bias', 'F32', [2]]]))).toBeUndefined();
  });

  it('expects fewer layers than config.json in a shard, but not more', () => {
    const findings = new FindingList();
    const arch = mergeArchitecture({ family: 'llama-like', note: '', layers: 10 }, { layers: 32 }, true, findings);
    expect(arch!.layers).toEqual({ value: 32, source: 'config.json' });
    expect(findings.items).toEqual([]);
    mergeArchitecture({ family: 'llama-like', note: '', layers: 40 }, { layers: 32 }, true, findings);
    expect(findings.items).toHaveLength(1);
  });
});

describe('quantisation from tensor names', () => {
  const base: Row[] = [['model.layers.0.self_attn.q_proj.bias', 'F16', [8]]];
  it.each<[string, Row[], string, string[]]>([
    [
      'GPTQ',
      [['l.qweight', 'I32', [1, 8]], ['l.qzeros', 'I32', [1, 1]], ['l.scales', 'F16', [1, 8]], ['l.g_idx', 'I32', [8]]],
      'gptq',
      ['l.qweight', 'l.qzeros', 'l.scales', 'l.g_idx'],
    ],
    ['AWQ', [['l.qweight', 'I32', [8, 1]], ['l.qzeros', 'I32', [1, 1]], ['l.scales', 'F16', [1, 8]]], 'awq', ['l.qweight', 'l.qzeros', 'l.scales']],
    [
      'bitsandbytes NF4',
      [['l.weight', 'U8', [32, 1]], ['l.weight.absmax', 'F32', [1]], ['l.weight.quant_map', 'F32', [16]], ['l.weight.quant_state.bitsandbytes__nf4', 'U8', [4]]],
      'bitsandbytes-nf4',
      ['l.weight.quant_state.bitsandbytes__nf4', 'l.weight.absmax', 'l.weight.quant_map'],
    ],
    ['bitsandbytes FP4', [['l.weight.absmax', 'F32', [1]], ['l.weight.quant_map', 'F32', [16]], ['l.weight.quant_state.bitsandbytes__fp4', 'U8', [4]]], 'bitsandbytes-fp4', ['l.weight.quant_state.bitsandbytes__fp4', 'l.weight.absmax', 'l.weight.quant_map']],
    ['bitsandbytes 8-bit', [['l.weight', 'I32', [2, 2]], ['l.SCB', 'F32', [2]], ['l.weight_format', 'U8', [1]]], 'bitsandbytes-8bit', ['l.SCB', 'l.weight_format']],
    ['FP8', [['l.weight', 'F8_E4M3', [4, 4]], ['l.weight_scale', 'F32', [1]], ['l.input_scale', 'F32', [1]]], 'fp8', ['l.weight', 'l.weight_scale', 'l.input_scale']],
    ['FP8 (E5M2, block scales)', [['l.weight', 'F8_E5M2', [4, 4]], ['l.weight_scale_inv', 'F32', [1, 1]]], 'fp8', ['l.weight', 'l.weight_scale_inv']],
    ['compressed-tensors', [['l.weight_packed', 'I32', [4, 1]], ['l.weight_scale', 'F16', [4, 1]], ['l.weight_shape', 'I64', [2]]], 'compressed-tensors', ['l.weight_packed', 'l.weight_scale', 'l.weight_shape']],
    ['Marlin', [['l.B', 'I32', [16, 64]], ['l.s', 'F16', [1, 128]], ['l.bias', 'F16', [128]]], 'marlin', ['l.B', 'l.s']],
    ['Marlin 2:4 sparse', [['l.B_24', 'I32', [8, 64]], ['l.B_meta', 'I16', [2, 64]], ['l.s', 'F16', [1, 128]]], 'marlin-24', ['l.B_24', 'l.B_meta', 'l.s']],
    [
      'NVFP4 (ModelOpt)',
      [['l.weight', 'U8', [32, 8]], ['l.weight_scale', 'F8_E4M3', [32, 1]], ['l.weight_scale_2', 'F32', []], ['l.input_scale', 'F32', []]],
      'nvfp4',
      ['l.weight', 'l.weight_scale', 'l.weight_scale_2', 'l.input_scale'],
    ],
    [
      'NVFP4 (compressed-tensors)',
      [['l.weight_packed', 'U8', [32, 8]], ['l.weight_scale', 'F8_E4M3', [32, 1]], ['l.weight_global_scale', 'F32', [1]], ['l.input_global_scale', 'F32', [1]]],
      'nvfp4-compressed-tensors',
      ['l.weight_packed', 'l.weight_scale', 'l.weight_global_scale', 'l.input_global_scale'],
    ],
    [
      'HQQ',
      [['l.W_q', 'U8', [32, 8]], ['l.scale', 'F16', [64, 1]], ['l.zero', 'F16', [64, 1]], ['l.nbits', 'I32', [1]], ['l.group_size', 'I32', [1]], ['l.shape', 'I32', [2]]],
      'hqq',
      ['l.W_q', 'l.scale', 'l.zero', 'l.nbits', 'l.group_size'],
    ],
  ])('recognises %s', async (_label, rows, scheme, evidence) => {
    expect(detectQuantisation(table([...base, ...rows]))).toMatchObject({ scheme, evidence });
    const r = await scan([...base, ...rows]);
    expect(r.verdict).toBe('clean');
    expect(r.content.quantisation).toMatchObject({ scheme, evidence });
  });

  it('does not call scales next to F16 weights FP8, nor a plain model quantised', async () => {
    expect(detectQuantisation(table([['l.weight', 'F16', [4, 4]], ['l.weight_scale', 'F32', [1]]]))).toBeUndefined();
    // B and s in half precision are plain tensors, not Marlin; U8 weights with F32 scales are not NVFP4
    expect(detectQuantisation(table([['l.B', 'F16', [4, 4]], ['l.s', 'F16', [4]]]))).toBeUndefined();
    expect(detectQuantisation(table([['l.weight', 'U8', [4, 4]], ['l.weight_scale', 'F32', [4]], ['l.weight_scale_2', 'F32', []]]))).toBeUndefined();
    // names without a dot are tensors of their own
    expect(detectQuantisation(table([['weight', 'F8_E4M3', [4, 4]], ['weight_scale', 'F32', [1]]]))).toBeUndefined();
    const r = await scan(LLAMA);
    expect(r.content.quantisation).toBeUndefined();
  });
});

describe('safetensors with config.json beside it', () => {
  it('reports the architecture from tensor names alone when there is no config.json', async () => {
    const r = await scan(LLAMA);
    expect(r.verdict).toBe('clean');
    expect(r.findings).toEqual([]);
    expect(r.content.architecture).toMatchObject({
      family: { value: 'llama-like', source: 'tensors' },
      layers: { value: 2, source: 'tensors' },
      hiddenSize: { value: 8, source: 'tensors' },
      vocabSize: { value: 16, source: 'tensors' },
      lmHead: { value: true, source: 'tensors' },
      tiedEmbeddings: { value: false, source: 'tensors' },
    });
  });

  it('reports no architecture for names of no known family', async () => {
    const r = await scan([['weight', 'F32', [2, 2]]]);
    expect(r.content.architecture).toBeUndefined();
  });

  it('takes facts from a config.json that agrees, saying both sources agree', async () => {
    const config = {
      model_type: 'mistral',
      architectures: ['MistralForCausalLM'],
      num_hidden_layers: 2,
      hidden_size: 8,
      vocab_size: 16,
      tie_word_embeddings: false,
      torch_dtype: 'float16',
      quantization_config: { quant_method: 'gptq', bits: 4 },
    };
    const r = await scan(LLAMA, withConfig(config));
    expect(r.verdict).toBe('clean');
    expect(r.findings).toEqual([]);
    expect(r.content.architecture).toEqual({
      family: { value: 'llama-like', source: 'tensors', note: expect.any(String) },
      modelType: { value: 'mistral', source: 'config.json' },
      architectures: { value: ['MistralForCausalLM'], source: 'config.json' },
      layers: { value: 2, source: 'both' },
      hiddenSize: { value: 8, source: 'both' },
      vocabSize: { value: 16, source: 'both' },
      lmHead: { value: true, source: 'tensors' },
      tiedEmbeddings: { value: false, source: 'config.json' },
      torchDtype: { value: 'float16', source: 'config.json' },
      quantMethod: { value: 'gptq', source: 'config.json' },
    });
  });

  it('reads GPT-2 style keys (n_layer, n_embd)', async () => {
    const rows: Row[] = [['wte.weight', 'F32', [50, 6]], ['h.0.attn.c_attn.weight', 'F32', [6, 18]]];
    const r = await scan(rows, withConfig({ model_type: 'gpt2', n_layer: 1, n_embd: 6, vocab_size: 50 }));
    expect(r.findings).toEqual([]);
    expect(r.content.architecture).toMatchObject({ layers: { value: 1, source: 'both' }, hiddenSize: { value: 6, source: 'both' } });
  });

  it('flags a config.json that disagrees with the tensors, one low finding per fact', async () => {
    const r = await scan(LLAMA, withConfig({ model_type: 'llama', num_hidden_layers: 32, hidden_size: 8, vocab_size: 32000 }));
    expect(r.verdict).toBe('clean'); // broken, not dangerous
    expect(r.findings.map((f) => [f.rule, f.severity, f.message])).toEqual([
      ['safetensors.config-mismatch', 'low', 'config.json says layers 32, the tensors show 2'],
      ['safetensors.config-mismatch', 'low', 'config.json says vocabulary size (embedding rows) 32000, the tensors show 16'],
    ]);
    expect(r.findings[0]!.evidence).toEqual({ sibling: 'config.json', fact: 'layers', config: 32, tensors: 2 });
    expect(r.content.architecture).toMatchObject({ layers: { value: 32, source: 'config.json', tensors: 2 }, hiddenSize: { value: 8, source: 'both' } });
  });

  it("counts config.json's bytes in stats.bytesRead", async () => {
    const config = JSON.stringify({ model_type: 'llama', num_hidden_layers: 2 });
    const without = await scan(LLAMA);
    const withIt = await scan(LLAMA, withConfig(config));
    expect(withIt.stats.bytesRead - without.stats.bytesRead).toBe(config.length);
  });

  it('flags a model_type whose naming is not the one the tensors follow, naming both', async () => {
    const r = await scan(LLAMA, withConfig({ model_type: 'gpt2', num_hidden_layers: 2, hidden_size: 8, vocab_size: 16 }));
    expect(r.verdict).toBe('clean');
    expect(r.findings.map((f) => [f.rule, f.severity, f.message])).toEqual([
      ['safetensors.config-mismatch', 'low', 'config.json says model_type "gpt2" (gpt2-like naming), the tensor names follow llama-like naming'],
    ]);
    expect(r.findings[0]!.evidence).toEqual({ sibling: 'config.json', fact: 'modelType', config: 'gpt2', tensors: 'llama-like' });
  });

  it('does not flag a model_type it does not know, nor one of the family (mistral is llama-like)', async () => {
    expect((await scan(LLAMA, withConfig({ model_type: 'deepseek_v3' }))).findings).toEqual([]);
    expect((await scan(LLAMA, withConfig({ model_type: 'qwen2' }))).findings).toEqual([]);
  });

  it('reads a wrapped model with its nested text_config: facts agree, no mismatch', async () => {
    const rows = LLAMA.map(([n, d, s]): Row => [`language_model.${n}`, d, s]);
    const config = {
      model_type: 'llava',
      architectures: ['LlavaForConditionalGeneration'],
      text_config: { model_type: 'llama', num_hidden_layers: 2, hidden_size: 8, vocab_size: 16, torch_dtype: 'float16' },
      vision_config: { model_type: 'clip_vision_model', num_hidden_layers: 24, hidden_size: 1024 },
    };
    const r = await scan(rows, withConfig(config));
    expect(r.findings).toEqual([]);
    expect(r.content.architecture).toMatchObject({
      family: { value: 'llama-like', source: 'tensors', prefix: 'language_model.' },
      modelType: { value: 'llava', source: 'config.json' },
      textModelType: { value: 'llama', source: 'config.json' },
      layers: { value: 2, source: 'both' },
      hiddenSize: { value: 8, source: 'both' },
      vocabSize: { value: 16, source: 'both' },
      torchDtype: { value: 'float16', source: 'config.json' },
    });
  });

  it("compares text_config's model_type, not the wrapper's, with the tensors", async () => {
    const rows = LLAMA.map(([n, d, s]): Row => [`language_model.${n}`, d, s]);
    const r = await scan(rows, withConfig({ model_type: 'llava', text_config: { model_type: 'gpt_neox' } }));
    expect(r.findings.map((f) => f.message)).toEqual(['config.json says text_config.model_type "gpt_neox" (gpt-neox naming), the tensor names follow llama-like naming']);
  });

  it('does not flag fewer layers in a shard of a sharded model', async () => {
    const config = withConfig({ num_hidden_layers: 32 });
    const r = await scan(LLAMA, config, 'model-00001-of-00004.safetensors');
    expect(r.findings).toEqual([]);
    expect(r.content.architecture).toMatchObject({ layers: { value: 32, source: 'config.json' } });
    expect((r.content.architecture as object as Record<string, unknown>).tiedEmbeddings).toBeUndefined();
  });

  it.each([
    ['invalid JSON', '{"num_hidden_layers": 32,', /invalid JSON/],
    ['duplicate keys', '{"vocab_size": 16, "vocab_size": 99}', /duplicate key "vocab_size"/],
    ['not an object', '[1, 2]', /not a JSON object/],
  ])('keeps the file clean when config.json is broken (%s): an info finding', async (_label, text, message) => {
    const r = await scan(LLAMA, withConfig(text));
    expect(r.verdict).toBe('clean');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ rule: 'safetensors.config-unreadable', severity: 'info' });
    expect(r.findings[0]!.message).toMatch(message);
    expect(r.content.architecture).toMatchObject({ family: { value: 'llama-like' }, layers: { value: 2, source: 'tensors' } });
  });

  it(`does not use a config.json nested deeper than MAX_CONFIG_DEPTH (${MAX_CONFIG_DEPTH})`, async () => {
    const nested = (depth: number) => `{"num_hidden_layers": 2, "x": ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect((await scan(LLAMA, withConfig(nested(MAX_CONFIG_DEPTH)))).findings).toEqual([]);
    const r = await scan(LLAMA, withConfig(nested(MAX_CONFIG_DEPTH + 1)));
    expect(r.verdict).toBe('clean');
    expect(r.findings[0]).toMatchObject({ rule: 'safetensors.config-unreadable', severity: 'info' });
    expect(r.findings[0]!.message).toMatch(/nest/i);
  });

  it('does not read a config.json over 4 MiB', async () => {
    const r = await scan(LLAMA, withConfig(`{"pad":"${'x'.repeat(4 * 1024 * 1024)}"}`));
    expect(r.verdict).toBe('clean');
    expect(r.findings[0]).toMatchObject({ rule: 'safetensors.config-unreadable' });
    expect(r.findings[0]!.message).toMatch(/MAX_CONFIG_BYTES/);
  });

  it('ignores config values of the wrong type', async () => {
    const r = await scan(LLAMA, withConfig({ num_hidden_layers: '32', hidden_size: 8.5, vocab_size: -1, architectures: 'Llama' }));
    expect(r.findings).toEqual([]);
    expect(r.content.architecture).toMatchObject({ layers: { value: 2, source: 'tensors' }, hiddenSize: { value: 8, source: 'tensors' } });
  });
});
