// Chat-template checks on real templates: published chat templates (Llama 3 and
// 3.1 with tools, Qwen2.5 with tools, Mistral, Mistral Small 3.1, Gemma, ChatML,
// DeepSeek R1 and Phi-4 mini, Kimi K2) are clean; published SSTI payloads
// (CVE-2024-34359) and their obfuscated spellings are critical.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_ISSUES_PER_RULE } from '../src/engine/chat-template/checks.js';
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

const found = (source: string) => analyseTemplate(source).issues.map((i) => [i.rule, i.severity, source.slice(i.start, i.start + i.length)]);

describe('chat-template rules', () => {
  it('python-internals: dunder and private attributes, by dot, subscript, |attr, folded names and format strings', () => {
    expect(found("{{ x.__class__ }}")).toEqual([['template.python-internals', 'critical', '__class__']]);
    expect(found("{{ x._private }}")).toEqual([['template.python-internals', 'critical', '_private']]);
    expect(found("{{ x['__mro__'] }}")).toContainEqual(['template.python-internals', 'critical', "['__mro__']"]);
    expect(found("{{ x|attr('__subclasses__') }}")).toContainEqual(['template.python-internals', 'critical', "('__subclasses__')"]);
    expect(found("{{ x|attr('__glo' 'bals__') }}")).toContainEqual(['template.python-internals', 'critical', "('__glo' 'bals__')"]);
    expect(found("{{ x|attr('_' ~ '_init_' ~ '_') }}")).toContainEqual(['template.python-internals', 'critical', "('_' ~ '_init_' ~ '_')"]);
    expect(found("{{ x|attr('__CLASS__'|lower) }}").map((f) => f[1])).toContain('critical');
    expect(found("{{ x|attr('__klass__'|replace('k', 'c')) }}").map((f) => f[1])).toContain('critical');
    expect(found("{{ x|attr('\\137\\137class\\137\\137') }}").map((f) => f[1])).toContain('critical');
    expect(found("{{ x|attr('\\N{LOW LINE}\\N{LOW LINE}class\\N{LOW LINE}\\N{LOW LINE}') }}").map((f) => f[1])).toContain('critical');
    expect(found("{{ '{0.__class__}'.format(x) }}")).toContainEqual(['template.python-internals', 'critical', "'{0.__class__}'"]);
    expect(found("{{ dict(__cla=1)|join }}")).toContainEqual(['template.python-internals', 'critical', '__cla']);
    // A string that is only a special name: an attribute name for map('attr', …), selectattr, a variable.
    expect(found("{{ [x]|map('attr', '__class__')|list }}")).toEqual([['template.python-internals', 'critical', "'__class__'"]]);
    expect(found("{{ x|map(attribute='_TemplateReference__context') }}")).toEqual([['template.python-internals', 'critical', "'_TemplateReference__context'"]]);
    // Only named in a string (perhaps prose): high, not critical.
    expect(found("{{ 'call __init__ first' }}")).toEqual([['template.python-internals', 'high', "'call __init__ first'"]]);
  });

  it('dangerous-name: called or read as an attribute is critical, a bare name or a template load medium', () => {
    expect(found("{{ x.popen('echo') }}")).toEqual([['template.dangerous-name', 'critical', 'popen']]);
    expect(found("{{ eval('1') }}")).toEqual([['template.dangerous-name', 'critical', 'eval']]);
    expect(found("{{ x['os'] }}")).toEqual([['template.dangerous-name', 'critical', "['os']"]]);
    expect(found('{{ os }}')).toEqual([['template.dangerous-name', 'medium', 'os']]);
    expect(found("{% include 'other.jinja' %}")).toEqual([['template.dangerous-name', 'medium', 'include']]);
    expect(found("{% from 'm' import f %}")).toEqual([['template.dangerous-name', 'medium', 'from']]);
    // `system` is an ordinary name (a role, a field) until it is called.
    expect(found("{% set system = messages[0] %}{{ system }}{{ message.system }}")).toEqual([]);
    expect(found("{{ x.system('echo') }}")).toEqual([['template.dangerous-name', 'critical', 'system']]);
  });

  it('escape-global: attributes of cycler, joiner, namespace; any use of self, lipsum, config, request', () => {
    expect(found('{{ cycler.next }}')).toEqual([['template.escape-global', 'medium', 'cycler']]);
    expect(found('{{ joiner|attr("x") }}')).toEqual([['template.escape-global', 'medium', 'joiner']]);
    expect(found('{{ self }}')).toEqual([['template.escape-global', 'medium', 'self']]);
    expect(found('{{ config.items() }}')).toEqual([['template.escape-global', 'medium', 'config']]);
    expect(found('{% set ns = namespace(a=1) %}{% set c = cycler(1, 2) %}{{ ns.a }}{{ c.next() }}')).toEqual([]);
  });

  it('computed-attribute: names built at render time', () => {
    expect(found("{{ x|attr(y) }}")).toEqual([['template.computed-attribute', 'high', '(y)']]);
    expect(found("{{ x|attr(y ~ 'z') }}")).toEqual([['template.computed-attribute', 'critical', "(y ~ 'z')"]]);
    expect(found("{{ x|attr('%s'|format(y)) }}")).toEqual([['template.computed-attribute', 'critical', "('%s'|format(y))"]]);
    expect(found("{% set k = a ~ b %}{{ x[k] }}")).toEqual([['template.computed-attribute', 'high', '[k]']]);
    expect(found("{% set k = [a, b]|join %}{{ x|attr(k) }}")).toEqual([['template.computed-attribute', 'critical', '(k)']]);
    expect(found("{{ 'a\\N{BOX DRAWINGS LIGHT HORIZONTAL}' }}")).toEqual([['template.computed-attribute', 'high', "'a\\N{BOX DRAWINGS LIGHT HORIZONTAL}'"]]);
  });

  it('syntax-error: an unclosed block is reported, and special names after it are still found', () => {
    expect(found('{{ messages ')).toEqual([['template.syntax-error', 'medium', '{']]);
    const after = found("{% if x %}{{ 'a' }{{ ().__class__ }}");
    expect(after.map((f) => f[0])).toEqual(['template.syntax-error', 'template.python-internals']);
    expect(found("{# a comment")).toEqual([['template.syntax-error', 'medium', '{']]);
  });

  it('reads text, comments and raw blocks as text, never as code', () => {
    expect(found('Say __class__ and os.popen() in prose.{# x.__class__ #}{% raw %}{{ x.__class__ }}{% endraw %}')).toEqual([]);
  });

  it('leaves ordinary words in strings alone: system roles, exec summaries, python tags', () => {
    expect(found("{% if message['role'] == 'system' %}{{ 'Execute the eval plan: import data, open the os file' }}{{ '<|python_tag|>' }}{% endif %}")).toEqual([]);
    expect(found("{{ messages[loop.index0 - 1]['content'][:10] }}{{ tool['function']['name'] }}{{ message[key] }}")).toEqual([]);
  });

  it('keeps {{ … }} open across dict braces, as Jinja does', () => {
    expect(found("{{ {'a': '}}'}.a.__class__ }}")).toEqual([['template.python-internals', 'critical', '__class__']]);
  });

  it('shows the span in its block', () => {
    const [issue] = analyseTemplate('Hello {{ user }}! {{ x.__globals__ }} bye').issues;
    expect(issue).toMatchObject({ start: 23, length: 11, snippet: '{{ x.__globals__ }}' });
  });
});

describe('chat-template bounds', () => {
  it('MAX_ISSUES_PER_RULE: lists 20 issues of a rule and counts the rest, keeping the worst severity', () => {
    expect(MAX_ISSUES_PER_RULE).toBe(20);
    const at = analyseTemplate('{{ x.__class__ }}'.repeat(MAX_ISSUES_PER_RULE));
    expect(at.issues).toHaveLength(20);
    expect(at.omitted).toEqual([]);
    const { issues, omitted } = analyseTemplate('{{ x.__class__ }}'.repeat(500));
    expect(issues).toHaveLength(20);
    expect(omitted).toEqual([{ rule: 'template.python-internals', severity: 'critical', count: 480 }]);
  });

  it('MAX_KEY_TOKENS (256, chat-template/checks.ts): a key expression within it is folded; a longer one is reported as too long to follow', () => {
    // '__cla' ~ 'ss__' inside n pairs of parentheses: 2n + 3 tokens, folding to __class__
    const name = (pairs: number) => `${'('.repeat(pairs)}'__cla' ~ 'ss__'${')'.repeat(pairs)}`;
    const rules = (source: string) => analyseTemplate(source).issues.map((i) => [i.rule, i.severity]);
    expect(rules(`{{ x|attr(${name(126)}) }}`)).toEqual([['template.python-internals', 'critical']]); // 255 tokens
    const over = analyseTemplate(`{{ x|attr(${name(127)}) }}`).issues; // 257 tokens
    expect(over.map((i) => [i.rule, i.severity])).toEqual([['template.computed-attribute', 'high']]);
    expect(over[0]!.message).toContain('a name expression of 257 tokens, too long to follow');
    // a {% set %} value past it is not folded either: the name is then "built", still reported
    expect(rules(`{% set k = ${name(126)} %}{{ x|attr(k) }}`)).toEqual([['template.python-internals', 'critical']]);
    expect(rules(`{% set k = ${name(127)} %}{{ x|attr(k) }}`)).toEqual([['template.computed-attribute', 'critical']]);
  });

  it('stays linear on a megabyte of nested subscripts and parentheses', () => {
    const depth = 100_000;
    const nested = `{{ ${'a['.repeat(depth)}'__class__'${']'.repeat(depth)} }}{{ x|attr(${'('.repeat(depth)}'__init__'${')'.repeat(depth)}) }}`;
    const started = performance.now();
    const { issues } = analyseTemplate(nested);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(issues.map((i) => i.rule)).toContain('template.computed-attribute');
    expect(issues.map((i) => i.rule)).toContain('template.python-internals');
  });
});
