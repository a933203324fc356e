// A bounded reader of Python 3 marshal data, enough to summarise a Lambda
// layer's code object without running it: names, constants, nested code
// objects. The code object's field layout changed in 3.8 and 3.11 and the
// data does not say which Python wrote it, so each layout is tried, newest
// first; one fits only when the whole input parses with the right field types.

/** Decoded marshal bytes read; a lambda's code is a few hundred bytes, a large function a few KB. */
export const MAX_MARSHAL_BYTES = 1024 * 1024;
/** Nesting of containers and code objects; CPython's own marshal stops at 2000, real lambdas nest 2-3. */
export const MAX_MARSHAL_DEPTH = 200;
/** Objects decoded; bounds work on a crafted input of many tiny objects. */
export const MAX_MARSHAL_OBJECTS = 100_000;

export type MarshalValue =
  | { t: 'none' | 'true' | 'false' | 'ellipsis' | 'stopiteration' | 'null' }
  | { t: 'int'; value: bigint }
  | { t: 'float'; value: number }
  | { t: 'complex'; real: number; imag: number }
  | { t: 'bytes'; value: Uint8Array }
  | { t: 'str'; value: string }
  | { t: 'tuple' | 'list' | 'set' | 'frozenset'; items: MarshalValue[] }
  | { t: 'dict'; entries: [MarshalValue, MarshalValue][] }
  | { t: 'code'; code: CodeObject };

export interface CodeObject {
  argcount: number;
  flags: number;
  bytecode: Uint8Array;
  consts: MarshalValue[];
  names: string[];
  varnames: string[];
  filename: string;
  name: string;
  qualname?: string;
  firstLine: number;
}

export type CodeLayout = '3.11+' | '3.8-3.10' | '3.0-3.7';
const LAYOUTS: readonly CodeLayout[] = ['3.11+', '3.8-3.10', '3.0-3.7'];

export class MarshalError extends Error {
  override name = 'MarshalError';
}

export class MarshalLimit extends Error {
  override name = 'MarshalLimit';
  constructor(
    readonly limit: string,
    readonly value: number,
    message: string,
  ) {
    super(message);
  }
}

/** The value marshal.loads would build, and the code layout that fits; throws MarshalError when none does. */
export function readMarshal(bytes: Uint8Array): { value: MarshalValue; layout: CodeLayout } {
  if (bytes.length > MAX_MARSHAL_BYTES) throw new MarshalLimit('MAX_MARSHAL_BYTES', bytes.length, `${bytes.length} bytes of marshal data, over the ${MAX_MARSHAL_BYTES}-byte limit`);
  let first: Error | undefined;
  for (const layout of LAYOUTS) {
    try {
      const reader = new Reader(bytes, layout);
      const value = reader.object(0);
      if (reader.pos !== bytes.length) throw new MarshalError(`${bytes.length - reader.pos} bytes after the marshalled object`);
      return { value, layout };
    } catch (error) {
      if (error instanceof MarshalLimit) throw error;
      first ??= error as Error;
    }
  }
  throw new MarshalError(`not Python 3 marshal data (${first?.message ?? 'unreadable'})`);
}

const FLAG_REF = 0x80;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos = 0;
  private readonly refs: (MarshalValue | undefined)[] = [];
  private objects = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly layout: CodeLayout,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new MarshalError(`cut short at byte ${this.pos}`);
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  private i32(): number {
    this.need(4);
    const b = this.bytes;
    const v = b[this.pos]! | (b[this.pos + 1]! << 8) | (b[this.pos + 2]! << 16) | (b[this.pos + 3]! << 24);
    this.pos += 4;
    return v;
  }

  private size(): number {
    const n = this.i32();
    if (n < 0 || n > this.bytes.length - this.pos) throw new MarshalError(`a size of ${n} at byte ${this.pos - 4} is past the end of the data`);
    return n;
  }

  private take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private f64(): number {
    const raw = this.take(8);
    return new DataView(raw.buffer, raw.byteOffset, 8).getFloat64(0, true);
  }

  object(depth: number): MarshalValue {
    if (depth > MAX_MARSHAL_DEPTH) throw new MarshalLimit('MAX_MARSHAL_DEPTH', depth, `marshal data nests deeper than ${MAX_MARSHAL_DEPTH} levels`);
    if (++this.objects > MAX_MARSHAL_OBJECTS) throw new MarshalLimit('MAX_MARSHAL_OBJECTS', this.objects, `marshal data holds more than ${MAX_MARSHAL_OBJECTS} objects`);
    const at = this.pos;
    const code = this.u8();
    const type = String.fromCharCode(code & ~FLAG_REF);
    if (type === 'r') {
      const index = this.i32();
      const value = index >= 0 ? this.refs[index] : undefined;
      if (!value) throw new MarshalError(`a reference at byte ${at} to object ${index}, which does not exist yet`);
      return value;
    }
    // Reserved before the contents are read, as CPython does, so nested references count the same.
    const slot = code & FLAG_REF ? this.refs.push(undefined) - 1 : -1;
    const value = this.body(type, at, depth);
    if (slot >= 0) this.refs[slot] = value;
    return value;
  }

  private body(type: string, at: number, depth: number): MarshalValue {
    switch (type) {
      case '0': return { t: 'null' };
      case 'N': return { t: 'none' };
      case 'T': return { t: 'true' };
      case 'F': return { t: 'false' };
      case '.': return { t: 'ellipsis' };
      case 'S': return { t: 'stopiteration' };
      case 'i': return { t: 'int', value: BigInt(this.i32()) };
      case 'l': {
        const n = this.i32();
        const digits = Math.abs(n);
        if (digits > (this.bytes.length - this.pos) / 2) throw new MarshalError(`a long of ${digits} digits at byte ${at} is past the end of the data`);
        let value = 0n;
        const raw = this.take(digits * 2);
        for (let i = digits - 1; i >= 0; i--) value = (value << 15n) | BigInt(raw[i * 2]! | (raw[i * 2 + 1]! << 8));
        return { t: 'int', value: n < 0 ? -value : value };
      }
      case 'g': return { t: 'float', value: this.f64() };
      case 'f': return { t: 'float', value: Number(latin1.decode(this.take(this.u8()))) };
      case 'y': return { t: 'complex', real: this.f64(), imag: this.f64() };
      case 'x': return { t: 'complex', real: Number(latin1.decode(this.take(this.u8()))), imag: Number(latin1.decode(this.take(this.u8()))) };
      case 's': return { t: 'bytes', value: this.take(this.size()) };
      case 'u':
      case 't': {
        const raw = this.take(this.size());
        try {
          return { t: 'str', value: utf8.decode(raw) };
        } catch {
          // CPython writes lone surrogates with surrogatepass; shown, not rejected
          return { t: 'str', value: new TextDecoder('utf-8').decode(raw) };
        }
      }
      case 'a':
      case 'A': return { t: 'str', value: latin1.decode(this.take(this.size())) };
      case 'z':
      case 'Z': return { t: 'str', value: latin1.decode(this.take(this.u8())) };
      case ')': return { t: 'tuple', items: this.items(this.u8(), depth) };
      case '(': return { t: 'tuple', items: this.items(this.size(), depth) };
      case '[': return { t: 'list', items: this.items(this.size(), depth) };
      case '<': return { t: 'set', items: this.items(this.size(), depth) };
      case '>': return { t: 'frozenset', items: this.items(this.size(), depth) };
      case '{': {
        const entries: [MarshalValue, MarshalValue][] = [];
        for (;;) {
          const key = this.object(depth + 1);
          if (key.t === 'null') break;
          entries.push([key, this.object(depth + 1)]);
        }
        return { t: 'dict', entries };
      }
      case 'c': return { t: 'code', code: this.code(depth) };
      default:
        throw new MarshalError(`unknown type code 0x${type.charCodeAt(0).toString(16)} at byte ${at}`);
    }
  }

  private items(n: number, depth: number): MarshalValue[] {
    const out: MarshalValue[] = [];
    for (let i = 0; i < n; i++) out.push(this.object(depth + 1));
    return out;
  }

  private code(depth: number): CodeObject {
    const modern = this.layout === '3.11+';
    const argcount = this.i32();
    if (this.layout !== '3.0-3.7') this.i32(); // positional-only arguments
    this.i32(); // keyword-only arguments
    if (!modern) this.i32(); // nlocals
    this.i32(); // stack size
    const flags = this.i32();
    const bytecode = this.bytesField(depth, 'code');
    const consts = this.tupleField(depth, 'consts');
    const names = this.stringsField(depth, 'names');
    const varnames = this.stringsField(depth, modern ? 'localsplusnames' : 'varnames');
    if (modern) this.bytesField(depth, 'localspluskinds');
    else {
      this.stringsField(depth, 'freevars');
      this.stringsField(depth, 'cellvars');
    }
    const filename = this.stringField(depth, 'filename');
    const name = this.stringField(depth, 'name');
    const qualname = modern ? this.stringField(depth, 'qualname') : undefined;
    const firstLine = this.i32();
    this.bytesField(depth, 'line table');
    if (modern) this.bytesField(depth, 'exception table');
    return { argcount, flags, bytecode, consts: consts, names, varnames, filename, name, ...(qualname !== undefined ? { qualname } : {}), firstLine };
  }

  private bytesField(depth: number, what: string): Uint8Array {
    const v = this.object(depth + 1);
    if (v.t !== 'bytes') throw new MarshalError(`code object ${what} is a ${v.t}, not bytes`);
    return v.value;
  }

  private tupleField(depth: number, what: string): MarshalValue[] {
    const v = this.object(depth + 1);
    if (v.t !== 'tuple') throw new MarshalError(`code object ${what} is a ${v.t}, not a tuple`);
    return v.items;
  }

  private stringsField(depth: number, what: string): string[] {
    return this.tupleField(depth, what).map((item) => {
      if (item.t !== 'str') throw new MarshalError(`code object ${what} holds a ${item.t}, not a string`);
      return item.value;
    });
  }

  private stringField(depth: number, what: string): string {
    const v = this.object(depth + 1);
    if (v.t !== 'str') throw new MarshalError(`code object ${what} is a ${v.t}, not a string`);
    return v.value;
  }
}

/** Python-like text of a constant, for summaries (bounded). */
export function pythonRepr(value: MarshalValue, budget = 200): string {
  const text = reprOf(value, 0);
  return text.length > budget ? `${text.slice(0, budget)}…` : text;
}

function reprOf(v: MarshalValue, depth: number): string {
  if (depth > 8) return '…';
  switch (v.t) {
    case 'none': return 'None';
    case 'true': return 'True';
    case 'false': return 'False';
    case 'ellipsis': return 'Ellipsis';
    case 'stopiteration': return 'StopIteration';
    case 'null': return '<NULL>';
    case 'int': return v.value.toString();
    case 'float': return String(v.value);
    case 'complex': return `(${v.real}+${v.imag}j)`;
    case 'bytes': return `b${JSON.stringify(latin1.decode(v.value.subarray(0, 64)))}`;
    case 'str': return `'${v.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    case 'tuple': return `(${v.items.slice(0, 16).map((i) => reprOf(i, depth + 1)).join(', ')}${v.items.length === 1 ? ',' : ''})`;
    case 'list': return `[${v.items.slice(0, 16).map((i) => reprOf(i, depth + 1)).join(', ')}]`;
    case 'set':
    case 'frozenset': return `${v.t}({${v.items.slice(0, 16).map((i) => reprOf(i, depth + 1)).join(', ')}})`;
    case 'dict': return `{${v.entries.slice(0, 16).map(([k, x]) => `${reprOf(k, depth + 1)}: ${reprOf(x, depth + 1)}`).join(', ')}}`;
    case 'code': return `<code ${v.code.qualname ?? v.code.name}>`;
  }
}
