// `weightlens scan`: the command-line front door over the same engine as the app.
import { scanSource } from '../engine/scan.js';
import { SCHEMA_VERSION, type Report } from '../engine/report.js';
import { TOOL_NAME, TOOL_VERSION } from '../engine/version.js';
import type { WeightlensWasm } from '../engine/wasm.js';
import { DirectorySiblings } from '../node/directory-siblings.js';
import { FileHandleByteSource } from '../node/file-source.js';
import { sha256File } from '../node/hash-file.js';
import { loadWasm } from '../node/load-wasm.js';
import { readFile } from 'node:fs/promises';
import { disassemble } from '../engine/pickle/disassemble.js';
import { createImportPolicy, PolicyError, type ImportPolicy } from '../engine/policy/index.js';
import { HELP, parseCommand, UsageError, type DisasmCommand, type ScanCommand } from './args.js';
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
  const wasm = await loadWasm();
  const { files, errors, skipped } = await collectFiles(command.paths);
  const reports: Report[] = [];
  for (const path of files) {
    const report = await scanFile(path, wasm, command, io.stderr, policy);
    if ('report' in report) reports.push(report.report);
    else errors.push(report.problem);
  }

  if (command.json) {
    const document = { schemaVersion: SCHEMA_VERSION, tool: { name: TOOL_NAME, version: TOOL_VERSION }, reports, errors, skipped };
    io.stdout.write(JSON.stringify(document, null, 2) + '\n');
  } else {
    const color = command.color ?? (Boolean(io.stdout.isTTY) && !io.env.NO_COLOR);
    io.stdout.write(renderText(reports, errors, skipped, color));
  }
  return exitCodeFor(reports, errors, command.failOn);
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
