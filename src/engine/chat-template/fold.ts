// What an expression evaluates to, as far as it can be known without running
// it: a constant string (string literals joined with ~, +, |join, |lower …), a
// string built at render time from something unknown, or anything else. Used
// to see through `x|attr('__cla' ~ 'ss__')` and `{% set a = [...]|join %}`.
import type { Token } from './lexer.js';

export type Folded =
  | { kind: 'const'; value: string }
  | { kind: 'list'; items: Folded[] }
  /** A string made at render time (concatenation, join, format) from parts not all known. */
  | { kind: 'built' }
  /** A plain variable or value of unknown content. */
  | { kind: 'other' };

export type Environment = ReadonlyMap<string, Folded>;

const BUILT: Folded = { kind: 'built' };
const OTHER: Folded = { kind: 'other' };
const CONSTANT_FILTERS: Record<string, (s: string) => string> = {
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  trim: (s) => s.trim(),
  string: (s) => s,
  reverse: (s) => [...s].reverse().join(''),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
};
/** Filters and methods that make strings: their result is built when not computed here. */
const STRING_MAKERS = new Set(['join', 'format', 'format_map', 'replace', 'string', 'lower', 'upper', 'trim', 'reverse', 'capitalize', 'title', 'center', 'first', 'last', 'urlencode', 'striptags', 'safe', 'escape', 'e']);

export function foldExpression(tokens: readonly Token[], env: Environment): Folded {
  const parser = new Parser(tokens, env);
  try {
    const value = parser.expression();
    if (parser.done()) return value;
  } catch {
    // fall through: an expression this evaluator does not follow
  }
  return tokens.some((t) => t.kind === 'string' || t.value === '~') ? BUILT : OTHER;
}

class Parser {
  private i = 0;
  constructor(
    private readonly ts: readonly Token[],
    private readonly env: Environment,
  ) {}

  done(): boolean {
    return this.i >= this.ts.length;
  }

  private peek(value?: string): Token | undefined {
    const t = this.ts[this.i];
    return value === undefined || (t && t.kind !== 'string' && t.value === value) ? t : undefined;
  }

  private expect(value: string): void {
    if (!this.peek(value)) throw new Error(`expected ${value}`);
    this.i++;
  }

  expression(): Folded {
    let v = this.postfix();
    for (;;) {
      const op = this.peek('~') ?? this.peek('+') ?? this.peek('%');
      if (!op) return v;
      this.i++;
      const w = this.postfix();
      if (op.value === '~') v = v.kind === 'const' && w.kind === 'const' ? { kind: 'const', value: v.value + w.value } : BUILT;
      else if (op.value === '+') v = v.kind === 'const' && w.kind === 'const' ? { kind: 'const', value: v.value + w.value } : isStringy(v) || isStringy(w) ? BUILT : OTHER;
      else v = isStringy(v) ? BUILT : OTHER;
    }
  }

  private postfix(): Folded {
    let v = this.primary();
    for (;;) {
      if (this.peek('|')) {
        this.i++;
        const name = this.name();
        const args = this.peek('(') ? this.args() : [];
        v = applyFilter(v, name, args);
      } else if (this.peek('.')) {
        this.i++;
        const name = this.name();
        if (this.peek('(')) {
          const args = this.args();
          if (name === 'join' && v.kind === 'const' && args[0]?.kind === 'list') v = joinList(args[0], v.value);
          else if (v.kind === 'const' && CONSTANT_FILTERS[name]) v = { kind: 'const', value: CONSTANT_FILTERS[name]!(v.value) };
          else v = isStringy(v) || STRING_MAKERS.has(name) ? BUILT : OTHER;
        } else v = OTHER;
      } else if (this.peek('[')) {
        this.i++;
        this.skipTo(']');
        v = v.kind === 'const' || v.kind === 'built' ? BUILT : OTHER;
      } else return v;
    }
  }

  private primary(): Folded {
    const t = this.ts[this.i];
    if (!t) throw new Error('end');
    this.i++;
    if (t.kind === 'string') {
      let value = t.value;
      // Adjacent literals concatenate, as in Python.
      while (this.ts[this.i]?.kind === 'string') value += this.ts[this.i++]!.value;
      return { kind: 'const', value };
    }
    if (t.kind === 'number') return OTHER;
    if (t.kind === 'name') {
      if (t.value === 'not' || t.value === '-') return (this.postfix(), OTHER);
      return this.env.get(t.value) ?? OTHER;
    }
    if (t.value === '(') {
      const v = this.expression();
      this.expect(')');
      return v;
    }
    if (t.value === '[') {
      const items: Folded[] = [];
      while (!this.peek(']')) {
        items.push(this.expression());
        if (!this.peek(',')) break;
        this.i++;
      }
      this.expect(']');
      return { kind: 'list', items };
    }
    throw new Error(`unexpected ${t.value}`);
  }

  private name(): string {
    const t = this.ts[this.i];
    if (t?.kind !== 'name') throw new Error('expected a name');
    this.i++;
    return t.value;
  }

  private args(): Folded[] {
    this.expect('(');
    const out: Folded[] = [];
    while (!this.peek(')')) {
      // keyword arguments: name=value
      if (this.ts[this.i]?.kind === 'name' && this.ts[this.i + 1]?.value === '=' && this.ts[this.i + 1]?.kind === 'op') this.i += 2;
      out.push(this.expression());
      if (!this.peek(',')) break;
      this.i++;
    }
    this.expect(')');
    return out;
  }

  private skipTo(close: string): void {
    let depth = 0;
    while (this.i < this.ts.length) {
      const t = this.ts[this.i++]!;
      if (t.kind === 'op' && (t.value === '[' || t.value === '(')) depth++;
      else if (t.kind === 'op' && (t.value === ']' || t.value === ')')) {
        if (depth === 0 && t.value === close) return;
        depth--;
      }
    }
    throw new Error('unclosed');
  }
}

const isStringy = (v: Folded) => v.kind === 'const' || v.kind === 'built' || v.kind === 'list';

function joinList(list: Extract<Folded, { kind: 'list' }>, separator: string): Folded {
  const parts: string[] = [];
  for (const item of list.items) {
    if (item.kind !== 'const') return BUILT;
    parts.push(item.value);
  }
  return { kind: 'const', value: parts.join(separator) };
}

function applyFilter(v: Folded, name: string, args: Folded[]): Folded {
  if (name === 'join') {
    const sep = args[0]?.kind === 'const' ? args[0].value : args.length === 0 ? '' : undefined;
    return v.kind === 'list' && sep !== undefined ? joinList(v, sep) : BUILT;
  }
  if (v.kind === 'const' && CONSTANT_FILTERS[name]) return { kind: 'const', value: CONSTANT_FILTERS[name]!(v.value) };
  if (v.kind === 'const' && name === 'replace' && args[0]?.kind === 'const' && args[1]?.kind === 'const') return { kind: 'const', value: v.value.split(args[0].value).join(args[1].value) };
  if (STRING_MAKERS.has(name)) return BUILT;
  return isStringy(v) ? BUILT : OTHER;
}
