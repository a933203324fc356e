// big.gguf: the header of a Llama-3-8B-like GGUF v3 file (32 layers, Q8_0
// weights, F16 embeddings and output, F32 norms) with a tokenizer the size of
// Llama 3's: 128,256 tokens, their types and 280,147 merges (~5 MB of header),
// and a chat template; then about 9.5 GB of tensor data left as a hole
// (sparse file). A scan must cost the header, not the data.
import { ascii } from './writer.mjs';

export const name = 'big.gguf';
export const description = 'GGUF v3, Llama-3-8B-like (Q8_0 + F16 + F32), 128,256-token vocabulary and 280,147 merges, ~9.5 GB data left sparse';

const CONFIGS = {
  full: { layers: 32, hidden: 4096, kv: 1024, ffn: 14336, vocab: 128256, merges: 280147 },
  small: { layers: 2, hidden: 256, kv: 64, ffn: 512, vocab: 1000, merges: 500 },
};
/** ggml types used: [id, elements per block, bytes per block]. */
const TYPES = { F32: [0, 1, 4], F16: [1, 1, 2], Q8_0: [8, 32, 34] };
const ALIGNMENT = 32;
const CHAT_TEMPLATE =
  "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

/** Deterministic token-like strings: byte-level BPE pieces of 1–12 characters. */
function token(i) {
  if (i < 256) return `<0x${i.toString(16).toUpperCase().padStart(2, '0')}>`;
  const letters = 'etaoinshrdlucmfwypvbgkjqxz';
  let s = i % 3 === 0 ? 'Ġ' : '';
  let x = i * 2654435761;
  const len = 1 + (i % 12);
  for (let k = 0; k < len; k++) {
    s += letters[(x >>> 0) % 26];
    x = Math.imul(x ^ (x >>> 13), 1274126177);
  }
  return `${s}${i}`;
}

/** The header in one growing buffer (not one Buffer per token: 400k small objects cost 300 MB). */
class Header {
  buf = Buffer.allocUnsafe(1 << 20);
  length = 0;
  reserve(n) {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  push(b) {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  u32(v) {
    this.reserve(4);
    this.length = this.buf.writeUInt32LE(v, this.length);
  }
  u64(v) {
    this.reserve(8);
    this.length = this.buf.writeBigUInt64LE(BigInt(v), this.length);
  }
  f32(v) {
    this.reserve(4);
    this.length = this.buf.writeFloatLE(v, this.length);
  }
  str(s) {
    const n = Buffer.byteLength(s, 'utf8');
    this.u64(n);
    this.reserve(n);
    this.length += this.buf.write(s, this.length, 'utf8');
  }
  get bytes() {
    return this.buf.subarray(0, this.length);
  }
  kv(key, type, write) {
    this.str(key);
    this.u32(type);
    write();
  }
}

function tensorList(c) {
  const t = [['token_embd.weight', 'F16', [c.hidden, c.vocab]]];
  for (let i = 0; i < c.layers; i++) {
    const p = `blk.${i}`;
    t.push([`${p}.attn_norm.weight`, 'F32', [c.hidden]]);
    t.push([`${p}.attn_q.weight`, 'Q8_0', [c.hidden, c.hidden]]);
    t.push([`${p}.attn_k.weight`, 'Q8_0', [c.hidden, c.kv]]);
    t.push([`${p}.attn_v.weight`, 'Q8_0', [c.hidden, c.kv]]);
    t.push([`${p}.attn_output.weight`, 'Q8_0', [c.hidden, c.hidden]]);
    t.push([`${p}.ffn_norm.weight`, 'F32', [c.hidden]]);
    t.push([`${p}.ffn_gate.weight`, 'Q8_0', [c.hidden, c.ffn]]);
    t.push([`${p}.ffn_up.weight`, 'Q8_0', [c.hidden, c.ffn]]);
    t.push([`${p}.ffn_down.weight`, 'Q8_0', [c.ffn, c.hidden]]);
  }
  t.push(['output_norm.weight', 'F32', [c.hidden]]);
  t.push(['output.weight', 'F16', [c.hidden, c.vocab]]);
  return t;
}

/** The header bytes and the data size, computed without writing anything. */
export function layout(scale = 'full') {
  const c = CONFIGS[scale];
  const h = new Header();
  const tensors = tensorList(c);
  const kvs = [];
  const u32 = (key, v) => kvs.push(() => h.kv(key, 4, () => h.u32(v)));
  const f32 = (key, v) => kvs.push(() => h.kv(key, 6, () => h.f32(v)));
  const str = (key, v) => kvs.push(() => h.kv(key, 8, () => h.str(v)));
  str('general.architecture', 'llama');
  str('general.name', 'Weightlens Bench 8B');
  u32('general.alignment', ALIGNMENT);
  u32('general.file_type', 7);
  u32('general.quantization_version', 2);
  u32('llama.context_length', 8192);
  u32('llama.embedding_length', c.hidden);
  u32('llama.block_count', c.layers);
  u32('llama.feed_forward_length', c.ffn);
  u32('llama.attention.head_count', c.hidden / 128);
  u32('llama.attention.head_count_kv', c.kv / 128 || 1);
  f32('llama.rope.freq_base', 500000);
  f32('llama.attention.layer_norm_rms_epsilon', 1e-5);
  u32('llama.vocab_size', c.vocab);
  str('tokenizer.ggml.model', 'gpt2');
  str('tokenizer.ggml.pre', 'llama-bpe');
  kvs.push(() =>
    h.kv('tokenizer.ggml.tokens', 9, () => {
      h.u32(8);
      h.u64(c.vocab);
      for (let i = 0; i < c.vocab; i++) h.str(token(i));
    }),
  );
  kvs.push(() =>
    h.kv('tokenizer.ggml.token_type', 9, () => {
      h.u32(5);
      h.u64(c.vocab);
      for (let i = 0; i < c.vocab; i++) h.u32(i < 256 ? 6 : i >= c.vocab - 256 ? 3 : 1);
    }),
  );
  kvs.push(() =>
    h.kv('tokenizer.ggml.merges', 9, () => {
      h.u32(8);
      h.u64(c.merges);
      for (let i = 0; i < c.merges; i++) h.str(`${token(256 + (i % 4000)).slice(0, 3)} ${token(300 + i).slice(0, 4)}`);
    }),
  );
  u32('tokenizer.ggml.bos_token_id', c.vocab - 256);
  u32('tokenizer.ggml.eos_token_id', c.vocab - 255);
  str('tokenizer.chat_template', CHAT_TEMPLATE);

  h.push(ascii('GGUF'));
  h.u32(3);
  h.u64(tensors.length);
  h.u64(kvs.length);
  for (const write of kvs) write();
  let offset = 0;
  for (const [tname, type, dims] of tensors) {
    const [id, block, size] = TYPES[type];
    h.str(tname);
    h.u32(dims.length);
    for (const d of dims) h.u64(d);
    h.u32(id);
    h.u64(offset);
    const bytes = (dims.reduce((a, b) => a * b, 1) / block) * size;
    offset = Math.ceil((offset + bytes) / ALIGNMENT) * ALIGNMENT;
  }
  const pad = (ALIGNMENT - (h.length % ALIGNMENT)) % ALIGNMENT;
  h.push(Buffer.alloc(pad));
  return { header: h, dataBytes: offset, tensors: tensors.length, size: h.length + offset };
}

export function expectedSize(scale) {
  return layout(scale).size;
}

/** @param {import('./writer.mjs').FileWriter} w */
export function generate(w, scale = 'full') {
  const l = layout(scale);
  w.write(l.header.bytes);
  w.skip(l.dataBytes); // the hole: zeros, costing no disk
  return { headerBytes: l.header.length, dataStart: l.header.length, dataBytes: l.dataBytes, tensors: l.tensors, sparse: true };
}
