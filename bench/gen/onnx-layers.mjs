// big-layers.onnx: big.onnx's layout (MatMul -> Add -> Relu -> MatMul -> Add -> Add per
// layer, F32 raw_data initializers, one ModelProto under 2 GiB) with 400 narrower layers:
// 2,400 nodes and 1,600 initializers in 1.9 GB, the shape issue 5's target names
// ("a ~1.9 GB ONNX with embedded weights and thousands of nodes").
import { model, modelSize, writeModel } from './onnx.mjs';

export const name = 'big-layers.onnx';
export const description = 'ONNX ModelProto, IR 8 / opset 17, 400 layers of MatMul/Add/Relu (2,400 nodes), ~1.9 GB of F32 initializers';

const CONFIGS = {
  full: { layers: 400, d: 384, ff: 1536 },
  small: { layers: 3, d: 8, ff: 16 },
};

export function expectedSize(scale = 'full') {
  return modelSize(model(CONFIGS[scale]));
}

/** @param {import('./writer.mjs').FileWriter} w */
export function generate(w, scale = 'full') {
  return writeModel(w, model(CONFIGS[scale]));
}
