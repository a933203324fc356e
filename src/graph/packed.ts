// The graph as a few flat arrays for crossing to the layout worker: structured
// cloning 100,000 node objects with their input and output lists takes most of
// a second, the same data as string lists and typed arrays a few tens of ms.
import type { GraphLayoutInput, LayoutSubgraph } from './hierarchy.js';

export interface PackedGraph {
  values: string[];
  names: string[];
  ops: string[];
  /** Per node its domain, '' for the default one. */
  domains: string[];
  /** Node i's inputs are `inputs[inputStart[i] .. inputStart[i + 1])`; outputs alike. */
  inputs: Int32Array;
  inputStart: Int32Array;
  outputs: Int32Array;
  outputStart: Int32Array;
  /** Per node the index of its body in `subgraphs`, -1 for the main graph. */
  graphs: Int32Array;
  subgraphs: LayoutSubgraph[];
}

const ints = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x)) : []);

export function packGraph(input: GraphLayoutInput): PackedGraph {
  const n = input.nodes.length;
  const names: string[] = new Array(n);
  const ops: string[] = new Array(n);
  const domains: string[] = new Array(n);
  const inputStart = new Int32Array(n + 1);
  const outputStart = new Int32Array(n + 1);
  const graphs = new Int32Array(n).fill(-1);
  const ins: number[] = [];
  const outs: number[] = [];
  for (let i = 0; i < n; i++) {
    const node = input.nodes[i]!;
    names[i] = String(node.name);
    ops[i] = String(node.op);
    domains[i] = node.domain ? String(node.domain) : '';
    if (Number.isSafeInteger(node.graph) && node.graph! >= 0) graphs[i] = node.graph!;
    for (const v of ints(node.inputs)) ins.push(v);
    for (const v of ints(node.outputs)) outs.push(v);
    inputStart[i + 1] = ins.length;
    outputStart[i + 1] = outs.length;
  }
  return { values: input.values.map(String), names, ops, domains, inputs: Int32Array.from(ins), inputStart, outputs: Int32Array.from(outs), outputStart, graphs, subgraphs: subgraphsOf(input) };
}

/** The bodies as plain numbers and strings (a report is untrusted: validBodies checks them again). */
function subgraphsOf(input: GraphLayoutInput): LayoutSubgraph[] {
  const list = Array.isArray(input.subgraphs) ? input.subgraphs : [];
  return list.map((b) => ({ path: String(b?.path ?? ''), owner: Number(b?.owner), attribute: String(b?.attribute ?? ''), start: Number(b?.start), nodes: Number(b?.nodes) }));
}

export function unpackGraph(p: PackedGraph): GraphLayoutInput {
  const nodes = p.names.map((name, i) => ({
    name,
    op: p.ops[i]!,
    ...(p.domains[i] ? { domain: p.domains[i]! } : {}),
    ...(p.graphs[i]! >= 0 ? { graph: p.graphs[i]! } : {}),
    inputs: Array.from(p.inputs.subarray(p.inputStart[i]!, p.inputStart[i + 1]!)),
    outputs: Array.from(p.outputs.subarray(p.outputStart[i]!, p.outputStart[i + 1]!)),
  }));
  return { values: p.values, nodes, subgraphs: p.subgraphs };
}

/** The typed arrays of a packed graph, to transfer rather than copy. */
export const packedBuffers = (p: PackedGraph): ArrayBuffer[] => [p.inputs.buffer, p.inputStart.buffer, p.outputs.buffer, p.outputStart.buffer, p.graphs.buffer] as ArrayBuffer[];
