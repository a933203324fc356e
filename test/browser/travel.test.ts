// Reports that travel, in the app: share links (round trip, hostile, broken),
// report files, a pasted expected hash and Git LFS pointers dropped alongside.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/engine/report.js';
import { encodeReportLink } from '../../src/share/report-link.js';
import { deepText, fixturePath, haveChromium, openApp, reportFor, screenshot, serveAndLaunch, type Served } from './browser.js';

const work = mkdtempSync(path.join(tmpdir(), 'weightlens-travel-'));
const MARKUP = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

/** A valid report whose every file-controlled string is markup. */
function hostileReport(): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'weightlens', version: '0.1.0' },
    file: { path: `${MARKUP}/model.pkl`, name: 'model.pkl', size: 40, sha256: null },
    format: 'pickle',
    formatLabel: MARKUP,
    verdict: 'malicious',
    findings: [{ rule: 'pickle.dangerous-import', severity: 'critical', message: MARKUP, location: { member: MARKUP, offset: 1 }, evidence: { call: MARKUP, global: MARKUP } }],
    stats: { bytesRead: 40, elapsedMs: 1 },
    content: { metadata: { [MARKUP]: MARKUP }, tensors: [{ name: MARKUP, dtype: MARKUP, shape: [1], parameters: 1, bytes: 4, offset: 0 }] },
  };
}

describe.skipIf(!haveChromium)('reports that travel, in Chromium', () => {
  let served: Served;
  let context: BrowserContext;

  beforeAll(async () => {
    served = await serveAndLaunch();
    context = await served.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await served?.close();
  });

  it('copies a share link that opens the same report in another browser, read-only, and saves it', async () => {
    const { page } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#files', fixturePath('pickle/inst-os-system.pkl'));
    const report = await reportFor(page, 'inst-os-system.pkl');
    await expect.poll(() => deepText(page.locator('file-queue'))).toContain('done');
    await report.getByRole('button', { name: 'copy share link' }).click();
    const link = await report.getByLabel('share link').inputValue();
    expect(link).toMatch(/#r1\./);
    await page.close();

    const other = await served.browser.newContext();
    const { page: shared, errors } = await openApp(other, link);
    await expect.poll(() => deepText(shared.locator('weightlens-app'))).toContain('Shared report');
    const view = shared.locator('report-view');
    expect(await view.locator('verdict-banner .word').textContent()).toBe('malicious');
    await expect.poll(() => deepText(view.locator('findings-list'))).toContain("os.system('echo weightlens-fixture')");
    await screenshot(shared, 'shared-link');
    await shared.getByRole('button', { name: 'save to history' }).click();
    await shared.getByRole('button', { name: 'history' }).first().click();
    await expect.poll(() => deepText(shared.locator('history-panel'))).toContain('(shared)');
    expect(errors).toEqual([]);
    await other.close();
  });

  it('shows a crafted link full of markup as text and runs none of it', async () => {
    const fragment = await encodeReportLink(hostileReport());
    const { page, errors } = await openApp(context, `${served.url}#${fragment}`);
    const view = page.locator('report-view');
    await expect.poll(() => deepText(view.locator('findings-list'))).toContain(MARKUP);
    expect(await deepText(view.locator('h3'))).toContain(MARKUP);
    await view.getByRole('tab', { name: /Tensors/ }).click();
    await expect.poll(() => deepText(view.locator('tensor-table'))).toContain(MARKUP);
    await view.getByRole('tab', { name: 'Metadata' }).click();
    await expect.poll(() => deepText(view.locator('metadata-view'))).toContain(MARKUP);
    expect(await page.locator('weightlens-app img').count()).toBe(0);
    expect(await page.locator('weightlens-app script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await screenshot(page, 'hostile-link');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says a broken link is broken, and the page keeps working', async () => {
    const { page } = await openApp(context, `${served.url}#r1.not-base64-$$$`);
    await expect.poll(() => deepText(page.locator('weightlens-app'))).toContain('This report link could not be opened');
    await page.setInputFiles('drop-zone input#files', fixturePath('sniff/model.safetensors'));
    const report = await reportFor(page, 'model.safetensors');
    expect(await report.locator('verdict-banner .word').textContent()).toBe('clean');
    await page.close();
  });

  it('opens a downloaded report file with the same checks', async () => {
    const good = path.join(work, 'report.weightlens.json');
    writeFileSync(good, JSON.stringify(hostileReport()));
    const bad = path.join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...hostileReport(), verdict: 'fine' }));
    const { page } = await openApp(context, served.url);
    await page.getByRole('button', { name: 'history' }).click();
    await page.setInputFiles('input[aria-label="Open a report file"]', bad);
    await expect.poll(() => deepText(page.locator('weightlens-app'))).toContain('bad.json could not be opened as a report');
    await page.setInputFiles('input[aria-label="Open a report file"]', good);
    await expect.poll(() => deepText(page.locator('weightlens-app'))).toContain('Shared report');
    expect(await page.locator('report-view verdict-banner .word').textContent()).toBe('malicious');
    await page.close();
  });

  it('pins a file to a pasted hash: a mismatch is a finding, a match clears it', async () => {
    const file = fixturePath('sniff/model.safetensors');
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    const { page } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#files', file);
    const report = await reportFor(page, 'model.safetensors');
    await expect.poll(() => deepText(page.locator('file-queue'))).toContain('done');
    await report.getByRole('tab', { name: 'File' }).click();
    await report.getByLabel('Expected SHA-256').fill('0'.repeat(64));
    await expect.poll(() => report.locator('verdict-banner .word').textContent()).toBe('suspicious');
    await report.getByRole('tab', { name: /Findings/ }).click();
    await expect.poll(() => deepText(report.locator('findings-list'))).toContain('hash.mismatch');
    await screenshot(page, 'hash-mismatch');
    await report.getByRole('tab', { name: 'File' }).click();
    await report.getByLabel('Expected SHA-256').fill(`${sha}  model.safetensors`);
    await expect.poll(() => report.locator('verdict-banner .word').textContent()).toBe('clean');
    await expect.poll(() => deepText(report.locator('file-facts'))).toContain('match');
    await page.close();
  });

  it('uses a Git LFS pointer dropped alongside as the expected hash of its file', async () => {
    const real = fixturePath('sniff/model.safetensors');
    const bytes = readFileSync(real);
    const folder = path.join(work, 'lfs-model');
    mkdirSync(path.join(folder, 'real'), { recursive: true });
    mkdirSync(path.join(folder, 'pointers'), { recursive: true });
    writeFileSync(path.join(folder, 'real', 'model.safetensors'), bytes);
    const wrongSha = createHash('sha256').update('something else').digest('hex');
    writeFileSync(path.join(folder, 'pointers', 'model.safetensors'), `version https://git-lfs.github.com/spec/v1\noid sha256:${wrongSha}\nsize ${bytes.length}\n`);
    const { page } = await openApp(context, served.url);
    await page.setInputFiles('drop-zone input#folder', folder);
    await expect.poll(() => page.locator('report-view').count()).toBe(2);
    await expect.poll(() => deepText(page.locator('file-queue')), { timeout: 20_000 }).not.toMatch(/hashing|analysing|waiting/);
    const realReport = page.locator('report-view', { has: page.locator('h3', { hasText: 'real/model.safetensors' }) });
    await expect.poll(() => realReport.locator('verdict-banner .word').textContent()).toBe('suspicious');
    await expect.poll(() => deepText(realReport.locator('findings-list'))).toContain('Git LFS pointer');
    const pointer = page.locator('report-view', { has: page.locator('h3', { hasText: 'pointers/model.safetensors' }) });
    await expect.poll(() => deepText(pointer.locator('findings-list'))).toContain('lfs.pointer');
    await screenshot(page, 'lfs-pointer');
    await page.close();
  });
});
