// One node as the graph viewer's side panel shows it, on request: its
// attributes as bounded text (lists cut with a count, tensors as dtype and
// dims, graphs as their node count) and its inputs and outputs with their
// types, from the walked model (value_info, graph inputs and outputs,
// initializers, outer scopes for a subgraph). List values, which the walk
// counts but does not keep, are read again from the attribute's bytes.
import type { ByteSource } from '../../byte-source.js';
import { WIRE_I32, WIRE_LEN, WIRE_VARINT } from '../../containers/protobuf-fields.js';
import { typeText } from './content.js';
import { DATA_FIELD_NAMES, dtypeName } from './dtypes.js';
import type { GraphEntry } from './graphs.js';
import { fieldsOf, packedVarints, readMessagePrefix } from './message-bytes.js';
import type { OnnxAttribute, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from './model.js';
import { float32Text, stringText } from './tensor-values.js';
import { expectedBytes } from './tensors.js';

/** Values of an attribute list shown; the rest is counted. */
export const MAX_ATTRIBUTE_VALUES = 16;
/** Bytes of one AttributeProto read to show its values: the first MAX_ATTRIBUTE_VALUES of any list fit many times over. */
export const MAX_ATTRIBUTE_BYTES = 4096;
/** Attributes of one node described; real nodes have a handful. */
export const MAX_ATTRIBUTES_SHOWN = 64;

export interface AttributeDetail {
  name: string;
  /** AttributeProto.type as a name (`INTS`, `GRAPH` …). */
  type: string;
  value: string;
}

export interface InitializerDetail {
  dtype: string;
  dims: number[];
  bytes: number | null;
  /** `raw_data`, `float_data` …, `external`, `none`. */
  storage: string;
  /** The external data file. */
  file?: string;
}

export interface ValueDetail {
  name: string;
  /** `FLOAT[batch,16]`, or null when no value_info, signature or initializer gives it. */
  type: string | null;
  /** Where the type comes from: a graph input or output, a value_info, an initializer, an outer graph's value. */
  source: 'input' | 'output' | 'value_info' | 'initializer' | 'outer' | null;
  initializer?: InitializerDetail;
}

export interface NodeDetails {
  name: string;
  op: string;
  domain: string;
  graph: string;
  index: number;
  attributes: AttributeDetail[];
  attributesTotal: number;
  inputs: ValueDetail[];
  outputs: ValueDetail[];
}

const ATTRIBUTE_TYPES = ['UNDEFINED', 'FLOAT', 'INT', 'STRING', 'TENSOR', 'GRAPH', 'FLOATS', 'INTS', 'STRINGS', 'TENSORS', 'GRAPHS', 'SPARSE_TENSOR', 'SPARSE_TENSORS', 'TYPE_PROTO', 'TYPE_PROTOS'];

interface Known {
  type: string | null;
  source: NonNullable<ValueDetail['source']>;
  initializer?: OnnxTensor;
}

/** Types of the values a graph names itself, cached per graph. */
const scopes = new WeakMap<OnnxGraph, Map<string, Known>>();

function scopeOf(graph: OnnxGraph): Map<string, Known> {
  let scope = scopes.get(graph);
  if (scope) return scope;
  scope = new Map();
  const text = (v: OnnxValueInfo) => (v.type ? typeText(v.type) : null); // a function's inputs and outputs are names only
  for (const v of graph.valueInfo) scope.set(v.name, { type: text(v), source: 'value_info' });
  for (const v of graph.outputs) scope.set(v.name, { type: text(v), source: 'output' });
  for (const v of graph.inputs) scope.set(v.name, { type: text(v), source: 'input' });
  for (const t of graph.initializers) scope.set(t.name, { type: `${dtypeName(t.dataType)}[${t.dims.join(',')}]`, source: 'initializer', initializer: t });
  scopes.set(graph, scope);
  return scope;
}

export function initializerDetail(t: OnnxTensor): InitializerDetail {
  const external = t.dataLocation === 1;
  const file = t.external.find(([k]) => k === 'location')?.[1];
  const length = t.external.find(([k]) => k === 'length')?.[1];
  const data = t.data[0];
  return {
    dtype: dtypeName(t.dataType),
    dims: t.dims,
    bytes: external ? (length !== undefined && /^\d+$/.test(length) ? Number(length) : expectedBytes(t)) : (data?.bytes ?? 0),
    storage: external ? 'external' : data ? (DATA_FIELD_NAMES[data.field] ?? `field ${data.field}`) : 'none',
    ...(external && file !== undefined ? { file } : {}),
  };
}

/** A value's type as the node's graph sees it: its own names first, then the enclosing graphs'. */
function valueDetail(entry: GraphEntry, name: string): ValueDetail {
  if (!name) return { name, type: null, source: null };
  for (let e: GraphEntry | null = entry, outer = false; e; e = e.parent, outer = true) {
    const known = scopeOf(e.graph).get(name);
    if (known) return { name, type: known.type, source: outer && known.source !== 'initializer' ? 'outer' : known.source, ...(known.initializer ? { initializer: initializerDetail(known.initializer) } : {}) };
  }
  return { name, type: null, source: null };
}

/** The node at `index` of the graph at `graphPath`; undefined when there is none. */
export function findNode(entries: readonly GraphEntry[], graphPath: string, index: number): { entry: GraphEntry; node: OnnxNode } | undefined {
  const entry = entries.find((e) => e.graph.path === graphPath);
  const node = entry?.graph.nodes[index];
  return entry && node ? { entry, node } : undefined;
}

export async function nodeDetails(source: ByteSource, entries: readonly GraphEntry[], graphPath: string, index: number): Promise<NodeDetails | undefined> {
  const found = findNode(entries, graphPath, index);
  if (!found) return undefined;
  const { entry, node } = found;
  const attributes: AttributeDetail[] = [];
  for (const a of node.attributes.slice(0, MAX_ATTRIBUTES_SHOWN)) attributes.push(await attributeDetail(source, a));
  return {
    name: node.name,
    op: node.opType,
    domain: node.domain,
    graph: graphPath,
    index,
    attributes,
    attributesTotal: node.attributes.length,
    inputs: node.inputs.map((n) => valueDetail(entry, n)),
    outputs: node.outputs.map((n) => valueDetail(entry, n)),
  };
}

/** What an attribute holds, as one bounded line of text. */
export async function attributeDetail(source: ByteSource, a: OnnxAttribute): Promise<AttributeDetail> {
  const type = a.type || inferredType(a);
  const name = ATTRIBUTE_TYPES[type] ?? `type ${type}`;
  if (a.refAttrName !== undefined) return { name: a.name, type: name, value: `= the caller's ${JSON.stringify(a.refAttrName)}` };
  const tensor = (t: OnnxTensor) => `${dtypeName(t.dataType)}[${t.dims.join(',')}]${t.name ? ` ${JSON.stringify(t.name)}` : ''}`;
  const graph = (g: OnnxGraph) => `subgraph: ${g.nodes.length} node${g.nodes.length === 1 ? '' : 's'}`;
  switch (type) {
    case 4: return { name: a.name, type: name, value: a.tensors[0] ? `tensor ${tensor(a.tensors[0])}` : 'tensor' };
    case 5: return { name: a.name, type: name, value: a.graphs[0] ? graph(a.graphs[0]) : 'subgraph (not read)' };
    case 9: return { name: a.name, type: name, value: listText(a.tensors.slice(0, MAX_ATTRIBUTE_VALUES).map(tensor), a.tensors.length) };
    case 10: return { name: a.name, type: name, value: listText(a.graphs.slice(0, MAX_ATTRIBUTE_VALUES).map(graph), a.graphs.length) };
    case 11: case 12: {
      const parts = a.sparseTensors.slice(0, MAX_ATTRIBUTE_VALUES).map((s) => `sparse ${dtypeName(s.values?.dataType ?? 0)}[${s.dims.join(',')}]`);
      return { name: a.name, type: name, value: type === 11 ? (parts[0] ?? 'sparse tensor') : listText(parts, a.sparseTensors.length) };
    }
    case 13: case 14: return { name: a.name, type: name, value: 'type' };
  }
  // scalars and lists: read again from the attribute's bytes (exact int64s, the list values)
  const read = await readScalarsAndLists(source, a);
  switch (type) {
    case 1: return { name: a.name, type: name, value: a.f !== undefined ? float32Text(a.f) : '0' };
    case 2: return { name: a.name, type: name, value: read.i ?? String(a.i ?? 0) };
    case 3: return { name: a.name, type: name, value: read.s ?? (a.s !== undefined ? JSON.stringify(a.s) : '""') };
    case 6: return { name: a.name, type: name, value: listText(read.floats, a.count, read.cut) };
    case 7: return { name: a.name, type: name, value: listText(read.ints, a.count, read.cut) };
    case 8: return { name: a.name, type: name, value: listText(read.strings, a.count, read.cut) };
  }
  return { name: a.name, type: name, value: '' };
}

/** The type an attribute without `type` (old exporters) has, from the field that is set. */
function inferredType(a: OnnxAttribute): number {
  if (a.graphs.length) return a.graphs.length > 1 ? 10 : 5;
  if (a.tensors.length) return a.tensors.length > 1 ? 9 : 4;
  if (a.sparseTensors.length) return a.sparseTensors.length > 1 ? 12 : 11;
  if (a.f !== undefined) return 1;
  if (a.i !== undefined) return 2;
  if (a.s !== undefined) return 3;
  return a.count ? 7 : 0;
}

/** `[1, 2, 3]`, or `[1, 2, … ] (1,000 values)` when cut. */
function listText(shown: string[], total: number, cut = false): string {
  const all = Math.max(total, shown.length);
  const listed = shown.slice(0, MAX_ATTRIBUTE_VALUES);
  if (listed.length >= all && !cut) return `[${listed.join(', ')}]`;
  return `[${listed.join(', ')}${listed.length ? ', ' : ''}…] (${all.toLocaleString('en-US')} values)`;
}

interface Read {
  i?: string;
  s?: string;
  ints: string[];
  floats: string[];
  strings: string[];
  cut: boolean;
}

async function readScalarsAndLists(source: ByteSource, a: OnnxAttribute): Promise<Read> {
  const out: Read = { ints: [], floats: [], strings: [], cut: false };
  const message = await readMessagePrefix(source, a.offset, MAX_ATTRIBUTE_BYTES);
  out.cut = message.cut;
  const bytes = message.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const f of fieldsOf(bytes)) {
    const inside = f.at + f.size <= bytes.length;
    switch (f.field) {
      case 3:
        if (f.wire === WIRE_VARINT) out.i = String(BigInt.asIntN(64, f.varint!));
        break;
      case 4:
        if (f.wire === WIRE_LEN && inside) out.s = stringText(bytes.subarray(f.at, f.at + f.size));
        break;
      case 7:
        if (f.wire === WIRE_I32) out.floats.push(float32Text(view.getFloat32(f.at, true)));
        else if (f.wire === WIRE_LEN) for (let p = f.at; p + 4 <= Math.min(f.at + f.size, bytes.length) && out.floats.length < MAX_ATTRIBUTE_VALUES; p += 4) out.floats.push(float32Text(view.getFloat32(p, true)));
        break;
      case 8:
        if (f.wire === WIRE_VARINT) out.ints.push(String(BigInt.asIntN(64, f.varint!)));
        else if (f.wire === WIRE_LEN) {
          for (const x of packedVarints(bytes, f.at, f.size)) {
            if (out.ints.length >= MAX_ATTRIBUTE_VALUES) break;
            out.ints.push(String(BigInt.asIntN(64, x)));
          }
        }
        break;
      case 9:
        if (f.wire === WIRE_LEN && inside && out.strings.length < MAX_ATTRIBUTE_VALUES) out.strings.push(stringText(bytes.subarray(f.at, f.at + f.size)));
        break;
    }
  }
  return out;
}
