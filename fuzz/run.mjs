#!/usr/bin/env node
// The fuzz run: mutated fixtures through every parser, in worker threads,
// with a watchdog for hangs and the process's peak memory. Failing inputs are
// rebuilt from their index and written to the output folder.
//
//   node fuzz/run.mjs [--count N] [--seed S] [--workers W] [--budget-ms MS] [--out DIR] [--target files|text]
//
// Needs `npm run build` (runs the engine from lib/ and build/).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadCorpus } from './corpus.mjs';
import { inputAt } from './mutate.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string', default: String(Math.max(1, Math.min(4, cpus().length))) },
    'budget-ms': { type: 'string', default: '10000' },
    out: { type: 'string', default: join(ROOT, 'fuzz', 'out') },
    target: { type: 'string', default: 'files' },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
const workers = Number(values.workers);
const budget = Number(values['budget-ms']);
const target = values.target;
if (target !== 'files' && target !== 'text') throw new Error(`--target is files (every parser, on mutated fixtures) or text (share links and report files)`);
const corpusRoot = join(ROOT, 'test', 'fixtures');
const corpus = loadCorpus(corpusRoot);
const started = performance.now();
let peakRss = 0;
const failures = [];
const totals = { verdicts: {}, strategies: {}, slowest: { ms: 0 } };
let done = 0;

function save(kind, index, detail, found = {}) {
  mkdirSync(values.out, { recursive: true });
  // text inputs come with their bytes (their seeds are reports the workers make); file inputs are rebuilt from the index
  const input = target === 'text' ? { seedFile: { name: found.seedFile ?? '?' }, bytes: found.bytes ?? new Uint8Array(0), strategies: [found.layer ?? 'text'] } : inputAt(corpus, seed, index);
  const file = join(values.out, `${kind}-${target === 'text' ? 'text-' : ''}seed${seed}-${index}.bin`);
  writeFileSync(file, input.bytes);
  failures.push({ kind, index, seedFile: input.seedFile.name, strategies: input.strategies, file, detail });
  console.log(`${kind}: input ${index} (from ${input.seedFile.name}, ${input.strategies.join('+')}) → ${file}\n  ${String(detail).split('\n')[0]}`);
}

function runSlice(start, end) {
  return new Promise((resolveSlice) => {
    if (start >= end) return resolveSlice();
    const heartbeat = new SharedArrayBuffer(16);
    const beat = new Float64Array(heartbeat);
    beat[0] = -1;
    const worker = new Worker(join(HERE, 'worker.mjs'), { workerData: { root: corpusRoot, seed, start, end, heartbeat, lib: join(ROOT, 'lib'), target, schemas: join(ROOT, 'docs') }, resourceLimits: { maxOldGenerationSizeMb: 2048 } });
    let finished = false;
    const watchdog = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (beat[0] >= 0 && performance.now() - beat[1] > budget) {
        const index = beat[0];
        finished = true;
        clearInterval(watchdog);
        worker.terminate();
        save('hang', index, `over the ${budget} ms budget`);
        done += 1;
        runSlice(index + 1, end).then(resolveSlice);
      }
    }, 250);
    worker.on('message', (m) => {
      if (m.type === 'failure') save(m.failure, m.index, m.detail, m);
      else if (m.type === 'done') {
        for (const [k, v] of Object.entries(m.verdicts)) totals.verdicts[k] = (totals.verdicts[k] ?? 0) + v;
        for (const [k, v] of Object.entries(m.strategies)) totals.strategies[k] = (totals.strategies[k] ?? 0) + v;
        if (m.slowest.ms > totals.slowest.ms) totals.slowest = m.slowest;
        done += m.done;
      }
    });
    worker.on('error', (error) => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      const index = beat[0] >= 0 ? beat[0] : start;
      save('crash', index, `worker died: ${error?.stack ?? error}`);
      done += 1;
      runSlice(index + 1, end).then(resolveSlice);
    });
    worker.on('exit', () => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      resolveSlice();
    });
  });
}

const per = Math.ceil(count / workers);
await Promise.all(Array.from({ length: workers }, (_, w) => runSlice(w * per, Math.min(count, (w + 1) * per))));
const seconds = (performance.now() - started) / 1000;
const summary = {
  inputs: count, target, seed, workers, seeds: corpus.length, seconds: Math.round(seconds * 10) / 10,
  perSecond: Math.round(count / seconds), peakRssMB: Math.round(peakRss / 1e6),
  crashes: failures.filter((f) => f.kind === 'crash').length,
  hangs: failures.filter((f) => f.kind === 'hang').length,
  suspects: failures.filter((f) => f.kind === 'suspect').length,
  acceptedInvalid: failures.filter((f) => f.kind === 'accepted-invalid').length,
  verdicts: totals.verdicts, strategies: totals.strategies, slowest: totals.slowest,
};
console.log(JSON.stringify(summary, null, 2));
process.exitCode = summary.crashes || summary.hangs || summary.acceptedInvalid ? 1 : 0;
