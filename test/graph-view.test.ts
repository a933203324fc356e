// The graph viewer's environment-free part: hierarchy from name scopes,
// repeated blocks, op runs and chunks, the visible graph of an expansion
// state, and the layered layout.
import { describe, expect, it } from 'vitest';
import {
  ancestorsOf, buildHierarchy, CHUNK_SIZE, initialExpansion, isLeafRef, leafOf, MAX_GROUP_CHILDREN, MIN_OP_RUN, MIN_REPEATS, scopeOf, type GraphLayoutInput, type Hierarchy,
} from '../src/graph/hierarchy.js';
import { fitInOrder, layeredLayout, NODE_GAP } from '../src/graph/layout.js';
import { visibleGraph } from '../src/graph/visible.js';
import { GraphModel, grouped } from '../src/graph/view.js';

/** A chain of named nodes: each reads the previous one's output (and extra inputs by name). */
function chain(specs: [name: string, op: string][]): GraphLayoutInput {
  const values = ['x', ...specs.map((_, i) => `v${i}`)];
  return { values, nodes: specs.map(([name, op], i) => ({ name, op, inputs: [i], outputs: [i + 1] })) };
}
const labels = (h: Hierarchy, id: number) => h.groups[id]!.children.map((c) => (isLeafRef(c) ? `#${leafOf(c)}` : h.groups[c]!.label));
const groupNamed = (h: Hierarchy, label: string) => h.groups.find((g) => g.label === label && g.parent !== -2)!;

/** A small transformer: embed, `layers` blocks of attn + mlp, a final norm. */
function transformer(layers: number): GraphLayoutInput {
  const specs: [string, string][] = [['/model/embed/Gather', 'Gather']];
  for (let l = 0; l < layers; l++) {
    for (const op of ['MatMul', 'Softmax', 'MatMul']) specs.push([`/model/layers.${l}/attn/${op}_${specs.length}`, op]);
    for (const op of ['MatMul', 'Relu', 'MatMul']) specs.push([`/model/layers.${l}/mlp/${op}_${specs.length}`, op]);
  }
  specs.push(['/model/norm/LayerNormalization', 'LayerNormalization']);
  return chain(specs);
}

describe('hierarchy', () => {
  it('reads scopes from names', () => {
    expect(scopeOf('/model/layers.12/attn/MatMul')).toEqual(['model', 'layers.12', 'attn']);
    expect(scopeOf('MatMul_3')).toEqual([]);
    expect(scopeOf('a//b/c')).toEqual(['a', 'b']);
  });

  it('nests scopes, hoists the single top scope and stacks numbered blocks', () => {
    const h = buildHierarchy(transformer(5));
    // `/model` is the only top scope: its contents are the top level
    expect(labels(h, 0)).toEqual(['embed', 'layers.0–4 ×5', 'norm']);
    const stack = groupNamed(h, 'layers.0–4 ×5');
    expect(stack.kind).toBe('repeat');
    expect(labels(h, stack.id)).toEqual(['layers.0', 'layers.1', 'layers.2', 'layers.3', 'layers.4']);
    const layer3 = groupNamed(h, 'layers.3');
    expect(labels(h, layer3.id)).toEqual(['attn', 'mlp']);
    expect(h.groups[layer3.children[0]!]!.end - h.groups[layer3.children[0]!]!.start).toBe(3);
    // every node exactly once, each group a contiguous range holding its descendants
    expect([...h.order].sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(stack.end - stack.start).toBe(30);
    expect(ancestorsOf(h, 9).map((g) => h.groups[g]!.label)).toEqual(['layers.0–4 ×5', 'layers.1', 'attn']);
  });

  it(`needs ${MIN_REPEATS} numbered siblings for a stack`, () => {
    const h = buildHierarchy(transformer(MIN_REPEATS - 1));
    expect(labels(h, 0)).toEqual(['embed', 'layers.0', 'layers.1', 'norm']);
  });

  it('labels a scope that is itself the stack', () => {
    const h = buildHierarchy(chain(Array.from({ length: 8 }, (_, i): [string, string] => [`/h/${i}/Add`, 'Add']).concat([['/out/Mul', 'Mul']])));
    expect(labels(h, 0)).toEqual(['h ×8', 'out']);
  });

  it('merges chains of single scopes', () => {
    const h = buildHierarchy(chain([['/a/enc/block/X', 'Relu'], ['/a/enc/block/Y', 'Relu'], ['/a/dec/Z', 'Relu']]));
    expect(labels(h, 0)).toEqual(['enc/block', 'dec']);
  });

  it(`cuts flat lists: runs of ${MIN_OP_RUN}+ of one op, then chunks of ${CHUNK_SIZE}`, () => {
    const ops = ['Conv', 'Relu', 'Add'];
    const specs: [string, string][] = [];
    for (let i = 0; i < 5; i++) specs.push([`Relu_${i}`, 'Relu']);
    for (let i = 0; i < 3000; i++) specs.push([`${ops[i % 3]}_${i}`, ops[i % 3]!]);
    const h = buildHierarchy(chain(specs));
    const top = h.groups[0]!;
    expect(top.children.length).toBeLessThanOrEqual(MAX_GROUP_CHILDREN);
    for (const g of h.groups) if (g.parent !== -2) expect(g.children.length).toBeLessThanOrEqual(MAX_GROUP_CHILDREN);
    const run = h.groups.find((g) => g.kind === 'run')!;
    expect(run.label).toBe('Relu ×5');
    expect(h.groups.filter((g) => g.kind === 'chunk').length).toBeGreaterThan(3000 / CHUNK_SIZE);
    expect(h.order.length).toBe(3005);
    // a chunk's parent is what holds it, so ancestors lead back to the top
    const last = ancestorsOf(h, 3004);
    expect(h.groups[last[0]!]!.parent).toBe(0);
  });

  it('leaves a small flat graph flat', () => {
    const h = buildHierarchy(chain([['Conv_0', 'Conv'], ['Relu_1', 'Relu']]));
    expect(labels(h, 0)).toEqual(['#0', '#1']);
    expect(h.groups.length).toBe(1);
  });

  it('opens the first screen breadth first within its budget', () => {
    const h = buildHierarchy(transformer(5));
    const open = initialExpansion(h, 10).map((g) => h.groups[g]!.label);
    expect(open.slice(0, 3)).toEqual(['embed', 'layers.0–4 ×5', 'norm']);
    expect(open.slice(3)).toEqual(['layers.0', 'layers.1', 'layers.2']);
    expect(visibleGraph(h, new Set(initialExpansion(h, 10))).kind.length).toBe(10);
  });
});

describe('visible graph', () => {
  it('makes collapsed groups single boxes with merged edges', () => {
    const h = buildHierarchy(transformer(3));
    const stack = groupNamed(h, 'layers.0–2 ×3').id;
    const collapsed = visibleGraph(h, new Set());
    // embed, the stack and norm: Gather → stack → norm
    expect(collapsed.kind.length).toBe(3);
    expect(collapsed.edgeFrom.length).toBe(2);
    const open = visibleGraph(h, new Set([stack]));
    expect(open.kind.length).toBe(5);
    expect([...open.ref].filter((_, i) => open.kind[i] === 1).map((g) => h.groups[g]!.label).sort()).toEqual(['embed', 'layers.0', 'layers.1', 'layers.2', 'norm']);
    const layer1 = groupNamed(h, 'layers.1').id;
    const deeper = visibleGraph(h, new Set([stack, layer1]));
    expect(deeper.kind.length).toBe(6);
    // inside layer 1, attn → mlp is one edge between the two boxes
    const box = (label: string) => [...deeper.ref].findIndex((g, i) => deeper.kind[i] === 1 && h.groups[g]!.label === label);
    const attn = [...deeper.ref].findIndex((g, i) => deeper.kind[i] === 1 && h.groups[g]!.label === 'attn' && h.groups[g]!.parent === layer1);
    expect(attn).toBeGreaterThanOrEqual(0);
    const pairs = [...deeper.edgeFrom].map((a, e) => `${a}>${deeper.edgeTo[e]}`);
    expect(pairs).toContain(`${box('layers.0')}>${attn}`);
  });

  it('counts the node edges a box edge stands for', () => {
    // two nodes in scope a both feed two nodes in scope b
    const input: GraphLayoutInput = {
      values: ['x', 'p', 'q', 'r', 's'],
      nodes: [
        { name: '/a/P', op: 'Relu', inputs: [0], outputs: [1] },
        { name: '/a/Q', op: 'Relu', inputs: [0], outputs: [2] },
        { name: '/b/R', op: 'Add', inputs: [1, 2], outputs: [3] },
        { name: '/b/S', op: 'Add', inputs: [1, -1], outputs: [4] },
      ],
    };
    const v = visibleGraph(buildHierarchy(input), new Set());
    expect(v.edgeFrom.length).toBe(1);
    expect(v.edgeCount[0]).toBe(3);
  });
});

describe('layered layout', () => {
  it('puts every edge of a DAG downwards and never overlaps boxes of a layer', () => {
    const model = new GraphModel(transformer(20));
    const all = model.hierarchy.groups.map((g) => g.id);
    const v = model.view(all);
    expect(v.kind.length).toBe(122);
    for (let e = 0; e < v.edgeFrom.length; e++) expect(v.y[v.edgeTo[e]!]!).toBeGreaterThan(v.y[v.edgeFrom[e]!]!);
    const byRow = new Map<number, number[]>();
    for (let i = 0; i < v.kind.length; i++) byRow.set(v.y[i]!, [...(byRow.get(v.y[i]!) ?? []), i]);
    for (const row of byRow.values()) {
      row.sort((a, b) => v.x[a]! - v.x[b]!);
      for (let k = 1; k < row.length; k++) expect(v.x[row[k]!]! - v.w[row[k]!]! / 2).toBeGreaterThanOrEqual(v.x[row[k - 1]!]! + v.w[row[k - 1]!]! / 2 + NODE_GAP - 1e-6);
    }
  });

  it('lays a diamond out symmetrically and pulls a constant next to its reader', () => {
    // 0 → 1, 0 → 2, 1 → 3, 2 → 3; 4 (a constant) → 3
    const r = layeredLayout({ width: [50, 50, 50, 50, 50], height: [30, 30, 30, 30, 30], key: [0, 1, 2, 3, 4].map((k) => (k === 4 ? 2.5 : k)), edgeFrom: [0, 0, 1, 2, 4], edgeTo: [1, 2, 3, 3, 3] });
    expect([...r.layer]).toEqual([0, 1, 1, 2, 1]);
    expect(Math.abs(r.x[0]! - r.x[3]!)).toBeLessThan(40);
    expect(r.x[1]).not.toBe(r.x[2]);
  });

  it('survives cycles (edges against the topological order are not laid out)', () => {
    const r = layeredLayout({ width: [40, 40, 40], height: [30, 30, 30], key: [0, 1, 2], edgeFrom: [0, 1, 2], edgeTo: [1, 2, 0] });
    expect([...r.layer]).toEqual([0, 1, 2]);
  });

  it('fits boxes to their wishes without overlap (pool adjacent violators)', () => {
    // all want x = 0: they spread symmetrically around it
    const out = fitInOrder([20, 20, 20], [0, 0, 0], [1, 1, 1]);
    expect([...out.slice(0, 3)]).toEqual([-(20 + NODE_GAP), 0, 20 + NODE_GAP]);
    // wishes already far apart are kept
    expect([...fitInOrder([10, 10], [0, 500], [1, 1]).slice(0, 2)]).toEqual([0, 500]);
  });

  it('formats counts', () => {
    expect(grouped(1234567)).toBe('1,234,567');
    expect(grouped(12)).toBe('12');
  });
});

describe('packed graph', () => {
  it('round-trips nodes, domains, omitted inputs and bodies', async () => {
    const { packGraph, unpackGraph } = await import('../src/graph/packed.js');
    const input: GraphLayoutInput = {
      values: ['x', 'y', 'z'],
      nodes: [
        { name: '/a/P', op: 'Relu', inputs: [0], outputs: [1] },
        { name: 'Q', op: 'Scramble', domain: 'com.example', inputs: [1, -1, 0], outputs: [2] },
        { name: 'R', op: 'Identity', inputs: [], outputs: [] },
        { name: 'S', op: 'Neg', inputs: [0], outputs: [], graph: 0 },
      ],
      subgraphs: [{ path: 'graph/R.body', owner: 2, attribute: 'body', start: 3, nodes: 1 }],
    };
    expect(unpackGraph(structuredClone(packGraph(input)))).toEqual(input);
  });
});

describe('findings on the graph', () => {
  it('marks the node a finding names, the steps of a trigger path and the readers of a tensor', async () => {
    const { nodeFindings, severityByNode } = await import('../src/graph/findings.js');
    const input: GraphLayoutInput = {
      values: ['x', 'w', 'a', 'b', 'c'],
      nodes: [
        { name: 'ReduceSum#0', op: 'ReduceSum', inputs: [0], outputs: [2] },
        { name: '/cmp/Equal', op: 'Equal', inputs: [2, 1], outputs: [3] },
        { name: '/sw/If', op: 'If', inputs: [3], outputs: [4] },
        { name: '/other/MatMul', op: 'MatMul', inputs: [0, 1], outputs: [] },
      ],
    };
    const finding = (rule: string, severity: 'critical' | 'high' | 'medium' | 'low' | 'info', location: object, evidence: object = {}) =>
      ({ rule, severity, message: rule, location, evidence }) as never;
    const marks = nodeFindings(input, [
      finding('onnx.custom-domain', 'medium', { node: '/other/MatMul' }),
      finding('onnx.input-triggered-branch', 'high', { node: '/sw/If' }, { path: ['/sw/If (If)', '/cmp/Equal (Equal)', 'ReduceSum#0 (ReduceSum)'] }),
      finding('onnx.external-data-missing', 'medium', { tensor: 'w' }),
      finding('onnx.unknown-op', 'medium', { node: 'not in the main graph' }),
    ]);
    // worst first; the finding naming no node of the main graph is left out
    expect(marks.map((m) => [m.finding.rule, [...m.nodes].sort()])).toEqual([
      ['onnx.input-triggered-branch', [0, 1, 2]],
      ['onnx.custom-domain', [3]],
      ['onnx.external-data-missing', [1, 3]],
    ]);
    expect([...severityByNode(marks)].sort()).toEqual([[0, 'high'], [1, 'high'], [2, 'high'], [3, 'medium']]);
  });
});
