#!/usr/bin/env node
// Runs `weightlens scan --json --no-hash FILE` once per benchmark file and
// prints one row per file: size, format, verdict, wall time, the report's own
// elapsedMs, bytes read (and as a share of the file) and the peak RSS of the
// scanning process (from GNU time: /usr/bin/time -f %M).
//
//   node bench/run.mjs [--json] [FILE|DIR]...      (default: /tmp/weightlens-bench)
//
// WEIGHTLENS_CMD replaces the command (default "node bin/weightlens.js", run
// from the repository root); it is split on whitespace and gets
// "scan --json --no-hash FILE" appended.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_DIR = '/tmp/weightlens-bench';
const GNU_TIME = '/usr/bin/time';
const USAGE = `Usage: node bench/run.mjs [--json] [FILE|DIR]...
  Scans each file (directories: the regular files directly in them; default ${DEFAULT_DIR})
  with "node bin/weightlens.js scan --json --no-hash FILE" and prints a table.
  --json   print the rows as a JSON array instead
  WEIGHTLENS_CMD="..."  use another command instead of "node bin/weightlens.js"
`;

function listFiles(inputs) {
  const files = [];
  for (const input of inputs) {
    const st = fs.statSync(input, { throwIfNoEntry: false });
    if (!st) throw new Error(`no such file or directory: ${input}`);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(input).sort()) {
        const p = path.join(input, name);
        if (name.endsWith('.partial')) continue; // a generator still (or once) writing
        if (fs.statSync(p).isFile()) files.push(p);
      }
    } else files.push(input);
  }
  return files;
}

function haveGnuTime() {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(argv, useTime) {
  return new Promise((resolve) => {
    let rssFile = null;
    let cmd = argv;
    if (useTime) {
      rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wl-bench-')), 'rss');
      cmd = [GNU_TIME, '-f', '%M', '-o', rssFile, '--', ...argv];
    }
    const started = process.hrtime.bigint();
    const child = spawn(cmd[0], cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', (e) => resolve({ error: e.message }));
    child.on('close', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      let peakRssKb = null;
      if (rssFile) {
        // GNU time may put "Command exited with non-zero status N" first; %M is the last line.
        const lines = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
        const kb = Number(lines[lines.length - 1]);
        if (Number.isFinite(kb)) peakRssKb = kb;
        fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
      }
      resolve({
        code,
        signal,
        wallMs,
        peakRssKb,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

async function measure(file, baseCmd, useTime) {
  const size = fs.statSync(file).size;
  const row = {
    file: path.basename(file),
    path: file,
    size,
    format: null,
    verdict: null,
    wallMs: null,
    elapsedMs: null,
    bytesRead: null,
    bytesReadPct: null,
    peakRssMb: null,
    exitCode: null,
    error: null,
  };
  const r = await run([...baseCmd, 'scan', '--json', '--no-hash', file], useTime);
  if (r.error) return { ...row, error: r.error };
  row.wallMs = round(r.wallMs, 1);
  row.exitCode = r.code;
  row.peakRssMb = r.peakRssKb === null ? null : round(r.peakRssKb / 1024, 1);
  try {
    const doc = JSON.parse(r.stdout);
    const report = doc.reports?.[0];
    if (!report) {
      const why = doc.errors?.[0] ? JSON.stringify(doc.errors[0]) : 'no report in the output';
      return { ...row, error: why };
    }
    row.format = report.format ?? null;
    row.verdict = report.verdict ?? null;
    row.elapsedMs = report.stats?.elapsedMs ?? null;
    row.bytesRead = report.stats?.bytesRead ?? null;
    if (row.bytesRead !== null && size > 0) row.bytesReadPct = round((100 * row.bytesRead) / size, 4);
  } catch {
    const first = (r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? '';
    row.error = `exit ${r.code ?? r.signal}, no JSON on stdout${first ? `: ${first.slice(0, 200)}` : ''}`;
  }
  return row;
}

const round = (v, digits) => Math.round(v * 10 ** digits) / 10 ** digits;

function fmtSize(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

function fmtPct(p) {
  if (p === null) return '-';
  if (p === 0) return '0%';
  if (p < 0.001) return '<0.001%';
  return `${p < 1 ? p.toPrecision(2) : p.toFixed(1)}%`;
}

function table(rows) {
  const head = ['file', 'size', 'format', 'verdict', 'wall ms', 'elapsedMs', 'bytes read', 'read %', 'peak RSS MB'];
  const body = rows.map((r) => [
    r.file,
    fmtSize(r.size),
    r.format ?? '-',
    r.verdict ?? (r.error ? 'ERROR' : '-'),
    r.wallMs === null ? '-' : r.wallMs.toFixed(1),
    r.elapsedMs === null ? '-' : String(r.elapsedMs),
    r.bytesRead === null ? '-' : String(r.bytesRead),
    fmtPct(r.bytesReadPct),
    r.peakRssMb === null ? '-' : r.peakRssMb.toFixed(1),
  ]);
  const right = new Set([1, 4, 5, 6, 7, 8]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const lines = [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  for (const r of rows) if (r.error) lines.push(`${r.file}: ${r.error}`);
  return lines.join('\n') + '\n';
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (e) {
    process.stderr.write(`${e.message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const inputs = parsed.positionals.length ? parsed.positionals : [DEFAULT_DIR];
  let files;
  try {
    files = listFiles(inputs);
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  if (files.length === 0) {
    process.stderr.write(`no files to scan in ${inputs.join(', ')} (make them with: node bench/generate.mjs)\n`);
    return 2;
  }
  const custom = process.env.WEIGHTLENS_CMD?.trim();
  const baseCmd = custom ? custom.split(/\s+/) : [process.execPath, 'bin/weightlens.js'];
  if (!custom && !fs.existsSync(path.join(ROOT, 'lib/cli/main.js'))) {
    process.stderr.write('lib/cli/main.js is missing: run "npm run build" first\n');
    return 2;
  }
  const useTime = haveGnuTime();
  if (!useTime) process.stderr.write(`${GNU_TIME} not found (Debian package "time"): no peak RSS column\n`);
  const rows = [];
  for (const f of files) {
    if (!parsed.values.json) process.stderr.write(`scanning ${f} ...\n`);
    rows.push(await measure(path.resolve(f), baseCmd, useTime));
  }
  process.stdout.write(parsed.values.json ? JSON.stringify(rows, null, 2) + '\n' : table(rows));
  return rows.some((r) => r.error) ? 1 : 0;
}

process.exitCode = await main();
