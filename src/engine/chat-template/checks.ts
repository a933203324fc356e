// What in a chat template reaches Python internals from Jinja. Runtimes render
// GGUF and tokenizer_config.json templates with Jinja (llama-cpp-python,
// transformers, vLLM …); a template that climbs from any object to its class,
// the class's subclasses or a function's globals runs code on the server
// (CVE-2024-34359). Ordinary templates loop over messages, compare roles and
// concatenate strings: none of what follows.
import { foldExpression, type Environment, type Folded } from './fold.js';
import { lexTemplate, type CodeBlock, type Token } from './lexer.js';

export type TemplateRule = 'template.python-internals' | 'template.dangerous-name' | 'template.escape-global' | 'template.computed-attribute' | 'template.syntax-error';
export type TemplateSeverity = 'critical' | 'high' | 'medium';

export interface TemplateIssue {
  rule: TemplateRule;
  severity: TemplateSeverity;
  message: string;
  /** UTF-16 index into the template and length of the offending span. */
  start: number;
  length: number;
  /** The span with a little of its block around it. */
  snippet: string;
}

/** Names that reach the interpreter when called or read as attributes (a bare variable so named: medium). */
const DANGEROUS_NAMES = new Set(['os', 'popen', 'subprocess', 'eval', 'exec', 'execfile', 'compile', 'import', 'importlib', 'import_module', 'builtins', 'globals', 'locals', 'getattr', 'setattr', 'delattr', 'posix', 'pty', 'sys', 'mro', 'func_globals', 'gi_frame', 'f_globals', 'f_back', 'co_code']);
/** Ordinary words as variables or fields (`message.system`), dangerous only when called. */
const DANGEROUS_CALLS = new Set(['system', 'spawn', 'spawnl', 'spawnv', 'execv', 'execl', 'check_output', 'getoutput']);
/** Globals of Jinja (and of Flask's Jinja) whose attributes are the known ways out of the sandbox. */
const ESCAPE_VIA_ATTRIBUTE = new Set(['cycler', 'joiner', 'namespace', 'range', 'dict', 'lipsum']);
/** Globals no chat template needs: any use is how SSTI payloads start. */
const ESCAPE_ANY_USE = new Set(['lipsum', 'self', 'config', 'request', 'url_for', 'get_flashed_messages', 'session', 'application']);
/** Statements that load other templates: chat templates are one self-contained source. */
const TEMPLATE_LOADERS = new Set(['import', 'include', 'extends', 'from']);
const KEYWORDS = new Set(['in', 'and', 'or', 'not', 'if', 'else', 'is', 'for', 'set', 'elif', 'return', 'with']);
const FULL_DUNDER = /__[A-Za-z_][A-Za-z0-9_]*__/;
const WHOLE_SPECIAL_NAME = /^\s*(__[A-Za-z0-9_]+__|_[A-Za-z][A-Za-z0-9]*__[A-Za-z_][A-Za-z0-9_]*)\s*$/;
const FORMAT_FIELD_DUNDER = /\{[^{}]*__[A-Za-z_][A-Za-z0-9_]*__[^{}]*\}/;
/** Tokens of an attribute or key expression that are folded; real keys are a few tokens, and a bound keeps nested keys linear. */
const MAX_KEY_TOKENS = 256;
const SEVERITY_RANK: Record<TemplateSeverity, number> = { medium: 0, high: 1, critical: 2 };

export interface TemplateAnalysis {
  /** In template order; at most MAX_ISSUES_PER_RULE of each rule. */
  issues: TemplateIssue[];
  /** Issues left out past MAX_ISSUES_PER_RULE, per rule, with the worst severity among them. */
  omitted: { rule: TemplateRule; severity: TemplateSeverity; count: number }[];
  /** Tokens read; 0 for a template without code. */
  blocks: number;
}

export function analyseTemplate(source: string): TemplateAnalysis {
  const lexed = lexTemplate(source);
  const issues = new Map<string, TemplateIssue>();
  const report = (rule: TemplateRule, severity: TemplateSeverity, message: string, start: number, end: number, block?: CodeBlock) => {
    const key = `${start}:${end}`;
    const old = issues.get(key);
    if (old && SEVERITY_RANK[old.severity] >= SEVERITY_RANK[severity]) return;
    issues.set(key, { rule, severity, message, start, length: end - start, snippet: snippet(source, start, end, block) });
  };

  const env = new Map<string, Folded>();
  let blockSet: { name: string; text: string; pure: boolean } | undefined;
  let blocks = 0;
  for (const part of lexed.parts) {
    if (part.type === 'text') {
      if (blockSet) blockSet.text += source.slice(part.text.start, part.text.end);
      continue;
    }
    blocks++;
    const block = part.block;
    const ts = block.tokens;
    if (block.kind === 'stmt') {
      const head = ts[0]?.value;
      if (head === 'endset' && blockSet) {
        env.set(blockSet.name, blockSet.pure ? { kind: 'const', value: blockSet.text } : { kind: 'built' });
        blockSet = undefined;
        continue;
      }
      if (head === 'set' && ts[1]?.kind === 'name') {
        if (ts.length === 2 || (ts.length > 2 && ts[2]!.value === '|')) blockSet = { name: ts[1].value, text: '', pure: ts.length === 2 };
        else if (ts[2]?.value === '=' && ts[2].kind === 'op') {
          const value = ts.slice(3);
          env.set(ts[1].value, value.length <= MAX_KEY_TOKENS ? foldExpression(value, env) : { kind: value.some((t) => t.kind === 'string' || t.value === '~') ? 'built' : 'other' });
        }
      }
      if (head && TEMPLATE_LOADERS.has(head) && ts[0]!.kind === 'name') {
        report('template.dangerous-name', 'medium', `{% ${head} %} loads another template: a chat template is one self-contained source, and runtimes have no loader for it`, ts[0]!.start, ts[0]!.end, block);
      }
    } else if (blockSet) blockSet.pure = false;
    checkBlock(block, env, report);
  }
  if (lexed.error) {
    const at = lexed.error.at;
    report('template.syntax-error', 'medium', `the template breaks Jinja's grammar (${lexed.error.message}): Jinja refuses it, and nothing after this point was checked token by token`, at, Math.min(source.length, at + 1));
    // What follows the error is still searched for special names, in case a Jinja version reads it differently.
    const rest = source.slice(at);
    const re = new RegExp(FULL_DUNDER.source, 'g');
    for (let m = re.exec(rest); m; m = re.exec(rest)) {
      report('template.python-internals', 'high', `${m[0]} after a syntax error: a Python special attribute, left unparsed`, at + m.index, at + m.index + m[0].length);
    }
  }
  return { ...capPerRule([...issues.values()].sort((a, b) => a.start - b.start)), blocks };
}

/** Issues of one rule listed per template; a hostile template can repeat a payload a hundred thousand times. */
export const MAX_ISSUES_PER_RULE = 20;

function capPerRule(all: TemplateIssue[]): Pick<TemplateAnalysis, 'issues' | 'omitted'> {
  const counts = new Map<TemplateRule, number>();
  const omitted = new Map<TemplateRule, { rule: TemplateRule; severity: TemplateSeverity; count: number }>();
  const issues: TemplateIssue[] = [];
  for (const issue of all) {
    const n = (counts.get(issue.rule) ?? 0) + 1;
    counts.set(issue.rule, n);
    if (n <= MAX_ISSUES_PER_RULE) {
      issues.push(issue);
      continue;
    }
    const o = omitted.get(issue.rule) ?? { rule: issue.rule, severity: issue.severity, count: 0 };
    o.count++;
    if (SEVERITY_RANK[issue.severity] > SEVERITY_RANK[o.severity]) o.severity = issue.severity;
    omitted.set(issue.rule, o);
  }
  return { issues, omitted: [...omitted.values()] };
}

type Report = (rule: TemplateRule, severity: TemplateSeverity, message: string, start: number, end: number, block?: CodeBlock) => void;

function checkBlock(block: CodeBlock, env: Environment, report: Report): void {
  const ts = block.tokens;
  const closes = matchBrackets(ts);
  const isImportStatement = block.kind === 'stmt' && ts[0] && TEMPLATE_LOADERS.has(ts[0].value);
  for (let k = 0; k < ts.length; k++) {
    const t = ts[k]!;
    const prev = ts[k - 1];
    const next = ts[k + 1];
    const after = (v: string) => next?.kind === 'op' && next.value === v;
    if (t.kind === 'name') {
      const attribute = prev?.kind === 'op' && prev.value === '.';
      if (attribute && t.value.startsWith('_')) {
        const kind = /^__.*__$/.test(t.value) ? 'a Python special attribute' : 'a private attribute';
        report('template.python-internals', 'critical', `.${t.value}: ${kind} (Jinja's sandbox refuses underscore names; unsandboxed rendering hands them over)`, t.start, t.end, block);
      } else if (!attribute && /^__|__$/.test(t.value)) {
        report('template.python-internals', 'critical', `${t.value}: a name built like a Python special attribute`, t.start, t.end, block);
      } else if (DANGEROUS_CALLS.has(t.value) && after('(')) {
        report('template.dangerous-name', 'critical', `${attribute ? '.' : ''}${t.value}(…): runs a process`, t.start, t.end, block);
      } else if (DANGEROUS_NAMES.has(t.value) && !(isImportStatement && t.value === 'import')) {
        if (attribute || after('(')) report('template.dangerous-name', 'critical', `${attribute ? '.' : ''}${t.value}${after('(') ? '(…)' : ''}: reaches the interpreter (processes, code, imports, attributes)`, t.start, t.end, block);
        else report('template.dangerous-name', 'medium', `${t.value}: a name that reaches the interpreter in Python; no chat template uses it`, t.start, t.end, block);
      } else if (!attribute) {
        if (ESCAPE_VIA_ATTRIBUTE.has(t.value) && (after('.') || after('[') || (after('|') && ts[k + 2]?.value === 'attr'))) {
          report('template.escape-global', 'medium', `${t.value}${next!.value}…: attributes of Jinja's ${t.value} global are the known way out of the sandbox (${t.value}.__init__.__globals__)`, t.start, t.end, block);
        } else if (ESCAPE_ANY_USE.has(t.value) && !after('=')) {
          report('template.escape-global', 'medium', `${t.value}: a global no chat template needs, used by sandbox-escape payloads`, t.start, t.end, block);
        }
      }
      if (t.value === 'attr' && prev?.value === '|' && after('(')) {
        const close = closes[k + 1]!;
        checkKey(ts, k + 2, close, 'attr', env, report, block, ts[k + 1]!.start, ts[close]?.end ?? block.end);
      }
    } else if (t.kind === 'op' && t.value === '[' && prev && (prev.kind === 'name' ? !KEYWORDS.has(prev.value) : prev.kind === 'string' || prev.value === ')' || prev.value === ']')) {
      const close = closes[k]!;
      checkKey(ts, k + 1, close, 'subscript', env, report, block, t.start, ts[close]?.end ?? block.end);
    } else if (t.kind === 'string') {
      if (WHOLE_SPECIAL_NAME.test(t.value)) {
        // A string that is nothing but a special name is an attribute name waiting for |attr, map('attr', …) or a subscript.
        report('template.python-internals', 'critical', `the string ${JSON.stringify(t.value)} is a Python special attribute name`, t.start, t.end, block);
      } else if (FORMAT_FIELD_DUNDER.test(t.value)) {
        report('template.python-internals', 'critical', `a format string that reads a special attribute (${FORMAT_FIELD_DUNDER.exec(t.value)![0]}): str.format follows attributes`, t.start, t.end, block);
      } else if (FULL_DUNDER.test(t.value)) {
        report('template.python-internals', 'high', `the string ${JSON.stringify(FULL_DUNDER.exec(t.value)![0])} names a Python special attribute`, t.start, t.end, block);
      }
      if (t.value.includes('\\N{')) report('template.computed-attribute', 'high', 'a \\N{…} escape: a character spelled by its name, a way to hide what a string holds', t.start, t.end, block);
    }
  }
}

/** The name given to |attr(…) or a subscript: what it folds to decides. */
function checkKey(ts: readonly Token[], from: number, to: number, where: 'attr' | 'subscript', env: Environment, report: Report, block: CodeBlock, start: number, end: number): void {
  if (to <= from) return;
  // Checked before anything is copied: nested keys would otherwise cost the square of their depth.
  if (to - from > MAX_KEY_TOKENS) {
    report('template.computed-attribute', 'high', `${where === 'attr' ? '|attr(…)' : '[…]'} with a name expression of ${to - from} tokens, too long to follow: no chat template needs one`, start, end, block);
    return;
  }
  const tokens = ts.slice(from, to);
  if (where === 'subscript' && tokens.some((x) => x.kind === 'op' && x.value === ':')) return; // a slice
  const folded = foldExpression(tokens, env);
  const shown = where === 'attr' ? '|attr(…)' : '[…]';
  if (folded.kind === 'const') {
    const name = folded.value;
    if (name.startsWith('_')) report('template.python-internals', 'critical', `${shown} reads ${JSON.stringify(name)}: Python's internals`, start, end, block);
    else if (DANGEROUS_NAMES.has(name) || DANGEROUS_CALLS.has(name)) report('template.dangerous-name', 'critical', `${shown} reads ${JSON.stringify(name)}, which reaches the interpreter`, start, end, block);
    return;
  }
  if (folded.kind === 'built') {
    report('template.computed-attribute', where === 'attr' ? 'critical' : 'high', `${shown} with a name built at render time (concatenation, join, format): the way payloads spell __class__ without writing it`, start, end, block);
  } else if (where === 'attr') {
    report('template.computed-attribute', 'high', `|attr(…) with a name that is not a literal: which attribute it reads is decided at render time`, start, end, block);
  }
}

/** For each opening bracket, the index of its closing one (ts.length when unclosed): one pass, so nested keys stay linear. */
function matchBrackets(ts: readonly Token[]): Int32Array {
  const closes = new Int32Array(ts.length).fill(ts.length);
  const open: number[] = [];
  for (let k = 0; k < ts.length; k++) {
    const v = ts[k]!;
    if (v.kind !== 'op') continue;
    if (v.value === '(' || v.value === '[' || v.value === '{') open.push(k);
    else if (v.value === ')' || v.value === ']' || v.value === '}') {
      const at = open.pop();
      if (at !== undefined) closes[at] = k;
    }
  }
  return closes;
}

const SNIPPET_CONTEXT = 40;
const SNIPPET_MAX = 200;

function snippet(source: string, start: number, end: number, block?: CodeBlock): string {
  const from = Math.max(block?.start ?? 0, start - SNIPPET_CONTEXT);
  const to = Math.min(block?.end ?? source.length, end + SNIPPET_CONTEXT, from + SNIPPET_MAX);
  return source.slice(from, Math.max(to, Math.min(end, from + SNIPPET_MAX)));
}
