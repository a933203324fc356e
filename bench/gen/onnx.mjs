// big.onnx: an ONNX ModelProto (IR 8, opset 17) for a 14-layer MLP-residual
// stack, d=2048, ff=8192: per layer MatMul -> Add -> Relu -> MatMul -> Add ->
// Add (residual). The weights are 56 initializers with raw_data (F32), about
// 1.88 GB in all: below protobuf's 2 GiB message limit, so the whole file is
// one ordinary ModelProto (no external data).
//
// Fields are written in field-number order, as protobuf serializers (and so
// onnx.save) do: ModelProto ir_version(1), producer_name(2),
// producer_version(3), graph(7), opset_import(8) -- the opset comes after the
// whole graph, at the very end of the file. Inside the graph: nodes(1),
// name(2), initializers(5), inputs(11), outputs(12).
//
// Streaming: the message is built as a tree of byte parts where every tensor's
// raw_data is a placeholder with a known size; all length prefixes are computed
// from those sizes before the first byte is written.
import { weightPattern, forEachPatternChunk } from './writer.mjs';
import { varint } from './protobuf.mjs';

export const name = 'big.onnx';
export const description = 'ONNX ModelProto, IR 8 / opset 17, 14 layers of MatMul/Add/Relu, ~1.88 GB of F32 initializers';

const CONFIGS = {
  full: { layers: 14, d: 2048, ff: 8192 },
  small: { layers: 2, d: 16, ff: 32 },
};
const FLOAT = 1; // TensorProto.DataType.FLOAT

// ---- protobuf wire format on lazily sized parts ------------------------------
// A part is a Buffer or a {size, fill(emit)} placeholder; a message is an array of parts.

const sizeOf = (parts) => parts.reduce((s, p) => s + (Buffer.isBuffer(p) ? p.length : p.size), 0);
const key = (field, wire) => varint((field << 3) | wire);
const vint = (field, v) => [key(field, 0), varint(v)];
const bytesField = (field, parts) => [key(field, 2), varint(sizeOf(parts)), ...parts];
const str = (field, s) => bytesField(field, [Buffer.from(s, 'utf8')]);
const msg = (field, parts) => bytesField(field, parts);

function tensor(tname, dims, fill) {
  const size = dims.reduce((a, b) => a * b, 1) * 4;
  return [
    ...dims.flatMap((d) => vint(1, d)), // dims, unpacked (onnx.proto is proto2)
    ...vint(2, FLOAT),
    ...str(8, tname),
    ...bytesField(9, [{ size, fill }]), // raw_data
  ];
}
function node(inputs, outputs, nodeName, opType) {
  return [...inputs.flatMap((s) => str(1, s)), ...outputs.flatMap((s) => str(2, s)), ...str(3, nodeName), ...str(4, opType)];
}
function valueInfo(vname, dims) {
  const dimParts = dims.map((d) => msg(1, typeof d === 'string' ? str(2, d) : vint(1, d)));
  const tensorType = [...vint(1, FLOAT), ...msg(2, dimParts.flat())]; // elem_type, shape
  return [...str(1, vname), ...msg(2, msg(1, tensorType))]; // name, type{tensor_type}
}

/** The model for a config {layers, d, ff} (shared with onnx-layers.mjs). */
export function model(c) {
  const nodes = [];
  const inits = [];
  const pattern = weightPattern('F32');
  const weights = (n) => (emit) => forEachPatternChunk(pattern, n * 4, emit);
  let x = 'input';
  for (let i = 0; i < c.layers; i++) {
    const p = `/layers.${i}`;
    const w = `layers.${i}`;
    inits.push(tensor(`${w}.fc1.weight`, [c.d, c.ff], weights(c.d * c.ff)));
    inits.push(tensor(`${w}.fc1.bias`, [c.ff], weights(c.ff)));
    inits.push(tensor(`${w}.fc2.weight`, [c.ff, c.d], weights(c.ff * c.d)));
    inits.push(tensor(`${w}.fc2.bias`, [c.d], weights(c.d)));
    const out = i === c.layers - 1 ? 'output' : `${p}/Add_1_output_0`;
    nodes.push(node([x, `${w}.fc1.weight`], [`${p}/fc1/MatMul_output_0`], `${p}/fc1/MatMul`, 'MatMul'));
    nodes.push(node([`${p}/fc1/MatMul_output_0`, `${w}.fc1.bias`], [`${p}/fc1/Add_output_0`], `${p}/fc1/Add`, 'Add'));
    nodes.push(node([`${p}/fc1/Add_output_0`], [`${p}/act/Relu_output_0`], `${p}/act/Relu`, 'Relu'));
    nodes.push(node([`${p}/act/Relu_output_0`, `${w}.fc2.weight`], [`${p}/fc2/MatMul_output_0`], `${p}/fc2/MatMul`, 'MatMul'));
    nodes.push(node([`${p}/fc2/MatMul_output_0`, `${w}.fc2.bias`], [`${p}/fc2/Add_output_0`], `${p}/fc2/Add`, 'Add'));
    nodes.push(node([x, `${p}/fc2/Add_output_0`], [out], `${p}/Add_1`, 'Add'));
    x = out;
  }
  const graph = [
    ...nodes.flatMap((n) => msg(1, n)),
    ...str(2, 'weightlens_bench_mlp'),
    ...inits.flatMap((t) => msg(5, t)),
    ...msg(11, valueInfo('input', ['batch', c.d])),
    ...msg(12, valueInfo('output', ['batch', c.d])),
  ];
  const parts = [
    ...vint(1, 8), // ir_version
    ...str(2, 'weightlens-bench'),
    ...str(3, '0.1'),
    ...msg(7, graph),
    ...msg(8, [...str(1, ''), ...vint(2, 17)]), // opset_import {domain "", version 17}
  ];
  return { parts, nodes: nodes.length, initializers: inits.length, graphBytes: sizeOf(graph) };
}

export function expectedSize(scale = 'full') {
  return sizeOf(model(CONFIGS[scale]).parts);
}

/** @param {import('./writer.mjs').FileWriter} w */
export function generate(w, scale = 'full') {
  return writeModel(w, model(CONFIGS[scale]));
}

/** Streams a model() to `w`; returns the facts the generator prints. */
export function writeModel(w, m) {
  const total = sizeOf(m.parts);
  if (total >= 2 ** 31) throw new Error(`ONNX model would be ${total} bytes: over protobuf's 2 GiB limit`);
  let firstRaw = -1;
  for (const p of m.parts) {
    if (Buffer.isBuffer(p)) w.write(p);
    else {
      if (firstRaw < 0) firstRaw = w.position;
      let n = 0;
      p.fill((chunk) => {
        n += chunk.length;
        w.write(chunk);
      });
      if (n !== p.size) throw new Error('raw_data size mismatch');
    }
  }
  return {
    nodes: m.nodes,
    initializers: m.initializers,
    graphFieldBytes: m.graphBytes,
    firstRawDataAt: firstRaw,
    opsetImportAt: `last ${sizeOf(msg(8, [...str(1, ''), ...vint(2, 17)]))} bytes`,
  };
}

/** Bytes of a model() once written. */
export const modelSize = (m) => sizeOf(m.parts);
