// Node's half of the wasm loader: read build/weightlens.wasm from disk.
// (The browser's half is src/worker/load-wasm.ts.) src/node and lib/node sit at
// the same depth, so the relative path holds from sources and from the build.
import { readFile } from 'node:fs/promises';
import { WeightlensWasm, type WasmOptions } from '../engine/wasm.js';

export const WASM_URL = new URL('../../build/weightlens.wasm', import.meta.url);

export async function loadWasm(options: WasmOptions = {}): Promise<WeightlensWasm> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await readFile(WASM_URL));
  } catch (error) {
    throw new Error(`cannot read ${WASM_URL.pathname}: run "npm run build" first (${(error as Error).message})`);
  }
  return WeightlensWasm.instantiate(await WebAssembly.compile(bytes), options);
}
