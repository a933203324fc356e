// tokenizer_config.json: recognised by content (an object with chat_template),
// each template checked, findings located at the template's bytes in the file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CountingByteSource } from '../src/engine/byte-source.js';
import { MAX_CONFIG_TEMPLATE_CHARS, MAX_JSON_DEPTH, MAX_TOKENIZER_CONFIG_BYTES } from '../src/engine/formats/tokenizer-config.js';
import { scanSource } from '../src/engine/scan.js';
import { scanBytes, validateReport, wasm } from './helpers.js';

const fixture = (name: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(`fixtures/gguf/${name}`, import.meta.url))));
const text = (s: string) => new TextEncoder().encode(s);

describe('tokenizer_config.json', () => {
  it.each(['tokenizer_config-qwen2.5.json', 'tokenizer_config-list.json'])('recognises %s by content and finds it clean', async (name) => {
    const r = await scanBytes(fixture(name), 'anything.bin');
    expect(validateReport(r), JSON.stringify(validateReport.errors)).toBe(true);
    expect(r.format).toBe('tokenizer-config');
    expect(r.verdict).toBe('clean');
    expect((r.content.chatTemplates as unknown[]).length).toBeGreaterThan(0);
  });

  it('names each template of a list', async () => {
    const r = await scanBytes(fixture('tokenizer_config-list.json'));
    expect((r.content.chatTemplates as { name: string }[]).map((t) => t.name)).toEqual(['default', 'tool_use']);
    expect(r.content.tokenizerClass).toBe('Qwen2Tokenizer');
  });

  it.each([
    ['tokenizer_config-hostile.json', 'default'],
    ['tokenizer_config-hostile-list.json', 'rag'],
  ])('calls %s malicious, naming the template', async (name, template) => {
    const bytes = fixture(name);
    const r = await scanBytes(bytes);
    expect(r.verdict).toBe('malicious');
    const critical = r.findings.filter((f) => f.severity === 'critical');
    expect(critical.length).toBeGreaterThan(0);
    expect(new Set(critical.map((f) => f.evidence.template))).toEqual(new Set([template]));
    const dunder = critical.find((f) => f.rule === 'template.python-internals')!;
    const { offset, length } = dunder.location;
    expect(new TextDecoder().decode(bytes.subarray(offset!, offset! + length!))).toMatch(/^_/);
  });

  it('maps spans to file bytes across JSON escapes and multi-byte characters', async () => {
    const template = 'é😀\n\t"\u00e9{{ x.__class__ }}';
    const bytes = text(JSON.stringify({ chat_template: template }));
    const r = await scanBytes(bytes);
    const f = r.findings[0]!;
    expect(new TextDecoder().decode(bytes.subarray(f.location.offset!, f.location.offset! + f.location.length!))).toBe('__class__');
  });

  it('is malformed when chat_template has the wrong shape, or appears twice', async () => {
    for (const name of ['tokenizer_config-invalid.json', 'tokenizer_config-duplicate.json']) {
      const r = await scanBytes(fixture(name));
      expect(r.format, name).toBe('tokenizer-config');
      expect(r.verdict, name).toBe('malformed');
      expect(r.findings.map((f) => f.rule), name).toEqual(['tokenizer.invalid-config']);
    }
  });

  it('finds a chat_template that comes after a big added_tokens_decoder', async () => {
    const decoder = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [String(i), { content: `<tok${i}>`, special: true }]));
    const r = await scanBytes(text(JSON.stringify({ added_tokens_decoder: decoder, chat_template: '{{ lipsum.__globals__ }}' })));
    expect(r.format).toBe('tokenizer-config');
    expect(r.verdict).toBe('malicious');
  });

  it('leaves other JSON alone (a config.json, a tokenizer config without a template)', async () => {
    expect((await scanBytes(text('{"model_type": "llama", "hidden_size": 4096}'))).format).toBe('unknown');
    expect((await scanBytes(text('{"tokenizer_class": "LlamaTokenizer", "model_max_length": 4096}'))).format).toBe('unknown');
  });

  it('MAX_CONFIG_TEMPLATE_CHARS: a longer template is reported unanalysed', async () => {
    const r = await scanBytes(text(JSON.stringify({ chat_template: `{{ x }}${' '.repeat(MAX_CONFIG_TEMPLATE_CHARS)}` })));
    expect(r.findings.map((f) => f.evidence.limit)).toEqual(['MAX_CONFIG_TEMPLATE_CHARS']);
    expect(r.verdict).toBe('suspicious');
  });

  it(`MAX_JSON_DEPTH (${MAX_JSON_DEPTH} levels): a config nesting that deep is read; one level more is a limit (Python's json reads it), not malformed`, async () => {
    const nested = (levels: number) => text(`{"chat_template": "{{ x }}", "deep": ${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`);
    const at = await scanBytes(nested(MAX_JSON_DEPTH));
    expect(at.format).toBe('tokenizer-config');
    expect(at.findings).toEqual([]);
    expect(at.verdict).toBe('clean');
    const over = await scanBytes(nested(MAX_JSON_DEPTH + 1));
    expect(over.format).toBe('tokenizer-config');
    expect(over.findings).toMatchObject([{ rule: 'scan.limit-reached', evidence: { limit: 'MAX_JSON_DEPTH', value: MAX_JSON_DEPTH + 1 } }]);
    expect(over.findings[0]!.location.offset).toBeGreaterThan(0);
    expect(over.verdict).toBe('suspicious');
  });

  it('MAX_TOKENIZER_CONFIG_BYTES: a larger file is not parsed, and says so', async () => {
    const head = text('{"chat_template": "{{ messages }}", "pad": "');
    class Big extends CountingByteSource {
      readonly name = 'tokenizer_config.json';
      readonly size = MAX_TOKENIZER_CONFIG_BYTES + 1;
      protected async fetch(offset: number, length: number): Promise<Uint8Array> {
        const out = new Uint8Array(length).fill(0x20);
        out.set(head.subarray(offset, offset + length));
        return out;
      }
    }
    const source = new Big();
    const r = await scanSource(source, { wasm: await wasm() });
    expect(r.format).toBe('tokenizer-config');
    expect(r.findings.map((f) => f.evidence.limit)).toEqual(['MAX_TOKENIZER_CONFIG_BYTES']);
    // Sniffing reads the head and the tail (a zip's directory); the 64 MiB body is never read.
    expect(source.bytesRead).toBeLessThan(256 * 1024);
  });
});
