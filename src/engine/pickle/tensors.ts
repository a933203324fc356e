// The tensor table of a PyTorch checkpoint, rebuilt from what its pickle
// returns: every _rebuild_tensor* call names its storage (a persistent id),
// offset, shape and stride; the dict keys on the way down name the tensor.
import { globalName } from './render.js';
import type { PyValue } from './types.js';

export interface CheckpointTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** Storage key: the zip member `data/<key>` or the legacy storage id. */
  storage: string;
  storageOffset: number;
  /** Element strides, as torch.save wrote them (a view may skip elements). */
  stride: number[];
  parameters: number;
  bytes: number;
}

/** Storage classes torch.save names, with their element type and size. */
export const STORAGE_TYPES: Readonly<Record<string, [string, number]>> = {
  DoubleStorage: ['float64', 8], FloatStorage: ['float32', 4], HalfStorage: ['float16', 2], BFloat16Storage: ['bfloat16', 2],
  LongStorage: ['int64', 8], IntStorage: ['int32', 4], ShortStorage: ['int16', 2], CharStorage: ['int8', 1],
  ByteStorage: ['uint8', 1], BoolStorage: ['bool', 1], ComplexDoubleStorage: ['complex128', 16], ComplexFloatStorage: ['complex64', 8],
  QInt8Storage: ['qint8', 1], QUInt8Storage: ['quint8', 1], QInt32Storage: ['qint32', 4], QUInt4x2Storage: ['quint4x2', 1],
  QUInt2x4Storage: ['quint2x4', 1], Float8_e4m3fnStorage: ['float8_e4m3fn', 1], Float8_e5m2Storage: ['float8_e5m2', 1],
  UntypedStorage: ['uint8', 1],
};

const REBUILD_TENSOR = new Set(['torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v3']);
const WRAPPERS = new Set(['torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state']);
/** nn.Module state keys that hold tensors under their own names: skipped in the path. */
const MODULE_SLOTS = new Set(['_parameters', '_buffers', '_modules']);

export function isRebuildCall(name: string | undefined): boolean {
  return !!name && (REBUILD_TENSOR.has(name) || WRAPPERS.has(name) || name === 'torch._tensor._rebuild_from_type_v2');
}

/** Tensor records found in `value`, depth-first in pickle order; `limit` bounds the list. */
export function collectTensors(value: PyValue, limit: number): CheckpointTensor[] {
  const out: CheckpointTensor[] = [];
  const walk = (v: PyValue, path: string): void => {
    if (out.length >= limit) return;
    switch (v.type) {
      case 'dict':
        for (const [k, child] of v.entries) walk(child, join(path, k));
        return;
      case 'list':
      case 'tuple':
        v.items.forEach((child, i) => walk(child, join(path, { type: 'int', value: BigInt(i) })));
        return;
      case 'call': {
        const name = globalName(v.callee);
        if (name && REBUILD_TENSOR.has(name)) {
          const tensor = fromRebuild(v.args, path);
          if (tensor) out.push(tensor);
          return;
        }
        if (name && WRAPPERS.has(name) && v.args[0]) return walk(v.args[0], path);
        if (name === 'torch._tensor._rebuild_from_type_v2' && v.args[2]?.type === 'tuple') {
          // (func, type, args, state): the args hold the plain tensor
          const inner = v.args[2].items[0];
          if (inner) return walk(inner, path);
        }
        for (const [k, child] of v.items ?? []) walk(child, k ? join(path, k) : path);
        if (v.state) walk(v.state, path);
        return;
      }
    }
  };
  walk(value, '');
  return out;
}

function join(path: string, key: PyValue): string {
  const k = key.type === 'str' ? key.value : key.type === 'int' ? key.value.toString() : '?';
  if (MODULE_SLOTS.has(k)) return path;
  return path ? `${path}.${k}` : k;
}

function fromRebuild(args: PyValue[], name: string): CheckpointTensor | undefined {
  const [storage, offset, size, stride] = args;
  if (storage?.type !== 'persid' || storage.id.type !== 'tuple') return undefined;
  const [tag, type, key, , numel] = storage.id.items;
  if (tag?.type !== 'str' || tag.value !== 'storage' || key?.type !== 'str') return undefined;
  const typeName = type?.type === 'global' ? type.name : type?.type === 'call' ? globalName(type.callee) ?? '' : '';
  const [dtype, itemSize] = STORAGE_TYPES[typeName.split('.').pop() ?? ''] ?? [typeName || 'unknown', 0];
  const shape = size?.type === 'tuple' ? size.items.map((d) => (d.type === 'int' ? Number(d.value) : NaN)) : [];
  const parameters = shape.reduce((a, b) => a * b, 1);
  void numel;
  return {
    name: name || '(top level)',
    dtype,
    shape,
    storage: key.value,
    storageOffset: offset?.type === 'int' ? Number(offset.value) : 0,
    stride: stride?.type === 'tuple' ? stride.items.map((d) => (d.type === 'int' ? Number(d.value) : NaN)) : [],
    parameters,
    bytes: parameters * itemSize,
  };
}

/** Whether a persistent id is torch's storage reference ('storage', <torch type>, key, location, numel), legacy files adding view metadata. */
export function isTorchStorageId(id: PyValue): boolean {
  if (id.type !== 'tuple' || id.items.length < 5 || id.items.length > 6) return false;
  const [tag, type] = id.items;
  return tag?.type === 'str' && tag.value === 'storage' && type?.type === 'global' && type.module.startsWith('torch');
}
