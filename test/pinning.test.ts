// Hash pinning: expected SHA-256s applied to real reports, sha256sum files,
// and Git LFS pointers paired with (or missing) their files.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/engine/report.js';
import { parseChecksums } from '../src/engine/pinning/checksums.js';
import { applyExpectedHashes, PinError } from '../src/engine/pinning/expected-hash.js';
import { pairLfsPointers, resolveLfsPointers } from '../src/engine/pinning/lfs-pairing.js';
import { LFS_POINTER_MAX_BYTES, parseLfsPointer } from '../src/engine/pinning/lfs-pointer.js';
import { fixtureBytes, scanBytes } from './helpers.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function hashed(name: string, path = name): Promise<Report> {
  const bytes = fixtureBytes(name);
  const report = await scanBytes(bytes, path);
  return { ...report, file: { ...report.file, sha256: sha(bytes) } };
}

function pointerText(bytes: Uint8Array): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha(bytes)}\nsize ${bytes.length}\n`;
}

async function pointerReport(path: string, text: string): Promise<Report> {
  const bytes = new TextEncoder().encode(text);
  return { ...(await scanBytes(bytes, path)), file: { path, name: path.split('/').pop()!, size: bytes.length, sha256: sha(bytes) } };
}

describe('expected hashes', () => {
  it('a matching hash adds an info finding and keeps the verdict', async () => {
    const report = await hashed('model.safetensors');
    const pinned = applyExpectedHashes(report, [{ sha256: report.file.sha256!.toUpperCase(), source: '--expect-sha256' }]);
    expect(pinned.verdict).toBe('clean');
    expect(pinned.findings).toEqual([{ rule: 'hash.match', severity: 'info', message: 'SHA-256 matches --expect-sha256', location: {}, evidence: { expected: report.file.sha256, actual: report.file.sha256, source: '--expect-sha256' } }]);
    expect(report.findings).toEqual([]); // the input is not changed
  });

  it('a mismatch is a high finding: clean becomes suspicious, an unsupported file too, malicious stays malicious', async () => {
    const wrong = { sha256: 'ab'.repeat(32), source: 'SHA256SUMS line 1' };
    const clean = applyExpectedHashes(await hashed('model.safetensors'), [wrong]);
    expect(clean.verdict).toBe('suspicious');
    expect(clean.findings[0]).toMatchObject({ rule: 'hash.mismatch', severity: 'high', evidence: { expected: wrong.sha256, source: 'SHA256SUMS line 1' } });
    expect((await hashed('image.png')).verdict).toBe('unsupported');
    expect(applyExpectedHashes(await hashed('image.png'), [wrong]).verdict).toBe('suspicious');
    expect(applyExpectedHashes(await hashed('torch-zip-prefixed.bin'), [wrong]).verdict).toBe('suspicious');
    const evil = await scanBytes(Uint8Array.from(Buffer.from("\x80\x02cposix\nsystem\n\x8c\x07echo hi\x85R.", 'latin1')), 'evil.pkl');
    expect(applyExpectedHashes({ ...evil, file: { ...evil.file, sha256: 'cd'.repeat(32) } }, [wrong]).verdict).toBe('malicious');
  });

  it('a size that differs is a mismatch even when the hash was copied right', async () => {
    const report = await hashed('model.safetensors');
    const pinned = applyExpectedHashes(report, [{ sha256: report.file.sha256!, size: report.file.size + 1, source: 'Git LFS pointer x' }]);
    expect(pinned.findings[0]).toMatchObject({ rule: 'hash.mismatch', message: expect.stringContaining(`size ${report.file.size} is not the ${report.file.size + 1} bytes`) });
  });

  it('refuses a report without a hash, a report already pinned, and a value that is no SHA-256', async () => {
    const report = await hashed('model.safetensors');
    expect(() => applyExpectedHashes({ ...report, file: { ...report.file, sha256: null } }, [{ sha256: 'ab'.repeat(32), source: 'x' }])).toThrow(PinError);
    const pinned = applyExpectedHashes(report, [{ sha256: report.file.sha256!, source: 'x' }]);
    expect(() => applyExpectedHashes(pinned, [{ sha256: report.file.sha256!, source: 'y' }])).toThrow(/already pinned/);
    expect(() => applyExpectedHashes(report, [{ sha256: 'xyz', source: 'pasted' }])).toThrow(/pasted: "xyz" is not a SHA-256/);
  });
});

describe('checksum files', () => {
  it('reads text and binary markers, escaped names, CRLF, comments and blank lines', () => {
    const h = 'a'.repeat(64);
    const text = `${h}  models/a.bin\r\n${h.toUpperCase()} *b c.pt\n\n# a comment\n\\${h}  odd\\\\name\\nline\n`;
    expect(parseChecksums(text)).toEqual({
      entries: [
        { path: 'models/a.bin', sha256: h, line: 1 },
        { path: 'b c.pt', sha256: h, line: 2 },
        { path: 'odd\\name\nline', sha256: h, line: 5 },
      ],
      problems: [],
    });
  });

  it('reports every malformed line by number', () => {
    const text = ['abc  short.bin', `${'a'.repeat(64)}model.bin`, `${'g'.repeat(64)}  x`, `SHA256 (x) = ${'a'.repeat(64)}`, `\\${'a'.repeat(64)}  bad\\qescape`, `${'b'.repeat(64)}  ok`].join('\n');
    const { entries, problems } = parseChecksums(text);
    expect(entries).toEqual([{ path: 'ok', sha256: 'b'.repeat(64), line: 6 }]);
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3, 4, 5]);
    expect(problems[0]!.message).toBe('not a SHA-256 (64 hex digits)');
  });
});

describe('Git LFS pointers', () => {
  const real = fixtureBytes('model.safetensors');

  it('parses pointers strictly', () => {
    const enc = (t: string) => new TextEncoder().encode(t);
    expect(parseLfsPointer(enc(pointerText(real)))).toEqual({ sha256: sha(real), size: real.length });
    expect(parseLfsPointer(enc(pointerText(real).replace(/\n/g, '\r\n')))).not.toBeNull();
    expect(parseLfsPointer(enc(pointerText(real).trimEnd()))).not.toBeNull();
    for (const bad of [
      pointerText(real).replace('sha256:', 'sha1:'),
      pointerText(real).replace(/size \d+/, 'size -1'),
      pointerText(real).replace(/size \d+\n/, ''),
      `oid sha256:${sha(real)}\nversion https://git-lfs.github.com/spec/v1\nsize 1\n`,
      pointerText(real) + `size 2\n`,
      pointerText(real).replace('spec/v1', 'spec/v2'),
      pointerText(real) + `ext-0-x ${'y'.repeat(LFS_POINTER_MAX_BYTES)}\n`,
    ]) expect(parseLfsPointer(enc(bad)), bad.slice(0, 80)).toBeNull();
  });

  it('a pointer scanned alone says the real file is not here: unsupported, not clean, not malicious', async () => {
    const report = await pointerReport('lfs/model.safetensors', pointerText(real));
    expect(report.verdict).toBe('unsupported');
    expect(report.formatLabel).toMatch(/^Git LFS pointer/);
    expect(report.content.lfsPointer).toEqual({ sha256: sha(real), size: real.length });
    expect(report.findings).toMatchObject([{ rule: 'lfs.pointer-without-file', severity: 'medium', message: expect.stringContaining('the real file is not here') }]);
    expect(resolveLfsPointers([report])).toEqual([report]);
  });

  it('pins the file it stands for (same name elsewhere in the scan): match, and mismatch when the file changed', async () => {
    const pointer = await pointerReport('lfs/model.safetensors', pointerText(real));
    const file = await hashed('model.safetensors', 'download/model.safetensors');
    const [p, f] = resolveLfsPointers([pointer, file]);
    expect(f!.verdict).toBe('clean');
    expect(f!.findings).toMatchObject([{ rule: 'hash.match', evidence: { source: 'Git LFS pointer lfs/model.safetensors' } }]);
    expect(p!.findings).toMatchObject([{ rule: 'lfs.pointer', severity: 'info', evidence: { file: 'download/model.safetensors' } }]);
    expect(p!.verdict).toBe('unsupported');

    const other = await pointerReport('lfs/model.safetensors', pointerText(fixtureBytes('array.npy')));
    const [, changed] = resolveLfsPointers([other, file]);
    expect(changed!.verdict).toBe('suspicious');
    expect(changed!.findings.map((x) => x.rule)).toEqual(['hash.mismatch']);
  });

  it('prefers the file sharing more folders, and pins none on a tie', async () => {
    const pointer = await pointerReport('lfs/sub/model.safetensors', pointerText(real));
    const near = await hashed('model.safetensors', 'real/sub/model.safetensors');
    const far = await hashed('model.safetensors', 'real/model.safetensors');
    const { pins } = pairLfsPointers([pointer, far, near]);
    expect([...pins.keys()]).toEqual([2]);
    const tie = await hashed('model.safetensors', 'other/model.safetensors');
    const [p, a, b] = resolveLfsPointers([await pointerReport('lfs/model.safetensors', pointerText(real)), far, tie]);
    expect(p!.findings).toMatchObject([{ rule: 'lfs.pointer', severity: 'medium', evidence: { candidates: ['real/model.safetensors', 'other/model.safetensors'] } }]);
    expect([a!.findings, b!.findings]).toEqual([[], []]);
  });

  it('does not compare a file that was not hashed, and says so', async () => {
    const pointer = await pointerReport('lfs/model.safetensors', pointerText(real));
    const file = { ...(await hashed('model.safetensors', 'x/model.safetensors')) };
    file.file = { ...file.file, sha256: null };
    const [p, f] = resolveLfsPointers([pointer, file]);
    expect(p!.findings[0]!.message).toContain('not hashed: not compared');
    expect(f!.findings).toEqual([]);
  });
});
