// many-tensors.pt: a PyTorch zip checkpoint laid out as torch.save writes it
// (the writer of big-torch.pt), holding a state dict of 100,000 small F32
// tensors `layers.<i>.weight` of shape (2, 1 + i % 7), each with its own
// storage: what a checkpoint with a very big tensor table costs (the pickle's
// rebuild calls, the tensor walk, 100,000 tiny zip members).
import { checkpointSize, writeCheckpoint } from './torch.mjs';

export const name = 'many-tensors.pt';
export const description = 'PyTorch zip checkpoint (torch.save layout), 100,000 small tensors, ~40 MB, 100,004 members';

const CONFIGS = { full: { tensors: 100_000 }, small: { tensors: 40 } };

function stateDict(c) {
  return Array.from({ length: c.tensors }, (_, i) => {
    const k = 1 + (i % 7);
    return [`layers.${i}.weight`, { storage: { dtype: 'F32', numel: 2 * k }, shape: [2, k], offset: 0 }];
  });
}

export function expectedSize(scale = 'full') {
  return checkpointSize(stateDict(CONFIGS[scale]));
}

/** @param {import('./writer.mjs').FileWriter} w */
export function generate(w, scale = 'full') {
  return writeCheckpoint(w, stateDict(CONFIGS[scale]));
}
