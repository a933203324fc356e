// Graph integrity: every value a node reads is produced somewhere (a graph
// input, an initializer, an earlier node, an enclosing graph), every value is
// produced once, and nodes do not feed each other in a circle. ONNX requires
// all three; a runtime refuses a model that breaks them, and a tool that
// tolerates it may run a different computation than another.
import { nodeLabel, type GraphEntry } from './graphs.js';
import type { OnnxFunction, OnnxGraph, OnnxNode } from './model.js';
import type { Notes } from './notes.js';

/** Names a graph defines itself: inputs, initializers, sparse initializers, node outputs. */
export function definedNames(graph: OnnxGraph): Set<string> {
  const names = new Set<string>();
  for (const v of graph.inputs) names.add(v.name);
  for (const t of graph.initializers) names.add(t.name);
  for (const s of graph.sparseInitializers) if (s.values) names.add(s.values.name);
  for (const node of graph.nodes) for (const o of node.outputs) if (o) names.add(o);
  return names;
}

/** Outer-scope names a graph (with its own subgraphs) reads: what its owner node implicitly consumes. */
export function freeNames(graph: OnnxGraph, memo = new Map<OnnxGraph, Set<string>>()): Set<string> {
  const cached = memo.get(graph);
  if (cached) return cached;
  const defined = definedNames(graph);
  const free = new Set<string>();
  const use = (name: string) => {
    if (name && !defined.has(name)) free.add(name);
  };
  for (const node of graph.nodes) {
    for (const i of node.inputs) use(i);
    for (const a of node.attributes) for (const g of a.graphs) for (const n of freeNames(g, memo)) use(n);
  }
  for (const o of graph.outputs) use(o.name);
  memo.set(graph, free);
  return free;
}

export function checkIntegrity(entries: GraphEntry[], notes: Notes): void {
  const memo = new Map<OnnxGraph, Set<string>>();
  const defined = new Map<OnnxGraph, Set<string>>();
  const definedIn = (g: OnnxGraph) => {
    let names = defined.get(g);
    if (!names) defined.set(g, (names = definedNames(g)));
    return names;
  };
  for (const entry of entries) {
    // names visible from the graphs around this one, innermost first
    const outer: Set<string>[] = [];
    for (let p = entry.parent; p; p = p.parent) outer.push(definedIn(p.graph));
    checkGraph(entry, { has: (name) => outer.some((s) => s.has(name)) }, memo, notes);
  }
}

// Who defines a value: a node index, or one of these.
const BY_INPUT = -1;
const BY_INITIALIZER = -2;
const BY_SPARSE = -3;

/** Calls `visit` for every value a node reads: its inputs, then what its subgraphs read from outside. */
function forEachRead(node: OnnxNode, memo: Map<OnnxGraph, Set<string>>, visit: (name: string) => void): void {
  for (const i of node.inputs) if (i) visit(i);
  for (const a of node.attributes) for (const g of a.graphs) for (const n of freeNames(g, memo)) visit(n);
}

function checkGraph(entry: GraphEntry, outer: { has(name: string): boolean }, memo: Map<OnnxGraph, Set<string>>, notes: Notes): void {
  const { graph } = entry;
  const who = (by: number) => (by === BY_INPUT ? 'a graph input' : by === BY_INITIALIZER ? 'an initializer' : by === BY_SPARSE ? 'a sparse initializer' : `node ${nodeLabel(graph.nodes[by]!, by)}`);
  const producers = new Map<string, number>(); // value → who defines it first
  const define = (name: string, by: number, offset: number) => {
    if (!name) return;
    const before = producers.get(name);
    if (before === undefined) {
      producers.set(name, by);
      return;
    }
    const [first, second] = [who(before), who(by)];
    notes.add('onnx.duplicate-output', `value ${JSON.stringify(name)} in ${graph.path} is defined twice, by ${first} and by ${second}: which one a reader sees depends on the runtime`, { ...(by >= 0 ? { node: nodeLabel(graph.nodes[by]!, by) } : {}), offset }, { graph: graph.path, value: name, first, second });
  };
  for (const v of graph.inputs) define(v.name, BY_INPUT, graph.offset);
  const initializers = new Set<string>();
  for (const t of graph.initializers) {
    // An initializer may share its name with a graph input: it is then the input's default value.
    if (initializers.has(t.name) || producers.get(t.name) !== BY_INPUT) define(t.name, BY_INITIALIZER, t.offset);
    initializers.add(t.name);
  }
  for (const sparse of graph.sparseInitializers) if (sparse.values) define(sparse.values.name, BY_SPARSE, sparse.offset);
  graph.nodes.forEach((node, index) => {
    for (const o of node.outputs) define(o, index, node.offset);
  });

  const undefinedValue = (name: string, reader: string, offset: number, node?: string) =>
    notes.add('onnx.undefined-value', `${reader} in ${graph.path} reads ${JSON.stringify(name)}, which nothing produces: the model cannot run as written`, { ...(node ? { node } : {}), offset }, { graph: graph.path, value: name });
  // One pass over what nodes read: undefined values reported, edges between nodes kept for the cycle check.
  const edgeFrom: number[] = [];
  const edgeTo: number[] = [];
  graph.nodes.forEach((node, index) => {
    forEachRead(node, memo, (name) => {
      const p = producers.get(name);
      if (p !== undefined) {
        if (p >= 0) {
          edgeFrom.push(p);
          edgeTo.push(index);
        }
      } else if (!outer.has(name)) {
        const label = nodeLabel(node, index);
        undefinedValue(name, `node ${label}`, node.offset, label);
      }
    });
  });
  for (const o of graph.outputs) {
    if (o.name && !producers.has(o.name) && !outer.has(o.name)) undefinedValue(o.name, 'a graph output', graph.offset);
  }
  checkCycles(graph, edgeFrom, edgeTo, notes);
}

/** Kahn's algorithm over the nodes of one graph; what is left over sits on a cycle (or after one). */
function checkCycles(graph: OnnxGraph, edgeFrom: number[], edgeTo: number[], notes: Notes): void {
  const n = graph.nodes.length;
  // Edges producer → consumer in compressed rows.
  const waiting = new Int32Array(n);
  const rowStart = new Int32Array(n + 1);
  for (let e = 0; e < edgeFrom.length; e++) {
    waiting[edgeTo[e]!]!++;
    rowStart[edgeFrom[e]! + 1]!++;
  }
  for (let i = 0; i < n; i++) rowStart[i + 1]! += rowStart[i]!;
  const consumers = new Int32Array(edgeFrom.length);
  const filled = rowStart.slice(0, n);
  for (let e = 0; e < edgeFrom.length; e++) consumers[filled[edgeFrom[e]!]!++] = edgeTo[e]!;
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (waiting[i] === 0) ready.push(i);
  let done = 0;
  while (ready.length) {
    const i = ready.pop()!;
    done++;
    for (let e = rowStart[i]!; e < rowStart[i + 1]!; e++) if (--waiting[consumers[e]!]! === 0) ready.push(consumers[e]!);
  }
  if (done === n) return;
  const stuck = graph.nodes.flatMap((node, i) => (waiting[i]! > 0 ? [nodeLabel(node, i)] : []));
  const first = graph.nodes.find((_, i) => waiting[i]! > 0)!;
  notes.add('onnx.cycle', `${stuck.length} nodes of ${graph.path} depend on each other in a cycle (or on a node that does): ${stuck.slice(0, 8).join(', ')}${stuck.length > 8 ? ', …' : ''}`, { node: stuck[0]!, offset: first.offset }, { graph: graph.path, nodes: stuck.slice(0, 20), count: stuck.length });
}

/** Model-local functions that call themselves, directly or through others: inlining them never ends. */
export function checkFunctionRecursion(functions: OnnxFunction[], notes: Notes): void {
  const key = (domain: string, name: string) => `${domain}\u0000${name}`;
  const byKey = new Map(functions.map((f) => [key(f.domain, f.name), f]));
  const state = new Map<OnnxFunction, 'active' | 'done'>();
  const calls = (f: OnnxFunction) => f.body.nodes.flatMap((n) => byKey.get(key(n.domain, n.opType)) ?? []);
  const visit = (f: OnnxFunction, trail: OnnxFunction[]): void => {
    state.set(f, 'active');
    for (const callee of calls(f)) {
      const s = state.get(callee);
      if (s === 'active') {
        const at = trail.indexOf(callee);
        const loop = [...(at >= 0 ? trail.slice(at) : []), f, callee].map((g) => `${g.domain}.${g.name}`);
        notes.add('onnx.cycle', `model-local function ${callee.domain}.${callee.name} calls itself (${loop.join(' → ')}): a runtime inlining it never finishes`, { offset: callee.body.offset }, { functions: loop });
      } else if (s === undefined) visit(callee, [...trail, f]);
    }
    state.set(f, 'done');
  };
  for (const f of functions) if (!state.has(f)) visit(f, []);
}
