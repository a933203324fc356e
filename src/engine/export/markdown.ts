// Reports as a Markdown summary to paste into an issue or a pull request: a
// table of every file, then the findings of each file that is not clean.
// Everything a file controls (paths, labels, messages) is escaped, so a name
// like `<img src=x onerror=…>`, `@someone` or `[link](…)` shows as those
// characters and pings, links or renders nothing.
import type { Report, Verdict } from '../report.js';
import { VERDICTS } from '../report.js';
import { SEVERITY_RANK, VERDICT_RANK, worstFinding } from '../verdict.js';
import { formatSize, type ExportOptions } from './common.js';
import { describeLocation, modelFacts } from './model-facts.js';

/** Findings listed per file; the rest are counted (a summary, not the full report). */
export const MAX_MARKDOWN_FINDINGS_PER_FILE = 20;
/** Files whose findings are listed; the table still has every file. */
export const MAX_MARKDOWN_FILES_DETAILED = 50;
/** Characters of one message or path shown: GitHub comments stop at 65,536 characters. */
export const MAX_MARKDOWN_TEXT = 300;

/** A word for every verdict, with a mark beside it (never colour alone). */
const VERDICT_MARK: Record<Verdict, string> = {
  clean: '✅',
  unsupported: '⚪',
  suspicious: '🟡',
  malformed: '🟠',
  malicious: '🔴',
};

/**
 * Text that reaches Markdown as text: control and bidi characters shown as
 * `\uXXXX`, every ASCII punctuation character backslash-escaped (CommonMark
 * allows it for all of them: no emphasis, links, HTML, table cells, `@`
 * mentions, `#` references or autolinks can form), cut at `max` characters.
 */
export function markdownText(text: string, max = MAX_MARKDOWN_TEXT): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

function verdictCell(verdict: Verdict): string {
  return `${VERDICT_MARK[verdict]} **${verdict}**`;
}

function summaryLine(reports: readonly Report[], problems: number): string {
  const counts = [...VERDICTS]
    .sort((a, b) => VERDICT_RANK[b] - VERDICT_RANK[a])
    .map((v) => [v, reports.filter((r) => r.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`);
  if (problems) counts.push(`${problems} not scanned`);
  const files = `${reports.length} file${reports.length === 1 ? '' : 's'}`;
  return counts.length ? `${counts.join(', ')} (${files})` : files;
}

export function toMarkdown(reports: readonly Report[], options: ExportOptions = {}): string {
  const problems = options.problems ?? [];
  const tool = options.tool ?? { name: 'Weightlens', version: reports[0]?.tool.version ?? '' };
  const out: string[] = [];
  out.push(`### Weightlens scan: ${summaryLine(reports, problems.length)}`, '');

  if (reports.length) {
    out.push('| verdict | file | format | size | parameters | worst finding |', '| --- | --- | --- | ---: | ---: | --- |');
    for (const r of reports) {
      const facts = modelFacts(r);
      const worst = worstFinding(r.findings.filter((f) => f.severity !== 'info'));
      out.push(
        `| ${verdictCell(r.verdict)} | ${markdownText(r.file.path)} | ${markdownText(r.formatLabel)} | ${formatSize(r.file.size)} | ${facts.parameters === null ? '' : facts.parameters.toLocaleString('en-US')} | ${worst ? `${worst.severity} \`${worst.rule}\`` : ''} |`,
      );
    }
    out.push('');
  }

  // Bytes that are no model format at all (a README, a PNG) are in the table; they need no section.
  const flagged = reports.filter((r) => r.verdict !== 'clean' && !(r.verdict === 'unsupported' && r.format === 'unknown' && r.findings.every((f) => f.rule === 'format.unsupported'))).sort((a, b) => VERDICT_RANK[b.verdict] - VERDICT_RANK[a.verdict]);
  for (const r of flagged.slice(0, MAX_MARKDOWN_FILES_DETAILED)) {
    out.push(`#### ${VERDICT_MARK[r.verdict]} ${markdownText(r.file.path)}: ${r.verdict}`, '');
    out.push(`${markdownText(r.formatLabel)}, ${formatSize(r.file.size)}${r.file.sha256 ? `, SHA-256 \`${r.file.sha256}\`` : ''}`, '');
    const findings = [...r.findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
    for (const f of findings.slice(0, MAX_MARKDOWN_FINDINGS_PER_FILE)) {
      const where = describeLocation(f.location);
      out.push(`- **${f.severity}** \`${f.rule}\`: ${markdownText(f.message)}${where ? ` _(${markdownText(where)})_` : ''}`);
    }
    if (findings.length > MAX_MARKDOWN_FINDINGS_PER_FILE) out.push(`- … and ${findings.length - MAX_MARKDOWN_FINDINGS_PER_FILE} more findings (the JSON report has them all)`);
    out.push('');
  }
  if (flagged.length > MAX_MARKDOWN_FILES_DETAILED) out.push(`… and ${flagged.length - MAX_MARKDOWN_FILES_DETAILED} more files that are not clean (the JSON report has them all).`, '');

  if (problems.length) {
    out.push('#### Not scanned', '');
    for (const p of problems) out.push(`- ${markdownText(p.path)}: ${markdownText(p.message)}`);
    out.push('');
  }
  out.push(`<sub>${markdownText(tool.name)} ${markdownText(tool.version)}: the files were read, never loaded. Verdicts from harmless to worst: clean, unsupported (not checked), suspicious, malformed, malicious.</sub>`, '');
  return out.join('\n');
}
