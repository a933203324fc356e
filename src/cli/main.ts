// `weightlens scan`: the command-line front door over the same engine as the app.
import { scanSource } from '../engine/scan.js';
import { SCHEMA_VERSION, type Report } from '../engine/report.js';
import { TOOL_NAME, TOOL_VERSION } from '../engine/version.js';
import type { WeightlensWasm } from '../engine/wasm.js';
import { DirectorySiblings } from '../node/directory-siblings.js';
import { FileHandleByteSource } from '../node/file-source.js';
import { sha256File } from '../node/hash-file.js';
import { loadWasm } from '../node/load-wasm.js';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { toCycloneDx } from '../engine/export/cyclonedx.js';
import { toMarkdown } from '../engine/export/markdown.js';
import { toSarif } from '../engine/export/sarif.js';
import { MAX_CHECKSUM_FILE_BYTES, parseChecksums } from '../engine/pinning/checksums.js';
import type { ExpectedHash } from '../engine/pinning/expected-hash.js';
import { applyPins, pairLfsPointers } from '../engine/pinning/lfs-pairing.js';
import { disassemble } from '../engine/pickle/disassemble.js';
import { createImportPolicy, PolicyError, type ImportPolicy } from '../engine/policy/index.js';
import { HELP, parseCommand, UsageError, type DisasmCommand, type OutputFormat, type ScanCommand } from './args.js';
import { EXIT_FINDINGS, EXIT_NOTHING_SCANNED, EXIT_OK, EXIT_USAGE, exitCodeFor } from './exit-code.js';
import { hashProgress, type ProgressStream } from './progress.js';
import { printable, renderText } from './render-text.js';
import { collectFiles, describeFsError, type InputProblem } from './walk.js';

export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env: Record<string, string | undefined>;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  try {
    const command = parseCommand(argv);
    if (command.kind === 'help') {
      io.stdout.write(HELP);
      return EXIT_OK;
    }
    if (command.kind === 'version') {
      io.stdout.write(`${TOOL_NAME} ${TOOL_VERSION}\n`);
      return EXIT_OK;
    }
    if (command.kind === 'disasm') return await disasm(command, io);
    return await scan(command, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`weightlens: ${error.message}\n\n${HELP}`);
    } else {
      io.stderr.write(`weightlens: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    return EXIT_USAGE;
  }
}

/** The built-in import policy plus the user's --allow entries. */
async function policyFor(command: ScanCommand): Promise<ImportPolicy | undefined> {
  const entries = [...command.allow];
  for (const file of command.allowFiles) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--allow-file ${file}: ${describeFsError(error)}`);
    }
    for (const line of text.split(/\r?\n/)) {
      const entry = line.replace(/#.*$/, '').trim();
      if (entry) entries.push(entry);
    }
  }
  if (entries.length === 0) return undefined;
  try {
    return createImportPolicy(entries);
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(`--allow: ${error.message}`);
    throw error;
  }
}

async function disasm(command: DisasmCommand, io: CliIo): Promise<number> {
  const wasm = await loadWasm();
  let source: FileHandleByteSource;
  try {
    source = await FileHandleByteSource.open(command.path);
  } catch (error) {
    io.stderr.write(`weightlens: ${command.path}: ${describeFsError(error)}\n`);
    return EXIT_NOTHING_SCANNED;
  }
  try {
    if (command.offset >= source.size) throw new UsageError(`--offset ${command.offset} is past the end of the ${source.size}-byte file`);
    const page = await disassemble(wasm, source, command.offset, command.count);
    if (command.json) {
      io.stdout.write(JSON.stringify(page, null, 2) + '\n');
    } else {
      const width = String(page.next ?? page.lines.at(-1)?.offset ?? 0).length;
      for (const line of page.lines) io.stdout.write(`${String(line.offset).padStart(width)}: ${line.opcode.padEnd(16)} ${printable(line.arg ?? '')}`.trimEnd() + '\n');
      if (page.next !== undefined) io.stdout.write(`(more: weightlens disasm --offset ${page.next} ${command.path})\n`);
      if (page.error) io.stdout.write(`(stopped: ${page.error})\n`);
    }
    return page.error ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    await source.close();
  }
}

async function scan(command: ScanCommand, io: CliIo): Promise<number> {
  const policy = await policyFor(command);
  const wasm = await loadWasm({ memoryBudgetBytes: command.memoryBudgetBytes });
  const collected = await collectFiles(command.paths);
  const { errors, skipped } = collected;
  // A checksum file handed to --checksums is an input of the scan, not a file to judge.
  const checksumFiles = new Set(command.checksums.map((f) => resolve(f)));
  const files = collected.files.filter((f) => !checksumFiles.has(resolve(f)));
  for (const f of collected.files) if (checksumFiles.has(resolve(f))) skipped.push({ path: f, message: 'the --checksums file, not scanned' });
  const expected = await expectedHashes(command, files, errors);
  const scanned: Report[] = [];
  for (const path of files) {
    const report = await scanFile(path, wasm, command, io.stderr, policy);
    if ('report' in report) scanned.push(report.report);
    else errors.push(report.problem);
  }
  const reports = pin(scanned, expected, errors);

  const text = (toStdout: boolean) => renderText(reports, errors, skipped, command.color ?? (toStdout && Boolean(io.stdout.isTTY) && !io.env.NO_COLOR));
  const document = renderDocument(command.format, reports, errors, skipped, () => text(command.output === undefined));
  if (command.output === undefined) {
    io.stdout.write(document);
  } else {
    try {
      await writeFile(command.output, document);
    } catch (error) {
      io.stderr.write(`weightlens: could not write ${command.output}: ${describeFsError(error)}\n`);
      return EXIT_USAGE;
    }
    if (command.format !== 'text') io.stdout.write(text(true));
  }
  return exitCodeFor(reports, errors, command.failOn);
}

function renderDocument(format: OutputFormat, reports: Report[], errors: InputProblem[], skipped: InputProblem[], text: () => string): string {
  const tool = { name: TOOL_NAME, version: TOOL_VERSION };
  switch (format) {
    case 'text':
      return text();
    case 'json':
      return JSON.stringify({ schemaVersion: SCHEMA_VERSION, tool, reports, errors, skipped }, null, 2) + '\n';
    case 'sarif':
      return JSON.stringify(toSarif(reports, { problems: errors }), null, 2) + '\n';
    case 'cyclonedx':
      return JSON.stringify(toCycloneDx(reports, { problems: errors }), null, 2) + '\n';
    case 'markdown':
      return toMarkdown(reports, { problems: errors });
  }
}

/**
 * Expected hashes by absolute path, from --expect-sha256 and --checksums. A
 * pinned file that is not among the scanned ones is a usage error for
 * --expect-sha256; for a checksum file it is ignored when the file exists (a
 * subset was scanned) and an error when it does not (the model is missing a file).
 */
async function expectedHashes(command: ScanCommand, files: readonly string[], errors: InputProblem[]): Promise<Map<string, ExpectedHash[]>> {
  const scanned = new Set(files.map((f) => resolve(f)));
  const expected = new Map<string, ExpectedHash[]>();
  const add = (path: string, value: ExpectedHash) => expected.set(path, [...(expected.get(path) ?? []), value]);
  for (const { path, sha256 } of command.expectSha256) {
    if (!scanned.has(resolve(path))) throw new UsageError(`--expect-sha256 ${path}: not among the files scanned`);
    add(resolve(path), { sha256, source: '--expect-sha256' });
  }
  for (const file of command.checksums) {
    let text: string;
    try {
      const size = (await stat(file)).size;
      if (size > MAX_CHECKSUM_FILE_BYTES) throw new UsageError(`--checksums ${file}: ${size} bytes is over the ${MAX_CHECKSUM_FILE_BYTES}-byte limit for a checksum file`);
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--checksums ${file}: ${describeFsError(error)}`);
    }
    const { entries, problems } = parseChecksums(text);
    if (problems.length) throw new UsageError(`--checksums ${file}: ${problems.slice(0, 5).map((p) => `line ${p.line}: ${p.message}`).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more lines)` : ''}`);
    if (entries.length === 0) throw new UsageError(`--checksums ${file}: no checksums in it`);
    for (const entry of entries) {
      const path = resolve(dirname(file), entry.path);
      if (scanned.has(path)) add(path, { sha256: entry.sha256, source: `${file} line ${entry.line}` });
      else if (!(await exists(path))) errors.push({ path: join(dirname(file), entry.path), message: `listed in ${file} (line ${entry.line}) but no such file` });
    }
  }
  return expected;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Git LFS pointers paired with their files, then every expected hash applied once per report. */
function pin(reports: Report[], expected: Map<string, ExpectedHash[]>, errors: InputProblem[]): Report[] {
  const { reports: paired, pins } = pairLfsPointers(reports);
  paired.forEach((report, i) => {
    const given = expected.get(resolve(report.file.path));
    if (!given) return;
    // The hash pass failed (the file shrank, a read error): the pin cannot be checked, and the run must not pass over it.
    if (report.file.sha256 === null) errors.push({ path: report.file.path, message: `could not be hashed, so its expected SHA-256 (${given.map((g) => g.source).join(', ')}) was not checked` });
    else pins.set(i, [...given, ...(pins.get(i) ?? [])]);
  });
  return applyPins(paired, pins);
}

async function scanFile(path: string, wasm: WeightlensWasm, { hash, tensorStats }: ScanCommand, stderr: ProgressStream, policy: ImportPolicy | undefined): Promise<{ report: Report } | { problem: InputProblem }> {
  let source: FileHandleByteSource;
  try {
    source = await FileHandleByteSource.open(path);
  } catch (error) {
    return { problem: { path, message: describeFsError(error) } };
  }
  const siblings = new DirectorySiblings(path);
  try {
    const report = await scanSource(source, { wasm, path, siblings, tensorStats, ...(policy ? { policy } : {}) });
    if (hash) {
      const progress = hashProgress(stderr, path, source.size);
      try {
        report.file.sha256 = await sha256File(path, progress.update);
      } catch (error) {
        // The verdict stands; only the hash is missing, and the output says why.
        stderr.write(`weightlens: could not hash ${path}: ${describeFsError(error)}\n`);
      } finally {
        progress.end();
      }
    }
    return { report };
  } finally {
    await Promise.all([source.close(), siblings.close()]);
  }
}
