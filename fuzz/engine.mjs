// One fuzz input through the engine, and what counts as a failure:
//   crash   — scanSource threw, or reported scan.internal-error (a trap or a bug);
//   verdict — a mutation of a malicious seed came out clean while the bytes still
//             spell the dangerous import's module and name (then checked by hand
//             or by verify-suspects.py: the mutation may have turned the import into data).
import { dangerousMarkers } from './corpus.mjs';

const has = (bytes, text) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(text, 0, 'latin1');

export function makeEngine({ scanSource, MemoryByteSource, wasm }) {
  const markers = new Map();
  async function scan(bytes, name) {
    return scanSource(new MemoryByteSource(bytes, name), { wasm });
  }
  return {
    /** Scans each seed once, to learn which are malicious and by which imports. */
    async learn(corpus) {
      for (const file of corpus) {
        const report = await scan(file.bytes, file.name);
        const found = dangerousMarkers(report);
        if (report.verdict === 'malicious' && found.length) markers.set(file.name, found);
      }
      return markers;
    },
    async check(input) {
      let report;
      try {
        report = await scan(input.bytes, input.seedFile.name);
      } catch (error) {
        return { failure: 'crash', detail: `scanSource threw: ${error?.stack ?? error}` };
      }
      const internal = report.findings.find((f) => f.rule === 'scan.internal-error');
      if (internal) return { failure: 'crash', detail: internal.message, verdict: report.verdict };
      const seedMarkers = markers.get(input.seedFile.name);
      if (report.verdict === 'clean' && seedMarkers) {
        const still = seedMarkers.find((m) => has(input.bytes, m.module) && has(input.bytes, m.name));
        if (still) return { failure: 'suspect', detail: `clean, yet the bytes still spell ${still.global}`, verdict: report.verdict };
      }
      return { verdict: report.verdict };
    },
  };
}
