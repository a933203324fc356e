// big-graph.onnx: an ONNX ModelProto (IR 8, opset 17) with 100,000 nodes, to
// measure the protobuf walk itself rather than the skipping of weights:
// 10,000 blocks of MatMul -> Add -> a decomposed LayerNorm (ReduceMean, Sub,
// Mul, ReduceMean, Add, Sqrt, Div) -> Relu, d = 16, each block with its own
// small F32 weight and bias (raw_data), and a value_info (with shape) for every
// node output, as exporters write them. Node names follow torch.onnx's
// `/blocks.N/Op` style. About 27 MB; serialised in field-number order, like onnx.save.
import { ld, str, vint } from './protobuf.mjs';
import { prng } from './writer.mjs';

export const name = 'big-graph.onnx';
export const description = 'ONNX ModelProto, IR 8 / opset 17, 100,000 nodes in 10,000 blocks, 20,001 small initializers, 100,000 value_infos';

const CONFIGS = {
  full: { blocks: 10_000, d: 16 },
  small: { blocks: 3, d: 4 },
};
const FLOAT = 1;


function node(op, inputs, outputs, nodeName, ...attributes) {
  return ld(1, ...inputs.map((s) => str(1, s)), ...outputs.map((s) => str(2, s)), str(3, nodeName), str(4, op), ...attributes.map((a) => ld(5, a)));
}
/** AttributeProto: name(1), i(3), ints(8, unpacked as proto2 writes them), type(20). */
const intsAttr = (attrName, values) => Buffer.concat([str(1, attrName), ...values.map((v) => vint(8, v < 0 ? 2n ** 64n + BigInt(v) : v)), vint(20, 7)]);
const intAttr = (attrName, value) => Buffer.concat([str(1, attrName), vint(3, value), vint(20, 2)]);
function tensor(tensorName, dims, raw) {
  return Buffer.concat([...dims.map((d) => vint(1, d)), vint(2, FLOAT), str(8, tensorName), ld(9, raw)]);
}
function valueInfo(field, infoName, dims) {
  const shape = dims.map((d) => ld(1, typeof d === 'string' ? str(2, d) : vint(1, d)));
  return ld(field, str(1, infoName), ld(2, ld(1, vint(1, FLOAT), ld(2, ...shape))));
}

function weights(count, seed) {
  const rand = prng(seed);
  const b = Buffer.alloc(count * 4);
  for (let i = 0; i < count; i++) b.writeFloatLE((rand() - 0.5) / 8, i * 4);
  return b;
}

function model(c) {
  const w = weights(c.d * c.d, 1);
  const bias = weights(c.d, 2);
  const nodes = [];
  const inits = [];
  const infos = [];
  let h = 'input';
  for (let i = 0; i < c.blocks; i++) {
    const p = `/blocks.${i}`;
    const out = (s) => `${p}/${s}_output_0`;
    const last = i === c.blocks - 1 ? 'output' : out('Relu');
    inits.push(ld(5, tensor(`blocks.${i}.weight`, [c.d, c.d], w)), ld(5, tensor(`blocks.${i}.bias`, [c.d], bias)));
    const axes = intsAttr('axes', [-1]);
    nodes.push(
      node('MatMul', [h, `blocks.${i}.weight`], [out('MatMul')], `${p}/MatMul`),
      node('Add', [out('MatMul'), `blocks.${i}.bias`], [out('Add')], `${p}/Add`),
      node('ReduceMean', [out('Add')], [out('ReduceMean')], `${p}/ReduceMean`, axes, intAttr('keepdims', 1)),
      node('Sub', [out('Add'), out('ReduceMean')], [out('Sub')], `${p}/Sub`),
      node('Mul', [out('Sub'), out('Sub')], [out('Mul')], `${p}/Mul`),
      node('ReduceMean', [out('Mul')], [out('ReduceMean_1')], `${p}/ReduceMean_1`, axes, intAttr('keepdims', 1)),
      node('Add', [out('ReduceMean_1'), 'eps'], [out('Add_1')], `${p}/Add_1`),
      node('Sqrt', [out('Add_1')], [out('Sqrt')], `${p}/Sqrt`),
      node('Div', [out('Sub'), out('Sqrt')], [out('Div')], `${p}/Div`),
      node('Relu', [out('Div')], [last], `${p}/Relu`),
    );
    for (const [s, dims] of [['MatMul', [c.d]], ['Add', [c.d]], ['ReduceMean', [1]], ['Sub', [c.d]], ['Mul', [c.d]], ['ReduceMean_1', [1]], ['Add_1', [1]], ['Sqrt', [1]], ['Div', [c.d]]]) {
      infos.push(valueInfo(13, out(s), ['batch', ...dims]));
    }
    if (last !== 'output') infos.push(valueInfo(13, last, ['batch', c.d]));
    h = last;
  }
  inits.push(ld(5, tensor('eps', [], weights(1, 3))));
  const graph = Buffer.concat([...nodes, str(2, 'weightlens_bench_graph'), ...inits, valueInfo(11, 'input', ['batch', c.d]), valueInfo(12, 'output', ['batch', c.d]), ...infos]);
  const bytes = Buffer.concat([vint(1, 8), str(2, 'weightlens-bench'), str(3, '0.1'), ld(7, graph), ld(8, str(1, ''), vint(2, 17))]);
  return { bytes, nodes: nodes.length, initializers: inits.length, valueInfos: infos.length };
}

const cache = new Map();
const built = (scale) => {
  if (!cache.has(scale)) cache.set(scale, model(CONFIGS[scale]));
  return cache.get(scale);
};

export function expectedSize(scale = 'full') {
  return built(scale).bytes.length;
}

/** @param {import('./writer.mjs').FileWriter} w */
export function generate(w, scale = 'full') {
  const m = built(scale);
  w.write(m.bytes);
  return { nodes: m.nodes, initializers: m.initializers, valueInfos: m.valueInfos };
}
