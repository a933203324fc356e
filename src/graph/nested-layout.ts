// Lays out an expansion state group by group, innermost first: each open
// group's boxes (and its open subgroups, as single boxes of their laid-out
// size plus a frame) get their own layered layout, so an open group stays in
// one piece and its frame encloses it and nothing else. Edges between boxes in
// different groups are lifted to the groups that hold them at the level where
// they meet. Each level lays out few boxes, so the sum is no more than one
// flat layout of everything.
import type { Hierarchy } from './hierarchy.js';
import { layeredLayout } from './layout.js';
import type { VisibleGraph } from './visible.js';

/** Space between a frame and what it holds, and the band at its top where its label is written. */
export const FRAME_PAD = 8;
export const FRAME_LABEL = 18;

export interface Frames {
  group: Int32Array;
  x0: Float64Array;
  y0: Float64Array;
  x1: Float64Array;
  y1: Float64Array;
  label: string[];
}

export interface NestedLayout {
  /** Box centres. */
  x: Float64Array;
  y: Float64Array;
  width: number;
  height: number;
  /** Open groups, outermost first (labels filled in by the caller). */
  frames: Omit<Frames, 'label'>;
}

export function nestedLayout(h: Hierarchy, visible: VisibleGraph, w: Float64Array, hgt: Float64Array): NestedLayout {
  const { groups, parentOf } = h;
  const boxes = visible.kind.length;
  // clusters: the root and every open group holding something on screen
  const clusterOf = new Map<number, number>(); // group → cluster
  const clusterGroup: number[] = [];
  const clusterParent: number[] = [];
  const clusterDepth: number[] = [];
  const cluster = (g: number): number => {
    let c = clusterOf.get(g);
    if (c !== undefined) return c;
    const parent = g === 0 ? -1 : cluster(Math.max(0, groups[g]!.parent));
    c = clusterGroup.length;
    clusterOf.set(g, c);
    clusterGroup.push(g);
    clusterParent.push(parent);
    clusterDepth.push(parent < 0 ? 0 : clusterDepth[parent]! + 1);
    return c;
  };
  cluster(0);
  const boxCluster = new Int32Array(boxes);
  for (let i = 0; i < boxes; i++) {
    const g = visible.kind[i] === 0 ? parentOf[visible.ref[i]!]! : groups[visible.ref[i]!]!.parent;
    boxCluster[i] = cluster(Math.max(0, g));
  }
  const clusters = clusterGroup.length;
  // items: boxes 0..boxes-1, clusters boxes..boxes+clusters-1; each listed in the cluster holding it
  const members: number[][] = Array.from({ length: clusters }, () => []);
  for (let i = 0; i < boxes; i++) members[boxCluster[i]!]!.push(i);
  for (let c = 1; c < clusters; c++) members[clusterParent[c]!]!.push(boxes + c);
  // edges lifted to where they meet
  const edges: number[][] = Array.from({ length: clusters }, () => []);
  const seen = new Set<number>();
  const items = boxes + clusters;
  for (let e = 0; e < visible.edgeFrom.length; e++) {
    let a = visible.edgeFrom[e]!;
    let b = visible.edgeTo[e]!;
    let ca = boxCluster[a]!;
    let cb = boxCluster[b]!;
    while (clusterDepth[ca]! > clusterDepth[cb]!) { a = boxes + ca; ca = clusterParent[ca]!; }
    while (clusterDepth[cb]! > clusterDepth[ca]!) { b = boxes + cb; cb = clusterParent[cb]!; }
    while (ca !== cb) {
      a = boxes + ca; ca = clusterParent[ca]!;
      b = boxes + cb; cb = clusterParent[cb]!;
    }
    if (a === b) continue;
    const k = a * items + b;
    if (seen.has(k)) continue;
    seen.add(k);
    edges[ca]!.push(a, b);
  }
  // innermost first: lay out each cluster, giving it a size for its parent
  const itemW = new Float64Array(items);
  const itemH = new Float64Array(items);
  itemW.set(w);
  itemH.set(hgt);
  const key = new Float64Array(items);
  for (let i = 0; i < boxes; i++) key[i] = visible.key[i]!;
  for (let c = 0; c < clusters; c++) key[boxes + c] = groups[clusterGroup[c]!]!.first;
  const localX = new Float64Array(items);
  const localY = new Float64Array(items);
  const order = Array.from({ length: clusters }, (_, c) => c).sort((a, b) => clusterDepth[b]! - clusterDepth[a]!);
  let width = 0;
  let height = 0;
  for (const c of order) {
    const list = members[c]!;
    const local = new Map<number, number>();
    list.forEach((item, i) => local.set(item, i));
    const pairs = edges[c]!;
    const from = new Int32Array(pairs.length / 2);
    const to = new Int32Array(pairs.length / 2);
    for (let k = 0; k < pairs.length; k += 2) {
      from[k / 2] = local.get(pairs[k]!)!;
      to[k / 2] = local.get(pairs[k + 1]!)!;
    }
    const laid = layeredLayout({
      width: list.map((item) => itemW[item]!),
      height: list.map((item) => itemH[item]!),
      key: list.map((item) => key[item]!),
      edgeFrom: from,
      edgeTo: to,
    });
    list.forEach((item, i) => {
      localX[item] = laid.x[i]!;
      localY[item] = laid.y[i]!;
    });
    if (c === 0) {
      width = laid.width;
      height = laid.height;
    } else {
      itemW[boxes + c] = laid.width + 2 * FRAME_PAD;
      itemH[boxes + c] = laid.height + 2 * FRAME_PAD + FRAME_LABEL;
    }
  }
  // outermost first: absolute positions from each cluster's content origin
  const originX = new Float64Array(clusters);
  const originY = new Float64Array(clusters);
  const x = new Float64Array(boxes);
  const y = new Float64Array(boxes);
  const byDepth = order.slice().reverse();
  const frames = { group: new Int32Array(clusters - 1), x0: new Float64Array(clusters - 1), y0: new Float64Array(clusters - 1), x1: new Float64Array(clusters - 1), y1: new Float64Array(clusters - 1) };
  let f = 0;
  for (const c of byDepth) {
    for (const item of members[c]!) {
      const cx = originX[c]! + localX[item]!;
      const cy = originY[c]! + localY[item]!;
      if (item < boxes) {
        x[item] = cx;
        y[item] = cy;
      } else {
        const child = item - boxes;
        const x0 = cx - itemW[item]! / 2;
        const y0 = cy - itemH[item]! / 2;
        originX[child] = x0 + FRAME_PAD;
        originY[child] = y0 + FRAME_PAD + FRAME_LABEL;
        frames.group[f] = clusterGroup[child]!;
        frames.x0[f] = x0;
        frames.y0[f] = y0;
        frames.x1[f] = x0 + itemW[item]!;
        frames.y1[f] = y0 + itemH[item]!;
        f++;
      }
    }
  }
  return { x, y, width, height, frames };
}
