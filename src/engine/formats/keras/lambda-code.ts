// What a Lambda layer's serialized function would run: Keras writes
// base64(marshal.dumps(fn.__code__)) (python_utils.func_dump) and loads it
// back with marshal.loads. Decoded here into a summary — the code objects'
// names, the globals and attributes they use (co_names), their string and
// number constants — never executed.
import { MarshalError, MarshalLimit, pythonRepr, readMarshal, type CodeObject, type MarshalValue } from './marshal.js';

/** Characters of base64 accepted: MAX_MARSHAL_BYTES of data and the newlines codecs.encode adds. */
const MAX_BASE64_CHARS = 2 * 1024 * 1024;
/** Entries per summary list; a lambda has a handful. */
const MAX_LISTED = 64;
/** Characters of text shown when the function is not bytecode (source text, or garbage Keras would fail on). */
const MAX_TEXT_SHOWN = 2000;

export interface CodeSummary {
  name: string;
  qualname?: string;
  filename: string;
  firstLine: number;
  argcount: number;
  varnames: string[];
  names: string[];
  constants: string[];
  bytecodeBytes: number;
}

export interface LambdaCode {
  /** 'bytecode' decoded; 'text' when the field is not base64 marshal data (shown as is). */
  kind: 'bytecode' | 'text';
  layout?: string;
  marshalBytes?: number;
  code?: CodeSummary[];
  /** Every co_names entry of every code object: the globals, modules and attributes it reaches. */
  names?: string[];
  /** Every string constant. */
  strings?: string[];
  text?: string;
  error?: string;
}

export function decodeLambda(encoded: string): LambdaCode {
  if (encoded.length > MAX_BASE64_CHARS) return { kind: 'text', text: encoded.slice(0, MAX_TEXT_SHOWN), error: `${encoded.length} characters, over the ${MAX_BASE64_CHARS}-character limit: not decoded` };
  const bytes = base64(encoded);
  if (!bytes) return { kind: 'text', text: encoded.slice(0, MAX_TEXT_SHOWN), error: 'not base64' };
  let value: MarshalValue;
  let layout: string;
  try {
    ({ value, layout } = readMarshal(bytes));
  } catch (error) {
    if (error instanceof MarshalError || error instanceof MarshalLimit) return { kind: 'text', text: encoded.slice(0, MAX_TEXT_SHOWN), error: error.message };
    throw error;
  }
  if (value.t !== 'code') return { kind: 'text', text: pythonRepr(value, MAX_TEXT_SHOWN), error: `marshal data of a ${value.t}, not a code object` };
  const codes: CodeObject[] = [];
  collect(value, codes, 0);
  const names = new Set<string>();
  const strings = new Set<string>();
  for (const c of codes) {
    c.names.forEach((n) => names.add(n));
    for (const k of c.consts) if (k.t === 'str') strings.add(k.value);
  }
  return {
    kind: 'bytecode',
    layout: `Python ${layout} code object`,
    marshalBytes: bytes.length,
    code: codes.slice(0, MAX_LISTED).map(summarise),
    names: [...names].slice(0, MAX_LISTED),
    strings: [...strings].slice(0, MAX_LISTED).map((s) => cut(s)),
  };
}

function collect(value: MarshalValue, out: CodeObject[], depth: number): void {
  if (depth > 64) return;
  if (value.t === 'code') {
    out.push(value.code);
    for (const k of value.code.consts) collect(k, out, depth + 1);
  } else if (value.t === 'tuple' || value.t === 'frozenset') {
    for (const k of value.items) collect(k, out, depth + 1);
  }
}

function summarise(c: CodeObject): CodeSummary {
  return {
    name: c.name,
    ...(c.qualname !== undefined ? { qualname: c.qualname } : {}),
    filename: c.filename,
    firstLine: c.firstLine,
    argcount: c.argcount,
    varnames: c.varnames.slice(0, MAX_LISTED),
    names: c.names.slice(0, MAX_LISTED),
    constants: c.consts.filter((k) => k.t !== 'code').slice(0, MAX_LISTED).map((k) => pythonRepr(k)),
    bytecodeBytes: c.bytecode.length,
  };
}

function cut(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

/** binascii.a2b_base64 as Keras calls it: whitespace ignored, '=' ends the data; anything else is not base64. */
function base64(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  let sextets = 0;
  for (const ch of text) {
    if (ch === '\n' || ch === '\r' || ch === ' ' || ch === '\t') continue;
    if (ch === '=') break;
    const v = INDEX.get(ch);
    if (v === undefined) return undefined;
    value = ((value << 6) | v) & 0xffffff;
    bits += 6;
    sextets++;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 0xff);
    }
  }
  if (sextets % 4 === 1 || out.length === 0) return undefined;
  return Uint8Array.from(out);
}
