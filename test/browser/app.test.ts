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

  it('MAX_HISTORY_ENTRIES (200, src/store/history.ts): a full history drops its oldest entry when a new report is saved', async () => {
    const { page, errors } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#files', fixturePath('pickle/inst-os-system.pkl'));
    await reportFor(page, 'inst-os-system.pkl');
    const store = (action: 'fill' | 'keys' | 'clean') =>
      page.evaluate(
        (action) =>
          new Promise<string[]>((resolve, reject) => {
            const open = indexedDB.open('weightlens-history');
            open.onsuccess = () => {
              const tx = open.result.transaction('reports', 'readwrite');
              const reports = tx.objectStore('reports');
              const keys = reports.getAllKeys();
              keys.onsuccess = () => {
                const all = keys.result.map(String);
                if (action === 'fill') {
                  // the history filled to the bound with old copies of a real entry
                  const real = reports.get(keys.result[0]!);
                  real.onsuccess = () => {
                    for (const key of all) reports.delete(key);
                    for (let i = 1; i <= 200; i++) reports.put({ ...real.result, id: `old-${i}`, savedAt: i }, `old-${i}`);
                  };
                } else if (action === 'clean') for (const key of all) if (key.startsWith('old-')) reports.delete(key);
                tx.oncomplete = () => resolve(all);
              };
              tx.onerror = () => reject(tx.error);
            };
            open.onerror = () => reject(open.error);
          }),
        action,
      );
    await expect.poll(async () => (await store('keys')).length).toBeGreaterThan(0);
    await store('fill');
    expect(await store('keys')).toHaveLength(200);
    await page.setInputFiles('drop-zone input#files', fixturePath('sniff/model.safetensors'));
    await reportFor(page, 'model.safetensors');
    await expect.poll(async () => (await store('keys')).includes('old-1'), { timeout: 20_000 }).toBe(false);
    const keys = await store('keys');
    expect(keys).toHaveLength(200);
    expect(keys).toContain('old-2');
    await store('clean');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('MAX_RAW_CHARS (200,000, src/ui/metadata-view.ts): the raw content shown is cut there, and says so', async () => {
    const json = Buffer.from(JSON.stringify({ __metadata__: { note: 'n'.repeat(150_000), more: 'm'.repeat(150_000) }, w: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }));
    const file = path.join(work, 'long-metadata.safetensors');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(file, Buffer.concat([length, json, Buffer.from([0])]));
    const { page } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#files', [file, fixturePath('sniff/model.safetensors')]);
    const raw = async (name: string) => {
      const report = await reportFor(page, name);
      await report.getByRole('tab', { name: 'Metadata' }).click();
      return report.locator('metadata-view details pre').evaluate((el) => el.textContent ?? '');
    };
    const long = await raw('long-metadata.safetensors');
    expect(long).toHaveLength(200_000 + '\n… (cut)'.length);
    expect(long.endsWith('\n… (cut)')).toBe(true);
    expect(await raw('model.safetensors')).not.toContain('(cut)');
    await page.close();
  });

  it('MAX_LINES_HELD (200,000, src/ui/pickle-disassembly.ts): the listing holds that many opcodes, then offers to continue from where it stopped', async () => {
    // 210,001 opcodes: PROTO, 105,000 × (NONE POP), NONE … STOP
    const body = Buffer.alloc(2 * 105_000);
    for (let i = 0; i < 105_000; i++) body.set([0x4e, 0x30], 2 * i);
    const file = path.join(work, 'long-listing.pkl');
    writeFileSync(file, Buffer.concat([Buffer.from([0x80, 2]), body, Buffer.from([0x4e, 0x2e])]));
    const { page, errors } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#files', file);
    const report = await reportFor(page, 'long-listing.pkl');
    await report.getByRole('tab', { name: 'Disassembly' }).click();
    const listing = report.locator('pickle-disassembly');
    const read = async () => Number(/([\d,]+) opcodes read/.exec(await deepText(listing))?.[1]?.replace(/,/g, '') ?? 0);
    await expect.poll(read).toBeGreaterThan(0);
    // scroll to the end until nothing more is read (each page is 2,000 lines)
    for (let last = -1, now = await read(); now !== last; ) {
      last = now;
      await listing.evaluate(async (el) => {
        const rows = el.shadowRoot!.querySelector('virtual-rows') as unknown as { scrollToIndex(i: number): void };
        for (let i = 0; i < 20; i++) {
          rows.scrollToIndex(Number.MAX_SAFE_INTEGER);
          await new Promise((r) => setTimeout(r, 25));
        }
      });
      await page.waitForTimeout(200);
      now = await read();
    }
    expect(await read()).toBe(200_000);
    const more = listing.getByRole('button', { name: /continue from byte/ });
    // PROTO is the first line (2 bytes), then 199,999 one-byte opcodes
    expect(await more.textContent()).toBe(`continue from byte ${(2 + 199_999).toLocaleString('en-US')}`);
    await more.click();
    await expect.poll(() => deepText(listing)).toContain(`From byte ${(2 + 199_999).toLocaleString('en-US')}`);
    await expect.poll(read).toBe(2000);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

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
