#!/usr/bin/env node
// Times what happens to a big report after the scan: reading it back
// (readReport, as for a history entry or a dropped report file), encoding it as
// a share link (trimmed to 8,000 characters) and decoding that link, and the
// SARIF, CycloneDX and Markdown exports. The report is generated: an ONNX-like
// report with N tensor rows (default 100,000, the engine's MAX_LISTED_TENSORS)
// and 1,000 pickle events. Needs `npm run build:cli` (it imports lib/).
//
//   node bench/reports.mjs [TENSORS]
import { performance } from 'node:perf_hooks';
import { readReport } from '../lib/engine/report-reader.js';
import { toSarif } from '../lib/engine/export/sarif.js';
import { toCycloneDx } from '../lib/engine/export/cyclonedx.js';
import { toMarkdown } from '../lib/engine/export/markdown.js';
import { decodeReportLink, encodeReportLinkDetailed } from '../lib/share/report-link.js';

const count = Number(process.argv[2] ?? 100_000);
const tensors = Array.from({ length: count }, (_, i) => ({ name: `graph.layers.${i}.mlp.weight`, dtype: i % 3 ? 'FLOAT16' : 'FLOAT', shape: [i % 512, 768], parameters: (i % 512) * 768, bytes: (i % 512) * 1536, offset: i * 4096, storage: 'raw_data' }));
const events = Array.from({ length: 1000 }, (_, i) => ({ kind: 'call', offset: i * 40, opcodeIndex: i * 3, python: `torch._utils._rebuild_tensor_v2(pers.load('${i}'), 0, (${i % 512}, 768), (768, 1), False)`, via: 'REDUCE' }));
const findings = Array.from({ length: 200 }, (_, i) => ({ rule: 'onnx.unknown-op', severity: 'medium', message: `node Op${i} uses an op ai.onnx does not define at opset 13`, location: { node: `Op${i}` }, evidence: { op: `Custom${i}` } }));
const report = {
  schemaVersion: 1,
  tool: { name: 'weightlens', version: '0.1.0' },
  file: { path: 'models/big.onnx', name: 'big.onnx', size: 4e9, sha256: 'a'.repeat(64) },
  format: 'onnx',
  formatLabel: 'ONNX model (IR version 8)',
  verdict: 'suspicious',
  findings,
  stats: { bytesRead: 800_000, elapsedMs: 900 },
  content: { tensors, tensorsTotal: count, parameters: tensors.reduce((n, t) => n + t.parameters, 0), totals: { FLOAT: { tensors: count / 3, parameters: 1, bytes: 1 } }, pickle: { streams: [{ offset: 0, events, eventsTotal: 1000 }] } },
};
const json = JSON.stringify(report);

async function time(label, fn) {
  const started = performance.now();
  const result = await fn();
  console.log(`${label.padEnd(34)} ${(performance.now() - started).toFixed(1).padStart(9)} ms`);
  return result;
}

console.log(`report: ${count} tensors, 1,000 events, 200 findings, ${(json.length / 1e6).toFixed(1)} MB of JSON`);
const parsed = await time('JSON.parse', () => JSON.parse(json));
await time('readReport', () => readReport(parsed));
const link = await time('encodeReportLink (8,000 chars)', () => encodeReportLinkDetailed(report));
console.log(`  link: ${link.fragment.length} characters, left out: ${JSON.stringify(link.trimmed)}`);
await time('decodeReportLink', () => decodeReportLink(link.fragment));
const sarif = await time('toSarif', () => JSON.stringify(toSarif([report])));
const bom = await time('toCycloneDx', () => JSON.stringify(toCycloneDx([report])));
const md = await time('toMarkdown', () => toMarkdown([report]));
console.log(`  sizes: SARIF ${sarif.length}, CycloneDX ${bom.length}, Markdown ${md.length} characters`);
