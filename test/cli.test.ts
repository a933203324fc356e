// The built `weightlens` command, run as a user would: output, schema, exit codes.
// `npm test` builds first (pretest), so bin/ and lib/ are current.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { Report } from '../src/engine/report.js';
import { fixturePath, ROOT, validateScanResult } from './helpers.js';
import { indexJson, validModel } from './sharded.js';

const BIN = join(ROOT, 'bin', 'weightlens.js');

const ajv = new Ajv({ strict: false });
addFormats.default(ajv);
const validateSarif = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'test/schemas/sarif-schema-2.1.0.json'), 'utf8')));
const cyclonedx = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

function weightlens(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weightlens-cli-'));
  tempDirs.push(dir);
  return dir;
}

function folderWith(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, fixture] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    copyFileSync(fixturePath(fixture), join(dir, name));
  }
  return dir;
}

describe('weightlens scan', () => {
  it('scans a folder of mixed files into one schema-valid JSON document, one report per file', async () => {
    const dir = folderWith({
      'a/array.npy': 'array.npy',
      'a/weights.bin': 'torch-zip.pt',
      'b/model.onnx': 'model.onnx',
      'b/nested/obj.npy': 'array-object.npy',
      'picture.png': 'image.png',
      'model.safetensors': 'model.safetensors',
    });
    const { code, stdout, stderr } = await weightlens('scan', '--json', dir);
    const doc = JSON.parse(stdout);
    expect(validateScanResult(doc), JSON.stringify(validateScanResult.errors)).toBe(true);
    expect(doc.reports.map((r: { file: { path: string } }) => r.file.path.slice(dir.length + 1))).toEqual([
      'a/array.npy', 'a/weights.bin', 'b/model.onnx', 'b/nested/obj.npy', 'model.safetensors', 'picture.png',
    ]);
    const byName = Object.fromEntries(doc.reports.map((r: { file: { name: string } }) => [r.file.name, r]));
    expect(byName['weights.bin'].format).toBe('pytorch-zip');
    expect(byName['picture.png']).toMatchObject({ format: 'unknown', verdict: 'unsupported', formatLabel: 'PNG image' });
    expect(byName['array.npy'].verdict).toBe('clean');
    expect(byName['obj.npy'].verdict).toBe('clean'); // its pickle only rebuilds a numpy array of a dict and a list
    expect(code).toBe(1);
    expect(stderr).toBe('');
  });

  it('checks a sharded safetensors model against the shards in its folder', async () => {
    const dir = tempDir();
    for (const [name, bytes] of Object.entries(validModel())) writeFileSync(join(dir, name), bytes);
    const clean = await weightlens('scan', '--json', dir);
    const doc = JSON.parse(clean.stdout);
    expect(validateScanResult(doc), JSON.stringify(validateScanResult.errors)).toBe(true);
    expect(doc.reports.map((r: { format: string; verdict: string }) => [r.format, r.verdict])).toEqual([
      ['safetensors', 'clean'], ['safetensors', 'clean'], ['safetensors-index', 'clean'],
    ]);
    expect(clean.code).toBe(0);

    writeFileSync(join(dir, 'model.safetensors.index.json'), indexJson({ 'a.weight': 'model-00001-of-00002.safetensors', evil: '../../etc/passwd' }));
    const bad = await weightlens('scan', '--json', join(dir, 'model.safetensors.index.json'));
    const report = JSON.parse(bad.stdout).reports[0];
    expect(report.verdict).toBe('malicious');
    expect(report.findings.map((f: { rule: string }) => f.rule)).toContain('safetensors.index-unsafe-shard-name');
    expect(bad.code).toBe(1);
  });

  it('hashes each file with SHA-256, or skips it with --no-hash', async () => {
    const path = fixturePath('array.npy');
    const expected = createHash('sha256').update(readFileSync(path)).digest('hex');
    const hashed = JSON.parse((await weightlens('scan', '--json', path)).stdout);
    expect(hashed.reports[0].file.sha256).toBe(expected);
    const skipped = JSON.parse((await weightlens('scan', '--json', '--no-hash', path)).stdout);
    expect(skipped.reports[0].file.sha256).toBeNull();
  });

  it('exits 0 when every file is clean', async () => {
    const { code, stdout } = await weightlens('scan', fixturePath('array.npy'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^clean\s+numpy array/m);
    expect(stdout).toMatch(/1 file scanned: 1 clean/);
  });

  it('exits 1 when a file is at or above --fail-on, and 0 below it', async () => {
    const suspicious = fixturePath('torch-zip-prefixed.bin'); // bytes before the archive: zip.prefix-data
    expect((await weightlens('scan', suspicious)).code).toBe(1);
    expect((await weightlens('scan', '--fail-on', 'suspicious', suspicious)).code).toBe(1);
    expect((await weightlens('scan', '--fail-on', 'malformed', suspicious)).code).toBe(0);
    expect((await weightlens('scan', '--fail-on', 'malicious', suspicious)).code).toBe(0);
    expect((await weightlens('scan', '--fail-on', 'never', suspicious)).code).toBe(0);
  });

  it('counts an unsupported file against the default gate but not against --fail-on suspicious', async () => {
    const files = [fixturePath('array.npy'), fixturePath('image.png')];
    expect((await weightlens('scan', ...files)).code).toBe(1);
    expect((await weightlens('scan', '--fail-on', 'suspicious', ...files)).code).toBe(0);
  });

  it('exits 2 on usage errors, with the help on stderr', async () => {
    for (const args of [[], ['scan'], ['inspect', 'x'], ['scan', '--fail-on', 'sometimes', 'x'], ['scan', '--bogus', 'x']]) {
      const { code, stderr, stdout } = await weightlens(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(/Usage: weightlens scan/);
      expect(stdout).toBe('');
    }
  });

  it('exits 3 when nothing could be scanned: only unsupported or missing inputs', async () => {
    expect((await weightlens('scan', fixturePath('image.png'), fixturePath('text.txt'))).code).toBe(3);
    const missing = await weightlens('scan', '--json', join(tmpdir(), 'no-such-weightlens-file'));
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout).errors[0].message).toBe('no such file or directory');
    expect((await weightlens('scan', tempDir())).code).toBe(3);
  });

  it('treats a missing input next to clean files as a failure of the default gate', async () => {
    const { code, stdout } = await weightlens('scan', fixturePath('array.npy'), join(tmpdir(), 'no-such-weightlens-file'));
    expect(code).toBe(1);
    expect(stdout).toMatch(/error\s+.*no-such-weightlens-file: no such file or directory/);
  });

  it('does not follow symbolic links inside directories, and says so', async () => {
    const dir = folderWith({ 'real.npy': 'array.npy' });
    symlinkSync(fixturePath('array-object.npy'), join(dir, 'link.npy'));
    const doc = JSON.parse((await weightlens('scan', '--json', dir)).stdout);
    expect(doc.reports).toHaveLength(1);
    expect(doc.skipped).toEqual([{ path: join(dir, 'link.npy'), message: 'symbolic link not followed' }]);
  });

  it('computes tensor statistics only when asked', async () => {
    const path = fixturePath('array.npy');
    const plain = JSON.parse((await weightlens('scan', '--json', '--no-hash', path)).stdout);
    expect(plain.reports[0].content.tensorStats).toBeUndefined();
    const { stdout } = await weightlens('scan', '--json', '--no-hash', '--tensor-stats', 'array', path);
    const doc = JSON.parse(stdout);
    expect(validateScanResult(doc)).toBe(true);
    expect(doc.reports[0].content.tensorStats.array).toEqual({ elements: 12, min: 0, max: 11, mean: 5.5, nan: 0, inf: 0 });
    expect((await weightlens('scan', '--no-hash', '--tensor-stats', 'array', path)).stdout).toMatch(/stats\s+array: elements 12, min 0, max 11, mean 5.5, NaN 0, Inf 0/);
  });

  it('prints --help and --version with exit 0', async () => {
    const help = await weightlens('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:\n\s+0 /);
    const version = await weightlens('--version');
    expect(version.stdout).toBe(`weightlens ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  it('renders file-controlled text without terminal control characters', async () => {
    const dir = tempDir();
    const evil = join(dir, 'evil\x1b[31mname.npy');
    writeFileSync(evil, readFileSync(fixturePath('array-object.npy')));
    const { stdout } = await weightlens('scan', dir);
    expect(stdout).not.toContain('\x1b');
    expect(stdout).toContain('evil\\u001b[31mname.npy');
  });

  it('reads config.json beside a safetensors file: architecture facts and disagreements', async () => {
    const dir = tempDir();
    const rows: [string, number[]][] = [['model.embed_tokens.weight', [16, 8]], ['model.layers.0.self_attn.q_proj.weight', [8, 8]], ['model.layers.1.self_attn.q_proj.weight', [8, 8]]];
    const header: Record<string, object> = {};
    let at = 0;
    for (const [name, shape] of rows) {
      const size = shape[0]! * shape[1]! * 2;
      header[name] = { dtype: 'F16', shape, data_offsets: [at, at + size] };
      at += size;
    }
    const text = JSON.stringify(header);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(text.length));
    writeFileSync(join(dir, 'model.safetensors'), Buffer.concat([length, Buffer.from(text), Buffer.alloc(at)]));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'qwen2', num_hidden_layers: 2, hidden_size: 8, vocab_size: 151936 }));
    const { stdout } = await weightlens('scan', '--json', dir);
    const doc = JSON.parse(stdout);
    expect(validateScanResult(doc), JSON.stringify(validateScanResult.errors)).toBe(true);
    const byName = Object.fromEntries(doc.reports.map((r: { file: { name: string } }) => [r.file.name, r]));
    expect(byName['config.json'].verdict).toBe('unsupported');
    const model = byName['model.safetensors'];
    expect(model.verdict).toBe('clean');
    expect(model.content.architecture).toMatchObject({
      family: { value: 'llama-like', source: 'tensors' },
      modelType: { value: 'qwen2', source: 'config.json' },
      layers: { value: 2, source: 'both' },
      hiddenSize: { value: 8, source: 'both' },
      vocabSize: { value: 151936, source: 'config.json', tensors: 16 },
    });
    expect(model.findings).toMatchObject([{ rule: 'safetensors.config-mismatch', severity: 'low', evidence: { fact: 'vocabSize', config: 151936, tensors: 16 } }]);
  });
});

describe('weightlens scan: pickles', () => {
  function fileWith(name: string, bytes: Uint8Array): string {
    const path = join(tempDir(), name);
    writeFileSync(path, bytes);
    return path;
  }
  // posix.system('echo hi') by GLOBAL + REDUCE, protocol 2
  const evil = Uint8Array.from(Buffer.from("\x80\x02cposix\nsystem\n\x8c\x07echo hi\x85R.", 'latin1'));
  // mypkg.models.Net() : an import off the safe list
  const own = Uint8Array.from(Buffer.from('\x80\x02cmypkg.models\nNet\n)R.', 'latin1'));

  it('calls a raw pickle named .bin or .pt malicious by its bytes, showing the call', async () => {
    for (const name of ['pytorch_model.bin', 'model.pt']) {
      const { code, stdout } = await weightlens('scan', '--no-hash', fileWith(name, evil));
      expect(code, name).toBe(1);
      expect(stdout).toMatch(/malicious/);
      expect(stdout).toContain("posix.system('echo hi')");
    }
  });

  it('--allow makes a project class safe, says so in the report, and never allows a dangerous import', async () => {
    const path = fileWith('own.pkl', own);
    expect((await weightlens('scan', '--no-hash', path)).code).toBe(1);
    const allowed = await weightlens('scan', '--json', '--no-hash', '--allow', 'mypkg.models.*', path);
    expect(allowed.code).toBe(0);
    const report = JSON.parse(allowed.stdout).reports[0];
    expect(report.verdict).toBe('clean');
    expect(report.findings.map((f: { rule: string }) => f.rule)).toEqual(['pickle.user-allowlist']);
    expect(report.content.pickle.streams[0].userAllowlist).toEqual(['mypkg.models.*']);
    const list = fileWith('allow.txt', new TextEncoder().encode('# ours\nposix.system\nmypkg.models.*\n'));
    const evilRun = await weightlens('scan', '--json', '--no-hash', '--allow-file', list, fileWith('evil.pkl', evil));
    expect(JSON.parse(evilRun.stdout).reports[0].verdict).toBe('malicious');
  });

  it('refuses a malformed --allow entry with a usage error', async () => {
    const { code, stderr } = await weightlens('scan', '--allow', 'bad entry', fileWith('own.pkl', own));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--allow/);
  });

  it('disassembles a pickle page by page', async () => {
    const path = fileWith('evil.pkl', evil);
    const first = await weightlens('disasm', '--count', '2', path);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(` 0: PROTO            2\n 2: GLOBAL           posix system\n(more: weightlens disasm --offset 16 ${path})\n`);
    const rest = await weightlens('disasm', '--json', '--offset', '16', path);
    expect(JSON.parse(rest.stdout)).toEqual({
      lines: [
        { offset: 16, opcode: 'SHORT_BINUNICODE', arg: "'echo hi'" },
        { offset: 25, opcode: 'TUPLE1' },
        { offset: 26, opcode: 'REDUCE' },
        { offset: 27, opcode: 'STOP' },
      ],
    });
  });
});

describe('weightlens scan: a folder with pathological files', () => {
  it('reports every other file and exits with the documented code', async () => {
    const dir = tempDir();
    copyFileSync(fixturePath('model.safetensors'), join(dir, 'good.safetensors'));
    copyFileSync(join(ROOT, 'test/fixtures/containers/zip-bomb-limit.zip'), join(dir, 'bomb.zip'));
    copyFileSync(join(ROOT, 'test/fixtures/pickle/bad-deep-marks.pkl'), join(dir, 'deep.pkl'));
    copyFileSync(join(ROOT, 'test/fixtures/fuzz/inflate-truncated-nested-zip.zip'), join(dir, 'broken.zip'));
    writeFileSync(join(dir, 'huge-length.safetensors'), Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7b]));
    const { code, stdout } = await weightlens('scan', '--json', '--no-hash', dir);
    const doc = JSON.parse(stdout);
    expect(validateScanResult(doc), JSON.stringify(validateScanResult.errors)).toBe(true);
    const verdicts = Object.fromEntries(doc.reports.map((r: { file: { name: string }; verdict: string }) => [r.file.name, r.verdict]));
    expect(verdicts['good.safetensors']).toBe('clean');
    expect(Object.keys(verdicts).sort()).toEqual(['bomb.zip', 'broken.zip', 'deep.pkl', 'good.safetensors', 'huge-length.safetensors']);
    for (const name of ['bomb.zip', 'broken.zip', 'deep.pkl', 'huge-length.safetensors']) expect(verdicts[name], name).not.toBe('clean');
    for (const r of doc.reports) expect(r.findings.map((f: { rule: string }) => f.rule), r.file.name).not.toContain('scan.internal-error');
    expect(code).toBe(1);
  }, 60_000);
});

describe('weightlens scan: the memory budget', () => {
  it('--memory-budget: a file that needs more is not clean, the files after it are scanned as usual', async () => {
    const dir = tempDir();
    // 400 memo keys one 96 KiB memo chunk apart: about 38 MiB of decoder memory from 2 KB
    const puts = Buffer.alloc(5 * 400);
    for (let i = 0; i < 400; i++) { puts[5 * i] = 0x72; puts.writeUInt32LE(i * 16384, 5 * i + 1); } // LONG_BINPUT
    writeFileSync(join(dir, 'a-hungry.pkl'), Buffer.concat([Buffer.from([0x80, 2, 0x4e]), puts, Buffer.from([0x2e])]));
    copyFileSync(join(ROOT, 'test/fixtures/pickle/inst-os-system.pkl'), join(dir, 'b-evil.pkl'));
    copyFileSync(fixturePath('model.safetensors'), join(dir, 'c-good.safetensors'));
    const small = await weightlens('scan', '--json', '--no-hash', '--memory-budget', '16', dir);
    const doc = JSON.parse(small.stdout);
    const byName = Object.fromEntries(doc.reports.map((r: Report) => [r.file.name, r]));
    expect(byName['a-hungry.pkl'].verdict).toBe('suspicious');
    expect(byName['a-hungry.pkl'].findings.find((f: { rule: string }) => f.rule === 'scan.limit-reached').evidence).toEqual({ limit: 'MEMORY_BUDGET', value: 16 * 1024 * 1024 });
    expect(byName['b-evil.pkl'].verdict).toBe('malicious');
    expect(byName['c-good.safetensors'].verdict).toBe('clean');
    expect(small.code).toBe(1);
    // the default budget (512 MiB) reads it to the end
    const roomy = await weightlens('scan', '--json', '--no-hash', join(dir, 'a-hungry.pkl'));
    expect(JSON.parse(roomy.stdout).reports[0].verdict).toBe('clean');
    for (const bad of ['8', '2048', '1.5', 'lots']) {
      const r = await weightlens('scan', '--memory-budget', bad, dir);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain('--memory-budget takes MiB from 16 to 1024');
    }
  }, 60_000);
});

describe('weightlens scan: export formats', () => {
  it('prints SARIF, CycloneDX and Markdown with --format, the same exit code, and JSON for --json', async () => {
    const dir = folderWith({ 'a/model.safetensors': 'model.safetensors', 'prefixed.bin': 'torch-zip-prefixed.bin', 'picture.png': 'image.png' });
    const sarif = await weightlens('scan', '--format', 'sarif', dir);
    expect(sarif.code).toBe(1);
    const log = JSON.parse(sarif.stdout);
    expect(validateSarif(log), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toContain('zip.prefix-data');
    const bom = await weightlens('scan', '--format', 'cyclonedx', dir);
    expect(await cyclonedx.validate(bom.stdout)).toBeNull();
    expect(JSON.parse(bom.stdout).components.map((c: { type: string }) => c.type)).toEqual(['machine-learning-model', 'file', 'machine-learning-model']);
    const md = await weightlens('scan', '--format', 'markdown', dir);
    expect(md.stdout).toMatch(/^### Weightlens scan: 1 suspicious, 1 unsupported, 1 clean \(3 files\)/);
    const [json, alias] = await Promise.all([weightlens('scan', '--format', 'json', '--no-hash', dir), weightlens('scan', '--json', '--no-hash', dir)]);
    expect(validateScanResult(JSON.parse(json.stdout))).toBe(true);
    expect(JSON.parse(json.stdout).reports.map((r: { verdict: string }) => r.verdict)).toEqual(JSON.parse(alias.stdout).reports.map((r: { verdict: string }) => r.verdict));
  });

  it('writes the document to --output and the readable table to stdout', async () => {
    const out = join(tempDir(), 'scan.sarif');
    const { code, stdout } = await weightlens('scan', '--format', 'sarif', '--output', out, fixturePath('array.npy'));
    expect(code).toBe(0);
    expect(validateSarif(JSON.parse(readFileSync(out, 'utf8')))).toBe(true);
    expect(stdout).toMatch(/^clean\s+numpy array/m);
    const bad = await weightlens('scan', '--output', join(tempDir(), 'no', 'such', 'dir', 'x'), fixturePath('array.npy'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/could not write/);
  });

  it('refuses unknown formats and --json with another --format', async () => {
    for (const args of [['--format', 'xml'], ['--json', '--format', 'sarif']]) {
      const { code, stderr } = await weightlens('scan', ...args, fixturePath('array.npy'));
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(/--format|--json/);
    }
  });
});

describe('weightlens scan: hash pinning', () => {
  const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

  it('--expect-sha256: a match passes with an info finding, a mismatch fails as suspicious', async () => {
    const path = fixturePath('model.safetensors');
    const match = await weightlens('scan', '--json', '--expect-sha256', `${path}=${sha(path).toUpperCase()}`, path);
    expect(match.code).toBe(0);
    expect(JSON.parse(match.stdout).reports[0].findings.map((f: { rule: string }) => f.rule)).toEqual(['hash.match']);
    const mismatch = await weightlens('scan', '--expect-sha256', `${path}=${'0'.repeat(64)}`, path);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toMatch(/^suspicious .*\n\s+high\s+hash\.mismatch: not the expected file/m);
    expect((await weightlens('scan', '--fail-on', 'suspicious', '--expect-sha256', `${path}=${'0'.repeat(64)}`, path)).code).toBe(1);
  });

  it('--checksums: sha256sum files with text and binary markers, relative to their folder', async () => {
    const dir = folderWith({ 'm/model.safetensors': 'model.safetensors', 'm/array.npy': 'array.npy' });
    const sums = join(dir, 'm', 'SHA256SUMS');
    writeFileSync(sums, `${sha(join(dir, 'm/model.safetensors'))}  model.safetensors\n${'1'.repeat(64)} *array.npy\n`);
    const { code, stdout } = await weightlens('scan', '--json', '--checksums', sums, join(dir, 'm'));
    const doc = JSON.parse(stdout);
    expect(doc.skipped).toEqual([{ path: sums, message: 'the --checksums file, not scanned' }]);
    const byName = Object.fromEntries(doc.reports.map((r: Report) => [r.file.name, r]));
    expect(Object.keys(byName).sort()).toEqual(['array.npy', 'model.safetensors']);
    expect(byName['model.safetensors'].findings[0]).toMatchObject({ rule: 'hash.match', evidence: { source: `${sums} line 1` } });
    expect(byName['array.npy']).toMatchObject({ verdict: 'suspicious', findings: [{ rule: 'hash.mismatch' }] });
    expect(code).toBe(1);
  });

  it('--checksums: a malformed line is a usage error, a listed file that is missing an error', async () => {
    const dir = folderWith({ 'model.safetensors': 'model.safetensors' });
    const sums = join(dir, 'SHA256SUMS');
    writeFileSync(sums, `${sha(join(dir, 'model.safetensors'))}  model.safetensors\nnot a checksum line\n`);
    const malformed = await weightlens('scan', '--checksums', sums, join(dir, 'model.safetensors'));
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/SHA256SUMS: line 2: not "HEX {2}path" or "HEX \*path"/);
    writeFileSync(sums, `${sha(join(dir, 'model.safetensors'))}  model.safetensors\n${'2'.repeat(64)}  gone.bin\n`);
    const missing = await weightlens('scan', '--json', '--checksums', sums, join(dir, 'model.safetensors'));
    expect(JSON.parse(missing.stdout).errors).toEqual([{ path: join(dir, 'gone.bin'), message: `listed in ${sums} (line 2) but no such file` }]);
    expect(missing.code).toBe(1);
  });

  it('--checksums: MAX_CHECKSUM_FILE_BYTES (16 MiB, src/engine/pinning/checksums.ts): a file that size is read, one byte more is a usage error', async () => {
    const dir = folderWith({ 'model.safetensors': 'model.safetensors' });
    const sums = join(dir, 'SHA256SUMS');
    const line = `${sha(join(dir, 'model.safetensors'))}  model.safetensors\n`;
    const padded = (size: number) => line + '#'.repeat(size - line.length - 1) + '\n'; // a comment fills the rest
    writeFileSync(sums, padded(16 * 1024 * 1024));
    const at = await weightlens('scan', '--json', '--checksums', sums, join(dir, 'model.safetensors'));
    expect(at.code).toBe(0);
    expect(JSON.parse(at.stdout).reports[0].findings[0]).toMatchObject({ rule: 'hash.match' });
    writeFileSync(sums, padded(16 * 1024 * 1024 + 1));
    const over = await weightlens('scan', '--checksums', sums, join(dir, 'model.safetensors'));
    expect(over.code).toBe(2);
    expect(over.stderr).toContain(`${16 * 1024 * 1024 + 1} bytes is over the ${16 * 1024 * 1024}-byte limit for a checksum file`);
  }, 60_000);

  it('refuses pinning with --no-hash, and a pinned file that is not scanned', async () => {
    const path = fixturePath('model.safetensors');
    const noHash = await weightlens('scan', '--no-hash', '--expect-sha256', `${path}=${'0'.repeat(64)}`, path);
    expect(noHash.code).toBe(2);
    expect(noHash.stderr).toMatch(/--no-hash cannot be combined/);
    const elsewhere = await weightlens('scan', '--expect-sha256', `${fixturePath('array.npy')}=${'0'.repeat(64)}`, path);
    expect(elsewhere.code).toBe(2);
    expect((await weightlens('scan', '--expect-sha256', 'nohash', path)).code).toBe(2);
  });

  it('uses a Git LFS pointer scanned with its file, and says when the file is not here', async () => {
    const dir = folderWith({ 'download/model.safetensors': 'model.safetensors' });
    const real = readFileSync(join(dir, 'download/model.safetensors'));
    mkdirSync(join(dir, 'lfs'));
    writeFileSync(join(dir, 'lfs/model.safetensors'), `version https://git-lfs.github.com/spec/v1\noid sha256:${sha(join(dir, 'download/model.safetensors'))}\nsize ${real.length}\n`);
    const both = JSON.parse((await weightlens('scan', '--json', dir)).stdout);
    const [file, pointer] = both.reports as Report[];
    expect(file!.findings.map((f) => f.rule)).toEqual(['hash.match']);
    expect(pointer!.findings.map((f) => f.rule)).toEqual(['lfs.pointer']);
    const alone = await weightlens('scan', '--json', join(dir, 'lfs'));
    const report = JSON.parse(alone.stdout).reports[0];
    expect(report).toMatchObject({ verdict: 'unsupported', findings: [{ rule: 'lfs.pointer-without-file' }] });
    expect(alone.code).toBe(3); // nothing could be scanned
  });
});
