// `weightlens scan`: the command-line front door over the same engine as the app.
import { scanSource } from '../engine/scan.js';
import { SCHEMA_VERSION, type Report } from '../engine/report.js';
import { TOOL_NAME, TOOL_VERSION } from '../engine/version.js';
import type { WeightlensWasm } from '../engine/wasm.js';
import { DirectorySiblings } from '../node/directory-siblings.js';
import { FileHandleByteSource } from '../node/file-source.js';
import { sha256File } from '../node/hash-file.js';
import { loadWasm } from '../node/load-wasm.js';
import { HELP, parseCommand, UsageError, type ScanCommand } from './args.js';
import { EXIT_OK, EXIT_USAGE, exitCodeFor } from './exit-code.js';
import { hashProgress, type ProgressStream } from './progress.js';
import { renderText } from './render-text.js';
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

async function scan(command: ScanCommand, io: CliIo): Promise<number> {
  const wasm = await loadWasm();
  const { files, errors, skipped } = await collectFiles(command.paths);
  const reports: Report[] = [];
  for (const path of files) {
    const report = await scanFile(path, wasm, command, io.stderr);
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

async function scanFile(path: string, wasm: WeightlensWasm, { hash, tensorStats }: ScanCommand, stderr: ProgressStream): Promise<{ report: Report } | { problem: InputProblem }> {
  let source: FileHandleByteSource;
  try {
    source = await FileHandleByteSource.open(path);
  } catch (error) {
    return { problem: { path, message: describeFsError(error) } };
  }
  const siblings = new DirectorySiblings(path);
  try {
    const report = await scanSource(source, { wasm, path, siblings, tensorStats });
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
