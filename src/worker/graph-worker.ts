// The graph viewer's worker: builds the hierarchy once per graph and lays out
// each expansion state off the page's thread (Comlink, as the engine worker);
// with the file at hand it also answers the side panel (a node's attributes
// and value types, an initializer's first values), walking the file once on
// the first such request. The layout's typed arrays are transferred, not copied.
import * as Comlink from 'comlink';
import { BlobByteSource } from '../engine/byte-source.js';
import { OnnxModelReader, type TensorRef } from '../engine/formats/onnx/model-reader.js';
import type { NodeDetails } from '../engine/formats/onnx/node-details.js';
import type { TensorValues } from '../engine/formats/onnx/tensor-values.js';
import { BlobSiblings } from '../engine/siblings.js';
import { initialExpansion } from '../graph/hierarchy.js';
import { unpackGraph, type PackedGraph } from '../graph/packed.js';
import { GraphModel, type GraphView, type HierarchySummary } from '../graph/view.js';
import { loadWasm } from './load-wasm.js';

let model: GraphModel | undefined;
let file: { blob: Blob; siblings: [string, Blob][] } | undefined;
let reader: Promise<OnnxModelReader> | undefined;

const openReader = () => {
  if (!file) throw new Error('the file is not at hand (a report from the history or a link): drop it again to read from it');
  const { blob, siblings } = file;
  return (reader ??= loadWasm()
    .then((wasm) => OnnxModelReader.open(new BlobByteSource(blob), new BlobSiblings(siblings), wasm))
    .catch((error: unknown) => {
      reader = undefined; // try again on the next request
      throw error;
    }));
};

/** Errors cross as values: a message for the panel, not a rejected promise. */
async function answer<T>(work: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await work();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

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
    const f = v.frames;
    return Comlink.transfer(v, [v.kind.buffer, v.ref.buffer, v.x.buffer, v.y.buffer, v.w.buffer, v.h.buffer, v.edgeFrom.buffer, v.edgeTo.buffer, v.edgeCount.buffer, f.group.buffer, f.x0.buffer, f.y0.buffer, f.x1.buffer, f.y1.buffer]);
  },

  /** The model file and the files beside it (external data), read from on request. */
  attachFile(blob: Blob | undefined, siblings: [string, Blob][]): void {
    file = blob ? { blob, siblings } : undefined;
    reader = undefined;
  },

  nodeDetails(graph: string, index: number, expected: string): Promise<NodeDetails | { error: string }> {
    return answer(async () => (await openReader()).node(graph, index, expected));
  },

  tensorValues(ref: TensorRef, max?: number): Promise<TensorValues | { error: string }> {
    return answer(async () => (await openReader()).tensorValues(ref, max));
  },
};

export type GraphWorkerApi = typeof api;

Comlink.expose(api);
