// Compressed pickles (joblib.dump(compress=...), pickle.gz): zlib and gzip are
// inflated and analysed; bz2, xz, lzma and lz4 are reported unscanned.
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/engine/report.js';
import { containerBytes, fixtureBytes, scanBytes } from './helpers.js';

const scan = (name: string) => scanBytes(containerBytes(name), name);
const rules = (r: Report) => r.findings.map((f) => f.rule);

describe('compressed pickles', () => {
  it('inflates a zlib-compressed joblib file (joblib.dump compress=3) and analyses it with the joblib layout', async () => {
    const r = await scanBytes(fixtureBytes('model-compressed.joblib'));
    expect(r.format).toBe('joblib');
    expect(r.formatLabel).toBe('joblib pickle (protocol 4), zlib-compressed');
    expect(r.verdict).toBe('clean');
    expect(r.content.compression).toMatchObject({ format: 'zlib', compressedBytes: 218, inflatedBytes: 250 });
  });

  it('inflates a gzip-compressed joblib file', async () => {
    const r = await scan('model-gzip.joblib');
    expect(r.formatLabel).toMatch(/joblib pickle .*gzip-compressed/);
    expect(r.verdict).toBe('clean');
  });

  it.each(['payload.pkl.zlib', 'payload.pkl.gz'])('finds the payload in %s, at its offset in the decompressed stream', async (name) => {
    const r = await scan(name);
    expect(r.format).toBe('pickle');
    const member = name.endsWith('.gz') ? '(gzip-decompressed)' : '(zlib-decompressed)';
    expect(r.findings.find((f) => f.rule === 'pickle.dangerous-import')).toMatchObject({ location: { member, offset: 2 } });
    expect(r.verdict).toBe('malicious');
  });

  it('analyses what a damaged stream inflates to before the damage, and calls the stream malformed', async () => {
    const bytes = containerBytes('payload.pkl.zlib');
    const r = await scanBytes(bytes.subarray(0, bytes.length - 4)); // the Adler-32 checksum is gone
    expect(rules(r)).toContain('format.malformed');
    expect(rules(r)).toContain('pickle.dangerous-import');
    expect(r.verdict).toBe('malicious');
  });

  it.each([
    ['model-bz2.joblib', 'bzip2', 'bz2'],
    ['model-xz.joblib', 'xz', 'xz'],
    ['model-lzma.joblib', 'lzma', 'lzma'],
    ['model-lz4.joblib', 'LZ4', 'lz4'],
  ])('reports %s (%s) as unscanned: it cannot be decompressed here', async (name, compression, joblibName) => {
    const r = await scan(name);
    expect(r.format).toBe('unknown');
    expect(r.formatLabel).toBe(`${compression}-compressed data`);
    expect(rules(r)).toEqual(['format.not-analysed']);
    expect(r.findings[0]!.message).toContain(`compress='${joblibName}'`);
    expect(r.verdict).toBe('unsupported');
  });

  it('leaves gzip data that is not a pickle unknown', async () => {
    const r = await scanBytes(fixtureBytes('data.gz'));
    expect(r.format).toBe('unknown');
    expect(rules(r)).toEqual(['format.unsupported']);
  });
});
