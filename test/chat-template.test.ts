// Chat-template checks on real templates: published chat templates (Llama 3 and
// 3.1 with tools, Qwen2.5 with tools, Mistral, Mistral Small 3.1, Gemma, ChatML,
// DeepSeek R1 and Phi-4 mini, Kimi K2) are clean; published SSTI payloads
// (CVE-2024-34359) and their obfuscated spellings are critical.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyseTemplate } from '../src/engine/chat-template/index.js';

const dir = (kind: string) => fileURLToPath(new URL(`fixtures/chat-templates/${kind}/`, import.meta.url));
const templates = (kind: string) => readdirSync(dir(kind)).filter((f) => f.endsWith('.jinja')).map((f) => [f, readFileSync(dir(kind) + f, 'utf8')] as const);
const worst = (source: string) => {
  const { issues } = analyseTemplate(source);
  return issues.some((i) => i.severity === 'critical') ? 'critical' : issues.some((i) => i.severity === 'high') ? 'high' : issues.length ? 'medium' : 'clean';
};

describe('chat templates', () => {
  it('has real templates to test', () => {
    expect(templates('benign').length).toBeGreaterThanOrEqual(10);
    expect(templates('hostile').length).toBeGreaterThanOrEqual(10);
  });

  it.each(templates('benign'))('finds nothing in the published template %s', (_name, source) => {
    const { issues, blocks } = analyseTemplate(source);
    expect(issues).toEqual([]);
    expect(blocks).toBeGreaterThan(2);
  });

  it.each(templates('suspicious'))('calls %s suspicious, not critical', (_name, source) => {
    expect(['high', 'medium']).toContain(worst(source));
  });

  it.each(templates('hostile'))('calls %s critical', (_name, source) => {
    expect(worst(source), JSON.stringify(analyseTemplate(source).issues.map((i) => [i.rule, i.severity, i.snippet]))).toBe("critical");
  });
});
