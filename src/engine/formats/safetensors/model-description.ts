// What a tensor table says about the model at a glance: its architecture (tensor
// names and a config.json beside the file) and its quantisation scheme. Returns
// only what was recognised, ready to merge into a report's content.
import type { FindingList } from '../driver.js';
import type { Siblings } from '../../siblings.js';
import type { WeightlensWasm } from '../../wasm.js';
import { describeArchitecture, type Architecture } from './model-architecture.js';
import { detectQuantisation, type Quantisation, type TensorSummary } from './quantisation.js';

export interface ModelDescription {
  architecture?: Architecture;
  quantisation?: Quantisation;
}

export async function describeModel(tensors: readonly TensorSummary[], name: string, siblings: Siblings, findings: FindingList, wasm: WeightlensWasm): Promise<ModelDescription> {
  const out: ModelDescription = {};
  const architecture = await describeArchitecture(tensors, name, siblings, findings, wasm);
  if (architecture) out.architecture = architecture;
  const quantisation = detectQuantisation(tensors);
  if (quantisation) out.quantisation = quantisation;
  return out;
}
