// A PyValue as the Python it amounts to: what an analyst reads first.
// `posix.system('echo hi')`, `builtins.getattr(builtins.__import__('os'), 'system')`.
import type { PyValue } from './types.js';

/** Characters of one rendering; longer ones end in an ellipsis. */
export const MAX_RENDER_CHARS = 2000;

export function renderPython(value: PyValue, limit = MAX_RENDER_CHARS): string {
  const text = render(value);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

export function globalName(value: PyValue): string | undefined {
  if (value.type === 'global') return value.ext !== undefined ? `<extension code ${value.ext}>` : `${value.module}.${value.name}`;
  return undefined;
}

function render(v: PyValue): string {
  switch (v.type) {
    case 'none': return 'None';
    case 'bool': return v.value ? 'True' : 'False';
    case 'int': return v.value.toString();
    case 'float': return floatRepr(v.value);
    case 'str': return strRepr(v.value) + (v.truncated ? '…' : '');
    case 'bytes': return `${v.bytearray ? 'bytearray(' : ''}${bytesRepr(v.head)}${v.length > v.head.length ? `…(${v.length} bytes)` : ''}${v.bytearray ? ')' : ''}`;
    case 'tuple': return v.items.length === 1 && v.length === 1 ? `(${render(v.items[0]!)},)` : `(${list(v.items, v.length)})`;
    case 'list': return `[${list(v.items, v.length)}]`;
    case 'set': return v.length === 0 ? 'set()' : `{${list(v.items, v.length)}}`;
    case 'frozenset': return `frozenset({${list(v.items, v.length)}})`;
    case 'dict': return `{${dict(v.entries, v.length)}}`;
    case 'global': return globalName(v)!;
    case 'dynamic-global': return `find_class(${render(v.module)}, ${render(v.name)})`;
    case 'persid': return `persistent_load(${render(v.id)})`;
    case 'buffer': return '<out-of-band buffer>';
    case 'elided': return '…';
    case 'call': return call(v);
  }
}

function call(v: Extract<PyValue, { type: 'call' }>): string {
  const callee = render(v.callee);
  const args = v.args.map(render);
  if (v.argsLength !== undefined && v.argsLength > v.args.length) args.push('…');
  if (v.kwargs) {
    if (v.kwargs.type === 'dict' && v.kwargs.entries.every(([k]) => k.type === 'str' && /^[A-Za-z_]\w*$/.test(k.value))) {
      for (const [k, val] of v.kwargs.entries) args.push(`${(k as { value: string }).value}=${render(val)}`);
      if (v.kwargs.length > v.kwargs.entries.length) args.push('…');
    } else {
      args.push(`**${render(v.kwargs)}`);
    }
  }
  let text = v.via === 'NEWOBJ' || v.via === 'NEWOBJ_EX' ? `${callee}.__new__(${[callee, ...args].join(', ')})` : `${callee}(${args.join(', ')})`;
  if (v.state) text += `.__setstate__(${render(v.state)})`;
  if (v.items?.length) {
    const keyed = v.items.every(([k]) => k !== null);
    const more = (v.itemCount ?? 0) > v.items.length ? ', …' : '';
    text += keyed
      ? `.update({${v.items.map(([k, val]) => `${render(k!)}: ${render(val)}`).join(', ')}${more}})`
      : `.extend([${v.items.map(([, val]) => render(val)).join(', ')}${more}])`;
  }
  return text;
}

function list(items: PyValue[], length: number): string {
  const parts = items.map(render);
  if (length > items.length) parts.push(`… ${length - items.length} more`);
  return parts.join(', ');
}

function dict(entries: Array<[PyValue, PyValue]>, length: number): string {
  const parts = entries.map(([k, v]) => `${render(k)}: ${render(v)}`);
  if (length > entries.length) parts.push(`… ${length - entries.length} more`);
  return parts.join(', ');
}

export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0x80 && c < 0xa0) || (c >= 0xd800 && c < 0xe000) || c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      // invisible or direction-changing characters are shown escaped, never raw
      out += c <= 0xffff ? `\\u${c.toString(16).padStart(4, '0')}` : `\\U${c.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

function bytesRepr(bytes: Uint8Array): string {
  let out = "b'";
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x0a) out += '\\n';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "float('nan')";
  if (!Number.isFinite(x)) return x > 0 ? "float('inf')" : "-float('inf')";
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}
