// Shared test helpers: the real wasm build, fixture paths, the report schemas.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import type { Report } from '../src/engine/report.js';
import { scanSource } from '../src/engine/scan.js';
import type { WeightlensWasm } from '../src/engine/wasm.js';
import { loadWasm } from '../src/node/load-wasm.js';

let wasmPromise: Promise<WeightlensWasm> | undefined;
export function wasm(): Promise<WeightlensWasm> {
  wasmPromise ??= loadWasm();
  return wasmPromise;
}

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`fixtures/sniff/${name}`, import.meta.url));
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}

/** Files from test/fixtures/make_container_fixtures.py. */
export function containerBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`fixtures/containers/${name}`, import.meta.url))));
}

export async function scanBytes(bytes: Uint8Array, name = 'test.bin'): Promise<Report> {
  return scanSource(new MemoryByteSource(bytes, name), { wasm: await wasm() });
}

function loadSchema(name: string): object {
  return JSON.parse(readFileSync(new URL(`../docs/${name}`, import.meta.url), 'utf8')) as object;
}

const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addSchema(loadSchema('report.schema.json'));
ajv.addSchema(loadSchema('scan-result.schema.json'));

export const validateReport = ajv.getSchema('https://weightlens.invalid/schema/report-1.json')!;
export const validateScanResult = ajv.getSchema('https://weightlens.invalid/schema/scan-result-1.json')!;

export function concat(...parts: (Uint8Array | number[] | string)[]): Uint8Array {
  return joinBytes(parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p))));
}

/** Byte arrays end to end; takes an array, so 10^5 parts never become 10^5 call arguments. */
export function joinBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of parts) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Incompressible bytes (xorshift32). */
export function randomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
