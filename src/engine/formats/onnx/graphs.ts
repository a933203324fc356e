// Every graph in a model with where it sits: the main graph, the bodies of
// If/Loop/Scan attributes at any depth, function bodies and training graphs.
// Assigns the paths findings use (`graph/If_0.then_branch`).
import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxOpset } from './model.js';

export interface GraphEntry {
  graph: OnnxGraph;
  /** The graph holding the node whose attribute this graph is; null for top-level graphs. */
  parent: GraphEntry | null;
  owner: { node: OnnxNode; attribute: OnnxAttribute } | null;
  /** The opsets its nodes bind to: the model's, or a function's own. */
  opsets: OnnxOpset[];
}

/** A node's name for people: its name, or `OpType#index` when it has none. */
export function nodeLabel(node: OnnxNode, index: number): string {
  return node.name || `${node.opType || 'node'}#${index}`;
}

/** Lists every graph, parents before children, and assigns graph and tensor paths. */
export function collectGraphs(model: OnnxModel): GraphEntry[] {
  const out: GraphEntry[] = [];
  const visit = (entry: GraphEntry) => {
    out.push(entry);
    const { graph } = entry;
    graph.initializers.forEach((t) => (t.path = `${graph.path}.initializer`));
    graph.sparseInitializers.forEach((s, i) => {
      s.path = `${graph.path}.sparse_initializer[${i}]`;
      if (s.values) s.values.path = `${s.path}.values`;
      if (s.indices) s.indices.path = `${s.path}.indices`;
    });
    graph.nodes.forEach((node, index) => {
      const label = nodeLabel(node, index);
      for (const attribute of node.attributes) {
        const at = `${graph.path}/${label}.${attribute.name || '?'}`;
        attribute.tensors.forEach((t, i) => (t.path = attribute.tensors.length > 1 ? `${at}[${i}]` : at));
        attribute.sparseTensors.forEach((s, i) => {
          s.path = attribute.sparseTensors.length > 1 ? `${at}[${i}]` : at;
          if (s.values) s.values.path = `${s.path}.values`;
          if (s.indices) s.indices.path = `${s.path}.indices`;
        });
        attribute.graphs.forEach((sub, i) => {
          sub.path = attribute.graphs.length > 1 ? `${at}[${i}]` : at;
          visit({ graph: sub, parent: entry, owner: { node, attribute }, opsets: entry.opsets });
        });
      }
    });
  };
  if (model.graph) {
    model.graph.path = 'graph';
    visit({ graph: model.graph, parent: null, owner: null, opsets: model.opsets });
  }
  for (const fn of model.functions) {
    fn.body.path = `function ${fn.domain ? `${fn.domain}.` : ''}${fn.name}`;
    fn.body.name = fn.name;
    visit({ graph: fn.body, parent: null, owner: null, opsets: fn.body.opsets?.length ? fn.body.opsets : model.opsets });
  }
  model.trainingGraphs.forEach((g, i) => {
    g.path = `training[${i}]`;
    visit({ graph: g, parent: null, owner: null, opsets: model.opsets });
  });
  return out;
}
