// The reports of every committed fixture (test/fixtures/**), scanned once per
// test file: real reports of every format for the exports, the share codec and
// the report reader.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../src/engine/report.js';
import { ROOT, scanBytes } from './helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures');

function fixtureFiles(dir = FIXTURES): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return fixtureFiles(path);
      return /\.(py|md)$/.test(name) ? [] : [path];
    });
}

let cached: Promise<Report[]> | undefined;

/** Every fixture's report, with its path relative to the repository and its real SHA-256. */
export function fixtureReports(): Promise<Report[]> {
  cached ??= (async () => {
    const { createHash } = await import('node:crypto');
    const reports: Report[] = [];
    for (const path of fixtureFiles()) {
      const bytes = new Uint8Array(readFileSync(path));
      const report = await scanBytes(bytes, path.slice(ROOT.length));
      report.file.sha256 = createHash('sha256').update(bytes).digest('hex');
      reports.push(report);
    }
    return reports;
  })();
  return cached;
}
