// tokenizer_config.json (Hugging Face transformers), recognised by content: a
// JSON object with a `chat_template`, a string or a list of {name, template}.
// Its templates are rendered with Jinja by transformers, vLLM, TGI and llama.cpp
// conversions; each is analysed by the chat-template checks. A chat_template.json
// ({"chat_template": "…"}) is recognised the same way.
import { readSpan } from '../byte-source.js';
import { LimitError, MalformedError } from '../errors.js';
import { analyseTemplate } from '../chat-template/index.js';
import type { SniffContext } from '../sniff/context.js';
import { JSON_MAX_OPEN_KEYS, JsonError, parseStrictJson, valueOffsets, type JsonObject, type JsonValue } from '../strict-json.js';
import type { FindingList, FormatDriver } from './driver.js';

/** Files past this are not parsed: real ones are under 20 MB even with 256k added tokens; bounds memory. */
export const MAX_TOKENIZER_CONFIG_BYTES = 64 * 1024 * 1024;
/** A template longer than this is not analysed: real ones are under 30 KB; bounds the analysis. */
export const MAX_CONFIG_TEMPLATE_CHARS = 1024 * 1024;
/** Nesting levels read; Python's json goes far deeper, so past it is a limit, not a malformed file. Bounds our recursion. */
export const MAX_JSON_DEPTH = 128;
/** Keys only a tokenizer configuration has near its start; a file is parsed only when its head names one. */
const HEAD_MARKERS = ['"chat_template"', '"added_tokens_decoder"', '"tokenizer_class"'];
const CLAIM_MARKER = '"chat_template"';

type Parsed = { ok: true; root: JsonObject } | { ok: false; error: string; at?: number; limit?: { name: string; value: number } };
const parsedBy = new WeakMap<SniffContext, Parsed>();

export interface ConfigTemplate {
  name: string;
  chars: number;
  analysed: boolean;
  issues: number;
}

export const tokenizerConfig: FormatDriver = {
  id: 'tokenizer-config',
  async sniff(ctx) {
    const head = await ctx.head();
    let at = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    while (head[at] === 0x20 || head[at] === 0x09 || head[at] === 0x0a || head[at] === 0x0d) at++;
    if (head[at] !== 0x7b) return null;
    const text = new TextDecoder('utf-8').decode(head);
    if (!HEAD_MARKERS.some((m) => text.includes(m))) return null;
    const parsed = await parse(ctx);
    parsedBy.set(ctx, parsed);
    const claims = parsed.ok ? parsed.root.has('chat_template') : text.includes(CLAIM_MARKER);
    return claims ? { label: 'tokenizer config (chat template)', details: {} } : null;
  },

  async analyse({ sniffContext, findings, content }) {
    const parsed = parsedBy.get(sniffContext) ?? (await parse(sniffContext));
    if (!parsed.ok) {
      if (parsed.limit) throw new LimitError(parsed.limit.name, parsed.limit.value, parsed.error, parsed.at === undefined ? {} : { offset: parsed.at });
      throw new MalformedError(parsed.error, parsed.at === undefined ? {} : { offset: parsed.at }, 'tokenizer.invalid-config');
    }
    const bytes = await readSpan(sniffContext.source, 0, sniffContext.source.size);
    const templates = collectTemplates(parsed.root);
    content.tokenizerClass = typeof parsed.root.get('tokenizer_class') === 'string' ? parsed.root.get('tokenizer_class') : null;
    content.chatTemplates = templates.map((t) => analyse(t, bytes, findings));
    return 'complete';
  },
};

async function parse(ctx: SniffContext): Promise<Parsed> {
  const source = ctx.source;
  if (source.size > MAX_TOKENIZER_CONFIG_BYTES) return { ok: false, error: `tokenizer configuration of ${source.size} bytes is larger than ${MAX_TOKENIZER_CONFIG_BYTES} bytes (MAX_TOKENIZER_CONFIG_BYTES): not parsed`, limit: { name: 'MAX_TOKENIZER_CONFIG_BYTES', value: source.size } };
  let bytes = await readSpan(source, 0, source.size);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    bytes = bytes.slice();
    bytes.fill(0x20, 0, 3);
  }
  try {
    const root = parseStrictJson(ctx.wasm, bytes, { maxDepth: MAX_JSON_DEPTH });
    if (!(root instanceof Map)) return { ok: false, error: 'tokenizer configuration is not a JSON object' };
    return { ok: true, root };
  } catch (error) {
    if (!(error instanceof JsonError)) throw error;
    if (error.kind === 'too-many-open-keys') return { ok: false, error: `tokenizer configuration JSON: ${error.message} (JSON_MAX_OPEN_KEYS = ${JSON_MAX_OPEN_KEYS})`, at: error.at, limit: { name: 'JSON_MAX_OPEN_KEYS', value: JSON_MAX_OPEN_KEYS + 1 } };
    if (error.kind === 'too-deep') return { ok: false, error: `tokenizer configuration JSON: ${error.message} (MAX_JSON_DEPTH): not read further`, at: error.at, limit: { name: 'MAX_JSON_DEPTH', value: MAX_JSON_DEPTH + 1 } };
    // A duplicate chat_template is how two loaders would render different templates: never parsed past.
    return { ok: false, error: `tokenizer configuration is not strict JSON: ${error.message}`, at: error.at };
  }
}

interface FoundTemplate {
  name: string;
  text: string;
  /** File offset of the string's opening quote. */
  quoteAt: number;
}

function collectTemplates(root: JsonObject): FoundTemplate[] {
  const value: JsonValue | undefined = root.get('chat_template');
  const at = valueOffsets.get(root)!.get('chat_template')!;
  const invalid = () => new MalformedError('chat_template is neither a string nor a list of {name, template} objects with string values', { offset: at }, 'tokenizer.invalid-config');
  if (typeof value === 'string') return [{ name: 'default', text: value, quoteAt: at }];
  if (value === null) return [];
  if (!Array.isArray(value)) throw invalid();
  return value.map((item) => {
    if (!(item instanceof Map)) throw invalid();
    const name = item.get('name');
    const text = item.get('template');
    if (typeof name !== 'string' || typeof text !== 'string') throw invalid();
    return { name, text, quoteAt: valueOffsets.get(item)!.get('template')! };
  });
}

function analyse(t: FoundTemplate, bytes: Uint8Array, findings: FindingList): ConfigTemplate {
  if (t.text.length > MAX_CONFIG_TEMPLATE_CHARS) {
    findings.add('scan.limit-reached', `chat template ${JSON.stringify(t.name)} is ${t.text.length} characters, over the ${MAX_CONFIG_TEMPLATE_CHARS}-character limit (MAX_CONFIG_TEMPLATE_CHARS): not analysed`, { offset: t.quoteAt }, { limit: 'MAX_CONFIG_TEMPLATE_CHARS', value: t.text.length });
    return { name: t.name, chars: t.text.length, analysed: false, issues: 0 };
  }
  const { issues, omitted } = analyseTemplate(t.text);
  const toFile = issues.length ? jsonStringOffsets(bytes, t.quoteAt) : undefined;
  for (const issue of issues) {
    const start = toFile![issue.start]!;
    const end = toFile![issue.start + issue.length]!;
    findings.add(issue.rule, `chat_template ${JSON.stringify(t.name)}: ${issue.message}`, { offset: start, length: end - start }, { template: t.name, templateOffset: issue.start, snippet: issue.snippet }, issue.severity);
  }
  for (const o of omitted) findings.add(o.rule, `chat_template ${JSON.stringify(t.name)}: ${o.count} more findings of this rule not listed`, { offset: t.quoteAt }, { template: t.name, count: o.count }, o.severity);
  return { name: t.name, chars: t.text.length, analysed: true, issues: issues.length + omitted.reduce((n, o) => n + o.count, 0) };
}

/**
 * For the JSON string whose opening quote is at `quoteAt`: the file offset of each
 * UTF-16 unit of its decoded value (and one past the end), so a span found in the
 * template is shown where it sits in the file, escapes and multi-byte characters included.
 */
export function jsonStringOffsets(bytes: Uint8Array, quoteAt: number): Int32Array {
  const offsets: number[] = [];
  let p = quoteAt + 1;
  while (p < bytes.length && bytes[p] !== 0x22) {
    const b = bytes[p]!;
    if (b === 0x5c) {
      offsets.push(p);
      p += bytes[p + 1] === 0x75 ? 6 : 2;
    } else if (b < 0x80) {
      offsets.push(p);
      p += 1;
    } else if (b >= 0xf0) {
      offsets.push(p, p); // a surrogate pair: two UTF-16 units, one character
      p += 4;
    } else {
      offsets.push(p);
      p += b >= 0xe0 ? 3 : 2;
    }
  }
  offsets.push(p);
  return Int32Array.from(offsets);
}
