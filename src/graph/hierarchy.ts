// The graph as nested groups, so the first screen shows a model's structure
// rather than 100,000 boxes: node names' scopes (`/model/layers.12/attn/MatMul`)
// become groups, siblings numbered alike (`layers.0` … `layers.23`) one group
// of repeated blocks, and flat lists (names without scopes) are cut into runs
// of one op and then into chunks, so no group shows more than a screenful.
// Environment-free: it runs in the layout worker and in unit tests.

/** One node as `content.graph.layout` lists it (inputs/outputs index `values`, -1 for an omitted input). */
export interface LayoutNode {
  name: string;
  op: string;
  domain?: string;
  inputs: number[];
  outputs: number[];
  /** Index in `subgraphs` of the If/Loop/Scan body holding it; absent for the main graph's nodes. */
  graph?: number;
}

/** A body as `content.graph.layout.subgraphs` lists it (the engine writes it): its nodes are `nodes[start .. start + nodes)`. */
export type { LayoutSubgraph } from '../engine/formats/onnx/content.js';
import type { LayoutSubgraph } from '../engine/formats/onnx/content.js';

export interface GraphLayoutInput {
  values: string[];
  nodes: LayoutNode[];
  subgraphs?: LayoutSubgraph[];
}

/** `node`: a node with subgraphs, holding itself and its bodies; `body`: one If/Loop/Scan body; `function`: a model-local function's body. */
export type GroupKind = 'root' | 'scope' | 'repeat' | 'run' | 'chunk' | 'node' | 'body' | 'function';

export interface Group {
  id: number;
  kind: GroupKind;
  label: string;
  parent: number;
  depth: number;
  /** Children in drawing order: a group id (>= 0) or a node as ~index (< 0). */
  children: number[];
  /** The group's nodes are `order[start..end)`. */
  start: number;
  end: number;
  /** Smallest node index inside: ONNX lists nodes in topological order, so this orders groups too. */
  first: number;
}

export interface Hierarchy {
  groups: Group[];
  /** Every node once, group by group (depth first). */
  order: Int32Array;
  /** Innermost group of each node. */
  parentOf: Int32Array;
  /** Node-level edges, producer → consumer, one per (value, consumer input). */
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
}

/** More direct children than this and a group's leaves are cut into op runs, then chunks: a screenful of boxes. */
export const MAX_GROUP_CHILDREN = 40;
/** Nodes of one op in a row that become one `Relu ×N` group. Short runs read better as nodes. */
export const MIN_OP_RUN = 4;
/** Children per chunk when a flat list is cut into chunks (chunks nest again when there are many). */
export const CHUNK_SIZE = 32;
/** Siblings numbered alike that make a repeated-block group; two are a pair, not a stack. */
export const MIN_REPEATS = 3;

const leafRef = (node: number) => ~node;
export const isLeafRef = (child: number) => child < 0;
export const leafOf = (child: number) => ~child;

/** The scope path of a node's name: `/model/layers.0/attn/MatMul` → `model`, `layers.0`, `attn`. */
export function scopeOf(name: string): string[] {
  if (!name.includes('/')) return [];
  const parts = name.split('/').filter((p) => p.length > 0);
  parts.pop();
  return parts;
}

/** Producer → consumer edges over values. Values with two producers (malformed) keep the first. */
export function nodeEdges(input: GraphLayoutInput): { edgeFrom: Int32Array; edgeTo: Int32Array } {
  const producer = new Int32Array(input.values.length).fill(-1);
  input.nodes.forEach((node, i) => {
    for (const v of node.outputs) if (v >= 0 && v < producer.length && producer[v] === -1) producer[v] = i;
  });
  const from: number[] = [];
  const to: number[] = [];
  input.nodes.forEach((node, i) => {
    for (const v of node.inputs) {
      const p = v >= 0 && v < producer.length ? producer[v]! : -1;
      if (p >= 0 && p !== i) {
        from.push(p);
        to.push(i);
      }
    }
  });
  return { edgeFrom: Int32Array.from(from), edgeTo: Int32Array.from(to) };
}

/** Bodies nest a few levels in real models; the walk stops at MAX_SUBGRAPH_DEPTH (16) anyway. */
export const MAX_BODY_NESTING = 32;

/** The last part of a scoped name, for a `node` group's label. */
function shortLabel(name: string): string {
  const parts = name.split('/').filter((p) => p.length > 0);
  return parts.length ? parts[parts.length - 1]! : name;
}

/**
 * Bodies that can be drawn: node ranges inside the list, not overlapping, each
 * owned by a node listed before it (so ownership cannot loop). A report is
 * untrusted input: anything else is left out, its nodes drawn at the top level.
 */
export function validBodies(input: GraphLayoutInput): LayoutSubgraph[] {
  const n = input.nodes.length;
  const candidates: LayoutSubgraph[] = [];
  for (const b of Array.isArray(input.subgraphs) ? input.subgraphs : []) {
    if (typeof b !== 'object' || b === null) continue;
    const { owner, start, nodes } = b;
    // owner -1: a function body, drawn at the top level
    if (![owner, start, nodes].every((x) => Number.isSafeInteger(x)) || owner < -1 || start <= owner || start < 0 || nodes < 0 || start + nodes > n) continue;
    candidates.push({ path: String(b.path), owner, attribute: String(b.attribute ?? ''), start, nodes });
  }
  // by start: the body holding a body's owner (which comes before it) is decided first
  candidates.sort((a, b) => a.start - b.start);
  const bodyOf = new Int32Array(n).fill(-1);
  const depth: number[] = [];
  const out: LayoutSubgraph[] = [];
  for (const b of candidates) {
    let free = true;
    for (let k = b.start; k < b.start + b.nodes && free; k++) if (bodyOf[k] !== -1) free = false;
    const outer = b.owner < 0 ? -1 : bodyOf[b.owner]!;
    const d = outer === -1 ? 1 : depth[outer]! + 1;
    if (!free || d > MAX_BODY_NESTING) continue;
    bodyOf.fill(out.length, b.start, b.start + b.nodes);
    depth.push(d);
    out.push(b);
  }
  return out;
}

export function buildHierarchy(input: GraphLayoutInput): Hierarchy {
  const groups: Group[] = [];
  const make = (kind: GroupKind, label: string, parent: number): Group => {
    const g: Group = { id: groups.length, kind, label, parent, depth: 0, children: [], start: 0, end: 0, first: Number.MAX_SAFE_INTEGER };
    groups.push(g);
    return g;
  };
  const root = make('root', '', -1);
  // 0. nodes with bodies become `node` groups (the node, then a group per body), bodies nested alike
  const bodies = validBodies(input);
  const bodiesOf = new Map<number, LayoutSubgraph[]>();
  for (const b of bodies) {
    if (b.owner < 0) continue;
    const list = bodiesOf.get(b.owner) ?? [];
    list.push(b);
    bodiesOf.set(b.owner, list);
  }
  const inBody = new Uint8Array(input.nodes.length);
  for (const b of bodies) inBody.fill(1, b.start, b.start + b.nodes);
  const place = (i: number, parent: number): number => {
    const own = bodiesOf.get(i);
    if (!own) return leafRef(i);
    const g = make('node', shortLabel(String(input.nodes[i]!.name)), parent);
    g.children.push(leafRef(i));
    for (const b of own) {
      const body = make('body', b.attribute || 'body', g.id);
      g.children.push(body.id);
      for (let k = b.start; k < b.start + b.nodes; k++) body.children.push(place(k, body.id));
    }
    return g.id;
  };
  // 1. the scope trie, children in order of first appearance
  const childScopes = new Map<number, Map<string, number>>();
  input.nodes.forEach((node, i) => {
    if (inBody[i]) return;
    let g = root;
    for (const part of scopeOf(String(node.name))) {
      let scopes = childScopes.get(g.id);
      if (!scopes) childScopes.set(g.id, (scopes = new Map()));
      let child = scopes.get(part);
      if (child === undefined) {
        const c = make('scope', part, g.id);
        g.children.push(c.id);
        scopes.set(part, (child = c.id));
      }
      g = groups[child]!;
    }
    g.children.push(place(i, g.id));
  });
  // function bodies after the main graph, one group each
  for (const b of bodies) {
    if (b.owner >= 0) continue;
    const fn = make('function', b.path, root.id);
    root.children.push(fn.id);
    for (let k = b.start; k < b.start + b.nodes; k++) fn.children.push(place(k, fn.id));
  }
  // 2. a root holding a single scope (`/model/…`) shows that scope's contents
  while (root.children.length === 1 && !isLeafRef(root.children[0]!)) {
    const only = groups[root.children[0]!]!;
    root.children = only.children;
    for (const c of only.children) if (!isLeafRef(c)) groups[c]!.parent = root.id;
    only.children = [];
    only.parent = -2; // detached
  }
  // 3. chains of single scopes read as one (`encoder/block`)
  for (const g of groups) {
    if (g.parent === -2 || g.kind !== 'scope') continue;
    while (g.children.length === 1 && !isLeafRef(g.children[0]!)) {
      const only = groups[g.children[0]!]!;
      g.label = `${g.label}/${only.label}`;
      g.children = only.children;
      for (const c of only.children) if (!isLeafRef(c)) groups[c]!.parent = g.id;
      only.children = [];
      only.parent = -2;
    }
  }
  // 4. repeated blocks and flat lists, in every group that is still attached
  const attached = groups.filter((g) => g.parent !== -2);
  for (const g of attached) {
    const before = groups.length;
    g.children = groupRepeats(g, groups, make);
    for (const repeat of groups.slice(before)) repeat.children = cutFlatList(repeat.id, repeat.children, groups, input.nodes, make);
    g.children = cutFlatList(g.id, g.children, groups, input.nodes, make);
  }
  return finish(groups, input);
}

/** `layers.0`, `layers.1`, … `layers.23` (scope groups) → one `layers.0–23 ×24` group where the first stood. */
function groupRepeats(g: Group, groups: Group[], make: (kind: GroupKind, label: string, parent: number) => Group): number[] {
  const families = new Map<string, number[]>();
  for (const c of g.children) {
    if (isLeafRef(c) || groups[c]!.kind !== 'scope') continue;
    const m = /^(.*?)(\d+)$/.exec(groups[c]!.label);
    if (!m) continue;
    const members = families.get(m[1]!) ?? [];
    members.push(c);
    families.set(m[1]!, members);
  }
  const replaced = new Map<number, number>(); // first member → repeat group, other members → -1
  for (const [prefix, members] of families) {
    if (members.length < MIN_REPEATS) continue;
    const numbers = members.map((c) => Number(/(\d+)$/.exec(groups[c]!.label)![1]));
    if (members.length === g.children.length && g.kind === 'scope') {
      // the group is the stack itself (`layers` holding `0` … `23`): say so on it
      g.label = `${g.label} ×${members.length}`;
      continue;
    }
    const repeat = make('repeat', `${prefix}${Math.min(...numbers)}–${Math.max(...numbers)} ×${members.length}`, g.id);
    repeat.children = members;
    for (const c of members) {
      groups[c]!.parent = repeat.id;
      replaced.set(c, -1);
    }
    replaced.set(members[0]!, repeat.id);
  }
  if (!replaced.size) return g.children;
  const out: number[] = [];
  for (const c of g.children) {
    const r = isLeafRef(c) ? undefined : replaced.get(c);
    if (r === undefined) out.push(c);
    else if (r >= 0) out.push(r);
  }
  return out;
}

/** Too many children: runs of one op become groups, then the list is cut into nested chunks. */
function cutFlatList(parent: number, children: number[], groups: Group[], nodes: LayoutNode[], make: (kind: GroupKind, label: string, parent: number) => Group): number[] {
  if (children.length <= MAX_GROUP_CHILDREN) return children;
  const out: number[] = [];
  for (let i = 0; i < children.length; ) {
    const c = children[i]!;
    let j = i + 1;
    if (isLeafRef(c)) {
      const op = nodes[leafOf(c)]!.op;
      while (j < children.length && isLeafRef(children[j]!) && nodes[leafOf(children[j]!)]!.op === op) j++;
    }
    if (j - i >= MIN_OP_RUN) {
      const run = make('run', `${nodes[leafOf(c)]!.op} ×${j - i}`, parent);
      run.children = children.slice(i, j);
      out.push(run.id);
    } else for (let k = i; k < j; k++) out.push(children[k]!);
    i = j;
  }
  let level = out;
  while (level.length > MAX_GROUP_CHILDREN) {
    const next: number[] = [];
    for (let i = 0; i < level.length; i += CHUNK_SIZE) {
      const slice = level.slice(i, i + CHUNK_SIZE);
      const chunk = make('chunk', '', parent);
      chunk.children = slice;
      next.push(chunk.id);
    }
    level = next;
  }
  // parents of everything moved into runs and chunks
  const adopt = (g: Group) => {
    for (const c of g.children) if (!isLeafRef(c)) {
      groups[c]!.parent = g.id;
      if (groups[c]!.kind === 'chunk') adopt(groups[c]!);
    }
  };
  for (const c of level) if (!isLeafRef(c) && (groups[c]!.kind === 'chunk' || groups[c]!.kind === 'run')) adopt(groups[c]!);
  return level;
}

/** Depth-first order, each group's node range, depths, first nodes, chunk labels, edges. */
function finish(groups: Group[], input: GraphLayoutInput): Hierarchy {
  const order = new Int32Array(input.nodes.length);
  const parentOf = new Int32Array(input.nodes.length).fill(0);
  let at = 0;
  const visit = (g: Group, depth: number) => {
    g.depth = depth;
    g.start = at;
    for (const c of g.children) {
      if (isLeafRef(c)) {
        const n = leafOf(c);
        order[at++] = n;
        parentOf[n] = g.id;
        if (n < g.first) g.first = n;
      } else {
        const child = groups[c]!;
        visit(child, depth + 1);
        if (child.first < g.first) g.first = child.first;
      }
    }
    g.end = at;
    if (g.kind === 'chunk') g.label = chunkLabel(g, groups, order, input.nodes);
  };
  // an explicit stack would be needed past ~10^4 levels; scopes and chunks nest far less (log32 of the node count)
  visit(groups[0]!, 0);
  return { groups, order, parentOf, ...nodeEdges(input) };
}

/** `nodes 1–32 · MatMul, Add …`: a chunk's extent in node order and its most common ops. */
function chunkLabel(g: Group, groups: Group[], order: Int32Array, nodes: LayoutNode[]): string {
  const first = g.children[0]!;
  const last = g.children[g.children.length - 1]!;
  // a chunk of blocks is named by its first and last block (`layers.0 … layers.31`)
  if (!isLeafRef(first) && !isLeafRef(last) && groups[first]!.kind !== 'chunk') return `${groups[first]!.label} … ${groups[last]!.label}`;
  const counts = new Map<string, number>();
  for (let i = g.start; i < g.end; i++) {
    const op = nodes[order[i]!]!.op;
    counts.set(op, (counts.get(op) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([op]) => op);
  return `${String(g.end - g.start).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} nodes · ${top.join(', ')}${counts.size > 2 ? ' …' : ''}`;
}

/** Groups enclosing a node, outermost first (the root excluded). */
export function ancestorsOf(h: Hierarchy, node: number): number[] {
  const out: number[] = [];
  for (let g = h.parentOf[node]!; g > 0; g = h.groups[g]!.parent) out.push(g);
  return out.reverse();
}

/** Groups enclosing a group, outermost first, and the group itself. */
export function groupPath(h: Hierarchy, group: number): number[] {
  const out: number[] = [];
  for (let g = group; g > 0; g = h.groups[g]!.parent) out.push(g);
  return out.reverse();
}

/** Boxes on the first screen: enough to show a model's structure, few enough to read. */
export const INITIAL_BOXES = 40;

/** Groups open on the first screen: breadth first from the top while the screen stays within `budget` boxes. */
export function initialExpansion(h: Hierarchy, budget = INITIAL_BOXES): number[] {
  const open: number[] = [];
  let boxes = h.groups[0]!.children.length;
  let level = h.groups[0]!.children.filter((c) => !isLeafRef(c));
  while (level.length) {
    const next: number[] = [];
    for (const id of level) {
      const g = h.groups[id]!;
      if (g.kind === 'node' || g.kind === 'function') continue; // bodies stay shut until asked for
      if (boxes + g.children.length - 1 > budget) continue;
      boxes += g.children.length - 1;
      open.push(id);
      for (const c of g.children) if (!isLeafRef(c)) next.push(c);
    }
    level = next;
  }
  return open;
}
