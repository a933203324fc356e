// Strict JSON for every JSON file Weightlens reads (safetensors headers, model
// indexes, config.json): one grammar, checked by the wasm scanner
// (assembly/json/scanner.ts), which refuses invalid UTF-8, duplicate keys at
// any level, unpaired surrogate escapes and nesting past a limit, and reports
// byte offsets. This module builds the whole value; big headers use their own sink.
import { ValueBuilder } from './json/build-value.js';
import { scanJson, type JsonScanOptions } from './json/scan-json.js';
import type { JsonValue } from './json/value.js';
import type { WeightlensWasm } from './wasm.js';

export { JsonError, JsonFloat, valueOffsets, type JsonErrorKind, type JsonObject, type JsonValue } from './json/value.js';
export { JSON_MAX_OPEN_KEYS, type JsonScanOptions } from './json/scan-json.js';

/**
 * Parses exactly one JSON value from UTF-8 bytes; only JSON whitespace may
 * follow it. Throws JsonError (kind says which rule, `at` the byte offset).
 */
export function parseStrictJson(wasm: WeightlensWasm, bytes: Uint8Array, options: JsonScanOptions): JsonValue {
  const builder = new ValueBuilder(bytes);
  scanJson(wasm, bytes, options, builder);
  return builder.value;
}
