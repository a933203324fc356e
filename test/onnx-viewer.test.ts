// What the graph viewer reads from an ONNX file on request, on the bytes of
// test/fixtures/onnx/viewer-details.onnx (make_onnx_viewer_fixtures.py):
// attributes as text, value types from value_info, initializer values decoded
// per dtype from raw_data, typed fields and external data; and the layout's
// If/Loop bodies with their own value scopes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { OnnxModelReader } from '../src/engine/formats/onnx/model-reader.js';
import { MAX_ATTRIBUTE_BYTES, MAX_ATTRIBUTE_VALUES, MAX_ATTRIBUTES_SHOWN, type NodeDetails } from '../src/engine/formats/onnx/node-details.js';
import { decodeRaw, decodeTyped, float32Text, MAX_VALUE_BYTES, MAX_VALUES_SHOWN } from '../src/engine/formats/onnx/tensor-values.js';
import type { Report } from '../src/engine/report.js';
import { scanSource } from '../src/engine/scan.js';
import { BlobSiblings, NO_SIBLINGS } from '../src/engine/siblings.js';
import { buildHierarchy, MAX_BODY_NESTING, validBodies, type GraphLayoutInput } from '../src/graph/hierarchy.js';
import { packGraph, unpackGraph } from '../src/graph/packed.js';
import { GraphModel } from '../src/graph/view.js';
import { DirectorySiblings } from '../src/node/directory-siblings.js';
import { FileHandleByteSource } from '../src/node/file-source.js';
import { concat } from './helpers.js';
import { ld, model, node, rawTensor, varint, vint } from './onnx-builder.js';
import { wasm } from './helpers.js';

const DIR = fileURLToPath(new URL('fixtures/onnx/', import.meta.url));
const FILE = DIR + 'viewer-details.onnx';

describe('the graph viewer reading viewer-details.onnx', () => {
  let source: FileHandleByteSource;
  let siblings: DirectorySiblings;
  let reader: OnnxModelReader;
  let report: Report;
  beforeAll(async () => {
    source = await FileHandleByteSource.open(FILE);
    siblings = new DirectorySiblings(FILE);
    reader = await OnnxModelReader.open(source, siblings, await wasm());
    report = await scanSource(await FileHandleByteSource.open(FILE), { wasm: await wasm(), path: 'viewer-details.onnx', siblings });
  });
  afterAll(async () => {
    await source.close();
    await siblings.close();
  });

  const layout = () => (report.content.graph as { layout: GraphLayoutInput & { complete: boolean } }).layout;
  const indexOf = (name: string) => layout().nodes.findIndex((n) => n.name === name);
  const attrs = (d: NodeDetails) => Object.fromEntries(d.attributes.map((a) => [a.name, a.value]));

  it('shows attributes as bounded text: ints, floats, exact int64, long lists cut with a count, tensors, strings, graphs', async () => {
    expect(report.verdict).toBe('clean');
    expect(attrs(await reader.node('graph', indexOf('transpose'), 'transpose'))).toEqual({ perm: '[1, 0]' });
    expect(attrs(await reader.node('graph', indexOf('gemm'), 'gemm'))).toEqual({ alpha: '0.5', transB: '1' });
    expect(attrs(await reader.node('graph', indexOf('const_tensor'), 'const_tensor'))).toEqual({ value: 'tensor FLOAT[2] "c_value"' });
    expect(attrs(await reader.node('graph', indexOf('const_int_max'), 'const_int_max'))).toEqual({ value_int: '9223372036854775807' });
    expect(attrs(await reader.node('graph', indexOf('const_strings'), 'const_strings'))).toEqual({ value_strings: '["a", "b\\"c"]' });
    const ints = attrs(await reader.node('graph', indexOf('const_ints'), 'const_ints')).value_ints!;
    expect(ints).toBe(`[${Array.from({ length: MAX_ATTRIBUTE_VALUES }, (_, i) => i).join(', ')}, …] (40 values)`);
    expect(attrs(await reader.node('graph', indexOf('branch_if'), 'branch_if'))).toEqual({ then_branch: 'subgraph: 1 node', else_branch: 'subgraph: 1 node' });
    expect(attrs(await reader.node('graph', indexOf('loop'), 'loop'))).toEqual({ body: 'subgraph: 2 nodes' });
  });

  it('gives inputs and outputs their types: graph inputs, value_info, initializers, and outer values inside a body', async () => {
    const gemm = await reader.node('graph', indexOf('gemm'), 'gemm');
    expect(gemm.inputs.map((v) => [v.name, v.type, v.source])).toEqual([['X', 'FLOAT[2,4]', 'input'], ['W', 'FLOAT[4,4]', 'initializer'], ['Wt', 'FLOAT[4]', 'initializer']]);
    expect(gemm.inputs[1]!.initializer).toEqual({ dtype: 'FLOAT', dims: [4, 4], bytes: 64, storage: 'raw_data' });
    expect(gemm.inputs[2]!.initializer).toMatchObject({ storage: 'float_data' });
    expect(gemm.outputs).toEqual([{ name: 'gm', type: 'FLOAT[2,4]', source: 'value_info' }]);
    const transpose = await reader.node('graph', indexOf('transpose'), 'transpose');
    expect(transpose.outputs[0]).toMatchObject({ type: 'FLOAT[4,2]' });
    const branch = await reader.node('graph', indexOf('branch_if'), 'branch_if');
    expect(branch.outputs[0]).toMatchObject({ name: 'branch', type: 'FLOAT[2,4]', source: 'output' });
    // inside the Loop body: its own inputs, and `mm` from the main graph
    const accumulate = await reader.node('graph/loop.body', 1, 'accumulate');
    expect(accumulate.inputs.map((v) => [v.name, v.type, v.source])).toEqual([['v', 'FLOAT[2,4]', 'input'], ['mm', 'FLOAT[2,4]', 'outer']]);
    const use = await reader.node('graph', indexOf('use_E'), 'use_E');
    expect(use.inputs[0]!.initializer).toEqual({ dtype: 'FLOAT', dims: [2, 2], bytes: 16, storage: 'external', file: 'viewer-details.bin' });
  });

  it('refuses a node that is not the one the report names (the file changed)', async () => {
    await expect(reader.node('graph', indexOf('gemm'), 'transpose')).rejects.toThrow(/has changed since its report/);
    await expect(reader.node('graph', 999, 'x')).rejects.toThrow(/no node 999/);
  });

  it('decodes initializer values per dtype from raw_data, typed fields and external data', async () => {
    const values = async (name: string) => (await reader.tensorValues({ graph: 'graph', initializer: name })).values;
    expect(await values('W')).toEqual(['-3', '-2.5', '-2', '-1.5', '-1', '-0.5', '0', '0.5', '1', '1.5', '2', '2.5', '3', '3.5', '4', '4.5']);
    expect(await values('Wt')).toEqual(['1.5', '-2.25', '0.1', '3e+38']);
    expect(await values('H')).toEqual(['1', '-0.5', '65504', 'Infinity']);
    expect(await values('B')).toEqual(['1', '-2', '0.1']); // 0x3dcd is 0.1 rounded to bfloat16 (0.10009765625): the shortest text reading back as it
    expect(await values('I8')).toEqual(['-128', '-1', '0', '127']);
    expect(await values('I8t')).toEqual(['-5', '0', '7']);
    expect(await values('I64t')).toEqual(['-9223372036854775808', '9223372036854775807']);
    expect(await values('I64r')).toEqual(['-9007199254740993', '4611686018427387904']);
    expect(await values('U64')).toEqual(['18446744073709551615']);
    expect(await values('D')).toEqual(['0.1', '-1e+300']);
    expect(await values('Bo')).toEqual(['true', 'false', 'true']);
    expect(await values('U8')).toEqual(['0', '200', '255']);
    expect(await values('S')).toEqual(['"hello"', '"wörld"']);
    const external = await reader.tensorValues({ graph: 'graph', initializer: 'E' });
    expect(external).toMatchObject({ values: ['1', '2', '3', '4'], storage: 'external viewer-details.bin', bytesRead: 16 });
    // a Constant's tensor attribute
    expect((await reader.tensorValues({ graph: 'graph', node: indexOf('const_tensor'), attribute: 'value' })).values).toEqual(['7', '8']);
  });

  it('reads the first MAX_VALUES_SHOWN values only, never more than it needs', async () => {
    const big = await reader.tensorValues({ graph: 'graph', initializer: 'Big' });
    expect(big.total).toBe(300);
    expect(big.values).toHaveLength(MAX_VALUES_SHOWN);
    expect(big.values[MAX_VALUES_SHOWN - 1]).toBe(String(MAX_VALUES_SHOWN - 1));
    expect(big.bytesRead).toBe(MAX_VALUES_SHOWN * 4);
    expect((await reader.tensorValues({ graph: 'graph', initializer: 'Big' }, 5)).values).toEqual(['0', '1', '2', '3', '4']);
  });

  it('says why values cannot be read: external data missing, no such tensor', async () => {
    const alone = await OnnxModelReader.open(new MemoryByteSource(new Uint8Array(readFileSync(FILE)), 'viewer-details.onnx'), NO_SIBLINGS, await wasm());
    await expect(alone.tensorValues({ graph: 'graph', initializer: 'E' })).rejects.toThrow(/is not beside the model/);
    await expect(alone.tensorValues({ graph: 'graph', initializer: 'nope' })).rejects.toThrow(/no initializer/);
    const short = new BlobSiblings([['viewer-details.bin', new Blob([new Uint8Array(10)])]]);
    const cut = await OnnxModelReader.open(new MemoryByteSource(new Uint8Array(readFileSync(FILE)), 'viewer-details.onnx'), short, await wasm());
    await expect(cut.tensorValues({ graph: 'graph', initializer: 'E' })).rejects.toThrow(/which has 10 bytes/);
  });

  it('lists the If/Loop bodies in the layout, nested under their nodes, each with its own value scope', () => {
    const l = layout();
    expect(l.complete).toBe(true);
    const bodies = l.subgraphs!.map((s) => [s.path, l.nodes[s.owner]!.name, s.attribute, s.nodes]);
    expect(bodies).toEqual([
      // in file order (onnx.helper writes attributes sorted by name), each body before the next attribute's
      ['graph/branch_if.else_branch', 'branch_if', 'else_branch', 1],
      ['graph/branch_if.else_branch/inner_if.else_branch', 'inner_if', 'else_branch', 1],
      ['graph/branch_if.else_branch/inner_if.then_branch', 'inner_if', 'then_branch', 1],
      ['graph/branch_if.then_branch', 'branch_if', 'then_branch', 1],
      ['graph/loop.body', 'loop', 'body', 2],
    ]);
    for (const [g, s] of l.subgraphs!.entries()) for (let k = s.start; k < s.start + s.nodes; k++) expect(l.nodes[k]!.graph).toBe(g);
    // the body's `mm` is the main graph's value; its own `v_out` is a value of its own
    const accumulate = l.nodes.find((n) => n.name === 'accumulate')!;
    const matmul = l.nodes.find((n) => n.name === 'matmul')!;
    expect(accumulate.inputs[1]).toBe(matmul.outputs[0]);
    const h = buildHierarchy(l);
    const loopGroup = h.groups.find((g) => g.kind === 'node' && g.label === 'loop')!;
    const body = h.groups.find((g) => g.kind === 'body' && g.parent === loopGroup.id)!;
    expect(body.label).toBe('body');
    expect(body.end - body.start).toBe(2);
    // the nested If sits in the outer If's else branch
    const inner = h.groups.find((g) => g.kind === 'node' && g.label === 'inner_if')!;
    expect(h.groups[inner.parent]).toMatchObject({ kind: 'body', label: 'else_branch' });
    expect(h.groups[h.groups[inner.parent]!.parent]).toMatchObject({ kind: 'node', label: 'branch_if' });
    // the packed form used by the worker keeps the bodies
    expect(unpackGraph(packGraph(l)).subgraphs).toEqual(l.subgraphs);
  });

  it('frames open groups around what they hold, inner frames inside outer ones', () => {
    const m = new GraphModel(layout());
    const ifGroup = m.hierarchy.groups.find((g) => g.kind === 'node' && g.label === 'branch_if')!;
    const elseBody = m.hierarchy.groups.find((g) => g.kind === 'body' && g.label === 'else_branch' && g.parent === ifGroup.id)!;
    const v = m.view([ifGroup.id, elseBody.id]);
    const at = (g: number) => [...v.frames.group].indexOf(g);
    const outer = at(ifGroup.id);
    const inner = at(elseBody.id);
    expect(outer).toBeGreaterThanOrEqual(0);
    expect(inner).toBeGreaterThan(outer); // outermost first
    expect(v.frames.label[inner]).toBe('else_branch');
    const f = v.frames;
    expect(f.x0[outer]!).toBeLessThan(f.x0[inner]!);
    expect(f.y0[outer]!).toBeLessThan(f.y0[inner]!);
    expect(f.x1[outer]!).toBeGreaterThan(f.x1[inner]!);
    expect(f.y1[outer]!).toBeGreaterThan(f.y1[inner]!);
    // each frame holds its group's boxes and nothing else: an open group stays in one piece
    const inside = (g: number, i: number) => {
      for (let p = v.kind[i] === 0 ? m.hierarchy.parentOf[v.ref[i]!]! : m.hierarchy.groups[v.ref[i]!]!.parent; p > 0; p = m.hierarchy.groups[p]!.parent) if (p === g) return true;
      return false;
    };
    for (let k = 0; k < f.group.length; k++) {
      for (let i = 0; i < v.kind.length; i++) {
        const x0 = v.x[i]! - v.w[i]! / 2;
        const x1 = v.x[i]! + v.w[i]! / 2;
        const y0 = v.y[i]! - v.h[i]! / 2;
        const y1 = v.y[i]! + v.h[i]! / 2;
        const overlaps = x1 > f.x0[k]! && x0 < f.x1[k]! && y1 > f.y0[k]! && y0 < f.y1[k]!;
        const within = x0 >= f.x0[k]! && x1 <= f.x1[k]! && y0 >= f.y0[k]! && y1 <= f.y1[k]!;
        if (inside(f.group[k]!, i)) expect(within).toBe(true);
        else expect(overlaps).toBe(false);
      }
    }
  });
});

describe('model-local functions in the layout', () => {
  it('lists a function body once, at the top level, with the bodies inside it; findings in it land on its nodes', async () => {
    const file = DIR + 'trigger-in-function.onnx';
    const source = await FileHandleByteSource.open(file);
    const report = await scanSource(source, { wasm: await wasm(), path: 'trigger-in-function.onnx', siblings: NO_SIBLINGS });
    const l = (report.content.graph as { layout: GraphLayoutInput & { complete: boolean } }).layout;
    expect(l.complete).toBe(true);
    const at = (name: string) => l.nodes.findIndex((n) => n.name === name);
    expect(l.subgraphs).toEqual([
      { path: 'function local.fns.Guard', owner: -1, attribute: 'function', start: 1, nodes: 4 },
      { path: 'function local.fns.Guard/fn_switch.else_branch', owner: at('fn_switch'), attribute: 'else_branch', start: 5, nodes: 1 },
      { path: 'function local.fns.Guard/fn_switch.then_branch', owner: at('fn_switch'), attribute: 'then_branch', start: 6, nodes: 1 },
    ]);
    // the function's `a` is its own value, not the main graph's
    expect(l.nodes[at('fn_sum')]!.inputs[0]).not.toBe(l.nodes[at('guard')]!.inputs[0]);
    expect(l.nodes[at('flip')]!.inputs[0]).toBe(l.nodes[at('fn_sum')]!.inputs[0]);
    const h = buildHierarchy(l);
    const fn = h.groups.find((g) => g.kind === 'function')!;
    expect(fn).toMatchObject({ label: 'function local.fns.Guard', parent: 0 });
    expect(h.groups.find((g) => g.kind === 'node' && g.label === 'fn_switch')!.parent).toBe(fn.id);
    const { nodeFindings } = await import('../src/graph/findings.js');
    const marked = nodeFindings(l, report.findings).find((m) => m.finding.rule === 'onnx.input-triggered-branch')!;
    expect(marked.nodes.map((n) => l.nodes[n]!.name)).toEqual(expect.arrayContaining(['fn_equal', 'fn_switch']));
    // the panel reads a function node by the function's path
    const reader = await OnnxModelReader.open(source, NO_SIBLINGS, await wasm());
    const sw = await reader.node('function local.fns.Guard', 3, 'fn_switch');
    expect(sw.inputs).toEqual([{ name: 'hit', type: null, source: null }]);
    expect(sw.outputs).toEqual([{ name: 'b', type: null, source: 'output' }]);
    expect(sw.attributes.map((a) => a.value)).toEqual(['subgraph: 1 node', 'subgraph: 1 node']);
    await source.close();
  });
});

describe('attribute and value decoding limits', () => {
  it('reads at most MAX_ATTRIBUTE_BYTES of an attribute: a list longer than that is counted, its first values shown', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => i * 1000);
    // an INTS attribute, packed: name, type 7, ints
    const bytes = model([node('Custom', ['x'], ['y'], 'big', concat(ld(1, 'sizes'), vint(20, 7), ld(8, concat(...many.map((n) => varint(n))))))]);
    const source = new MemoryByteSource(bytes, 'big.onnx');
    const reader = await OnnxModelReader.open(source, NO_SIBLINGS, await wasm());
    const before = source.bytesRead;
    const d = await reader.node('graph', 0, 'big');
    expect(d.attributes[0]!.value).toBe(`[${many.slice(0, MAX_ATTRIBUTE_VALUES).join(', ')}, …] (5,000 values)`);
    expect(source.bytesRead - before).toBeLessThanOrEqual(MAX_ATTRIBUTE_BYTES + 20);
  });

  it(`describes the first MAX_ATTRIBUTES_SHOWN (${MAX_ATTRIBUTES_SHOWN}) attributes of a node and counts the rest`, async () => {
    const attributes = Array.from({ length: MAX_ATTRIBUTES_SHOWN + 3 }, (_, i) => concat(ld(1, `a${i}`), vint(20, 2), vint(3, i)));
    const reader = await OnnxModelReader.open(new MemoryByteSource(model([node('Custom', ['x'], ['y'], 'many', ...attributes)]), 'many.onnx'), NO_SIBLINGS, await wasm());
    const d = await reader.node('graph', 0, 'many');
    expect(d.attributes).toHaveLength(MAX_ATTRIBUTES_SHOWN);
    expect(d.attributesTotal).toBe(MAX_ATTRIBUTES_SHOWN + 3);
    expect(d.attributes[5]).toEqual({ name: 'a5', type: 'INT', value: '5' });
  });

  it('MAX_STRING_SHOWN (80, onnx/tensor-values): cuts a long string value at 80 characters and says how long it was', async () => {
    const reader = await OnnxModelReader.open(new MemoryByteSource(model([node('Custom', ['x'], ['y'], 's', concat(ld(1, 'text'), vint(20, 3), ld(4, 'x'.repeat(500))))]), 's.onnx'), NO_SIBLINGS, await wasm());
    expect((await reader.node('graph', 0, 's')).attributes[0]!.value).toBe(`${JSON.stringify('x'.repeat(80))}…[500 bytes]`);
  });

  it('decodes float8, float4, int4 and complex values', () => {
    expect(decodeRaw(17, Uint8Array.of(0x38, 0xb8, 0x7f, 0x7e), 4)).toEqual(['1', '-1', 'NaN', '448']); // E4M3FN
    expect(decodeRaw(19, Uint8Array.of(0x3c, 0x7c, 0x7f), 3)).toEqual(['1', 'Infinity', 'NaN']); // E5M2
    expect(decodeRaw(18, Uint8Array.of(0x40, 0x80), 2)).toEqual(['1', 'NaN']); // E4M3FNUZ
    expect(decodeRaw(22, Uint8Array.of(0xf7), 2)).toEqual(['7', '-1']); // INT4, low nibble first
    expect(decodeRaw(21, Uint8Array.of(0xf7), 2)).toEqual(['7', '15']); // UINT4
    expect(decodeRaw(23, Uint8Array.of(0x72), 2)).toEqual(['1', '6']); // FLOAT4E2M1
    expect(decodeRaw(14, new Uint8Array(new Float32Array([1.5, -2]).buffer), 1)).toEqual(['1.5-2i']);
    // packed float_data holding a COMPLEX64's real and imaginary parts
    const packed = Uint8Array.of(0x22, 8, ...new Uint8Array(new Float32Array([0.25, 3]).buffer));
    expect(decodeTyped(14, packed, 4)).toEqual(['0.25+3i']);
    expect(float32Text(Math.fround(0.1))).toBe('0.1');
    expect(float32Text(Math.fround(1 / 3))).toBe('0.33333334');
  });

  it('never reads more than MAX_VALUE_BYTES for one request', async () => {
    const values = new Float32Array(100_000);
    const bytes = model([node('Identity', ['w'], ['y'], 'id'), rawTensor('w', [100_000], new Uint8Array(values.buffer))]);
    const source = new MemoryByteSource(bytes, 'w.onnx');
    const reader = await OnnxModelReader.open(source, NO_SIBLINGS, await wasm());
    const before = source.bytesRead;
    const got = await reader.tensorValues({ graph: 'graph', initializer: 'w' }, 1e9);
    expect(got.values).toHaveLength(MAX_VALUES_SHOWN);
    expect(source.bytesRead - before).toBeLessThanOrEqual(MAX_VALUE_BYTES);
  });
});

describe('layout bodies from an untrusted report', () => {
  it('leaves out bodies that overlap, run past the list, nest too deep or are owned by a later node', () => {
    const nodes = Array.from({ length: 6 }, (_, i) => ({ name: `n${i}`, op: 'Relu', inputs: [], outputs: [] }));
    const input: GraphLayoutInput = {
      values: [],
      nodes,
      subgraphs: [
        { path: 'ok', owner: 0, attribute: 'then_branch', start: 1, nodes: 2 },
        { path: 'overlap', owner: 0, attribute: 'x', start: 2, nodes: 2 },
        { path: 'past', owner: 0, attribute: 'x', start: 5, nodes: 9 },
        { path: 'later-owner', owner: 5, attribute: 'x', start: 4, nodes: 1 },
        { path: 'bad', owner: -2, attribute: 'x', start: 3, nodes: 1 },
        { path: 'function', owner: -1, attribute: 'function', start: 3, nodes: 1 },
      ],
    };
    expect(validBodies(input).map((b) => b.path)).toEqual(['ok', 'function']);
    // a chain of bodies each owned by the previous body's node: past MAX_BODY_NESTING they are left out
    const deep = MAX_BODY_NESTING + 5;
    const chain: GraphLayoutInput = {
      values: [],
      nodes: Array.from({ length: deep + 1 }, (_, i) => ({ name: `d${i}`, op: 'If', inputs: [], outputs: [] })),
      subgraphs: Array.from({ length: deep }, (_, i) => ({ path: `b${i}`, owner: i, attribute: 'then_branch', start: i + 1, nodes: 1 })),
    };
    // (the one past it is drawn as plain nodes at the top, so the chain starts again below it)
    const kept = validBodies(chain).map((b) => b.path);
    expect(kept).toHaveLength(deep - 1);
    expect(kept).not.toContain(`b${MAX_BODY_NESTING}`);
    const deepH = buildHierarchy(chain);
    expect([...deepH.order].sort((a, b) => a - b)).toEqual(Array.from({ length: deep + 1 }, (_, i) => i));
    const h = buildHierarchy(input);
    expect(h.order.length).toBe(6);
    expect([...h.order].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
