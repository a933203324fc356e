// What is on screen for an expansion state: every collapsed group is one box,
// every node inside an expanded group is its own box, and edges between boxes
// are the node edges that cross them, merged (with how many they stand for).
import { isLeafRef, leafOf, type Hierarchy } from './hierarchy.js';

export interface VisibleGraph {
  /** Per box: a node index (`kind` 0) or a group id (`kind` 1). */
  kind: Uint8Array;
  ref: Int32Array;
  /** Order key: the smallest node index inside (topological order of ONNX). */
  key: Int32Array;
  /** Box of each node. */
  boxOf: Int32Array;
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  /** Node edges each box edge stands for. */
  edgeCount: Int32Array;
}

export function visibleGraph(h: Hierarchy, expanded: ReadonlySet<number>): VisibleGraph {
  const kind: number[] = [];
  const ref: number[] = [];
  const key: number[] = [];
  const boxOf = new Int32Array(h.order.length).fill(-1);
  // depth first over expanded groups, with an explicit stack
  const stack: number[] = [0];
  while (stack.length) {
    const g = h.groups[stack.pop()!]!;
    for (const c of g.children) {
      if (isLeafRef(c)) {
        const n = leafOf(c);
        boxOf[n] = kind.length;
        kind.push(0);
        ref.push(n);
        key.push(n);
      } else if (expanded.has(c)) {
        stack.push(c);
      } else {
        const child = h.groups[c]!;
        const box = kind.length;
        for (let i = child.start; i < child.end; i++) boxOf[h.order[i]!] = box;
        kind.push(1);
        ref.push(c);
        key.push(child.first);
      }
    }
  }
  const boxes = kind.length;
  const merged = new Map<number, number>();
  const from: number[] = [];
  const to: number[] = [];
  const count: number[] = [];
  for (let e = 0; e < h.edgeFrom.length; e++) {
    const a = boxOf[h.edgeFrom[e]!]!;
    const b = boxOf[h.edgeTo[e]!]!;
    if (a === b) continue;
    const k = a * boxes + b;
    const at = merged.get(k);
    if (at === undefined) {
      merged.set(k, from.length);
      from.push(a);
      to.push(b);
      count.push(1);
    } else count[at]!++;
  }
  return {
    kind: Uint8Array.from(kind),
    ref: Int32Array.from(ref),
    key: Int32Array.from(key),
    boxOf,
    edgeFrom: Int32Array.from(from),
    edgeTo: Int32Array.from(to),
    edgeCount: Int32Array.from(count),
  };
}
