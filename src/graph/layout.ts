// A layered (Sugiyama-style) layout, top to bottom, linear in the edges per
// pass so 100,000 boxes lay out in well under a second:
//   1. layers: longest path from the sources, in topological key order (edges
//      against that order are back edges and do not constrain); sources are
//      then pulled down next to their first consumer (a Constant or a weight
//      sits by the node that reads it, not at the top of the page);
//   2. order within a layer: barycentre sweeps, down then up, over all
//      neighbours in earlier (later) layers, so long edges count too;
//   3. x: each box as near the mean x of its neighbours as the boxes beside
//      it allow: a least-squares fit under minimum-gap constraints, solved
//      exactly per layer by pool-adjacent-violators (O(n)).
// No dummy nodes for long edges: they would multiply the boxes of a deep
// residual stack; long edges are drawn as curves over the layers they cross.

export interface LayoutInput {
  /** Box widths and heights. */
  width: ArrayLike<number>;
  height: ArrayLike<number>;
  /** Order key per box: the topological position of its first node. */
  key: ArrayLike<number>;
  edgeFrom: ArrayLike<number>;
  edgeTo: ArrayLike<number>;
}

export interface LayoutResult {
  /** Box centres. */
  x: Float64Array;
  y: Float64Array;
  layer: Int32Array;
  width: number;
  height: number;
}

export const LAYER_GAP = 36;
export const NODE_GAP = 16;
/** Barycentre sweeps (each down + up): more barely change a DAG of repeated blocks. */
export const ORDER_SWEEPS = 2;

interface Adjacency {
  start: Int32Array;
  list: Int32Array;
}

function adjacency(n: number, from: ArrayLike<number>, to: ArrayLike<number>, keep: Uint8Array): Adjacency {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < from.length; e++) if (keep[e]) start[from[e]! + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const list = new Int32Array(start[n]!);
  for (let e = 0; e < from.length; e++) if (keep[e]) list[fill[from[e]!]!++] = to[e]!;
  return { start, list };
}

export function layeredLayout(input: LayoutInput): LayoutResult {
  const n = input.width.length;
  const { key, edgeFrom, edgeTo } = input;
  // forward edges only (key order is topological for ONNX); back edges are drawn, not laid out
  const forward = new Uint8Array(edgeFrom.length);
  for (let e = 0; e < edgeFrom.length; e++) forward[e] = key[edgeFrom[e]!]! < key[edgeTo[e]!]! ? 1 : 0;
  const succ = adjacency(n, edgeFrom, edgeTo, forward);
  const pred = adjacency(n, edgeTo, edgeFrom, forward);
  const byKey = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => key[a]! - key[b]!);

  // 1. layers
  const layer = new Int32Array(n);
  for (const v of byKey) {
    for (let i = pred.start[v]!; i < pred.start[v + 1]!; i++) {
      const u = pred.list[i]!;
      if (layer[u]! + 1 > layer[v]!) layer[v] = layer[u]! + 1;
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    const v = byKey[k]!;
    if (pred.start[v] !== pred.start[v + 1] || succ.start[v] === succ.start[v + 1]) continue;
    let lowest = Infinity;
    for (let i = succ.start[v]!; i < succ.start[v + 1]!; i++) lowest = Math.min(lowest, layer[succ.list[i]!]!);
    layer[v] = lowest - 1;
  }
  let layers = 0;
  for (let v = 0; v < n; v++) if (layer[v]! + 1 > layers) layers = layer[v]! + 1;
  const rows: number[][] = Array.from({ length: layers }, () => []);
  for (const v of byKey) rows[layer[v]!]!.push(v);

  // 2. order within layers
  const pos = new Float64Array(n);
  const place = (row: number[]) => row.forEach((v, i) => (pos[v] = i - row.length / 2));
  rows.forEach(place);
  const bary = new Float64Array(n);
  // ties (siblings of one parent) alternate sides layer by layer: on the same side
  // every time, the joins of a long residual stack drift it sideways
  const sweep = (row: number[], adj: Adjacency, flip: boolean) => {
    for (const v of row) {
      let sum = 0;
      const count = adj.start[v + 1]! - adj.start[v]!;
      for (let i = adj.start[v]!; i < adj.start[v + 1]!; i++) sum += pos[adj.list[i]!]!;
      bary[v] = count ? sum / count : pos[v]!;
    }
    row.sort((a, b) => bary[a]! - bary[b]! || (flip ? key[b]! - key[a]! : key[a]! - key[b]!));
    place(row);
  };
  for (let s = 0; s < ORDER_SWEEPS; s++) {
    for (let l = 1; l < layers; l++) sweep(rows[l]!, pred, (l & 1) === 1);
    for (let l = layers - 2; l >= 0; l--) sweep(rows[l]!, succ, (l & 1) === 1);
  }

  // 3. coordinates
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let top = 0;
  for (let l = 0; l < layers; l++) {
    let tallest = 0;
    for (const v of rows[l]!) tallest = Math.max(tallest, input.height[v]!);
    for (const v of rows[l]!) y[v] = top + tallest / 2;
    top += tallest + LAYER_GAP;
  }
  // packed start, then down, up and down again towards the neighbours' mean x
  for (const row of rows) {
    let at = 0;
    for (const v of row) {
      x[v] = at + input.width[v]! / 2;
      at += input.width[v]! + NODE_GAP;
    }
    for (const v of row) x[v]! -= at / 2;
  }
  const desired = new Float64Array(n);
  const weight = new Float64Array(n);
  const widths = new Float64Array(n);
  const scratch = new FitScratch(n);
  const align = (row: number[], adj: Adjacency) => {
    row.forEach((v, i) => {
      const count = adj.start[v + 1]! - adj.start[v]!;
      let sum = 0;
      for (let k = adj.start[v]!; k < adj.start[v + 1]!; k++) sum += x[adj.list[k]!]!;
      desired[i] = count ? sum / count : x[v]!;
      weight[i] = count ? 1 : 0.01;
      widths[i] = input.width[v]!;
    });
    const placed = fitInOrder(widths, desired, weight, row.length, scratch);
    row.forEach((v, i) => (x[v] = placed[i]!));
  };
  for (let l = 1; l < layers; l++) align(rows[l]!, pred);
  for (let l = layers - 2; l >= 0; l--) align(rows[l]!, succ);
  for (let l = 1; l < layers; l++) align(rows[l]!, pred);

  let minX = Infinity;
  let maxX = -Infinity;
  for (let v = 0; v < n; v++) {
    minX = Math.min(minX, x[v]! - input.width[v]! / 2);
    maxX = Math.max(maxX, x[v]! + input.width[v]! / 2);
  }
  if (n) for (let v = 0; v < n; v++) x[v]! -= minX;
  return { x, y, layer, width: n ? maxX - minX : 0, height: Math.max(0, top - LAYER_GAP) };
}

/** Buffers reused by fitInOrder across the layers of one layout. */
export class FitScratch {
  readonly offset: Float64Array;
  readonly mean: Float64Array;
  readonly total: Float64Array;
  readonly size: Int32Array;
  readonly out: Float64Array;
  constructor(n: number) {
    this.offset = new Float64Array(n);
    this.mean = new Float64Array(n);
    this.total = new Float64Array(n);
    this.size = new Int32Array(n);
    this.out = new Float64Array(n);
  }
}

/**
 * Centres as near `desired` as possible (weighted least squares) keeping the
 * given order and a NODE_GAP between neighbours: pool adjacent violators on
 * the positions shifted by each box's offset from the first. The first `n`
 * entries of the result are valid (it is `scratch.out`).
 */
export function fitInOrder(widths: ArrayLike<number>, desired: ArrayLike<number>, weight: ArrayLike<number>, n = widths.length, scratch = new FitScratch(n)): Float64Array {
  const { offset, mean, total, size, out } = scratch;
  offset[0] = 0;
  for (let i = 1; i < n; i++) offset[i] = offset[i - 1]! + (widths[i - 1]! + widths[i]!) / 2 + NODE_GAP;
  let blocks = 0;
  for (let i = 0; i < n; i++) {
    let m = desired[i]! - offset[i]!;
    let w = weight[i]!;
    let s = 1;
    while (blocks && mean[blocks - 1]! >= m) {
      blocks--;
      m = (mean[blocks]! * total[blocks]! + m * w) / (total[blocks]! + w);
      w += total[blocks]!;
      s += size[blocks]!;
    }
    mean[blocks] = m;
    total[blocks] = w;
    size[blocks] = s;
    blocks++;
  }
  let i = 0;
  for (let b = 0; b < blocks; b++) for (let k = 0; k < size[b]!; k++, i++) out[i] = mean[b]! + offset[i]!;
  return out;
}
