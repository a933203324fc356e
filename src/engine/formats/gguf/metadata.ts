// What the metadata says: checks on the keys that shape the file (duplicates,
// general.alignment, bool bytes) and a JSON summary of every value for the
// report, with big arrays (tokenizer.ggml.tokens) summarised by count and first items.
import type { MetadataEntry } from './header.js';
import { quote } from './header.js';
import { SHOWN_STRING_CHARS } from './limits.js';
import type { CappedFindings } from './tensors.js';
import type { GgufValue, Scalar } from './values.js';

/** ggml's GGUF_DEFAULT_ALIGNMENT, used when general.alignment is absent. */
export const DEFAULT_ALIGNMENT = 32;

export type JsonScalar = number | string | boolean | null;
export type SummaryValue = JsonScalar | { length: number; itemType: string; first: SummaryValue[] } | { text: string; bytes: number; truncated: true };

export interface MetadataRow {
  key: string;
  type: string;
  value: SummaryValue;
}

/** Flags duplicate keys and bad bools; returns the alignment to use (the default when the key is invalid). */
export function checkMetadata(entries: readonly MetadataEntry[], badBool: { offset: number; byte: number } | undefined, out: CappedFindings): number {
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.key)) out.add('gguf.duplicate-key', `metadata key ${quote(e.key)} appears twice: llama.cpp refuses the file, other readers keep one of the two values`, { offset: e.offset });
    seen.add(e.key);
  }
  if (badBool) out.add('gguf.invalid-value', `a bool holds the byte ${badBool.byte}; GGUF bools are 0 or 1 (llama.cpp reads the byte into a C++ bool: undefined behaviour)`, { offset: badBool.offset });
  const entry = entries.find((e) => e.key === 'general.alignment');
  if (!entry) return DEFAULT_ALIGNMENT;
  const v = entry.value;
  if (v.type !== 'uint32') {
    out.add('gguf.invalid-alignment', `general.alignment is a ${v.type}, not a uint32: llama.cpp aborts on it; the default ${DEFAULT_ALIGNMENT} is used for the checks`, { offset: entry.offset });
    return DEFAULT_ALIGNMENT;
  }
  const a = v.value as number;
  if (a === 0 || (a & (a - 1)) !== 0) {
    out.add('gguf.invalid-alignment', `general.alignment is ${a}: it must be a non-zero power of two; the default ${DEFAULT_ALIGNMENT} is used for the checks`, { offset: entry.offset }, { alignment: a });
    return DEFAULT_ALIGNMENT;
  }
  return a;
}

export function scalarJson(v: Scalar): JsonScalar {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

export function summarise(v: GgufValue): SummaryValue {
  if (v.type === 'string') {
    const s = v.value;
    if (s.complete && s.text.length <= SHOWN_STRING_CHARS) return s.text;
    return { text: s.text.slice(0, SHOWN_STRING_CHARS), bytes: s.bytes, truncated: true };
  }
  if (v.type === 'array') return { length: v.value.length, itemType: v.value.itemType, first: v.value.items.map(summarise) };
  return scalarJson(v.value);
}

export function typeLabel(v: GgufValue): string {
  if (v.type !== 'array') return v.type;
  const first = v.value.items[0];
  return v.value.itemType === 'array' && first ? `array<${typeLabel(first)}>` : `array<${v.value.itemType}>`;
}

export function summariseMetadata(entries: readonly MetadataEntry[]): MetadataRow[] {
  return entries.map((e) => ({ key: e.key, type: typeLabel(e.value), value: summarise(e.value) }));
}
