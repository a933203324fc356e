// Chat templates stored in GGUF metadata (tokenizer.chat_template and the named
// tokenizer.chat_template.<name> variants), analysed and turned into findings
// located in the file: the span's byte offset and length.
import { analyseTemplate } from '../../chat-template/index.js';
import type { FindingList } from '../driver.js';
import type { MetadataEntry } from './header.js';
import { MAX_TEMPLATE_BYTES } from './limits.js';

export interface TemplateSummary {
  key: string;
  bytes: number;
  /** False when the template was over MAX_TEMPLATE_BYTES and not analysed. */
  analysed: boolean;
  issues: number;
}

const encoder = new TextEncoder();

export function checkTemplates(entries: readonly MetadataEntry[], findings: FindingList): TemplateSummary[] {
  const out: TemplateSummary[] = [];
  for (const e of entries) {
    if (e.key !== 'tokenizer.chat_template' && !e.key.startsWith('tokenizer.chat_template.')) continue;
    if (e.value.type !== 'string') continue;
    const s = e.value.value;
    if (!s.complete) {
      findings.add('scan.limit-reached', `chat template ${e.key} is ${s.bytes} bytes, over the ${MAX_TEMPLATE_BYTES}-byte limit (MAX_TEMPLATE_BYTES): not analysed`, { offset: s.offset, length: s.bytes }, { limit: 'MAX_TEMPLATE_BYTES', value: s.bytes, key: e.key });
      out.push({ key: e.key, bytes: s.bytes, analysed: false, issues: 0 });
      continue;
    }
    const { issues, omitted } = analyseTemplate(s.text);
    for (const issue of issues) {
      // Spans are UTF-16 indices into the text; the finding gives file bytes.
      const before = encoder.encode(s.text.slice(0, issue.start)).length;
      const length = encoder.encode(s.text.slice(issue.start, issue.start + issue.length)).length;
      findings.add(issue.rule, `${e.key}: ${issue.message}`, { offset: s.offset + before, length }, { key: e.key, templateOffset: before, snippet: issue.snippet }, issue.severity);
    }
    for (const o of omitted) findings.add(o.rule, `${e.key}: ${o.count} more findings of this rule not listed`, { offset: s.offset, length: s.bytes }, { key: e.key, count: o.count }, o.severity);
    out.push({ key: e.key, bytes: s.bytes, analysed: true, issues: issues.length + omitted.reduce((n, o) => n + o.count, 0) });
  }
  return out;
}
