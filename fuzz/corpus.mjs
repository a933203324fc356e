// The seed corpus: every committed fixture (small files made by the scripts in
// test/fixtures/), grouped by the parser that reads it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Seeds larger than this are skipped: mutations of small files explore more per second. */
const MAX_SEED_BYTES = 256 * 1024;

export function loadCorpus(root) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (!/\.(md|py)$/.test(name) && st.size > 0 && st.size <= MAX_SEED_BYTES) {
        files.push({ name: relative(root, path), bytes: new Uint8Array(readFileSync(path)) });
      }
    }
  };
  walk(root);
  return files;
}

/** Byte strings that name a dangerous import in a seed: module and name as they appear in the file. */
export function dangerousMarkers(report) {
  const out = [];
  for (const f of report.findings) {
    if (f.rule !== 'pickle.dangerous-import' || typeof f.evidence.global !== 'string') continue;
    const global = f.evidence.global;
    const dot = global.lastIndexOf('.');
    out.push({ global, module: global.slice(0, dot), name: global.slice(dot + 1) });
  }
  return out;
}
