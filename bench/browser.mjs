#!/usr/bin/env node
// The web app's speed in headless Chromium (Debian's, via playwright-core):
//   1. drop to verdict: from the file input's input event to the verdict
//      banner on screen, for each file given (default: big.safetensors, 4 GiB);
//   2. responsiveness while hashing: the page's long tasks (main-thread tasks
//      over 50 ms, PerformanceObserver 'longtask') from drop until the hash of a
//      big file is done (default: big-torch.pt, 2.1 GB), with the hash rate;
//   3. scrolling: frame times while a 100,000-row tensor table scrolls.
//
//   npm run build && node bench/generate.mjs && node bench/browser.mjs [--verdict FILE]... [--hash FILE] [--runs N] [--parts 1,2,3]
//
// Files are real files on disk handed to the page's file input (headless
// Chromium cannot read generated Blobs over ~400 MB).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { preview } from 'vite';

const DIR = '/tmp/weightlens-bench';
const { values } = parseArgs({
  options: {
    verdict: { type: 'string', multiple: true, default: [path.join(DIR, 'big.safetensors'), path.join(DIR, 'big-torch.pt'), path.join(DIR, 'big.onnx')] },
    hash: { type: 'string', default: path.join(DIR, 'big-torch.pt') },
    runs: { type: 'string', default: '5' },
    parts: { type: 'string', default: '1,2,3' },
  },
});
for (const f of [...values.verdict, values.hash]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: run node bench/generate.mjs`);

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const server = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'silent' });
const url = `http://127.0.0.1:${server.httpServer.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: FLAGS });

/** In the page: resolves with ms from the next file-input event to the verdict of `name` on screen. */
const timeDropToVerdict = (name) =>
  new Promise((resolve) => {
    const deepFind = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.localName === 'report-view' && el.shadowRoot?.querySelector('h3')?.textContent?.endsWith(name)) {
          const word = el.shadowRoot.querySelector('verdict-banner')?.shadowRoot?.querySelector('.word');
          if (word) return word.textContent;
        }
        if (el.shadowRoot) {
          const found = deepFind(el.shadowRoot);
          if (found) return found;
        }
      }
      return undefined;
    };
    document.addEventListener(
      'input', // composed, unlike 'change': it crosses the shadow roots
      () => {
        const t0 = performance.now();
        const poll = () => {
          const verdict = deepFind(document);
          if (verdict) resolve({ ms: performance.now() - t0, verdict });
          else requestAnimationFrame(poll);
        };
        poll();
      },
      { capture: true, once: true },
    );
  });

async function fresh() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('weightlens-app').waitFor();
  await page.waitForTimeout(300); // the pool's workers compile the wasm at start
  return { context, page };
}

console.log(`Chromium ${browser.version()}, ${url}`);
const parts = new Set(values.parts.split(','));
if (parts.has('1')) console.log('\n1. drop to verdict (ms, median of runs; each run a fresh page)');
for (const file of parts.has('1') ? values.verdict : []) {
  const times = [];
  let verdict;
  for (let i = 0; i < Number(values.runs); i++) {
    const { context, page } = await fresh();
    const result = page.evaluate(timeDropToVerdict, path.basename(file));
    await page.locator('drop-zone input#files').setInputFiles(file);
    const r = await result;
    times.push(r.ms);
    verdict = r.verdict;
    await context.close();
  }
  times.sort((a, b) => a - b);
  const size = fs.statSync(file).size;
  console.log(`  ${path.basename(file).padEnd(20)} ${(size / 1e9).toFixed(2)} GB  ${verdict.padEnd(11)} median ${times[times.length >> 1].toFixed(0)} ms  (min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)})`);
}

if (parts.has('2')) {
  console.log('\n2. long tasks while hashing');
  const { context, page } = await fresh();
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => ({ start: e.startTime, duration: e.duration })))).observe({ type: 'longtask', buffered: false });
  });
  const started = Date.now();
  await page.locator('drop-zone input#files').setInputFiles(values.hash);
  const row = page.locator('file-queue tr', { hasText: path.basename(values.hash) });
  await row.filter({ hasText: /hashing/ }).waitFor({ timeout: 60_000 });
  const hashingFrom = await page.evaluate(() => performance.now());
  await row.filter({ hasText: /done/ }).waitFor({ timeout: 600_000 });
  const seconds = (Date.now() - started) / 1000;
  const all = await page.evaluate(() => window.__longTasks);
  const tasks = all.filter((t) => t.start >= hashingFrom).map((t) => t.duration);
  const before = all.filter((t) => t.start < hashingFrom).map((t) => t.duration);
  const size = fs.statSync(values.hash).size;
  const hash = await page.evaluate(() => document.querySelector('weightlens-app').shadowRoot.querySelector('report-view').report.file.sha256);
  console.log(`  ${path.basename(values.hash)} ${(size / 1e9).toFixed(2)} GB: drop to hash ${seconds.toFixed(1)} s (${(size / 1e6 / seconds).toFixed(0)} MB/s), sha256 ${hash}`);
  console.log(`  long tasks while hashing: ${tasks.length}${tasks.length ? `, longest ${Math.max(...tasks).toFixed(0)} ms` : ''} (a long task is a main-thread task over 50 ms)`);
  console.log(`  long tasks from drop to verdict: ${before.length}${before.length ? `, longest ${Math.max(...before).toFixed(0)} ms` : ''}`);
  await context.close();
}

if (parts.has('3')) {
  console.log('\n3. scrolling a 100,000-row tensor table');
  const file = path.join(DIR, 'many-tensors.safetensors');
  if (!fs.existsSync(file)) writeManyTensors(file, 100_000);
  const { context, page } = await fresh();
  await page.locator('drop-zone input#files').setInputFiles(file);
  await page.locator('report-view').getByRole('tab', { name: /Tensors/ }).click();
  await page.locator('tensor-table virtual-rows .row').first().waitFor();
  // Scroll through the list, 3,000 px per frame for 300 frames, and time every frame.
  const frames = await page.locator('tensor-table virtual-rows .scroller').evaluate(
    (scroller) =>
      new Promise((resolve) => {
        const times = [];
        let last = performance.now();
        const step = (now) => {
          times.push(now - last);
          last = now;
          scroller.scrollTop += 3000;
          if (times.length < 300) requestAnimationFrame(step);
          else resolve(times.slice(1));
        };
        requestAnimationFrame(step);
      }),
  );
  frames.sort((a, b) => a - b);
  const at = (q) => frames[Math.min(frames.length - 1, Math.floor(q * frames.length))].toFixed(1);
  const rows = await page.locator('tensor-table virtual-rows .row').count();
  console.log(`  frame time: median ${at(0.5)} ms, 95th percentile ${at(0.95)} ms, worst ${at(1)} ms over ${frames.length} frames; ${rows} rows in the DOM`);
  await context.close();
}

await browser.close();
await server.close();

/** A safetensors file with `count` small F32 tensors (named like a deep model's), written once. */
function writeManyTensors(file, count) {
  const header = {};
  for (let i = 0; i < count; i++) header[`model.layers.${Math.floor(i / 10)}.block.${i % 10}.weight`] = { dtype: 'F32', shape: [2, 2], data_offsets: [i * 16, i * 16 + 16] };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  fs.writeFileSync(file, Buffer.concat([length, json, Buffer.alloc(count * 16)]));
}
