// An ONNX file walked again for the graph viewer's side panel: the report
// keeps the graph's shape only (a 100,000-node model's report is already
// ~14 MB), so attributes, value_info types and initializer values are read
// from the file when a node is clicked. The walk happens once, on the first
// request; each answer then reads a few KB at most.
import type { ByteSource } from '../../byte-source.js';
import type { Siblings } from '../../siblings.js';
import type { WeightlensWasm } from '../../wasm.js';
import { collectGraphs, nodeLabel, type GraphEntry } from './graphs.js';
import type { OnnxModel, OnnxTensor } from './model.js';
import { findNode, nodeDetails, type NodeDetails } from './node-details.js';
import { readTensorValues, type TensorValues } from './tensor-values.js';
import { walkModel } from './walk.js';

/** A tensor the panel can show values of: an initializer of a graph, or a tensor attribute of a node. */
export type TensorRef = { graph: string; initializer: string } | { graph: string; node: number; attribute: string; index?: number };

export class OnnxModelReader {
  private constructor(
    private readonly source: ByteSource,
    private readonly siblings: Siblings,
    private readonly entries: GraphEntry[],
    /** Why the walk stopped early (the report says the same), or undefined. */
    readonly problem: string | undefined,
  ) {}

  /** Walks the model; what was read before damage or a limit is still served. */
  static async open(source: ByteSource, siblings: Siblings, wasm: WeightlensWasm): Promise<OnnxModelReader> {
    let model!: OnnxModel;
    let problem: string | undefined;
    try {
      await walkModel(source, wasm, (m) => (model = m));
    } catch (error) {
      problem = (error as Error).message;
    }
    return new OnnxModelReader(source, siblings, collectGraphs(model), problem);
  }

  /**
   * Node `index` of the graph at `graph` (`graph`, `graph/If_0.then_branch` …).
   * `expected` is the name the report gives it (its name or `Op#index`): a
   * different node there means the file is not the one the report was made from.
   */
  async node(graph: string, index: number, expected: string): Promise<NodeDetails> {
    const found = findNode(this.entries, graph, index);
    if (!found) throw new Error(`${graph} has no node ${index} in this file${this.problem ? ` (the walk stopped early: ${this.problem})` : ''}`);
    if (nodeLabel(found.node, index) !== expected) throw new Error(`node ${index} of ${graph} is ${JSON.stringify(nodeLabel(found.node, index))} in this file, not ${JSON.stringify(expected)}: the file has changed since its report`);
    return (await nodeDetails(this.source, this.entries, graph, index))!;
  }

  async tensorValues(ref: TensorRef, max?: number): Promise<TensorValues> {
    return readTensorValues(this.source, this.tensor(ref), this.siblings, max);
  }

  private tensor(ref: TensorRef): OnnxTensor {
    if ('initializer' in ref) {
      // the innermost graph first: a subgraph sees its enclosing graphs' initializers
      for (let e = this.entries.find((x) => x.graph.path === ref.graph) ?? null; e; e = e.parent) {
        const t = e.graph.initializers.find((x) => x.name === ref.initializer);
        if (t) return t;
      }
      throw new Error(`no initializer ${JSON.stringify(ref.initializer)} in ${ref.graph}`);
    }
    const node = findNode(this.entries, ref.graph, ref.node)?.node;
    const t = node?.attributes.find((a) => a.name === ref.attribute)?.tensors[ref.index ?? 0];
    if (!t) throw new Error(`no tensor attribute ${JSON.stringify(ref.attribute)} on node ${ref.node} of ${ref.graph}`);
    return t;
  }
}
