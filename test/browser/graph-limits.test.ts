// The graph viewer's bounds in a real browser: search matches listed
// (MAX_MATCHES, src/ui/graph/graph-view.ts) and the zoom range (MAX_SCALE,
// src/ui/graph/graph-canvas.ts), on a chain of 250 Relu nodes built here.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { model, node, valueInfo } from '../onnx-builder.js';
import { deepText, haveChromium, openApp, reportFor, serveAndLaunch, type Served } from './browser.js';

const NODES = 250;

function reluChain(): Uint8Array {
  const nodes: Uint8Array[] = [];
  let h = 'x';
  for (let i = 0; i < NODES; i++) {
    nodes.push(node('Relu', [h], [`r${i}`], `/chain/Relu_${i}`));
    h = `r${i}`;
  }
  return model([...nodes, valueInfo(11, 'x', [1, 8]), valueInfo(12, h, [1, 8])]);
}

describe.skipIf(!haveChromium)('graph viewer bounds in Chromium', () => {
  let served: Served;
  let context: BrowserContext;

  beforeAll(async () => {
    served = await serveAndLaunch();
    context = await served.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await served?.close();
  });

  it('MAX_MATCHES (200) lists the first matches of a search and counts them all; MAX_SCALE (4) bounds zooming in', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'weightlens-graph-limits-')), 'chain.onnx');
    writeFileSync(file, reluChain());
    const { page, errors } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#files', file);
    const report = await reportFor(page, 'chain.onnx');
    await report.getByRole('tab', { name: 'Graph', exact: true }).click();
    const graph = report.locator('graph-view');
    await expect.poll(() => graph.evaluate((el) => Number(el.dataset.paints ?? 0)), { timeout: 15_000 }).toBeGreaterThan(0);
    const search = graph.locator('input[type=search]');
    await search.fill('relu');
    await expect.poll(() => graph.locator('.matches li').count()).toBe(200);
    expect(await deepText(graph)).toContain(`${NODES} matches, first 200 listed`);
    await search.fill('Relu_19'); // Relu_19 and Relu_190 … Relu_199: all listed
    await expect.poll(() => graph.locator('.matches li').count()).toBe(11);
    expect(await deepText(graph)).not.toContain('listed');
    // zoom: each click is ×1.25, never past 4 (the canvas's scale, read from the element's painter)
    const scale = () => graph.evaluate((el) => (el as unknown as { painter: { scale: number } }).painter.scale);
    for (let i = 0; i < 40; i++) await graph.getByRole('button', { name: 'zoom in' }).click();
    expect(await scale()).toBe(4);
    await graph.getByRole('button', { name: 'zoom in' }).click();
    expect(await scale()).toBe(4);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
