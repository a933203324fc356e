#!/usr/bin/env node
// The graph viewer's speed in headless Chromium (Debian's, via playwright-core),
// on transformer-like ONNX graphs generated here: `layers` repeated blocks of
// scoped nodes (`/model/layers.N/self_attn/q_proj/MatMul`, norms, rotary, the
// shape arithmetic exporters write, mlp), 10,000 and 100,000 nodes.
//   1. first paint: from the Graph tab's click to the first frame of the graph;
//   2. expanding a block (a layer) from the first screen: click to the frame;
//   3. the side panel: a node's attributes and value types read from the file
//      (the first request walks it once, the next ones reuse the walk);
//   4. pan and zoom: frame intervals and drawing time, on the first screen and
//      with every group open (every node a box);
//
//   npm run build && node bench/graph.mjs [--nodes 10000,100000] [--runs 3]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { ld, str, vint } from './gen/protobuf.mjs';

const DIR = '/tmp/weightlens-bench';
const { values: args } = parseArgs({ options: { nodes: { type: 'string', default: '10000,100000' }, runs: { type: 'string', default: '3' } } });

const node = (op, inputs, outputs, name) => ld(1, ...inputs.map((s) => str(1, s)), ...outputs.map((s) => str(2, s)), str(3, name), str(4, op));
const valueInfo = (field, name) => ld(field, str(1, name), ld(2, ld(1, vint(1, 1), ld(2, ld(1, str(2, 'batch')), ld(1, vint(1, 64))))));

/** One decoder layer: about `perLayer` nodes in nested scopes, reading `h`, returning its output. */
function layer(l, h, perLayer, nodes) {
  const p = `/model/layers.${l}`;
  let k = 0;
  const add = (scope, op, inputs) => {
    const name = `${p}/${scope}${scope ? '/' : ''}${op}_${k++}`;
    const out = `${name}_output_0`;
    nodes.push(node(op, inputs, [out], name));
    return out;
  };
  const norm = (scope, x) => {
    const mean = add(scope, 'ReduceMean', [x]);
    const centred = add(scope, 'Sub', [x, mean]);
    const sq = add(scope, 'Mul', [centred, centred]);
    const variance = add(scope, 'ReduceMean', [sq]);
    const eps = add(scope, 'Add', [variance]);
    const sd = add(scope, 'Sqrt', [eps]);
    const div = add(scope, 'Div', [centred, sd]);
    return add(scope, 'Mul', [div]);
  };
  const start = nodes.length;
  const x = norm('input_layernorm', h);
  const q = add('self_attn/q_proj', 'MatMul', [x]);
  const kk = add('self_attn/k_proj', 'MatMul', [x]);
  const v = add('self_attn/v_proj', 'MatMul', [x]);
  const rotary = (t) => {
    const a = add('self_attn/rotary_emb', 'Slice', [t]);
    const b = add('self_attn/rotary_emb', 'Slice', [t]);
    const n = add('self_attn/rotary_emb', 'Neg', [b]);
    const c = add('self_attn/rotary_emb', 'Concat', [n, a]);
    const m1 = add('self_attn/rotary_emb', 'Mul', [t]);
    const m2 = add('self_attn/rotary_emb', 'Mul', [c]);
    return add('self_attn/rotary_emb', 'Add', [m1, m2]);
  };
  // shape arithmetic as exporters write it: Shape → Gather → Unsqueeze → Concat → Reshape
  const fixed = 8 + 3 + 14 + 8 + 1 + 8 + 6 + 1;
  const shapeChains = Math.max(0, Math.round((perLayer - fixed) / 5));
  let qr = rotary(q);
  const kr = rotary(kk);
  for (let i = 0; i < shapeChains; i++) {
    const s = add('self_attn', 'Shape', [x]);
    const g = add('self_attn', 'Gather', [s]);
    const u = add('self_attn', 'Unsqueeze', [g]);
    const c = add('self_attn', 'Concat', [u]);
    qr = add('self_attn', 'Reshape', [qr, c]);
  }
  const scores = add('self_attn', 'MatMul', [qr, kr]);
  const scaled = add('self_attn', 'Div', [scores]);
  const masked = add('self_attn', 'Add', [scaled]);
  const probs = add('self_attn', 'Softmax', [masked]);
  const ctx = add('self_attn', 'MatMul', [probs, v]);
  const tr = add('self_attn', 'Transpose', [ctx]);
  const rs = add('self_attn', 'Reshape', [tr]);
  const o = add('self_attn/o_proj', 'MatMul', [rs]);
  const r1 = add('', 'Add', [h, o]);
  const y = norm('post_attention_layernorm', r1);
  const gate = add('mlp/gate_proj', 'MatMul', [y]);
  const up = add('mlp/up_proj', 'MatMul', [y]);
  const sig = add('mlp/act_fn', 'Sigmoid', [gate]);
  const act = add('mlp/act_fn', 'Mul', [gate, sig]);
  const prod = add('mlp', 'Mul', [act, up]);
  const down = add('mlp/down_proj', 'MatMul', [prod]);
  const out = add('', 'Add', [r1, down]);
  return { out, count: nodes.length - start };
}

/** A transformer-like ModelProto of about `total` nodes. */
function transformer(total) {
  const perLayer = 250;
  const layers = Math.max(1, Math.round(total / perLayer));
  const nodes = [node('Gather', ['input_ids'], ['/model/embed_tokens/Gather_output_0'], '/model/embed_tokens/Gather')];
  let h = '/model/embed_tokens/Gather_output_0';
  for (let l = 0; l < layers; l++) h = layer(l, h, perLayer, nodes).out;
  nodes.push(node('ReduceMean', [h], ['/model/norm/ReduceMean_output_0'], '/model/norm/ReduceMean'));
  nodes.push(node('MatMul', ['/model/norm/ReduceMean_output_0'], ['logits'], '/lm_head/MatMul'));
  const graph = ld(7, ...nodes, str(2, 'transformer'), valueInfo(11, 'input_ids'), valueInfo(12, 'logits'));
  return { bytes: Buffer.concat([vint(1, 8), str(2, 'weightlens-bench'), graph, ld(8, str(1, ''), vint(2, 17))]), nodes: nodes.length };
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const server = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'silent' });
const url = `http://127.0.0.1:${server.httpServer.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: FLAGS });
console.log(`Chromium ${browser.version()}, ${url}`);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

/** In the page: pans (or zooms) once per frame for `frames` frames; frame intervals and drawing times. */
const animate = (el, { frames, zoom }) =>
  new Promise((resolve) => {
    const painter = el.painter;
    const intervals = [];
    const draws = [];
    let last = performance.now();
    let i = 0;
    const step = (now) => {
      intervals.push(now - last);
      last = now;
      if (zoom) painter.zoom(i % 40 < 20 ? 1.05 : 1 / 1.05, painter.size.width / 2, painter.size.height / 2);
      else painter.pan(i % 60 < 30 ? 12 : -12, 4 * (i % 2 ? 1 : -1));
      const t0 = performance.now();
      painter.draw();
      draws.push(performance.now() - t0);
      if (++i < frames) requestAnimationFrame(step);
      else resolve({ intervals: intervals.slice(2), draws: draws.slice(2) });
    };
    requestAnimationFrame(step);
  });

fs.mkdirSync(DIR, { recursive: true });
for (const wanted of args.nodes.split(',').map(Number)) {
  const file = path.join(DIR, `graph-${wanted}.onnx`);
  const model = transformer(wanted);
  fs.writeFileSync(file, model.bytes);
  console.log(`\n${path.basename(file)}: ${model.nodes.toLocaleString('en-US')} nodes, ${(model.bytes.length / 1e6).toFixed(1)} MB`);
  const results = { firstPaint: [], verdict: [], load: [], expand: [], panelFirst: [], panelNext: [], pan: [], zoom: [], panAll: [], zoomAll: [], allLayout: [] };
  for (let run = 0; run < Number(args.runs); run++) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('weightlens-app').waitFor();
    const t0 = Date.now();
    await page.setInputFiles('drop-zone input#files', file);
    const report = page.locator('report-view').first();
    await report.locator('verdict-banner .word').waitFor({ timeout: 120_000 });
    results.verdict.push(Date.now() - t0);
    // let the app finish what follows a verdict (hash, history save of the report) so the tab is timed alone
    await page.locator('file-queue tr', { hasText: path.basename(file) }).filter({ hasText: /done/ }).waitFor({ timeout: 120_000 });
    await page.evaluate(() => new Promise((resolve) => {
      window.__longTasks = [];
      new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => ({ start: e.startTime, duration: e.duration })))).observe({ type: 'longtask' });
      setTimeout(resolve, 1500);
    }));
    const clicked = await page.evaluate(() => performance.now());
    await report.getByRole('tab', { name: 'Graph', exact: true }).click();
    const graph = report.locator('graph-view');
    await graph.waitFor();
    await graph.evaluate((el) => new Promise((resolve) => {
      const poll = () => (el.timings.firstPaint ? resolve() : setTimeout(poll, 5));
      poll();
    }), undefined, { timeout: 60_000 });
    const t = await graph.evaluate((el) => el.timings);
    results.firstPaint.push(t.firstPaint - clicked);
    results.load.push(t.loaded - t.start);
    const longTasks = (await page.evaluate(() => window.__longTasks)).filter((l) => l.start + l.duration > clicked);
    console.log(`    run ${run + 1}: click → element ${(t.start - clicked).toFixed(0)} ms, → packed ${(t.packed - t.start).toFixed(0)} ms, hierarchy in the worker ${t.hierarchyMs.toFixed(0)} ms, → loaded ${(t.loaded - t.packed).toFixed(0)} ms, → first paint ${(t.firstPaint - t.loaded).toFixed(0)} ms; main-thread long tasks after the click ${longTasks.map((l) => `${l.duration.toFixed(0)} ms at +${(l.start - clicked).toFixed(0)}`).join(', ') || 'none'}`);
    // expand the first collapsed layer of the first screen
    const expandMs = await graph.evaluate(async (el) => {
      const v = el.laid;
      let box = -1;
      for (let i = 0; i < v.kind.length; i++) if (v.kind[i] === 1 && /^layers\.\d+$/.test(el.summary.groups[v.ref[i]].label)) { box = i; break; }
      if (box < 0) box = [...v.kind].indexOf(1);
      const paints = el.painter.paints;
      const s = performance.now();
      await el.toggle(box);
      await new Promise((resolve) => {
        const poll = () => (el.painter.paints > paints ? resolve() : requestAnimationFrame(poll));
        poll();
      });
      return performance.now() - s;
    });
    results.expand.push(expandMs);
    // the side panel: a node's attributes and value types, read from the file (the first request walks it once)
    const panel = await graph.evaluate(async (el) => {
      const time = async (n) => {
        const name = el.input.nodes[n].name;
        const s = performance.now();
        const answer = await el.api.nodeDetails('graph', n, name);
        if (answer.error) throw new Error(answer.error);
        return performance.now() - s;
      };
      const half = el.input.nodes.length >> 1;
      return { first: await time(half), next: await time(half + 1) };
    });
    results.panelFirst.push(panel.first);
    results.panelNext.push(panel.next);
    const pan = await graph.evaluate(animate, { frames: 120, zoom: false });
    const zoom = await graph.evaluate(animate, { frames: 120, zoom: true });
    results.pan.push(...pan.intervals);
    results.zoom.push(...zoom.intervals);
    if (run === 0) {
      // every group open: every node its own box
      const all = await graph.evaluate(async (el) => {
        el.expanded = new Set(el.summary.groups.map((_, i) => i).filter((i) => i > 0));
        const s = performance.now();
        await el.relayout();
        const ms = performance.now() - s;
        el.painter.fit();
        return { ms, boxes: el.laid.kind.length, timing: el.laid.timing };
      });
      results.allLayout.push(all);
      const panAll = await graph.evaluate(animate, { frames: 60, zoom: false });
      const zoomAll = await graph.evaluate(animate, { frames: 60, zoom: true });
      results.panAll.push({ ...panAll, boxes: all.boxes });
      results.zoomAll.push(zoomAll);
    }
    await context.close();
  }
  const fmt = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  console.log(`  drop to verdict: ${fmt(results.verdict)}`);
  console.log(`  Graph tab click to first paint: ${fmt(results.firstPaint)}  (hierarchy in the worker, incl. posting the graph: ${fmt(results.load)})`);
  console.log(`  expand a layer from the first screen, click to frame: ${fmt(results.expand)}`);
  console.log(`  node panel from the file: first request (walks the file) ${fmt(results.panelFirst)}; the next node ${fmt(results.panelNext)}`);
  const fps = (xs) => `frame interval median ${median(xs).toFixed(1)} ms, p95 ${p95(xs).toFixed(1)} ms (${(1000 / median(xs)).toFixed(0)} fps)`;
  console.log(`  first screen: pan ${fps(results.pan)}; zoom ${fps(results.zoom)}`);
  const all = results.allLayout[0];
  console.log(`  every group open (${all.boxes.toLocaleString('en-US')} boxes): layout ${all.ms.toFixed(0)} ms (visible graph ${all.timing.visible.toFixed(0)} ms, layered layout ${all.timing.layout.toFixed(0)} ms)`);
  console.log(`    pan ${fps(results.panAll[0].intervals)}, drawing median ${median(results.panAll[0].draws).toFixed(1)} ms; zoom ${fps(results.zoomAll[0].intervals)}, drawing median ${median(results.zoomAll[0].draws).toFixed(1)} ms`);
}

await browser.close();
await server.close();
