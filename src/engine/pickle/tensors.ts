// The tensor table of a PyTorch checkpoint, rebuilt from what its pickle
// returns: every _rebuild_tensor* call names its storage (a persistent id),
// offset, shape and stride; the dict keys on the way down name the tensor.
import { NODE_WORDS } from '../wasm.js';
import { Kind, NodeCursor } from './nodes.js';
import type { StreamReader } from './stream-reader.js';
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

/** Where the tensor walk gets node lists: the machine's describe, bounded per request. */
export interface TensorTree {
  /** Nodes of `handle`; of a container or call, its items from `firstItem` on. */
  describe(handle: number, firstItem: number): Float64Array;
  reader: StreamReader;
  /** Nodes one request returns at most. */
  nodesPerRequest: number;
  /** Nodes all requests together may return; past it the walk stops (a value that shares itself can expand without end). */
  maxNodes: number;
}

export interface TensorWalk {
  tensors: CheckpointTensor[];
  /** Parts of the value were not there to walk (not kept, too deep, node budget spent): the table may miss tensors. */
  incomplete: boolean;
  /** The list reached `limit` with more of the value left unwalked. */
  cutAtLimit: boolean;
}

/**
 * Tensor records found in the value `root` returns, depth-first in pickle
 * order; `limit` bounds the list. Walks node lists a request at a time and
 * decodes only the small parts it needs (callees, keys, a rebuild call's
 * arguments): when a request's node budget cuts a container short, the
 * rest of its items are asked for by its handle. A state dict of 100,000
 * tensors is never one object tree, nor one node list.
 */
export async function collectTensors(tree: TensorTree, root: number, limit: number): Promise<TensorWalk> {
  const out: CheckpointTensor[] = [];
  let nodesLeft = tree.maxNodes;
  let incomplete = false;
  let cutAtLimit = false;
  const request = (handle: number, firstItem: number): NodeCursor | undefined => {
    if (nodesLeft <= 0) {
      incomplete = true;
      return undefined;
    }
    const nodes = tree.describe(handle, firstItem);
    const count = nodes.length / NODE_WORDS;
    nodesLeft -= count;
    // describe stops a few nodes short of its budget rather than elide (it keeps 4 for one)
    return new NodeCursor(nodes, tree.reader, count >= tree.nodesPerRequest - 8);
  };

  const walk = async (cursor: NodeCursor, path: string): Promise<void> => {
    if (cursor.done) return;
    const kind = cursor.kind();
    if (kind === Kind.Elided && cursor.full && cursor.handle() && cursor.reachesEnd()) {
      // left out because the request's node budget ran out: ask for it by its handle
      const handle = cursor.handle();
      cursor.skip();
      const again = request(handle, 0);
      if (again) await walk(again, path);
      return;
    }
    if (kind === Kind.Elided || (kind >= Kind.Lite && kind < Kind.TextSpan)) incomplete = true;
    if (out.length >= limit) {
      cutAtLimit = true;
      cursor.skip();
      return;
    }
    if (!(kind === Kind.Dict || kind === Kind.List || kind === Kind.Tuple || kind === Kind.Call)) {
      cursor.skip();
      return;
    }
    const handle = cursor.handle();
    if (kind === Kind.Call && cursor.full && cursor.at > 0 && cursor.reachesEnd()) {
      // maybe cut short by the node budget (a rebuild call missing its stride): ask for it whole
      cursor.skip();
      const whole = request(handle, 0);
      if (whole) await walk(whole, path);
      return;
    }
    const expected = kind === Kind.Dict ? 2 * cursor.count() : kind === Kind.Call ? 4 + 2 * cursor.count() : cursor.count();
    const dropped = (cursor.flags() & 1) !== 0; // the machine kept fewer items than there were
    const n = cursor.enter();
    if (kind === Kind.Call) {
      if (await walkCall(cursor, n, path)) return;
    } else {
      await walkItems(cursor, kind, n, 0, path);
    }
    // the node budget cut this one short: ask for the rest of its items by its handle. When the
    // machine also dropped items (keep budget), `expected` overstates what it holds: ask until a request brings none.
    if (dropped) incomplete = true;
    const head = kind === Kind.Call ? 4 : 0;
    let done = n - head;
    while (n < expected && head + done < expected && out.length < limit) {
      const more = request(handle, done);
      if (!more || more.done) break;
      const items = more.enter() - head;
      if (items <= 0) break;
      skipN(more, head); // a call's callee, args, kwargs and state come again
      await walkItems(more, kind, items, done, path);
      done += items;
    }
  };

  /** `n` item nodes of a container (or a call's item pairs), the first being item `first` of it. */
  const walkItems = async (cursor: NodeCursor, kind: number, n: number, first: number, path: string): Promise<void> => {
    if (kind === Kind.Dict || kind === Kind.Call) {
      for (let i = 0; i + 1 < n; i += 2) {
        const key = await cursor.value();
        await walk(cursor, key.type === 'elided' && key.what === 'unset' ? path : join(path, key));
      }
      skipN(cursor, n % 2);
      return;
    }
    for (let i = 0; i < n; i++) await walk(cursor, join(path, { type: 'int', value: BigInt(first + i) }));
  };

  /** A call's children: callee, args, kwargs, state, then its items. True when it was all read. */
  const walkCall = async (cursor: NodeCursor, n: number, path: string): Promise<boolean> => {
    if (n < 4) {
      skipN(cursor, n);
      return true;
    }
    const name = globalName(await cursor.value());
    if (name && REBUILD_TENSOR.has(name)) {
      const args = await cursor.value();
      skipN(cursor, n - 2);
      const tensor = fromRebuild(args.type === 'tuple' ? args.items : [args], path);
      if (tensor) out.push(tensor);
      return true;
    }
    const inner = name === 'torch._tensor._rebuild_from_type_v2' ? 2 : name && WRAPPERS.has(name) ? 0 : -1;
    if (inner >= 0 && (await walkArgument(cursor, inner, path))) {
      skipN(cursor, n - 2);
      return true;
    }
    skipN(cursor, 2); // args, kwargs
    const stateAt = cursor.at;
    cursor.skip();
    await walkItems(cursor, Kind.Call, n - 4, 0, path);
    const end = cursor.at;
    cursor.at = stateAt;
    if (cursor.kind() !== Kind.Unset) await walk(cursor, path);
    cursor.at = end;
    return false;
  };

  /**
   * At a call's args tuple: walks the tensor inside it (a Parameter's args[0],
   * or the plain tensor at args[2][0] of _rebuild_from_type_v2) and steps past
   * the tuple; false, having read nothing, when it is not there.
   */
  const walkArgument = async (cursor: NodeCursor, index: number, path: string): Promise<boolean> => {
    const argsAt = cursor.at;
    if (cursor.kind() !== Kind.Tuple || cursor.children() <= index) return false;
    const n = cursor.enter();
    skipN(cursor, index);
    if (index > 0) {
      // (func, type, args, state): the tensor is the first item of args
      if (cursor.kind() !== Kind.Tuple || cursor.children() === 0) {
        cursor.at = argsAt;
        return false;
      }
      const m = cursor.enter();
      await walk(cursor, path);
      skipN(cursor, m - 1);
    } else {
      await walk(cursor, path);
    }
    skipN(cursor, n - index - 1);
    return true;
  };

  const top = request(root, 0);
  if (top) await walk(top, '');
  return { tensors: out, incomplete, cutAtLimit };
}

function skipN(cursor: NodeCursor, n: number): void {
  for (let i = 0; i < n; i++) cursor.skip();
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
