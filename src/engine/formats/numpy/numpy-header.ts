// The .npy header is a Python dict literal; this reads exactly the literal
// subset numpy writes (dict, tuple, list, str, int, True/False/None) with a
// depth limit, and never evaluates anything.
import { LimitError, MalformedError } from '../../errors.js';

export type PyLiteral = string | number | boolean | null | PyLiteral[] | { tuple: PyLiteral[] } | Map<string, PyLiteral>;

/**
 * Nesting depth of the literal; structured dtypes nest a few levels. Closes unbounded recursion.
 * Python's parser (numpy reads the header with ast.literal_eval) nests up to 200, so past it is a limit, not malformed.
 */
export const MAX_LITERAL_DEPTH = 32;

export function parsePyLiteral(text: string, baseOffset: number): PyLiteral {
  let at = 0;
  const fail = (what: string): never => {
    throw new MalformedError(`npy header: ${what} at character ${at}`, { offset: baseOffset + at });
  };
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const value = (depth: number): PyLiteral => {
    if (depth > MAX_LITERAL_DEPTH) throw new LimitError('MAX_LITERAL_DEPTH', depth, `npy header nests deeper than ${MAX_LITERAL_DEPTH} levels (MAX_LITERAL_DEPTH) at character ${at}: not read further`, { offset: baseOffset + at });
    skipSpace();
    const c = text[at];
    if (c === '{') return dict(depth);
    if (c === '(' || c === '[') return sequence(depth, c);
    if (c === "'" || c === '"') return string();
    const word = /^[A-Za-z_]+|^[-+]?\d+L?/.exec(text.slice(at, at + 64));
    if (!word) return fail('unexpected character');
    at += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    const n = Number(word[0].replace(/L$/, ''));
    if (!Number.isSafeInteger(n)) return fail(`unsupported value ${word[0]}`);
    return n;
  };
  const string = (): string => {
    const quote = text[at++];
    let out = '';
    while (at < text.length && text[at] !== quote) {
      if (text[at] === '\\') {
        const next = text[at + 1];
        if (next === undefined) break;
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        at += 2;
      } else {
        out += text[at++];
      }
    }
    if (text[at] !== quote) fail('unterminated string');
    at++;
    return out;
  };
  const sequence = (depth: number, open: string): PyLiteral => {
    const close = open === '(' ? ')' : ']';
    at++;
    const items: PyLiteral[] = [];
    for (;;) {
      skipSpace();
      if (text[at] === close) break;
      items.push(value(depth + 1));
      skipSpace();
      if (text[at] === ',') at++;
      else if (text[at] !== close) fail(`expected ',' or '${close}'`);
    }
    at++;
    return open === '(' ? { tuple: items } : items;
  };
  const dict = (depth: number): PyLiteral => {
    at++;
    const map = new Map<string, PyLiteral>();
    for (;;) {
      skipSpace();
      if (text[at] === '}') break;
      const key = value(depth + 1);
      if (typeof key !== 'string') fail('dict key is not a string');
      skipSpace();
      if (text[at] !== ':') fail("expected ':'");
      at++;
      if (map.has(key as string)) fail(`duplicate key '${key as string}'`);
      map.set(key as string, value(depth + 1));
      skipSpace();
      if (text[at] === ',') at++;
      else if (text[at] !== '}') fail("expected ',' or '}'");
    }
    at++;
    return map;
  };
  const result = value(0);
  skipSpace();
  if (at !== text.length) fail('unexpected text after the header dict');
  return result;
}

export function isTuple(v: PyLiteral): v is { tuple: PyLiteral[] } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);
}
