// Shared set-up of the real-browser tests: the built app (dist/) served by
// `vite preview` with its production headers, and Debian's Chromium driven by
// playwright-core. Nothing here downloads a browser.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** CI installs Chromium; elsewhere the browser tests are skipped with a message when it is missing. */
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

/** A committed fixture, by its path under test/fixtures. */
export const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

export const ARTIFACTS = path.resolve('test-artifacts/screenshots');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Served {
  url: string;
  server: PreviewServer;
  browser: Browser;
  close(): Promise<void>;
}

export async function serveAndLaunch(): Promise<Served> {
  if (!existsSync('dist/index.html')) throw new Error('dist/ is missing: run `npm run build` first');
  const server = await preview({ preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'silent' });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  return {
    url: `http://127.0.0.1:${address.port}/`,
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** A fresh page whose console errors and page errors are collected. */
export async function openApp(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.locator('weightlens-app').waitFor();
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Text of the first report whose path ends with `name`, once its verdict is shown. */
export async function reportFor(page: Page, name: string) {
  const report = page.locator('report-view', { has: page.locator('h3', { hasText: name }) }).first();
  await report.locator('verdict-banner .word').waitFor({ timeout: 20_000 });
  return report;
}

/** Text of an element including its shadow roots (textContent stops at a shadow host). */
export function deepText(locator: Locator): Promise<string> {
  return locator.first().evaluate((root) => {
    const walk = (node: Node): string => {
      let text = '';
      if (node instanceof Element && node.shadowRoot) text += walk(node.shadowRoot);
      for (const child of node.childNodes) text += child.nodeType === Node.TEXT_NODE ? child.textContent : walk(child);
      return text;
    };
    return walk(root);
  });
}
