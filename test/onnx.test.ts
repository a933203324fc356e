// The ONNX analyser on the fixtures of make_onnx_fixtures.py: valid models made
// by onnx.helper, hostile ones (unsafe external data, custom ops, input
// triggers, broken graphs) and hand-written broken protobufs. MAX_MESSAGE_DEPTH
// and MAX_SUBGRAPH_DEPTH (src/engine/formats/onnx/limits.ts) are hit below.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { unsafeLocation } from '../src/engine/formats/onnx/external-data.js';
import { opExists } from '../src/engine/formats/onnx/operators.js';
import type { Finding, Report } from '../src/engine/report.js';
import { scanSource } from '../src/engine/scan.js';
import { NO_SIBLINGS, type Siblings } from '../src/engine/siblings.js';
import { DirectorySiblings } from '../src/node/directory-siblings.js';
import { FileHandleByteSource } from '../src/node/file-source.js';
import { validateReport, wasm } from './helpers.js';

const DIR = fileURLToPath(new URL('fixtures/onnx/', import.meta.url));
const bytesOf = (name: string) => new Uint8Array(readFileSync(DIR + name));

/** Scans a fixture with its folder as siblings, as the CLI does. */
async function scanFixture(name: string): Promise<Report> {
  const source = await FileHandleByteSource.open(DIR + name);
  const siblings = new DirectorySiblings(DIR + name);
  try {
    const report = await scanSource(source, { wasm: await wasm(), path: name, siblings });
    expect(report.format, name).toBe('onnx');
    expect(validateReport(report), `${name}: ${JSON.stringify(validateReport.errors)}`).toBe(true);
    return report;
  } finally {
    await Promise.all([source.close(), siblings.close()]);
  }
}

export async function scanOnnx(bytes: Uint8Array, siblings: Siblings = NO_SIBLINGS): Promise<Report> {
  const report = await scanSource(new MemoryByteSource(bytes, 'test.onnx'), { wasm: await wasm(), siblings });
  expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
  return report;
}

const rules = (r: Report) => r.findings.map((f) => f.rule);
const only = (r: Report, rule: string): Finding => {
  const found = r.findings.filter((f) => f.rule === rule);
  expect(found, `${rule} in ${JSON.stringify(rules(r))}`).toHaveLength(1);
  return found[0]!;
};

describe('ONNX: valid models', () => {
  it('passes an MLP and reports its facts, signature, tensor table and layout', async () => {
    const r = await scanFixture('benign-mlp.onnx');
    expect(r.verdict).toBe('clean');
    expect(r.findings).toEqual([]);
    const c = r.content;
    expect(c.model).toMatchObject({ irVersion: 8, producerName: 'weightlens-fixtures', docString: 'A tiny MLP.' });
    expect(c.opsets).toEqual([{ domain: 'ai.onnx', version: 17 }]);
    expect(c.metadata).toEqual([{ key: 'license', value: 'MIT' }, { key: 'author', value: 'weightlens' }]);
    expect(c.graph).toMatchObject({ inputs: [{ name: 'x', type: 'FLOAT[batch,8]' }], outputs: [{ name: 'y', type: 'FLOAT[batch,3]' }], nodes: 3, initializers: 4 });
    expect(c.totals).toEqual({ FLOAT: { tensors: 4, parameters: 16 * 8 + 16 + 3 * 16 + 3, bytes: (16 * 8 + 16 + 3 * 16 + 3) * 4 } });
    expect(c.parameters).toBe(195);
    const tensors = c.tensors as { name: string; offset: number; bytes: number; storage: string }[];
    expect(tensors.map((t) => [t.name, t.storage])).toEqual([['w1', 'raw_data'], ['b1', 'raw_data'], ['w2', 'raw_data'], ['b2', 'raw_data']]);
    // the offsets point at the weights themselves: numpy's bytes for w1 start there
    const file = bytesOf('benign-mlp.onnx');
    const w1 = new Float32Array(file.slice(tensors[0]!.offset, tensors[0]!.offset + 8).buffer);
    expect(w1[0]).toBeCloseTo(0.1257, 3); // default_rng(0).standard_normal() first value
    expect((c.graph as { layout: unknown }).layout).toEqual({
      values: ['x', 'w1', 'b1', 'h', 'a', 'w2', 'b2', 'y'],
      nodes: [
        { name: 'fc1', op: 'Gemm', inputs: [0, 1, 2], outputs: [3] },
        { name: 'act', op: 'Relu', inputs: [3], outputs: [4] },
        { name: 'fc2', op: 'Gemm', inputs: [4, 5, 6], outputs: [7] },
      ],
      subgraphs: [],
      complete: true,
    });
    expect(c.ops).toEqual({ Gemm: 2, Relu: 1 });
  });

  it('follows If and Loop bodies, with outer-scope reads, and lists them as subgraphs', async () => {
    const r = await scanFixture('benign-control-flow.onnx');
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('clean');
    expect((r.content.subgraphs as { path: string; op: string; depth: number }[]).map((s) => [s.path, s.op, s.depth])).toEqual([
      ['graph/if_flag.else_branch', 'If', 1], // onnx.helper sorts attributes by name
      ['graph/if_flag.then_branch', 'If', 1],
      ['graph/if_shape.else_branch', 'If', 1],
      ['graph/if_shape.then_branch', 'If', 1],
      ['graph/loop.body', 'Loop', 1],
    ]);
    expect(r.content.nodesTotal).toBe(6 + 4 + 2);
  });

  it('reads typed data fields, a sparse initializer, a Constant, a contrib op and a local function', async () => {
    const r = await scanFixture('benign-typed-data.onnx');
    expect(r.findings).toEqual([]);
    const tensors = r.content.tensors as { name: string; storage: string; dtype: string; shape: number[]; sparse?: boolean }[];
    expect(tensors.map((t) => [t.name, t.dtype, t.storage])).toEqual([
      ['scale', 'FLOAT', 'float_data'],
      ['labels', 'STRING', 'string_data'],
      ['steps', 'INT64', 'int64_data'],
      ['sp_values', 'FLOAT', 'float_data'],
    ]);
    expect(tensors[3]).toMatchObject({ shape: [2, 4], sparse: true });
    expect(r.content.domains).toEqual([
      { domain: 'ai.onnx', kind: 'standard', nodes: 6 },
      { domain: 'local.fns', kind: 'local', nodes: 1 },
      { domain: 'com.microsoft', kind: 'well-known', nodes: 1 },
    ]);
    expect(r.content.functions).toMatchObject([{ domain: 'local.fns', name: 'Double', inputs: ['a'], outputs: ['b'], nodes: 1 }]);
    expect(r.content.ops).toMatchObject({ Identity: 2, 'local.fns.Double': 1, 'com.microsoft.Gelu': 1 });
  });

  it('renders sequence and map types, and knows ai.onnx.ml ops', async () => {
    const r = await scanFixture('benign-ml.onnx');
    expect(r.findings).toEqual([]);
    expect((r.content.graph as { outputs: unknown }).outputs).toEqual([
      { name: 'label', type: 'INT64[1]' },
      { name: 'probabilities', type: 'seq(map(INT64, FLOAT))' },
    ]);
  });

  it('checks external data beside the model and reads only its size', async () => {
    const r = await scanFixture('external-ok.onnx');
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('clean');
    expect(r.content.externalData).toEqual([{ location: 'external-ok.bin', status: 'ok', tensors: 2, bytes: 80, size: 80 }]);
    expect((r.content.tensors as unknown[])[1]).toEqual({ name: 'B', dtype: 'FLOAT', shape: [4], parameters: 4, bytes: 16, offset: 64, storage: 'external', file: 'external-ok.bin' });
    expect(r.stats.bytesRead).toBe(bytesOf('external-ok.onnx').length);
  });

  it('does not flag element-wise masks or branches on flags and shapes', async () => {
    for (const name of ['benign-attention-mask.onnx', 'benign-control-flow.onnx']) {
      expect(rules(await scanFixture(name)), name).not.toContain('onnx.input-triggered-branch');
    }
  });
});

describe('ONNX: external data', () => {
  it.each([
    ['external-traversal.onnx', '../../etc/passwd', /'\.\.'/],
    ['external-absolute.onnx', '/etc/passwd', /absolute path/],
    ['external-backslash.onnx', '..\\..\\Windows\\win.ini', /backslash/],
    ['external-drive.onnx', 'C:/Windows/win.ini', /drive letter/],
    ['external-unc.onnx', '\\\\attacker\\share\\w.bin', /UNC/],
    ['external-nul.onnx', 'w.bin\0.png', /NUL/],
  ])('%s: an unsafe location is critical and never opened', async (name, location, why) => {
    const opened: string[] = [];
    const siblings: Siblings = { names: async () => [location], open: async (n) => (opened.push(n), undefined) };
    const r = await scanOnnx(bytesOf(name), siblings);
    expect(r.verdict).toBe('malicious');
    const f = only(r, 'onnx.external-data-unsafe-path');
    expect(f).toMatchObject({ severity: 'critical', location: { tensor: 'W' }, evidence: { location, count: 1 } });
    expect(f.message).toMatch(why);
    expect(opened).toEqual([]);
    expect(r.content.externalData).toMatchObject([{ location, status: 'unsafe' }]);
  });

  it('tells unsafe locations from plain relative ones', () => {
    for (const bad of ['../x', 'a/../../x', '/x', '\\x', 'a\\b', 'C:x', 'c:/x', '//host/share/x', '\\\\host\\x', 'x\0', 'http://host/x']) {
      expect(unsafeLocation(bad), JSON.stringify(bad)).not.toBeNull();
    }
    for (const good of ['w.bin', 'weights/w.bin', './w.bin', 'a..b', '..w.bin']) expect(unsafeLocation(good), good).toBeNull();
  });

  it('reports an external file that is not beside the model', async () => {
    const r = await scanFixture('external-missing.onnx');
    expect(r.verdict).toBe('suspicious');
    expect(only(r, 'onnx.external-data-missing').evidence).toMatchObject({ location: 'missing.bin', count: 1 });
    // external-ok.onnx alone (the app given only the model) cannot be loaded either
    expect(rules(await scanOnnx(bytesOf('external-ok.onnx')))).toEqual(['onnx.external-data-missing']);
  });

  it('reports offset + length past the end of the external file', async () => {
    const r = await scanFixture('external-out-of-bounds.onnx');
    expect(only(r, 'onnx.external-data-out-of-bounds')).toMatchObject({ severity: 'high', evidence: { location: 'external-short.bin', offset: 16, length: 64, fileSize: 32 } });
    expect(r.verdict).toBe('suspicious');
  });

  it('notes a subfolder location without judging it', async () => {
    const r = await scanFixture('external-subfolder.onnx');
    expect(only(r, 'onnx.external-data-unchecked').severity).toBe('info');
    expect(r.verdict).toBe('clean');
  });

  it('refuses an offset that is not a decimal integer', async () => {
    const r = await scanFixture('external-bad-offset.onnx');
    expect(only(r, 'onnx.external-data-invalid').message).toMatch(/offset "0x10" is not a non-negative integer/);
  });
});

describe('ONNX: custom ops and input triggers', () => {
  it('lists the ops of a custom domain', async () => {
    const r = await scanFixture('custom-domain.onnx');
    expect(r.verdict).toBe('suspicious');
    const f = only(r, 'onnx.custom-domain');
    expect(f.evidence).toMatchObject({ domain: 'com.example.ops', ops: ['RunShell', 'Decode'], nodes: 2 });
    expect(f.message).toMatch(/RunShell ×1, Decode ×1/);
    expect(f.location.node).toBe('payload');
  });

  it('finds a checksum of the input deciding an If', async () => {
    const f = only(await scanFixture('trigger-if.onnx'), 'onnx.input-triggered-branch');
    expect(f.location.node).toBe('switch');
    expect(f.evidence).toMatchObject({ path: ['model input "x"', 'checksum (ReduceSum)', 'is_trigger (Equal)', 'switch (If)'], comparison: 'is_trigger (Equal)' });
  });

  it('finds a patch compared with a pattern and reduced to one bool deciding a Where', async () => {
    const f = only(await scanFixture('trigger-where.onnx'), 'onnx.input-triggered-branch');
    expect(f.evidence.path).toEqual(['model input "x"', 'patch (Slice)', 'match_pattern (Equal)', 'to_float (Cast)', 'all_match (ReduceMin)', 'to_bool (Cast)', 'select (Where)']);
  });

  it('follows the input into a model-local function', async () => {
    const f = only(await scanFixture('trigger-in-function.onnx'), 'onnx.input-triggered-branch');
    expect(f.evidence).toMatchObject({ graph: 'function local.fns.Guard', comparison: 'fn_equal (Equal)', sink: 'fn_switch (If)' });
  });
});

describe('ONNX: graph integrity', () => {
  it('finds a cycle', async () => {
    const r = await scanFixture('graph-cycle.onnx');
    expect(only(r, 'onnx.cycle').evidence).toMatchObject({ graph: 'graph', nodes: ['first', 'second', 'out'] });
    expect(r.verdict).toBe('suspicious');
  });

  it('finds a value nothing produces', async () => {
    expect(only(await scanFixture('graph-undefined.onnx'), 'onnx.undefined-value').evidence).toMatchObject({ value: 'ghost' });
  });

  it('finds a value produced twice', async () => {
    expect(only(await scanFixture('graph-duplicate.onnx'), 'onnx.duplicate-output').evidence).toMatchObject({ value: 'y', first: 'node one', second: 'node two' });
  });

  it('checks tensor bytes against dims × dtype', async () => {
    const r = await scanFixture('tensor-size-mismatch.onnx');
    const sizes = r.findings.filter((f) => f.rule === 'onnx.tensor-size-mismatch');
    expect(sizes.map((f) => [f.location.tensor, f.evidence.expected, f.evidence.stored])).toEqual([['w', 16, 12], ['k', 3, 2]]);
    expect(only(r, 'onnx.invalid-tensor').message).toMatch(/data type 99/);
  });

  it('finds ops the declared opset does not have, and domains not imported', async () => {
    const r = await scanFixture('unknown-op.onnx');
    const unknown = r.findings.filter((f) => f.rule === 'onnx.unknown-op');
    expect(unknown.map((f) => f.evidence.op)).toEqual(['Gelu', 'Frobnicate']);
    expect(unknown[0]!.message).toMatch(/Gelu first appears in ai.onnx opset 20/);
    expect(only(r, 'onnx.missing-opset').evidence).toMatchObject({ domain: 'ai.onnx.ml', ops: ['Scaler'] });
  });

  it('knows when ops appeared, and says nothing about opsets newer than its table', () => {
    expect(opExists('', 'Gelu', 19)).toBe(false);
    expect(opExists('ai.onnx', 'Gelu', 20)).toBe(true);
    expect(opExists('', 'Attention', 23)).toBe(true);
    expect(opExists('', 'Relu', 1)).toBe(true);
    expect(opExists('ai.onnx.ml', 'TreeEnsemble', 4)).toBe(false);
    expect(opExists('', 'Frobnicate', 99)).toBeNull();
    expect(opExists('com.microsoft', 'Attention', 1)).toBeNull();
  });

  it('finds a function that calls itself', async () => {
    expect(only(await scanFixture('function-recursion.onnx'), 'onnx.cycle').evidence).toMatchObject({ functions: ['local.fns.Forever', 'local.fns.Forever'] });
  });
});

describe('ONNX: broken protobufs', () => {
  it('calls a truncated model malformed and keeps what was read', async () => {
    const r = await scanFixture('truncated.onnx');
    expect(r.verdict).toBe('malformed');
    expect(only(r, 'format.malformed').message).toMatch(/field 9 of TensorProto at offset \d+ runs past the end of the file \(777 bytes\): the protobuf is truncated \(in ModelProto > GraphProto "g" > TensorProto "w2"\)/);
    // everything before the cut is reported: the facts, the three nodes, the tensors read
    expect(r.content.model).toMatchObject({ irVersion: 8, producerName: 'weightlens-fixtures' });
    expect(r.content.graph).toMatchObject({ nodes: 3 });
  });

  it.each([
    ['varint-overflow.onnx', /varint at offset 25 .* longer than 10 bytes or overflows 64 bits \(in ModelProto > GraphProto\)/],
    ['wrong-wire-type.onnx', /field 4 of NodeProto at offset 27 is written as varint/],
    ['group-wire-type.onnx', /field 1 of GraphProto at offset \d+ has group start, which ONNX never uses/],
    ['length-past-parent.onnx', /field 3 of NodeProto at offset 27 runs past the end of the message holding it/],
  ])('%s is malformed, with the reason and where', async (name, message) => {
    const r = await scanFixture(name);
    expect(r.verdict).toBe('malformed');
    expect(rules(r)).toEqual(['format.malformed']);
    expect(r.findings[0]!.message).toMatch(message);
  });

  it('stops at protobuf nesting past MAX_MESSAGE_DEPTH', async () => {
    const f = only(await scanFixture('type-nesting-200.onnx'), 'scan.limit-reached');
    expect(f.evidence).toEqual({ limit: 'MAX_MESSAGE_DEPTH', value: 100 });
    expect(f.message).toMatch(/… \d+ more …/);
  });

  it('skips subgraphs past MAX_SUBGRAPH_DEPTH and checks the rest', async () => {
    const r = await scanFixture('subgraphs-1000-deep.onnx');
    expect(r.verdict).toBe('suspicious');
    expect(only(r, 'scan.limit-reached').evidence).toEqual({ limit: 'MAX_SUBGRAPH_DEPTH', value: 17 });
    expect((r.content.subgraphs as unknown[]).length).toBe(16);
  });

  it('notes fields the schema does not define, without judging the model', async () => {
    const r = await scanFixture('unknown-field.onnx');
    expect(r.verdict).toBe('clean');
    expect(only(r, 'onnx.unknown-fields')).toMatchObject({ severity: 'low', evidence: { count: 1, bytes: 32, fields: ['ModelProto field 99'] } });
  });

  it('validates the report of every fixture, and never fails internally', async () => {
    const names = readdirSync(DIR).filter((n) => n.endsWith('.onnx'));
    expect(names.length).toBeGreaterThan(30);
    for (const name of names) expect(rules(await scanFixture(name)), name).not.toContain('scan.internal-error');
  });
});

