// The graph viewer's layout worker: builds the hierarchy once per graph and
// lays out each expansion state off the page's thread (Comlink, as the engine
// worker). The result's typed arrays are transferred, not copied.
import * as Comlink from 'comlink';
import { initialExpansion } from '../graph/hierarchy.js';
import { unpackGraph, type PackedGraph } from '../graph/packed.js';
import { GraphModel, type GraphView, type HierarchySummary } from '../graph/view.js';

let model: GraphModel | undefined;

const api = {
  /** Builds the hierarchy; answers with it and the groups open on the first screen. */
  load(packed: PackedGraph): { summary: HierarchySummary; initial: number[]; ms: number } {
    const t0 = performance.now();
    model = new GraphModel(unpackGraph(packed));
    return { summary: model.summary(), initial: initialExpansion(model.hierarchy), ms: performance.now() - t0 };
  },

  view(expanded: number[]): GraphView {
    if (!model) throw new Error('no graph loaded');
    const v = model.view(expanded);
    return Comlink.transfer(v, [v.kind.buffer, v.ref.buffer, v.x.buffer, v.y.buffer, v.w.buffer, v.h.buffer, v.edgeFrom.buffer, v.edgeTo.buffer, v.edgeCount.buffer]);
  },
};

export type GraphWorkerApi = typeof api;

Comlink.expose(api);
