// The graph viewer in a real browser: a model with nested scopes (built here
// with test/onnx-builder.ts: 12 numbered layers of attn and mlp, one node from a
// custom domain) opens with its blocks collapsed, opens a block on click and
// with Enter, finds a node by search, and highlights the node a finding names.
// Screenshots of each state go to test-artifacts/screenshots/.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainNode, model, node, valueInfo } from '../onnx-builder.js';
import { deepText, fixturePath, haveChromium, openApp, reportFor, screenshot, serveAndLaunch, type Served } from './browser.js';

export const LAYERS = 12;
export const CUSTOM_NODE = '/model/layers.9/attn/Scramble';

/** `/model/embed`, `/model/layers.N/{attn,mlp}` and `/model/norm`, each node reading the previous value. */
export function scopedModel(): Uint8Array {
  const nodes: Uint8Array[] = [];
  let h = 'input_ids';
  const step = (name: string, op: string, extra: string[] = [], custom = false) => {
    const out = `${name}_output_0`;
    nodes.push(custom ? domainNode('com.example.scramble', op, [h, ...extra], [out], name) : node(op, [h, ...extra], [out], name));
    h = out;
  };
  step('/model/embed/Gather', 'Identity');
  for (let l = 0; l < LAYERS; l++) {
    const residual = h;
    for (const op of ['Add', 'Softmax', 'Mul', 'Add']) step(`/model/layers.${l}/attn/${op}_${nodes.length}`, op, op === 'Softmax' ? [] : [residual]);
    if (l === 9) step(CUSTOM_NODE, 'Scramble', [], true);
    for (const op of ['Add', 'Relu', 'Mul']) step(`/model/layers.${l}/mlp/${op}_${nodes.length}`, op, op === 'Relu' ? [] : [residual]);
  }
  step('/model/norm/Add', 'Add', ['input_ids']);
  const last = h;
  nodes.push(node('Identity', [last], ['logits'], '/model/out/Identity'));
  return model([...nodes, valueInfo(11, 'input_ids', [1, 8]), valueInfo(12, 'logits', [1, 8])], [['', 17], ['com.example.scramble', 1]]);
}

const work = mkdtempSync(path.join(tmpdir(), 'weightlens-graph-'));

describe.skipIf(!haveChromium)('the graph viewer in Chromium', () => {
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

  const boxes = (graph: Locator) => graph.evaluate((el) => Number(el.dataset.boxes ?? 0));
  const selected = (graph: Locator) => graph.evaluate((el) => el.dataset.selected ?? '');
  const collapsed = (graph: Locator) => graph.evaluate((el) => (el as unknown as { collapsedGroups(): string[] }).collapsedGroups());

  async function openGraph(page: Page): Promise<Locator> {
    const file = path.join(work, 'scoped.onnx');
    writeFileSync(file, scopedModel());
    await page.setInputFiles('drop-zone input#files', file);
    const report = await reportFor(page, 'scoped.onnx');
    await report.getByRole('tab', { name: 'Graph', exact: true }).click();
    const graph = report.locator('graph-view');
    await expect.poll(() => graph.evaluate((el) => Number(el.dataset.paints ?? 0)), { timeout: 15_000 }).toBeGreaterThan(0);
    await graph.locator('.stage').scrollIntoViewIfNeeded();
    return graph;
  }

  it('opens collapsed, opens a block on click and with Enter, closes it with Enter', async () => {
    const { page, errors } = await openApp(context, served.url);
    const graph = await openGraph(page);
    const nodes = LAYERS * 7 + 4;
    // the first screen: the layers, some of their parts still collapsed
    const shut = await collapsed(graph);
    expect(await boxes(graph)).toBeLessThan(nodes);
    expect(shut).toContain('mlp');
    expect(await deepText(graph.locator('.status'))).toContain(`${nodes} nodes`);
    await screenshot(page, 'graph-collapsed');

    // click the last collapsed block: it opens in place of its box
    const before = await boxes(graph);
    // fit the whole graph (key 0) so that every box is on screen
    await graph.locator('.stage').focus();
    await page.keyboard.press('0');
    await page.waitForTimeout(100);
    const target = await graph.evaluate((el) => {
      const g = el as unknown as { screenPoint(kind: string, name: string): { x: number; y: number } | undefined; collapsedGroups(): string[] };
      return g.screenPoint('group', g.collapsedGroups().filter((l) => l === 'mlp').length ? 'mlp' : g.collapsedGroups()[0]!);
    });
    expect(target).toBeDefined();
    await page.mouse.click(target!.x, target!.y);
    await graph.locator('.stage').scrollIntoViewIfNeeded();
    await expect.poll(() => boxes(graph)).toBeGreaterThan(before);
    await screenshot(page, 'graph-expanded');

    // Enter on a selected node closes its group; Enter again opens it
    const opened = await boxes(graph);
    await graph.locator('input[type=search]').fill('layers.0/attn/Softmax');
    await graph.locator('input[type=search]').press('Enter');
    await expect.poll(() => selected(graph)).toMatch(/^\/model\/layers\.0\/attn\/Softmax/);
    await graph.locator('.stage').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => selected(graph)).toBe('group:attn');
    const closed = await boxes(graph);
    expect(closed).toBe(opened - 3);
    await page.keyboard.press('Enter');
    await expect.poll(() => boxes(graph)).toBe(opened);
    // keyboard pan, zoom and fit keep drawing
    const paints = await graph.evaluate((el) => Number(el.dataset.paints));
    for (const key of ['ArrowLeft', '+', '-', '0']) await page.keyboard.press(key);
    await expect.poll(() => graph.evaluate((el) => Number(el.dataset.paints))).toBeGreaterThan(paints);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('finds a node by name, op or tensor, and shows its inputs and outputs', async () => {
    const { page, errors } = await openApp(context, served.url);
    const graph = await openGraph(page);
    const search = graph.locator('input[type=search]');
    await graph.locator('.stage').focus();
    await page.keyboard.press('/');
    await page.keyboard.type('relu');
    await expect.poll(() => deepText(graph.locator('.matches'))).toContain('/model/layers.11/mlp/Relu');
    // the Relu nodes by name, and the nodes reading their outputs by tensor name
    expect(await graph.locator('.matches li').count()).toBe(2 * LAYERS);
    expect(await graph.locator('.matches li', { hasText: '(name)' }).count()).toBe(LAYERS);
    await search.fill('layers.7/mlp/Relu');
    await graph.locator('.matches button').first().click();
    await expect.poll(() => selected(graph)).toMatch(/^\/model\/layers\.7\/mlp\/Relu_/);
    const panel = await deepText(graph.locator('aside'));
    expect(panel).toMatch(/Relu/);
    expect(panel).toMatch(/_output_0/);
    await screenshot(page, 'graph-search');
    // a tensor name finds the nodes that produce or read it
    await search.fill('logits');
    await expect.poll(() => deepText(graph.locator('.matches'))).toContain('/model/out/Identity');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('highlights the node a finding names and reaches it from the list', async () => {
    const { page, errors } = await openApp(context, served.url);
    const graph = await openGraph(page);
    await graph.locator('.findings-toggle').click();
    await expect.poll(() => deepText(graph.locator('.findings'))).toContain('onnx.custom-domain');
    await graph.locator('.findings button').first().click();
    await expect.poll(() => selected(graph)).toBe(CUSTOM_NODE);
    expect(await graph.evaluate((el) => (el as unknown as { selectedMark(): string | undefined }).selectedMark())).toMatch(/severe|finding/);
    expect(await deepText(graph.locator('aside'))).toContain('com.example.scramble');
    await screenshot(page, 'graph-finding');
    // a theme change repaints the canvas in the new colours, with no event on the graph
    const paints = await graph.evaluate((el) => Number(el.dataset.paints));
    await page.locator('weightlens-app').evaluate((app) => app.setAttribute('theme', 'dark'));
    await expect.poll(() => graph.evaluate((el) => Number(el.dataset.paints)), { timeout: 5000 }).toBeGreaterThan(paints);
    const corner = await graph.locator('canvas').evaluate((c) => [...(c as HTMLCanvasElement).getContext('2d')!.getImageData(2, 2, 1, 1).data].slice(0, 3));
    expect(corner).toEqual([0x0d, 0x11, 0x17]); // --bg of the dark theme
    await screenshot(page, 'graph-dark');
    expect(errors).toEqual([]);
    await page.close();
  });

  /** viewer-details.onnx (make_onnx_viewer_fixtures.py) dropped with its external data file. */
  async function openDetails(page: Page): Promise<Locator> {
    await page.setInputFiles('drop-zone input#files', [fixturePath('onnx/viewer-details.onnx'), fixturePath('onnx/viewer-details.bin')]);
    const report = await reportFor(page, 'viewer-details.onnx');
    await report.getByRole('tab', { name: 'Graph', exact: true }).click();
    const graph = report.locator('graph-view');
    await expect.poll(() => graph.evaluate((el) => Number(el.dataset.paints ?? 0)), { timeout: 15_000 }).toBeGreaterThan(0);
    await graph.locator('.stage').scrollIntoViewIfNeeded();
    return graph;
  }

  const reveal = async (graph: Locator, name: string) => {
    await graph.locator('input[type=search]').fill(name);
    await graph.locator('input[type=search]').press('Enter');
    await expect.poll(() => selected(graph)).toBe(name);
    await expect.poll(() => graph.evaluate((el) => el.dataset.details ?? '')).toBe('ready');
  };

  it('shows a node\'s attributes, its inputs and outputs with shapes, and an initializer\'s values on request', async () => {
    const { page, errors } = await openApp(context, served.url);
    const graph = await openDetails(page);
    await reveal(graph, 'gemm');
    const panel = graph.locator('aside');
    await expect.poll(() => deepText(panel)).toContain('alpha');
    let text = await deepText(panel);
    expect(text).toContain('0.5');
    expect(text).toContain('transB');
    expect(text).toContain('FLOAT[2,4]'); // the graph input X and the value_info of gm
    expect(text).toMatch(/initializer FLOAT\[4, 4\] · 64 bytes · raw_data/);
    expect(text).toMatch(/initializer FLOAT\[4\] · 16 bytes · float_data/);
    // values only on request, read from the file then
    expect(text).not.toContain('-2.5');
    await panel.locator('.show-values').first().click();
    await expect.poll(() => deepText(panel)).toContain('-3, -2.5, -2, -1.5');
    text = await deepText(panel);
    expect(text).toMatch(/first 16 of 16 values · from raw_data · 64 bytes read/);
    await screenshot(page, 'graph-node-panel');
    // an initializer in the external data file beside the model
    await reveal(graph, 'use_E');
    await panel.locator('.show-values').first().click();
    await expect.poll(() => deepText(panel)).toContain('1, 2, 3, 4');
    expect(await deepText(panel)).toContain('external viewer-details.bin');
    // a long attribute list is cut with its count
    await reveal(graph, 'const_ints');
    await expect.poll(() => deepText(panel)).toContain('(40 values)');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens If and Loop bodies nested under their node, framed, and survives a resize', async () => {
    const { page, errors } = await openApp(context, served.url);
    const graph = await openDetails(page);
    // nodes with bodies start shut, as groups named after the node
    expect(await collapsed(graph)).toEqual(expect.arrayContaining(['branch_if', 'loop']));
    await graph.locator('.stage').focus();
    await page.keyboard.press('0');
    await page.waitForTimeout(100);
    const point = (kind: 'node' | 'group', name: string) =>
      graph.evaluate((el, [k, n]) => (el as unknown as { screenPoint(kind: string, name: string): { x: number; y: number } | undefined }).screenPoint(k!, n!), [kind, name]);
    const before = await boxes(graph);
    const loop = await point('group', 'loop');
    expect(loop).toBeDefined();
    await page.mouse.click(loop!.x, loop!.y);
    // the Loop node itself and its body, framed under the loop's label
    await expect.poll(() => boxes(graph)).toBe(before + 1);
    expect(await collapsed(graph)).toContain('body');
    const frames = () => graph.evaluate((el) => (el as unknown as { frameLabels(): string[] }).frameLabels());
    expect(await frames()).toEqual(['loop']);
    await page.keyboard.press('0');
    await page.waitForTimeout(100);
    const body = await point('group', 'body');
    await page.mouse.click(body!.x, body!.y);
    await expect.poll(frames).toEqual(['loop', 'body']);
    // a node of the body: its inputs typed from the body's own inputs and the main graph's value_info
    await reveal(graph, 'accumulate');
    const panel = await deepText(graph.locator('aside'));
    expect(panel).toContain('graph/loop.body');
    expect(panel).toMatch(/mm\s*FLOAT\[2,4\]\s*\(outer\)/);
    // a nested If: open the outer If, then its else branch, which holds the inner If
    await reveal(graph, 'abs');
    expect(await frames()).toEqual(expect.arrayContaining(['branch_if', 'else_branch', 'inner_if']));
    await graph.locator('.stage').focus();
    await page.keyboard.press('0');
    await screenshot(page, 'graph-subgraphs');
    // from the keyboard: Shift+arrows walk from box to box, Enter opens a group
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+ArrowDown');
    const first = await selected(graph);
    expect(first).not.toBe('');
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => selected(graph)).not.toBe(first);
    // a frame's label closes its group
    await reveal(graph, 'keep_going');
    await graph.locator('.stage').scrollIntoViewIfNeeded();
    const band = await graph.evaluate((el) => (el as unknown as { frameLabelPoint(label: string): { x: number; y: number } | undefined }).frameLabelPoint('loop'));
    expect(band).toBeDefined();
    await page.mouse.click(band!.x, band!.y);
    await expect.poll(frames).not.toContain('loop');
    expect(await collapsed(graph)).toContain('loop');
    // a smaller window: the canvas follows and is drawn again
    const width = await graph.locator('canvas').evaluate((c) => (c as HTMLCanvasElement).width);
    const paints = await graph.evaluate((el) => Number(el.dataset.paints));
    await page.setViewportSize({ width: 900, height: 800 });
    await expect.poll(() => graph.locator('canvas').evaluate((c) => (c as HTMLCanvasElement).width)).toBeLessThan(width);
    await expect.poll(() => graph.evaluate((el) => Number(el.dataset.paints))).toBeGreaterThan(paints);
    await screenshot(page, 'graph-resized');
    await page.setViewportSize({ width: 1400, height: 1000 });
    expect(errors).toEqual([]);
    await page.close();
  });
});
