// A Jinja lexer for chat templates: splits the source into text, comments and
// code blocks ({{ … }}, {% … %}) and the code into tokens with their spans, the
// way Jinja's own lexer does (default delimiters, whitespace control with - and
// +, {% raw %}, brackets that keep a block open, Python escapes in strings).
// Offsets are UTF-16 indices into the template text.

export type TokenKind = 'name' | 'string' | 'number' | 'op';

export interface Token {
  kind: TokenKind;
  /** The name, the operator, the number's text, or the string's decoded value. */
  value: string;
  start: number;
  end: number;
}

export interface CodeBlock {
  /** 'expr' for {{ … }}, 'stmt' for {% … %}. */
  kind: 'expr' | 'stmt';
  start: number;
  end: number;
  tokens: Token[];
}

export interface TextSegment {
  start: number;
  end: number;
}

export interface LexedTemplate {
  /** Code blocks and text in source order, up to a syntax error. */
  parts: ({ type: 'code'; block: CodeBlock } | { type: 'text'; text: TextSegment })[];
  /** Where Jinja's grammar was broken: nothing from there on was tokenised. */
  error?: TemplateSyntaxError;
}

export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const NAMED_CHARACTERS: Record<string, string> = { 'LOW LINE': '_', 'FULL STOP': '.', SPACE: ' ' };
const OPERATORS = ['**', '//', '==', '!=', '>=', '<=', '+', '-', '*', '/', '%', '~', '|', '.', ',', ':', ';', '(', ')', '[', ']', '{', '}', '<', '>', '=', '!'];
const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const NAME_START = /[\p{L}\p{Nl}_]/u;
const NAME_PART = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_]/u;
const RAW_BEGIN = /\{%[-+]?\s*raw\s*[-+]?%\}/y;
const RAW_END = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;

export function lexTemplate(source: string): LexedTemplate {
  const parts: LexedTemplate['parts'] = [];
  try {
    lexInto(source, parts);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return { parts, error };
    throw error;
  }
  return { parts };
}

function lexInto(source: string, parts: LexedTemplate['parts']): void {
  let i = 0;
  let textStart = 0;
  const flushText = (end: number) => {
    if (end > textStart) parts.push({ type: 'text', text: { start: textStart, end } });
  };
  while (i < source.length) {
    const open = source.indexOf('{', i);
    if (open < 0 || open + 1 >= source.length) break;
    const next = source[open + 1];
    if (next !== '{' && next !== '%' && next !== '#') {
      i = open + 1;
      continue;
    }
    flushText(open);
    if (next === '#') {
      const close = source.indexOf('#}', open + 2);
      if (close < 0) throw new TemplateSyntaxError('comment not closed with #}', open);
      i = textStart = close + 2;
      continue;
    }
    RAW_BEGIN.lastIndex = open;
    if (next === '%' && RAW_BEGIN.test(source)) {
      RAW_END.lastIndex = RAW_BEGIN.lastIndex;
      const end = RAW_END.exec(source);
      if (!end) throw new TemplateSyntaxError('{% raw %} without {% endraw %}', open);
      parts.push({ type: 'text', text: { start: RAW_BEGIN.lastIndex, end: end.index } });
      i = textStart = end.index + end[0].length;
      continue;
    }
    const block = lexBlock(source, open, next === '{' ? 'expr' : 'stmt');
    parts.push({ type: 'code', block });
    i = textStart = block.end;
  }
  flushText(source.length);
}

const TWO_CHAR_OPERATORS = new Set(OPERATORS.filter((o) => o.length === 2));
const ONE_CHAR_OPERATORS = new Set(OPERATORS.filter((o) => o.length === 1));
const NUMBER = /[0-9][0-9_]*(\.[0-9_]+)?([eE][+-]?[0-9_]+)?/y;
const isSpace = (code: number) => code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || (code > 0x7f && /\s/.test(String.fromCharCode(code)));
const isDigit = (code: number) => code >= 0x30 && code <= 0x39;
const isAsciiNameStart = (code: number) => (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
const isNameStart = (code: number, c: string) => isAsciiNameStart(code) || (code > 0x7f && NAME_START.test(c));
const isNamePart = (code: number, c: string) => isAsciiNameStart(code) || isDigit(code) || (code > 0x7f && NAME_PART.test(c));

function lexBlock(source: string, open: number, kind: 'expr' | 'stmt'): CodeBlock {
  const closer = kind === 'expr' ? '}}' : '%}';
  const tokens: Token[] = [];
  const stack: string[] = [];
  let i = open + 2;
  if (source[i] === '-' || source[i] === '+') i++;
  for (;;) {
    while (i < source.length && isSpace(source.charCodeAt(i))) i++;
    if (i >= source.length) throw new TemplateSyntaxError(`block not closed with ${closer}`, open);
    if (stack.length === 0) {
      const ws = source[i] === '-' || source[i] === '+' ? 1 : 0;
      if (source.startsWith(closer, i + ws)) return { kind, start: open, end: i + ws + 2, tokens };
    }
    const code = source.charCodeAt(i);
    const c = source[i]!;
    const start = i;
    if (c === '"' || c === "'") {
      const { value, end } = lexString(source, i);
      tokens.push({ kind: 'string', value, start, end });
      i = end;
    } else if (isDigit(code)) {
      NUMBER.lastIndex = i;
      const text = NUMBER.exec(source)![0];
      tokens.push({ kind: 'number', value: text, start, end: i + text.length });
      i += text.length;
    } else if (isNameStart(code, c)) {
      let j = i + 1;
      while (j < source.length && isNamePart(source.charCodeAt(j), source[j]!)) j++;
      tokens.push({ kind: 'name', value: source.slice(i, j), start, end: j });
      i = j;
    } else {
      const two = source.slice(i, i + 2);
      const op = TWO_CHAR_OPERATORS.has(two) ? two : ONE_CHAR_OPERATORS.has(c) ? c : undefined;
      if (!op) throw new TemplateSyntaxError(`unexpected character ${JSON.stringify(c)}`, i);
      if (OPEN[op]) stack.push(OPEN[op]!);
      else if (op === ')' || op === ']' || op === '}') {
        if (stack.pop() !== op) throw new TemplateSyntaxError(`unbalanced ${op}`, i);
      }
      tokens.push({ kind: 'op', value: op, start, end: i + op.length });
      i += op.length;
    }
  }
}

/** A Jinja string literal: Jinja decodes it as Python's unicode-escape, so \x5f is an underscore. */
function lexString(source: string, at: number): { value: string; end: number } {
  const quote = source[at]!;
  let out = '';
  let i = at + 1;
  while (i < source.length) {
    const c = source[i]!;
    if (c === quote) return { value: out, end: i + 1 };
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = source[i + 1];
    if (e === undefined) break;
    const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' };
    if (e in simple) {
      out += simple[e];
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = source.slice(i + 2, i + 2 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw new TemplateSyntaxError('truncated \\x/\\u escape', i);
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) throw new TemplateSyntaxError('escape past U+10FFFF', i);
      out += String.fromCodePoint(code);
      i += 2 + width;
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(source.slice(i + 1, i + 4))![0];
      out += String.fromCodePoint(parseInt(m, 8));
      i += 1 + m.length;
    } else if (e === 'N') {
      const close = source.indexOf('}', i);
      if (source[i + 2] !== '{' || close < 0) throw new TemplateSyntaxError('malformed \\N{…} escape', i);
      // Only the names an attribute could be built from are resolved; others stay as a marker the checks flag.
      const name = source.slice(i + 3, close);
      out += NAMED_CHARACTERS[name.toUpperCase()] ?? `\\N{${name}}`;
      i = close + 1;
    } else {
      out += `\\${e}`;
      i += 2;
    }
  }
  throw new TemplateSyntaxError('string not closed', at);
}
