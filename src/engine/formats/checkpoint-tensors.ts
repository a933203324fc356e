// A PyTorch checkpoint's tensor table at the top of the report, in the shape
// every format with tensors uses, and the check that each tensor fits the
// storage it names: torch.load fails on a missing storage, and a view past a
// storage's end reads bytes that belong to no tensor.
import type { FindingList } from './driver.js';
import type { CheckpointTensor } from '../pickle/tensors.js';
import { STORAGE_TYPES } from '../pickle/tensors.js';

interface StreamContent {
  member?: string;
  tensors?: CheckpointTensor[];
}

/** Lifts the tensors of `pickleMember`'s stream to `content.tensors` and checks them against `storages` (key → bytes). */
export function liftCheckpointTensors(content: Record<string, unknown>, findings: FindingList, pickleMember: string | undefined, storages: Record<string, number> | undefined): void {
  const streams = ((content.pickle as { streams?: StreamContent[] } | undefined)?.streams ?? []).filter((s) => pickleMember === undefined || s.member === pickleMember);
  const tensors = streams.flatMap((s) => s.tensors ?? []);
  if (tensors.length === 0) return;
  content.tensors = tensors.map(({ name, dtype, shape, parameters, bytes, storage, storageOffset, stride }) => ({ name, dtype, shape, parameters, bytes, storage, storageOffset, stride }));
  // listed once: a checkpoint of 100,000 tensors would otherwise carry its table twice (14 MB each)
  for (const s of streams) delete s.tensors;
  const totals: Record<string, { tensors: number; parameters: number; bytes: number }> = {};
  for (const t of tensors) {
    const d = (totals[t.dtype] ??= { tensors: 0, parameters: 0, bytes: 0 });
    d.tensors++;
    d.parameters += t.parameters;
    d.bytes += t.bytes;
  }
  content.totals = totals;
  content.parameters = tensors.reduce((n, t) => n + t.parameters, 0);
  if (!storages) return;
  const missing = new Set<string>();
  for (const t of tensors) {
    const size = storages[t.storage];
    if (size === undefined) {
      if (!missing.has(t.storage)) findings.add('pytorch.missing-storage', `tensor ${t.name} names storage ${t.storage}, which the archive does not hold: torch.load fails`, { tensor: t.name }, { storage: t.storage });
      missing.add(t.storage);
      continue;
    }
    const itemSize = Object.values(STORAGE_TYPES).find(([dtype]) => dtype === t.dtype)?.[1] ?? 0;
    const end = (t.storageOffset + maxIndex(t)) * itemSize;
    if (itemSize > 0 && t.parameters > 0 && end > size) {
      findings.add('pytorch.tensor-past-storage', `tensor ${t.name} reaches byte ${end} of storage ${t.storage}, which holds ${size} bytes`, { tensor: t.name }, { storage: t.storage, end, size });
    }
  }
}

/** One past the last element the view touches, from its storage offset: 1 + Σ (size − 1) × stride. */
function maxIndex(t: CheckpointTensor): number {
  if (t.stride.length !== t.shape.length) return t.parameters;
  return 1 + t.shape.reduce((n, size, i) => n + (size - 1) * Math.abs(t.stride[i]!), 0);
}
