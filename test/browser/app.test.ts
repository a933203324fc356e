// The web app in a real browser (Debian's Chromium through playwright-core):
// files in, verdicts out, cancel, history, offline, CSP, text-only rendering.
// Screenshots of each state go to test-artifacts/screenshots/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, mkdirSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shard, validModel } from '../sharded.js';
import { deepText, fixturePath, haveChromium, openApp, reportFor, screenshot, serveAndLaunch, type Served } from './browser.js';

/** The header of a safetensors file holding one U8 tensor of `bytes` bytes. */
function bigSafetensorsHeader(bytes: number): Buffer {
  const json = Buffer.from(JSON.stringify({ w: { dtype: 'U8', shape: [bytes], data_offsets: [0, bytes] } }));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json]);
}
const work = mkdtempSync(path.join(tmpdir(), 'weightlens-browser-'));

describe.skipIf(!haveChromium)('the web app in Chromium', () => {
  let served: Served;
  let context: BrowserContext;

  beforeAll(async () => {
    served = await serveAndLaunch();
    context = await served.browser.newContext();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await served?.close();
  });

  it('shows a malicious pickle as malicious, with the dangerous call as Python', async () => {
    const { page, errors } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#files', fixturePath('pickle/inst-os-system.pkl'));
    const report = await reportFor(page, 'inst-os-system.pkl');
    await expect.poll(() => deepText(report.locator('verdict-banner .word'))).toBe('malicious');
    await expect.poll(() => deepText(report.locator('findings-list'))).toContain("os.system('echo weightlens-fixture')");
    await report.getByRole('tab', { name: 'Pickle calls' }).click();
    await expect.poll(() => deepText(report.locator('pickle-calls'))).toContain('dangerous');
    await report.getByRole('tab', { name: 'Disassembly' }).click();
    await expect.poll(() => deepText(report.locator('pickle-disassembly'))).toContain('STOP');
    await screenshot(page, 'malicious-pickle');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('takes files dropped on the drop zone', async () => {
    const { page, errors } = await openApp(context, served.url);
    const bytes = [...readFileSync(fixturePath('pickle/inst-os-system.pkl'))];
    await page.locator('drop-zone .zone').evaluate((zone, data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'dropped.bin'));
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, composed: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, composed: true, cancelable: true }));
    }, bytes);
    const report = await reportFor(page, 'dropped.bin');
    expect(await report.locator('verdict-banner .word').textContent()).toBe('malicious');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a safetensors file clean, with its tensor table and statistics on request', async () => {
    const { page, errors } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#files', fixturePath('sniff/model.safetensors'));
    const report = await reportFor(page, 'model.safetensors');
    expect(await report.locator('verdict-banner .word').textContent()).toBe('clean');
    await report.getByRole('tab', { name: /Tensors/ }).click();
    const rows = report.locator('tensor-table virtual-rows [role=row]');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    await report.locator('tensor-table button', { hasText: 'stats' }).first().click();
    await expect.poll(() => deepText(report.locator('tensor-table .stats'))).toMatch(/values · min/);
    await screenshot(page, 'safetensors-tensor-table');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('analyses a dropped folder of shards together with their index', async () => {
    const folder = path.join(work, 'sharded-model');
    mkdirSync(folder, { recursive: true });
    for (const [name, bytes] of Object.entries(validModel())) writeFileSync(path.join(folder, name), bytes);
    const { page, errors } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#folder', folder);
    const index = await reportFor(page, 'model.safetensors.index.json');
    expect(await index.locator('verdict-banner .word').textContent()).toBe('clean');
    await index.getByRole('tab', { name: /Tensors/ }).click();
    await expect.poll(() => deepText(index.locator('tensor-table'))).toContain('b.weight');
    await expect.poll(() => page.locator('report-view').count()).toBe(3);
    await screenshot(page, 'sharded-folder');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('cancels a hash in progress and keeps the verdict; the next file still works', async () => {
    const big = path.join(work, 'big.safetensors');
    // Only the header is written: the 300 MB data section is a hole in a sparse file.
    writeFileSync(big, bigSafetensorsHeader(300_000_000));
    truncateSync(big, 8 + bigSafetensorsHeader(300_000_000).length - 8 + 300_000_000);
    const { page } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#files', big);
    const row = page.locator('file-queue tr', { hasText: 'big.safetensors' });
    await expect.poll(() => deepText(row), { timeout: 20_000 }).toContain('hashing');
    await screenshot(page, 'hashing');
    await row.getByRole('button', { name: /cancel/ }).click();
    await expect.poll(() => deepText(row)).toContain('hashing was cancelled');
    expect(await row.textContent()).toContain('clean');
    await page.setInputFiles('drop-zone input#files', fixturePath('pickle/inst-os-system.pkl'));
    const next = await reportFor(page, 'inst-os-system.pkl');
    expect(await next.locator('verdict-banner .word').textContent()).toBe('malicious');
    await screenshot(page, 'cancelled');
    await page.close();
  });

  it('stops a file past the time limit on that file only; the others are reported', async () => {
    // 300 MB of pickle (6.4 million dicts, from the bench generator): seconds of analysis.
    execFileSync(process.execPath, ['bench/generate.mjs', '--out', work, '--only', 'pickle'], { stdio: 'ignore' });
    const { page } = await openApp(context, served.url);
    await page.getByRole('button', { name: 'settings' }).click();
    await page.getByLabel('Time limit in seconds').fill('1');
    await page.getByLabel('Time limit in seconds').dispatchEvent('change');
    await page.getByRole('button', { name: 'analyse' }).click();
    await page.setInputFiles('drop-zone input#files', [path.join(work, 'big-raw.pkl'), fixturePath('pickle/inst-os-system.pkl')]);
    const big = page.locator('file-queue tr', { hasText: 'big-raw.pkl' });
    await expect.poll(() => deepText(big), { timeout: 20_000 }).toContain('took too long');
    expect(await deepText(big)).toContain('failed');
    const small = await reportFor(page, 'inst-os-system.pkl');
    expect(await small.locator('verdict-banner .word').textContent()).toBe('malicious');
    await screenshot(page, 'time-limit');
    await page.getByRole('button', { name: 'settings' }).click();
    await page.getByLabel('Time limit in seconds').fill('60');
    await page.getByLabel('Time limit in seconds').dispatchEvent('change');
    await page.close();
  }, 120_000);

  it('stops a file past the memory budget on that file only, never clean; the others are reported', async () => {
    // A 2 KB pickle whose memo keys lie one 96 KiB memo chunk apart: 400 of them take about 38 MiB of
    // decoder memory (under MAX_MEMO_CHUNKS, so within the default 512 MiB budget it is simply clean).
    const puts = Buffer.alloc(5 * 400);
    for (let i = 0; i < 400; i++) { puts[5 * i] = 0x72; puts.writeUInt32LE(i * 16384, 5 * i + 1); } // LONG_BINPUT
    const hungry = path.join(work, 'memo-hungry.pkl');
    writeFileSync(hungry, Buffer.concat([Buffer.from([0x80, 2, 0x4e]), puts, Buffer.from([0x2e])])); // PROTO 2, NONE … STOP
    const { page } = await openApp(context, served.url);
    await page.getByRole('button', { name: 'settings' }).click();
    await page.getByLabel('Memory budget in MiB').fill('16');
    await page.getByLabel('Memory budget in MiB').dispatchEvent('change');
    await page.getByRole('button', { name: 'analyse' }).click();
    await page.setInputFiles('drop-zone input#files', [hungry, fixturePath('pickle/inst-os-system.pkl')]);
    const stopped = await reportFor(page, 'memo-hungry.pkl');
    expect(await stopped.locator('verdict-banner .word').textContent()).toBe('suspicious');
    await expect.poll(() => deepText(stopped.locator('findings-list'))).toContain('the decoder needed more than its memory budget of 16 MiB');
    const small = await reportFor(page, 'inst-os-system.pkl');
    expect(await small.locator('verdict-banner .word').textContent()).toBe('malicious');
    await screenshot(page, 'memory-budget');
    // the same file within the default budget: read to the end, clean
    await page.getByRole('button', { name: 'settings' }).click();
    await page.getByLabel('Memory budget in MiB').fill('512');
    await page.getByLabel('Memory budget in MiB').dispatchEvent('change');
    await page.getByRole('button', { name: 'analyse' }).click();
    await page.setInputFiles('drop-zone input#files', [hungry]);
    await expect.poll(async () => deepText(page.locator('file-queue tr', { hasText: 'memo-hungry.pkl' }).last()), { timeout: 20_000 }).toContain('clean');
    await page.close();
  }, 120_000);

  it('shows a Keras model’s layers and the Lambda code it carries, and a GGUF tensor table', async () => {
    const { page, errors } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#files', [fixturePath('keras/lambda-bytecode.keras'), fixturePath('sniff/model.gguf')]);
    const keras = await reportFor(page, 'lambda-bytecode.keras');
    expect(await keras.locator('verdict-banner .word').textContent()).toBe('malicious');
    await keras.getByRole('tab', { name: 'Keras model' }).click();
    await expect.poll(() => deepText(keras.locator('keras-model'))).toContain('system');
    await expect.poll(() => keras.locator('keras-model virtual-rows .row').count()).toBeGreaterThan(0);
    const gguf = await reportFor(page, 'model.gguf');
    await gguf.getByRole('tab', { name: /Tensors/ }).click();
    await expect.poll(() => gguf.locator('tensor-table virtual-rows .row').count()).toBeGreaterThan(0);
    await screenshot(page, 'keras-and-gguf');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders a tensor named with HTML as text', async () => {
    const hostile = path.join(work, 'hostile-names.safetensors');
    writeFileSync(hostile, shard({ '<img src=x onerror="window.__pwned=1">': ['F32', [1]], '<script>window.__pwned=2</script>': ['F32', [1]] }));
    const { page, errors } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#files', hostile);
    const report = await reportFor(page, 'hostile-names.safetensors');
    await report.getByRole('tab', { name: /Tensors/ }).click();
    await expect.poll(() => deepText(report.locator('tensor-table'))).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await page.locator('report-view img').count()).toBe(0);
    expect(await page.locator('report-view script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await screenshot(page, 'html-tensor-names');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sends the CSP as a header on the page and the worker script, and blocks a worker’s cross-origin request', async () => {
    const { page } = await openApp(context, served.url);
    const response = await page.request.get(served.url);
    const csp = response.headers()['content-security-policy'];
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'self'");
    const workerUrl = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).find((n) => n.includes('engine-worker')));
    expect(workerUrl).toBeTruthy();
    const workerResponse = await page.request.get(workerUrl!);
    expect(workerResponse.headers()['content-security-policy']).toBe(csp);
    // A worker bound by exactly those headers tries to reach another origin.
    await page.route('**/csp-probe-worker.js', (route) =>
      route.fulfill({
        headers: { 'content-type': 'text/javascript', 'content-security-policy': csp! },
        body: "fetch('http://127.0.0.2:9/steal').then(() => postMessage('sent'), (e) => postMessage('blocked: ' + e.message));",
      }),
    );
    const outcome = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const w = new Worker('/csp-probe-worker.js');
          w.onmessage = (e) => resolve(String(e.data));
          w.onerror = (e) => resolve(`error: ${e.message}`);
        }),
    );
    expect(outcome).toMatch(/^blocked/);
    const pageOutcome = await page.evaluate(() => fetch('http://127.0.0.2:9/steal').then(() => 'sent', () => 'blocked'));
    expect(pageOutcome).toBe('blocked');
    await page.close();
  });

  it('keeps history across a reload, and skips a corrupt entry without breaking the page', async () => {
    const { page, errors } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#files', fixturePath('pickle/inst-os-system.pkl'));
    await reportFor(page, 'inst-os-system.pkl');
    await expect.poll(() => page.locator('file-queue tr', { hasText: 'inst-os-system.pkl' }).textContent()).toContain('done');
    // A broken entry, as another version or a damaged profile could leave.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('weightlens-history');
          open.onsuccess = () => {
            const tx = open.result.transaction('reports', 'readwrite');
            tx.objectStore('reports').put({ id: 'broken', savedAt: 1, shared: false, report: { schemaVersion: 99, verdict: '<b>clean</b>' } }, 'broken');
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          };
          open.onerror = () => reject(open.error);
        }),
    );
    await page.reload();
    await page.getByRole('button', { name: 'history' }).click();
    const history = page.locator('history-panel');
    await expect.poll(() => deepText(history)).toContain('inst-os-system.pkl');
    await expect.poll(() => deepText(history)).toContain('could not be read');
    await screenshot(page, 'history');
    await history.locator('tr', { hasText: 'inst-os-system.pkl' }).first().getByRole('button', { name: 'open' }).click();
    await expect.poll(() => deepText(page.locator('.readonly'))).toContain('the file itself is not here');
    expect(await page.locator('report-view verdict-banner .word').first().textContent()).toBe('malicious');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reloads and analyses a file with the network off after one visit', async () => {
    const offline = await served.browser.newContext();
    const { page } = await openApp(offline, served.url);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    });
    await offline.setOffline(true);
    await page.reload();
    await page.locator('weightlens-app').waitFor();
    await page.setInputFiles('drop-zone input#files', fixturePath('pickle/inst-os-system.pkl'));
    const report = await reportFor(page, 'inst-os-system.pkl');
    expect(await report.locator('verdict-banner .word').textContent()).toBe('malicious');
    await screenshot(page, 'offline');
    await offline.close();
  });
});
