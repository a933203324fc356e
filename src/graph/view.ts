// One screen of the graph: the boxes of an expansion state with their labels,
// sizes and positions, and the edges between them. What the layout worker
// returns; plain typed arrays so it crosses to the page without copying.
import { buildHierarchy, isLeafRef, type GraphLayoutInput, type Hierarchy } from './hierarchy.js';
import { nestedLayout, type Frames } from './nested-layout.js';

export { FRAME_LABEL, FRAME_PAD, type Frames } from './nested-layout.js';
import { visibleGraph } from './visible.js';

export interface GraphView {
  /** Per box: 0 node, 1 group; `ref` a node index or a group id. */
  kind: Uint8Array;
  ref: Int32Array;
  /** Centre and size. */
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  h: Float64Array;
  /** First line (name) and second line (op, or what a group holds). */
  title: string[];
  detail: string[];
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  edgeCount: Int32Array;
  /** Frames around open groups, outermost first: the group, its rectangle (corners) and label. */
  frames: Frames;
  width: number;
  height: number;
  /** Milliseconds spent: visible graph, layout. */
  timing: { visible: number; layout: number };
}

/** What the page needs of the hierarchy: small (groups, not nodes) except `parentOf`. */
export interface HierarchySummary {
  groups: { kind: string; label: string; parent: number; size: number }[];
  parentOf: Int32Array;
  nodes: number;
  edges: number;
}

export const NODE_HEIGHT = 30;

export const GROUP_HEIGHT = 40;
/** Label characters shown in a box; the full name is in the side panel. */
export const MAX_LABEL_CHARS = 36;
/** Approximate width of a label character at the canvas font (11–12 px sans). */
const CHAR_WIDTH = 6.6;

const now = () => (globalThis.performance ?? Date).now();

/** 12345 → `12,345` (toLocaleString is slow for 10^5 calls). */
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function shorten(text: string, max = MAX_LABEL_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The last part of a scoped name: `/model/layers.0/attn/MatMul` → `MatMul`. */
export function shortName(name: string): string {
  const parts = name.split('/').filter((p) => p.length > 0);
  return parts.length ? parts[parts.length - 1]! : name;
}

export class GraphModel {
  readonly hierarchy: Hierarchy;

  constructor(readonly input: GraphLayoutInput) {
    this.hierarchy = buildHierarchy(input);
  }

  summary(): HierarchySummary {
    return {
      groups: this.hierarchy.groups.map((g) => ({ kind: g.kind, label: g.label, parent: g.parent, size: g.end - g.start })),
      parentOf: this.hierarchy.parentOf,
      nodes: this.input.nodes.length,
      edges: this.hierarchy.edgeFrom.length,
    };
  }

  view(expanded: Iterable<number>): GraphView {
    const t0 = now();
    const visible = visibleGraph(this.hierarchy, new Set(expanded));
    const n = visible.kind.length;
    const title: string[] = new Array(n);
    const detail: string[] = new Array(n);
    const w = new Float64Array(n);
    const h = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (visible.kind[i] === 0) {
        const node = this.input.nodes[visible.ref[i]!]!;
        title[i] = shorten(shortName(String(node.name)));
        detail[i] = shorten(node.domain ? `${node.domain}.${node.op}` : String(node.op));
        h[i] = NODE_HEIGHT;
      } else {
        const g = this.hierarchy.groups[visible.ref[i]!]!;
        title[i] = shorten(g.label || 'graph');
        // a collapsed `attn` among open layers says which layer it is in
        const parent = this.hierarchy.groups[g.parent];
        if (g.kind === 'node') {
          // the node itself comes first in the group's node range; the rest are its bodies'
          const owner = this.input.nodes[this.hierarchy.order[g.start]!]!;
          const bodies = g.children.filter((c) => !isLeafRef(c)).length;
          detail[i] = shorten(`${owner.op} · ${bodies} ${bodies === 1 ? 'body' : 'bodies'} · ${grouped(g.end - g.start - 1)} nodes`);
        } else detail[i] = shorten(`${grouped(g.end - g.start)} nodes${parent && parent.id > 0 && parent.label ? ` · in ${parent.label}` : ''}`);
        h[i] = GROUP_HEIGHT;
      }
      w[i] = Math.max(56, Math.max(title[i]!.length, detail[i]!.length) * CHAR_WIDTH + 16);
    }
    const t1 = now();
    const laid = nestedLayout(this.hierarchy, visible, w, h);
    const frames: Frames = { ...laid.frames, label: [...laid.frames.group].map((g) => shorten(this.hierarchy.groups[g]!.label || 'group', MAX_LABEL_CHARS * 2)) };
    const t2 = now();
    return {
      kind: visible.kind,
      ref: visible.ref,
      x: laid.x,
      y: laid.y,
      w,
      h,
      title,
      detail,
      edgeFrom: visible.edgeFrom,
      edgeTo: visible.edgeTo,
      edgeCount: visible.edgeCount,
      frames,
      width: laid.width,
      height: laid.height,
      timing: { visible: t1 - t0, layout: t2 - t1 },
    };
  }
}
