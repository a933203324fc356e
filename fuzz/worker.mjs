// A fuzz worker: runs inputs [start, end) of a run and reports failures by index.
// The heartbeat (shared memory) lets the runner see an input that hangs and kill us.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { loadCorpus } from './corpus.mjs';
import { makeEngine } from './engine.mjs';
import { inputAt } from './mutate.mjs';

const { root, seed, start, end, heartbeat, lib, target, schemas } = workerData;
const beat = new Float64Array(heartbeat);
const { scanSource } = await import(`${lib}/engine/scan.js`);
const { MemoryByteSource } = await import(`${lib}/engine/byte-source.js`);
const { loadWasm } = await import(`${lib}/node/load-wasm.js`);
const corpus = loadCorpus(root);
const wasm = await loadWasm();
const engine = makeEngine({ scanSource, MemoryByteSource, wasm });
await engine.learn(corpus);
// target 'text': the share-link and report readers, seeded with the corpus files' reports
const text = target === 'text' ? await textTargets() : undefined;

async function textTargets() {
  const { makeTextTargets } = await import('./text-targets.mjs');
  const link = await import(`${lib}/share/report-link.js`);
  const reader = await import(`${lib}/engine/report-reader.js`);
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const schema = JSON.parse(readFileSync(`${schemas}/report.schema.json`, 'utf8'));
  const validate = ajv.compile(schema);
  const reports = [];
  for (const file of corpus) reports.push(await scanSource(new MemoryByteSource(file.bytes, file.name), { wasm }));
  const targets = makeTextTargets({ reports, ...link, ...reader, validate });
  await targets.learn();
  return targets;
}

const verdicts = {};
const strategies = {};
let slowest = { index: -1, ms: 0 };
for (let i = start; i < end; i++) {
  const input = text ? text.inputAt(seed, i) : inputAt(corpus, seed, i);
  beat[0] = i;
  beat[1] = performance.now();
  const t0 = performance.now();
  const result = text ? await text.check(input) : await engine.check(input);
  const ms = performance.now() - t0;
  if (ms > slowest.ms) slowest = { index: i, ms, seedFile: input.seedFile.name, size: input.bytes.length };
  verdicts[result.verdict ?? 'crash'] = (verdicts[result.verdict ?? 'crash'] ?? 0) + 1;
  for (const s of input.strategies) strategies[s] = (strategies[s] ?? 0) + 1;
  if (result.failure) parentPort.postMessage({ type: 'failure', index: i, seedFile: input.seedFile.name, ...(text ? { bytes: input.bytes, layer: input.layer } : {}), ...result });
  if ((i - start) % 500 === 0) parentPort.postMessage({ type: 'progress', done: i - start + 1 });
}
beat[0] = -1;
parentPort.postMessage({ type: 'done', verdicts, strategies, slowest, done: end - start });
