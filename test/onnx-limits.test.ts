// The ONNX walker and analyser on hand-built protobufs: every named limit,
// reads that skip the weights, windows turning over mid-structure, the typed
// data encodings, external data sizes, and damage after a finding. Limits of
// src/engine/formats/onnx/limits.ts, onnx/onnx.ts (sniffing), onnx/triggers.ts and
// assembly/onnx/walker.ts.
import { describe, expect, it } from 'vitest';
import {
  MAX_EXTERNAL_FILES, MAX_FINDINGS_PER_RULE, MAX_GRAPH_ENTRIES, MAX_LISTED_ENTRIES, MAX_LISTED_NODES, MAX_LISTED_TENSORS, MAX_NODES, MAX_RANK,
  MAX_STRING_BYTES, MAX_TEXT_SHOWN, MAX_UNKNOWN_LISTED,
} from '../src/engine/formats/onnx/limits.js';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import type { Finding, Report } from '../src/engine/report.js';
import { scanSource } from '../src/engine/scan.js';
import { BlobSiblings, NO_SIBLINGS, type Siblings } from '../src/engine/siblings.js';
import { concat, joinBytes, validateReport, wasm } from './helpers.js';
import { domainNode, externalTensor, f32, FLOAT, INT64, key, ld, matmulGraph, model, node, rawTensor, valueInfo, varint, vint } from './onnx-builder.js';

async function scan(bytes: Uint8Array, siblings: Siblings = NO_SIBLINGS): Promise<Report> {
  const r = await scanSource(new MemoryByteSource(bytes, 'test.onnx'), { wasm: await wasm(), siblings });
  expect(r.format).toBe('onnx');
  expect(validateReport(r), JSON.stringify(validateReport.errors)).toBe(true);
  return r;
}

const rules = (r: Report) => r.findings.map((f) => f.rule);
const limit = (r: Report): Finding => {
  const found = r.findings.filter((f) => f.rule === 'scan.limit-reached');
  expect(found, JSON.stringify(rules(r))).toHaveLength(1);
  return found[0]!;
};
const repeat = (n: number, part: Uint8Array) => {
  const out = new Uint8Array(n * part.length);
  for (let i = 0; i < n; i++) out.set(part, i * part.length);
  return out;
};
const blobs = (files: Record<string, number>) => new BlobSiblings(Object.entries(files).map(([name, size]) => [name, new Blob([new Uint8Array(size)])] as const));

describe('ONNX limits', () => {
  it(`stops past MAX_NODES (${MAX_NODES}) nodes`, async () => {
    const r = await scan(model([repeat(MAX_NODES + 1, ld(1))]));
    expect(limit(r).evidence).toEqual({ limit: 'MAX_NODES', value: MAX_NODES + 1 });
    expect(r.verdict).toBe('suspicious');
  }, 30_000);

  it(`stops past MAX_GRAPH_ENTRIES (${MAX_GRAPH_ENTRIES}) tensors, value infos, attributes, opsets, metadata entries and functions`, async () => {
    const r = await scan(model([repeat(MAX_GRAPH_ENTRIES + 1, ld(13))]));
    expect(limit(r).evidence).toEqual({ limit: 'MAX_GRAPH_ENTRIES', value: MAX_GRAPH_ENTRIES + 1 });
    // metadata entries count too (they follow the graph: half and half)
    const half = MAX_GRAPH_ENTRIES / 2;
    const mixed = await scan(model([repeat(half, ld(13))], [['', 17]], repeat(half + 1, ld(14, ld(1, 'k'), ld(2, 'v')))));
    expect(limit(mixed).evidence).toEqual({ limit: 'MAX_GRAPH_ENTRIES', value: MAX_GRAPH_ENTRIES + 1 });
  }, 60_000);

  it(`lists MAX_LISTED_ENTRIES (${MAX_LISTED_ENTRIES}) subgraphs, metadata entries, op types … and counts the rest`, async () => {
    const n = MAX_LISTED_ENTRIES + 1;
    const ifs = Array.from({ length: n }, (_, i) => node('If', ['c'], [`o${i}`], '', concat(ld(1, 'then_branch'), vint(20, 5), ld(6))));
    const ops = Array.from({ length: n }, (_, i) => domainNode('lib.ops', `Op${i}`, ['c'], [`p${i}`]));
    const r = await scan(model([...ifs, ...ops, valueInfo(11, 'c', [], 9)], [['', 17], ['lib.ops', 1]], repeat(n, ld(14, ld(1, 'k'), ld(2, 'v')))));
    expect(r.content.subgraphs as unknown[]).toHaveLength(MAX_LISTED_ENTRIES);
    expect(r.content.metadata as unknown[]).toHaveLength(MAX_LISTED_ENTRIES);
    expect(Object.keys(r.content.ops as object)).toHaveLength(MAX_LISTED_ENTRIES);
    expect(r.content).toMatchObject({ subgraphsTotal: n, metadataTotal: n, opsTotal: n + 1 });
  }, 30_000);

  it(`does not size a tensor with more than MAX_RANK (${MAX_RANK}) dims, unpacked or packed`, async () => {
    const unpacked = ld(5, repeat(MAX_RANK + 1, vint(1, 1)), vint(2, FLOAT), ld(8, 'W'), ld(9, new Uint8Array(4)));
    expect(limit(await scan(model(matmulGraph(unpacked)))).evidence).toEqual({ limit: 'MAX_RANK', value: MAX_RANK + 1 });
    // 300 packed dims: more than the walker hands over one by one, so only counted
    const packed = ld(5, ld(1, repeat(300, varint(1))), vint(2, FLOAT), ld(8, 'W'), ld(9, new Uint8Array(4)));
    expect(limit(await scan(model(matmulGraph(packed)))).message).toMatch(/a dims list too long to read/);
    // a rank within the limit is checked as usual
    const ok = ld(5, repeat(MAX_RANK, vint(1, 1)), vint(2, FLOAT), ld(8, 'W'), ld(9, new Uint8Array(4)));
    expect(rules(await scan(model(matmulGraph(ok))))).toEqual([]);
  });

  it('MAX_INTS_EMITTED (256, assembly/onnx/walker.ts): a packed dims list up to 256 is handed over value by value, a longer one only counted', async () => {
    const packedDims = (n: number) => ld(5, ld(1, repeat(n, varint(1))), vint(2, FLOAT), ld(8, 'W'), ld(9, new Uint8Array(4)));
    // 256 values arrive one by one: the tensor's rank is known exactly (and is past MAX_RANK)
    const at = limit(await scan(model(matmulGraph(packedDims(256)))));
    expect(at.evidence).toEqual({ limit: 'MAX_RANK', value: 256 });
    expect(at.message).toContain('has 256 dimensions');
    // 257: one bulk event with the count, the values unread
    const over = limit(await scan(model(matmulGraph(packedDims(257)))));
    expect(over.evidence).toEqual({ limit: 'MAX_RANK', value: 257 });
    expect(over.message).toMatch(/a dims list too long to read/);
  });

  it(`keeps MAX_STRING_BYTES (${MAX_STRING_BYTES}) of a string and says how much was cut`, async () => {
    const name = 'n'.repeat(MAX_STRING_BYTES + 100);
    const r = await scan(model([node('Relu', ['X'], ['Y'], name), valueInfo(11, 'X'), valueInfo(12, 'Y')]));
    const listed = (r.content.graph as { layout: { nodes: { name: string }[] } }).layout.nodes[0]!.name;
    expect(listed).toBe(`${'n'.repeat(MAX_STRING_BYTES)}…[100 more bytes]`);
  });

  it(`lists MAX_LISTED_NODES (${MAX_LISTED_NODES}) nodes for the layout and counts the rest`, async () => {
    const nodes = Array.from({ length: MAX_LISTED_NODES + 1 }, (_, i) => node('Relu', [i ? `v${i - 1}` : 'X'], [i === MAX_LISTED_NODES ? 'Y' : `v${i}`]));
    const r = await scan(model([joinBytes(nodes), valueInfo(11, 'X'), valueInfo(12, 'Y')]));
    expect(r.findings).toEqual([]);
    const graph = r.content.graph as { nodes: number; layout: { nodes: { name: string }[]; complete: boolean } };
    expect(graph.nodes).toBe(MAX_LISTED_NODES + 1);
    expect(graph.layout.nodes).toHaveLength(MAX_LISTED_NODES);
    expect(graph.layout.complete).toBe(false);
    expect(graph.layout.nodes[1]!.name).toBe('Relu#1');
  });

  it(`shares MAX_LISTED_NODES between the main graph and the If bodies: a body past it is cut, the layout incomplete`, async () => {
    // MAX_LISTED_NODES - 2 Relus, an If whose then_branch holds 3 nodes: 2 body nodes fit
    const relus = Array.from({ length: MAX_LISTED_NODES - 2 }, (_, i) => node('Relu', [i ? `v${i - 1}` : 'X'], [`v${i}`]));
    const body = concat(...['a', 'b', 'c'].map((n) => node('Neg', [`v${MAX_LISTED_NODES - 3}`], [n], `neg_${n}`)), ld(2, 'then'), valueInfo(12, 'c'));
    const branch = node('If', ['cond'], ['Y'], 'if', concat(ld(1, 'then_branch'), vint(20, 5), ld(6, body)), concat(ld(1, 'else_branch'), vint(20, 5), ld(6, body)));
    const r = await scan(model([joinBytes(relus), branch, valueInfo(11, 'X'), valueInfo(11, 'cond', [], 9), valueInfo(12, 'Y')]));
    const layout = (r.content.graph as { layout: { nodes: { name: string; graph?: number }[]; subgraphs: { path: string; start: number; nodes: number }[]; complete: boolean } }).layout;
    expect(layout.nodes).toHaveLength(MAX_LISTED_NODES);
    expect(layout.subgraphs).toEqual([{ path: 'graph/if.then_branch', owner: MAX_LISTED_NODES - 2, attribute: 'then_branch', start: MAX_LISTED_NODES - 1, nodes: 1 }]);
    expect(layout.nodes[MAX_LISTED_NODES - 1]).toMatchObject({ name: 'neg_a', graph: 0 });
    expect(layout.complete).toBe(false);
  });

  it(`lists MAX_LISTED_TENSORS (${MAX_LISTED_TENSORS}) tensors and totals them all`, async () => {
    const r = await scan(model([repeat(MAX_LISTED_TENSORS + 1, rawTensor('t', [], 4)), node('Identity', ['t'], ['Y']), valueInfo(12, 'Y')]));
    expect(r.content.tensors as unknown[]).toHaveLength(MAX_LISTED_TENSORS);
    expect(r.content).toMatchObject({ tensorsTotal: MAX_LISTED_TENSORS + 1, parameters: MAX_LISTED_TENSORS + 1, totals: { FLOAT: { tensors: MAX_LISTED_TENSORS + 1 } } });
    // every one of them is named "t": a value defined 100,001 times, reported 20 times and counted
    const dupes = r.findings.filter((f) => f.rule === 'onnx.duplicate-output');
    expect(dupes).toHaveLength(MAX_FINDINGS_PER_RULE + 1);
    expect(dupes[MAX_FINDINGS_PER_RULE]!.evidence).toEqual({ count: MAX_LISTED_TENSORS });
  }, 30_000);

  it(`lists MAX_FINDINGS_PER_RULE (${MAX_FINDINGS_PER_RULE}) findings of a rule and counts the rest`, async () => {
    const nodes = Array.from({ length: 25 }, (_, i) => node('Relu', [`ghost${i}`], [`o${i}`]));
    const r = await scan(model([...nodes, valueInfo(12, 'o0')]));
    const found = r.findings.filter((f) => f.rule === 'onnx.undefined-value');
    expect(found).toHaveLength(MAX_FINDINGS_PER_RULE + 1);
    expect(found[MAX_FINDINGS_PER_RULE]!.message).toBe('5 more of these (only the first 20 are listed)');
  });

  it(`shows MAX_TEXT_SHOWN (${MAX_TEXT_SHOWN}) characters of a doc string`, async () => {
    const r = await scan(concat(vint(1, 8), ld(6, 'd'.repeat(3000)), ld(7, ...matmulGraph(rawTensor('W', [4, 4], 64))), ld(8, ld(1, ''), vint(2, 17))));
    expect((r.content.model as { docString: string }).docString).toBe(`${'d'.repeat(MAX_TEXT_SHOWN)}…`);
  });

  it(`lists MAX_UNKNOWN_LISTED (${MAX_UNKNOWN_LISTED}) unknown fields and counts them all`, async () => {
    const r = await scan(model(matmulGraph(rawTensor('W', [4, 4], 64)), [['', 17]], repeat(25, ld(77, 'xy'))));
    expect(r.content.unknownFields).toMatchObject({ count: 25, bytes: 50 });
    expect((r.content.unknownFields as { listed: unknown[] }).listed).toHaveLength(MAX_UNKNOWN_LISTED);
    expect(r.verdict).toBe('clean');
  });

  it(`opens at most MAX_EXTERNAL_FILES (${MAX_EXTERNAL_FILES}) external data files`, async () => {
    const n = MAX_EXTERNAL_FILES + 1;
    const tensors = Array.from({ length: n }, (_, i) => externalTensor(`w${i}`, [1], [['location', `w${i}.bin`]]));
    const files = Object.fromEntries(Array.from({ length: n }, (_, i) => [`w${i}.bin`, 4]));
    const r = await scan(model([...tensors, node('Identity', ['w0'], ['Y']), valueInfo(12, 'Y')]), blobs(files));
    expect(limit(r).evidence).toEqual({ limit: 'MAX_EXTERNAL_FILES', value: n });
    const statuses = (r.content.externalData as { status: string }[]).map((f) => f.status);
    expect(statuses.filter((s) => s === 'ok')).toHaveLength(MAX_EXTERNAL_FILES);
    expect(statuses.at(-1)).toBe('unchecked');
  }, 30_000);
});

describe('ONNX walk', () => {
  it('skips weights by length: an 8 MB initializer costs a few KB of reads', async () => {
    const bytes = model(matmulGraph(rawTensor('W', [1024, 2048], 8 * 1024 * 1024)));
    const r = await scan(bytes);
    expect(r.findings).toEqual([]);
    expect((r.content.tensors as { bytes: number }[])[0]!.bytes).toBe(8 * 1024 * 1024);
    expect(r.stats.bytesRead).toBeLessThan(200 * 1024);
  });

  it('walks a graph of many windows, with names straddling their edges', async () => {
    const n = 30_000; // about 1.7 MB of structure: windows turn over mid-field many times
    const name = (i: number) => `ノード/${i}/${'x'.repeat(i % 37)}`;
    const nodes = Array.from({ length: n }, (_, i) => node('Relu', [i ? `値${i - 1}` : 'X'], [i === n - 1 ? 'Y' : `値${i}`], name(i)));
    const bytes = model([...nodes, ld(10, 'ドキュメント'.repeat(9000)), valueInfo(11, 'X'), valueInfo(12, 'Y')]);
    expect(bytes.length).toBeGreaterThan(1 << 20);
    const r = await scan(bytes);
    expect(r.findings).toEqual([]);
    const layout = (r.content.graph as { layout: { nodes: { name: string }[] }; docString: string; nodes: number });
    expect(layout.nodes).toBe(n);
    expect(layout.layout.nodes.map((x) => x.name).slice(0, 3)).toEqual([name(0), name(1), name(2)]);
    expect(layout.layout.nodes[9999]!.name).toBe(name(9999));
    expect(layout.docString.startsWith('ドキュメントドキュメント')).toBe(true);
  });

  it('counts unpacked and packed typed data against the dims', async () => {
    const unpacked = (count: number) => ld(5, vint(1, 2), vint(1, 2), vint(2, FLOAT), ld(8, 'W'), ...Array.from({ length: count }, () => f32(4, 1.5)));
    expect(rules(await scan(model(matmulGraph(unpacked(4)))))).toEqual([]);
    expect((await scan(model(matmulGraph(unpacked(3))))).findings[0]).toMatchObject({ rule: 'onnx.tensor-size-mismatch', evidence: { expected: 4, stored: 3 } });
    // packed int64_data longer than any window: bounded by its length (1 to 10 bytes an entry)
    const big = (dim: number) => ld(5, vint(1, dim), vint(2, INT64), ld(8, 'W'), ld(7, repeat(2_000_000, varint(5))));
    expect(rules(await scan(model(matmulGraph(big(2_000_000)))))).toEqual([]);
    expect(rules(await scan(model(matmulGraph(big(2_000_001)))))).toEqual(['onnx.tensor-size-mismatch']);
    expect(rules(await scan(model(matmulGraph(big(199_999)))))).toEqual(['onnx.tensor-size-mismatch']);
  });

  it('checks external lengths against dims, and reads to the end of the file without one', async () => {
    const t = (entries: [string, string][]) => model(matmulGraph(externalTensor('W', [4, 4], [['location', 'w.bin'], ...entries])));
    expect(rules(await scan(t([['length', '64']]), blobs({ 'w.bin': 64 })))).toEqual([]);
    expect(rules(await scan(t([]), blobs({ 'w.bin': 64 })))).toEqual([]);
    expect((await scan(t([['length', '60']]), blobs({ 'w.bin': 64 }))).findings[0]).toMatchObject({ rule: 'onnx.tensor-size-mismatch', evidence: { expected: 64, length: 60 } });
    expect((await scan(t([['offset', '4']]), blobs({ 'w.bin': 64 }))).findings[0]!.message).toMatch(/runs to the end of the file for 60/);
  });

  it('still calls a file malicious when damage follows an unsafe external path', async () => {
    const good = model(matmulGraph(externalTensor('W', [4, 4], [['location', '../../etc/passwd']]), rawTensor('B', [1024], 4096)));
    const r = await scan(good.subarray(0, good.length - 2000)); // cut inside B's raw_data
    expect(rules(r)).toEqual(['onnx.external-data-unsafe-path', 'format.malformed']);
    expect(r.verdict).toBe('malicious');
  });

  it('still lists a custom domain read before damage', async () => {
    const good = model([ld(1, ld(1, 'X'), ld(2, 'Y'), ld(4, 'Payload'), ld(7, 'evil.ops')), rawTensor('B', [1024], 4096)]);
    const r = await scan(good.subarray(0, good.length - 2000));
    expect(rules(r)).toEqual(['onnx.custom-domain', 'format.malformed']);
  });

  it('MAX_SAFE_LENGTH: refuses a length past 2^53 (2^53 - 1 is walked as a cut-short file), a field number 0 and a tag past 32 bits', async () => {
    const graphOf = (length: bigint) => concat(vint(1, 8), ld(2, 'x'), key(7, 2), varint(length), vint(1, 1));
    const huge = graphOf(2n ** 60n); // a graph of 2^60 bytes
    expect((await scan(huge)).findings.at(-1)!.message).toMatch(/runs past the end of the file|truncated/);
    expect((await scan(graphOf(2n ** 53n))).findings.at(-1)!.message).toMatch(/^field 7 of ModelProto at offset 5 runs past the end of the file/);
    // at the bound the graph is entered and walked up to the cut (its bytes are then read, and judged)
    expect((await scan(graphOf(2n ** 53n - 1n))).findings.at(-1)!.message).toMatch(/\(in ModelProto > GraphProto\)$/);
    const zero = model([ld(1, concat(key(0, 0), varint(1)))]);
    expect((await scan(zero)).findings[0]!.message).toMatch(/field number 0/);
    const wide = model([ld(1, concat(varint(2n ** 33n), varint(1)))]);
    expect((await scan(wide)).findings[0]!.message).toMatch(/field tag at offset \d+ has field number/);
  });

  it('refuses a field written with a wire type its declared type cannot have', async () => {
    const fixed32 = (field: number) => concat(key(field, 5), [0x41, 0x42, 0x43, 0x44]);
    const cases: [Uint8Array, RegExp][] = [
      [model([ld(1, ld(1, 'X'), ld(2, 'Y'), fixed32(4))]), /field 4 of NodeProto at offset \d+ is written as 32-bit/], // op_type
      [model(matmulGraph(ld(5, concat(key(1, 5), [1, 0, 0, 0]), vint(2, FLOAT), ld(8, 'W')))), /field 1 of TensorProto at offset \d+ is written as 32-bit/], // dims
      [model(matmulGraph(ld(5, vint(1, 1), vint(2, FLOAT), ld(8, 'W'), vint(9, 7)))), /field 9 of TensorProto at offset \d+ is written as varint/], // raw_data
      [model([ld(1, ld(1, 'X'), ld(2, 'Y'), ld(4, 'Relu')), concat(key(5, 1), new Uint8Array(8))]), /field 5 of GraphProto at offset \d+ is written as 64-bit/], // initializer
    ];
    for (const [bytes, message] of cases) {
      const r = await scan(bytes);
      expect(r.verdict, message.source).toBe('malformed');
      expect(r.findings.find((f) => f.rule === 'format.malformed')!.message).toMatch(message);
    }
  });

  it('sniffs an IR version up to MAX_IR_VERSION (100), and the first MAX_SNIFF_FIELDS (10,000) top-level fields: past either the file is not taken for ONNX, never clean', async () => {
    const sniffed = async (bytes: Uint8Array) => scanSource(new MemoryByteSource(bytes, 'm.onnx'), { wasm: await wasm() });
    const withIr = (ir: number, ...between: Uint8Array[]) => concat(vint(1, ir), ...between, ld(2, 'x'), ld(7, ...matmulGraph()), ld(8, ld(1, ''), vint(2, 17)));
    expect((await sniffed(withIr(100))).format).toBe('onnx');
    const over = await sniffed(withIr(101));
    expect(over.format).toBe('unknown');
    expect(over.verdict).toBe('unsupported');
    const entry = ld(14, ld(1, 'k'), ld(2, 'v'));
    // the graph is the 10,000th top-level field: seen; one entry more and it is not
    expect((await sniffed(withIr(8, repeat(9_997, entry)))).format).toBe('onnx');
    const late = await sniffed(withIr(8, repeat(9_998, entry)));
    expect(late.format).toBe('unknown');
    expect(late.verdict).toBe('unsupported');
  });

  it('refuses a packed list that is not a whole number of elements', async () => {
    const odd = ld(5, vint(1, 1), vint(2, FLOAT), ld(8, 'W'), ld(4, new Uint8Array(5)));
    expect((await scan(model(matmulGraph(odd)))).findings[0]!.message).toMatch(/packed field 4 of TensorProto at offset \d+ is not a whole number of elements/);
    const unfinished = ld(5, ld(1, [0x81, 0x81]), vint(2, FLOAT), ld(8, 'W'));
    expect((await scan(model(matmulGraph(unfinished)))).verdict).toBe('malformed');
  });

  it('lists at most MAX_PATH (40) steps of an input-triggered branch, and still reports it', async () => {
    // x == c reduced to one bool, then 60 Casts, deciding a Where: a path longer than the evidence holds
    const attr = (name: string, value: number) => concat(ld(1, name), vint(3, value), vint(20, 2));
    const casts = Array.from({ length: 60 }, (_, i) => node('Cast', [i ? `b${i - 1}` : 'all'], [`b${i}`], `cast_${i}`, attr('to', i % 2 ? 9 : 1)));
    const reduce = [node('Cast', ['eq'], ['eqf'], 'to_float', attr('to', 1)), node('ReduceMin', ['eqf'], ['all'], 'all_match', attr('keepdims', 0))];
    const r = await scan(model([rawTensor('c', [1, 4], 16), node('Equal', ['X', 'c'], ['eq'], 'compare'), ...reduce, ...casts, node('Where', ['b59', 'X', 'c'], ['Y'], 'select'), valueInfo(11, 'X'), valueInfo(12, 'Y')]));
    const f = r.findings.find((x) => x.rule === 'onnx.input-triggered-branch');
    expect(f, JSON.stringify(rules(r))).toBeDefined();
    const path = f!.evidence.path as string[];
    expect(path).toHaveLength(40);
    expect(path.at(-1)).toBe('select (Where)'); // the sink is kept; the steps nearest the input are what is cut
    expect(path[0]).toBe('cast_21 (Cast)');
    expect(f!.location.node).toBe('select');
  });
});
