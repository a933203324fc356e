// The ONNX part of the report (docs/report.md): model facts, the signature,
// op counts, the tensor table with totals by dtype, subgraphs and functions,
// and the main graph in a compact form a viewer can lay out. Bounded however
// big the graph: lists stop at named budgets, counts cover everything.
import type { DomainUse } from './domains.js';
import { dtypeName } from './dtypes.js';
import type { ExternalFileSummary } from './external-data.js';
import { nodeLabel, type GraphEntry } from './graphs.js';
import { MAX_LISTED_ENTRIES, MAX_LISTED_NODES, MAX_LISTED_TENSORS, MAX_TEXT_SHOWN } from './limits.js';
import type { OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxType, OnnxValueInfo } from './model.js';
import { DATA_FIELD_NAMES } from './dtypes.js';
import { elementCount, expectedBytes } from './tensors.js';

export interface OnnxTensorRow {
  name: string;
  dtype: string;
  shape: number[];
  parameters: number;
  bytes: number;
  /** File offset of the values (raw_data or a typed field), or the offset inside `file` for external data; null when absent. */
  offset: number | null;
  /** Where the values are: `raw_data`, `float_data` …, `external`, or `none`. */
  storage: string;
  /** The external data file, for `external`. */
  file?: string;
  /** The graph holding it, when not the main graph. */
  graph?: string;
  sparse?: true;
}

const cut = (text: string) => (text.length > MAX_TEXT_SHOWN ? `${text.slice(0, MAX_TEXT_SHOWN)}…` : text);

/** A type as people write it: `FLOAT[batch,2048]`, `seq(INT64[?])`, `map(STRING, FLOAT[])`. */
export function typeText(type: OnnxType | null): string {
  if (!type) return '?';
  switch (type.kind) {
    case 'tensor': case 'sparse_tensor': {
      const shape = type.shape ? `[${type.shape.map((d) => (d === null ? '?' : String(d))).join(',')}]` : '';
      return `${type.kind === 'sparse_tensor' ? 'sparse ' : ''}${dtypeName(type.elemType)}${shape}`;
    }
    case 'sequence': case 'optional':
      return `${type.kind === 'sequence' ? 'seq' : 'optional'}(${typeText(type.elem)})`;
    case 'map':
      return `map(${dtypeName(type.keyType)}, ${typeText(type.value)})`;
    default:
      return 'opaque';
  }
}

const signature = (values: OnnxValueInfo[]) => values.map((v) => ({ name: v.name, type: typeText(v.type) }));

function tensorRow(t: OnnxTensor, graph: OnnxGraph): OnnxTensorRow {
  const parameters = elementCount(t) ?? 0;
  const data = t.data[0];
  const external = t.dataLocation === 1;
  const location = t.external.find(([k]) => k === 'location')?.[1];
  const offset = t.external.find(([k]) => k === 'offset')?.[1];
  const length = t.external.find(([k]) => k === 'length')?.[1];
  return {
    name: t.name,
    dtype: dtypeName(t.dataType),
    shape: t.dims,
    parameters,
    bytes: external ? Number(length ?? expectedBytes(t) ?? 0) || 0 : (data?.bytes ?? 0),
    offset: external ? Number(offset ?? 0) || 0 : (data?.offset ?? null),
    storage: external ? 'external' : data ? (DATA_FIELD_NAMES[data.field] ?? `field ${data.field}`) : 'none',
    ...(external && location !== undefined ? { file: location } : {}),
    ...(graph.kind !== 'graph' ? { graph: graph.path } : {}),
  };
}

export function describeModel(content: Record<string, unknown>, model: OnnxModel, entries: GraphEntry[], domains: DomainUse[] | null, external: ExternalFileSummary[]): void {
  content.model = {
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    domain: model.domain,
    modelVersion: model.modelVersion,
    docString: cut(model.docString),
  };
  content.opsets = listed(content, 'opsets', model.opsets, (o) => ({ domain: o.domain || 'ai.onnx', version: o.version }));
  content.metadata = listed(content, 'metadata', model.metadata, ([key, value]) => ({ key: cut(key), value: cut(value) }));

  // The tensor table: initializers of every graph, sparse ones by their values.
  const rows: OnnxTensorRow[] = [];
  const totals: Record<string, { tensors: number; parameters: number; bytes: number }> = {};
  let tensors = 0;
  let parameters = 0;
  let bytes = 0;
  const add = (row: OnnxTensorRow) => {
    tensors++;
    parameters += row.parameters;
    bytes += row.bytes;
    const total = (totals[row.dtype] ??= { tensors: 0, parameters: 0, bytes: 0 });
    total.tensors++;
    total.parameters += row.parameters;
    total.bytes += row.bytes;
    if (rows.length < MAX_LISTED_TENSORS) rows.push(row);
  };
  for (const { graph } of entries) {
    for (const t of graph.initializers) add(tensorRow(t, graph));
    for (const s of graph.sparseInitializers) {
      if (!s.values) continue;
      const values = tensorRow(s.values, graph);
      add({ ...values, shape: s.dims, bytes: values.bytes + (s.indices ? tensorRow(s.indices, graph).bytes : 0), sparse: true });
    }
  }
  Object.assign(content, { tensors: rows, tensorsTotal: tensors, totals, parameters, bytes });

  const main = entries.find((e) => e.graph.kind === 'graph')?.graph;
  if (main) {
    const initializers = new Set(main.initializers.map((t) => t.name));
    content.graph = {
      name: main.name,
      docString: cut(main.docString),
      inputs: signature(main.inputs.filter((v) => !initializers.has(v.name))),
      outputs: signature(main.outputs),
      nodes: main.nodes.length,
      initializers: main.initializers.length,
      layout: layout(entries, main),
    };
  }
  content.subgraphs = listed(content, 'subgraphs', entries.filter((e) => e.graph.kind === 'subgraph'), ({ graph, owner }) => ({
    path: graph.path, depth: graph.depth, op: owner?.node.opType ?? '', nodes: graph.nodes.length, inputs: signature(graph.inputs), outputs: signature(graph.outputs),
  }));
  content.functions = listed(content, 'functions', model.functions, (f) => ({
    domain: f.domain,
    name: f.name,
    inputs: f.body.inputs.map((v) => v.name),
    outputs: f.body.outputs.map((v) => v.name),
    attributes: f.attributes,
    nodes: f.body.nodes.length,
    opsets: (f.body.opsets ?? []).map((o) => ({ domain: o.domain || 'ai.onnx', version: o.version })),
    docString: cut(f.docString),
  }));
  if (domains) {
    const ops = domains.flatMap((d) => Object.entries(d.ops).map(([op, n]) => [d.domain === 'ai.onnx' ? op : `${d.domain}.${op}`, n] as const)).sort((a, b) => b[1] - a[1]);
    content.ops = Object.fromEntries(listed(content, 'ops', ops, (x) => x));
    content.domains = listed(content, 'domains', domains, (d) => ({ domain: d.domain, kind: d.kind, nodes: d.nodes }));
  }
  content.nodesTotal = entries.reduce((n, e) => n + e.graph.nodes.length, 0);
  if (external.length) content.externalData = external;
  if (model.unknownFieldCount) {
    content.unknownFields = { count: model.unknownFieldCount, bytes: model.unknownFieldBytes, listed: model.unknownFields };
  }
}

/** The first MAX_LISTED_ENTRIES items, mapped; when there are more, `<key>Total` counts them all. */
function listed<T, U>(content: Record<string, unknown>, key: string, items: readonly T[], map: (item: T) => U): U[] {
  if (items.length > MAX_LISTED_ENTRIES) content[`${key}Total`] = items.length;
  return items.slice(0, MAX_LISTED_ENTRIES).map(map);
}

export interface LayoutSubgraph {
  /** The body's path (`graph/If_0.then_branch`), as findings and the subgraph list name it. */
  path: string;
  /** The layout index of the node whose attribute it is, and the attribute's name; -1 and `function` for a model-local function's body. */
  owner: number;
  attribute: string;
  /** Its nodes are `nodes[start .. start + nodes)` of the layout, in the body's order. */
  start: number;
  nodes: number;
}

interface LayoutNodeRow { name: string; op: string; domain?: string; inputs: number[]; outputs: number[]; graph?: number }

/**
 * The main graph for a viewer: value names once, nodes pointing at them by
 * index (-1 for an omitted optional input), then the If/Loop/Scan bodies
 * nested in it, each node marked with its body. A body's own values (its
 * inputs, initializers and node outputs) get their own indices, so two bodies
 * reusing a name stay apart; names it does not define are the enclosing
 * graph's. The first MAX_LISTED_NODES nodes in all.
 */
function layout(entries: GraphEntry[], main: OnnxGraph): { values: string[]; nodes: LayoutNodeRow[]; subgraphs: LayoutSubgraph[]; complete: boolean } {
  const global = new Map<string, number>();
  const values: string[] = [];
  const fresh = (name: string) => values.push(name) - 1;
  const id = (name: string) => {
    if (!name) return -1;
    let i = global.get(name);
    if (i === undefined) global.set(name, (i = fresh(name)));
    return i;
  };
  const nodes: LayoutNodeRow[] = [];
  const at = new Map<OnnxNode, number>();
  const row = (node: OnnxNode, i: number, resolve: (name: string) => number, graph?: number): LayoutNodeRow => ({
    name: nodeLabel(node, i),
    op: node.opType,
    ...(node.domain && node.domain !== 'ai.onnx' ? { domain: node.domain } : {}),
    inputs: node.inputs.map(resolve),
    outputs: node.outputs.map(resolve),
    ...(graph !== undefined ? { graph } : {}),
  });
  let complete = main.nodes.length <= MAX_LISTED_NODES;
  main.nodes.slice(0, MAX_LISTED_NODES).forEach((node, i) => {
    at.set(node, nodes.length);
    nodes.push(row(node, i, id));
  });
  // bodies, parents before children (collectGraphs' order); names resolved scope by scope
  const locals = new Map<GraphEntry, Map<string, number>>();
  const subgraphs: LayoutSubgraph[] = [];
  for (const entry of entries) {
    // model-local functions are listed once each (not per call), at the top level
    const isFunction = entry.graph.kind === 'function';
    if (!isFunction && (entry.graph.kind !== 'subgraph' || !entry.owner)) continue;
    const owner = isFunction ? -1 : at.get(entry.owner!.node);
    if (owner === undefined) continue; // its owner is not listed (a training graph's, or past the budget)
    const room = MAX_LISTED_NODES - nodes.length;
    if (room < entry.graph.nodes.length || subgraphs.length >= MAX_LISTED_ENTRIES) complete = false;
    if (room <= 0 || subgraphs.length >= MAX_LISTED_ENTRIES) continue;
    const local = new Map<string, number>();
    locals.set(entry, local);
    const define = (name: string) => {
      if (name && !local.has(name)) local.set(name, fresh(name));
    };
    entry.graph.inputs.forEach((v) => define(v.name));
    entry.graph.initializers.forEach((t) => define(t.name));
    entry.graph.nodes.forEach((n) => n.outputs.forEach(define));
    const resolve = (name: string): number => {
      if (!name) return -1;
      for (let e: GraphEntry | null = entry; e; e = e.parent) {
        const found = locals.get(e)?.get(name);
        if (found !== undefined) return found;
        if (e.graph.kind === 'function') {
          // a function sees nothing outside it: an unknown name is its own
          const own = fresh(name);
          locals.get(e)!.set(name, own);
          return own;
        }
      }
      return id(name);
    };
    const graph = subgraphs.length;
    const start = nodes.length;
    entry.graph.nodes.slice(0, room).forEach((node, i) => {
      at.set(node, nodes.length);
      nodes.push(row(node, i, resolve, graph));
    });
    subgraphs.push({ path: entry.graph.path, owner, attribute: isFunction ? 'function' : entry.owner!.attribute.name, start, nodes: nodes.length - start });
  }
  return { values, nodes, subgraphs, complete };
}
