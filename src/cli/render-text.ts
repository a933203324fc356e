// The human-readable output: one line per file, its findings beneath.
import type { Report, Severity, Verdict } from '../engine/report.js';
import { VERDICTS } from '../engine/report.js';
import type { InputProblem } from './walk.js';
import { formatSize } from '../engine/export/common.js';

export { formatSize };

const ANSI = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', magenta: '\x1b[35m', cyan: '\x1b[36m' };

const VERDICT_COLOR: Record<Verdict, string> = {
  clean: ANSI.green,
  unsupported: ANSI.cyan,
  suspicious: ANSI.yellow,
  malformed: ANSI.magenta,
  malicious: ANSI.red + ANSI.bold,
};

const SEVERITY_COLOR: Record<Severity, string> = {
  critical: ANSI.red + ANSI.bold,
  high: ANSI.red,
  medium: ANSI.yellow,
  low: ANSI.dim,
  info: ANSI.dim,
};

/** File contents reach the terminal: strip control characters so a name cannot drive it. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function where(location: Report['findings'][number]['location']): string {
  const parts: string[] = [];
  if (location.member !== undefined) parts.push(`member ${location.member}`);
  if (location.offset !== undefined) parts.push(`offset ${location.offset}`);
  if (location.opcodeIndex !== undefined) parts.push(`opcode #${location.opcodeIndex}`);
  if (location.node !== undefined) parts.push(`node ${location.node}`);
  if (location.tensor !== undefined) parts.push(`tensor ${location.tensor}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export function renderText(reports: readonly Report[], errors: readonly InputProblem[], skipped: readonly InputProblem[], color: boolean): string {
  const paint = (code: string, text: string) => (color ? `${code}${text}${ANSI.reset}` : text);
  const lines: string[] = [];
  const formatWidth = Math.min(36, Math.max(6, ...reports.map((r) => r.formatLabel.length)));
  lines.push(paint(ANSI.bold, `${'VERDICT'.padEnd(12)} ${'FORMAT'.padEnd(formatWidth)} ${'SIZE'.padStart(9)}  FILE`));
  for (const r of reports) {
    const label = printable(r.formatLabel).slice(0, formatWidth).padEnd(formatWidth);
    lines.push(`${paint(VERDICT_COLOR[r.verdict], r.verdict.padEnd(12))} ${label} ${formatSize(r.file.size).padStart(9)}  ${printable(r.file.path)}`);
    const stats = r.content.tensorStats as Record<string, Record<string, number | string | null>> | undefined;
    for (const [name, s] of Object.entries(stats ?? {})) {
      const facts = 'error' in s ? String(s.error) : `elements ${s.elements}, min ${s.min}, max ${s.max}, mean ${s.mean}, NaN ${s.nan}, Inf ${s.inf}`;
      lines.push(`    ${paint(ANSI.dim, 'stats'.padEnd(8))} ${printable(name)}: ${printable(facts)}`);
    }
    if (r.verdict === 'clean') continue;
    for (const f of r.findings) {
      lines.push(`    ${paint(SEVERITY_COLOR[f.severity], f.severity.padEnd(8))} ${f.rule}: ${printable(f.message)}${printable(where(f.location))}`);
    }
  }
  for (const e of errors) lines.push(`${paint(ANSI.red, 'error'.padEnd(12))} ${printable(e.path)}: ${e.message}`);
  for (const s of skipped) lines.push(paint(ANSI.dim, `${'skipped'.padEnd(12)} ${printable(s.path)}: ${s.message}`));
  const counts = VERDICTS.map((v) => [v, reports.filter((r) => r.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`);
  if (errors.length) counts.push(`${errors.length} not found or unreadable`);
  lines.push('', `${reports.length} file${reports.length === 1 ? '' : 's'} scanned${counts.length ? `: ${counts.join(', ')}` : ''}`);
  return lines.join('\n') + '\n';
}
