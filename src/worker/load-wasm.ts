// The browser's half of the wasm loader: compile while downloading from our own
// origin. (Node's half is src/node/load-wasm.ts.) asc's ESM bindings are not
// used: their top-level await races with Comlink's message handler in workers.
import wasmUrl from '../../build/weightlens.wasm?url';
import { WeightlensWasm, type WasmOptions } from '../engine/wasm.js';

/** Compiles the module once per worker; each budget gets its own instance of it. */
let compiled: Promise<WebAssembly.Module> | undefined;

export async function loadWasm(options: WasmOptions = {}): Promise<WeightlensWasm> {
  compiled ??= compile();
  try {
    return await WeightlensWasm.instantiate(await compiled, options);
  } catch (error) {
    compiled = undefined; // a failed download is tried again on the next file
    throw error;
  }
}

async function compile(): Promise<WebAssembly.Module> {
  const response = await fetch(wasmUrl);
  if (!response.ok) throw new Error(`could not load the analyser (${response.status} ${response.statusText})`);
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compileStreaming(response.clone());
  } catch {
    // A server that sends the wrong MIME type defeats streaming; compile from bytes instead.
    module = await WebAssembly.compile(await response.arrayBuffer());
  }
  return module;
}
