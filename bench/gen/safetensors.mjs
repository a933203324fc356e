// big.safetensors: a Llama-style checkpoint whose data section is exactly
// 4 GiB (4 * 1024^3 bytes), so the last data_offsets end is 2^32: one past
// what a 32-bit offset can hold. The data region is a hole (sparse file):
// only the header is written, then the file is stretched to its full size.
import { ascii } from './writer.mjs';

export const name = 'big.safetensors';
export const description =
  'safetensors, Llama-like (32 layers, BF16 + F16 + F32), 4 GiB data section left sparse';

const DTYPE_SIZE = { F32: 4, F16: 2, BF16: 2 };
// The safetensors library orders data by dtype (its enum order, descending: F32, BF16, F16), then name.
const DTYPE_RANK = { F32: 0, BF16: 1, F16: 2 };

const CONFIGS = {
  // hidden 2048, 16 heads of 128, 8 KV heads, MLP 8192, 32 layers; the vocab
  // (32702) is what makes the data section come out at exactly 2^32 bytes.
  full: { layers: 32, hidden: 2048, headDim: 128, kvHeads: 8, intermediate: 8192, vocab: 32702, expectData: 2 ** 32 },
  small: { layers: 2, hidden: 64, headDim: 16, kvHeads: 2, intermediate: 128, vocab: 100, expectData: undefined },
};

function tensorList(c) {
  const kv = c.kvHeads * c.headDim;
  const t = [];
  t.push(['model.embed_tokens.weight', 'BF16', [c.vocab, c.hidden]]);
  for (let i = 0; i < c.layers; i++) {
    const p = `model.layers.${i}`;
    t.push([`${p}.input_layernorm.weight`, 'F32', [c.hidden]]);
    t.push([`${p}.post_attention_layernorm.weight`, 'F32', [c.hidden]]);
    t.push([`${p}.self_attn.q_proj.weight`, 'BF16', [c.hidden, c.hidden]]);
    t.push([`${p}.self_attn.k_proj.weight`, 'BF16', [kv, c.hidden]]);
    t.push([`${p}.self_attn.v_proj.weight`, 'BF16', [kv, c.hidden]]);
    t.push([`${p}.self_attn.o_proj.weight`, 'BF16', [c.hidden, c.hidden]]);
    t.push([`${p}.self_attn.rotary_emb.inv_freq`, 'F32', [c.headDim / 2]]);
    t.push([`${p}.mlp.gate_proj.weight`, 'BF16', [c.intermediate, c.hidden]]);
    t.push([`${p}.mlp.up_proj.weight`, 'BF16', [c.intermediate, c.hidden]]);
    t.push([`${p}.mlp.down_proj.weight`, 'BF16', [c.hidden, c.intermediate]]);
  }
  t.push(['model.norm.weight', 'F32', [c.hidden]]);
  t.push(['lm_head.weight', 'F16', [c.vocab, c.hidden]]);
  return t;
}

/** Header, sizes and the table of tensors, computed without writing anything. */
export function layout(scale = 'full') {
  const c = CONFIGS[scale];
  const tensors = tensorList(c).map(([tname, dtype, shape]) => ({
    name: tname,
    dtype,
    shape,
    bytes: shape.reduce((a, b) => a * b, 1) * DTYPE_SIZE[dtype],
  }));
  tensors.sort((a, b) => DTYPE_RANK[a.dtype] - DTYPE_RANK[b.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let offset = 0;
  const header = { __metadata__: { format: 'pt' } };
  for (const t of tensors) {
    t.begin = offset;
    offset += t.bytes;
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [t.begin, offset] };
  }
  const dataBytes = offset;
  if (c.expectData !== undefined && dataBytes !== c.expectData) {
    throw new Error(`safetensors layout: data section is ${dataBytes} bytes, wanted ${c.expectData}`);
  }
  let json = JSON.stringify(header);
  const pad = (8 - ((8 + Buffer.byteLength(json)) % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = Buffer.byteLength(json);
  return { json, headerBytes, dataBytes, tensors, size: 8 + headerBytes + dataBytes };
}

export function expectedSize(scale) {
  return layout(scale).size;
}

/** @param {import('./writer.mjs').FileWriter} w */
export function generate(w, scale = 'full') {
  const l = layout(scale);
  const len = Buffer.allocUnsafe(8);
  len.writeBigUInt64LE(BigInt(l.headerBytes));
  w.write(len);
  w.write(ascii(l.json));
  w.skip(l.dataBytes); // the hole: zeros, costing no disk
  const last = l.tensors[l.tensors.length - 1];
  return {
    headerLength: l.headerBytes,
    dataStart: 8 + l.headerBytes,
    dataBytes: l.dataBytes,
    tensors: l.tensors.length,
    lastTensor: `${last.name} ${last.dtype} [${last.shape}] data_offsets [${last.begin}, ${last.begin + last.bytes}]`,
    sparse: true,
  };
}
