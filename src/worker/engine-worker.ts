// The engine in a web worker, reached through Comlink. Files are passed in as
// Blobs; the worker reads them slice by slice, never whole.
import * as Comlink from 'comlink';
import { BlobByteSource } from '../engine/byte-source.js';
import type { Report } from '../engine/report.js';
import { scanSource } from '../engine/scan.js';
import { BlobSiblings } from '../engine/siblings.js';
import { disassemble, type DisasmPage } from '../engine/pickle/disassemble.js';
import { createImportPolicy } from '../engine/policy/index.js';
import { tensorStats, type TensorRef, type TensorStatsResult } from '../engine/tensor-stats.js';
import { DEFAULT_MEMORY_BUDGET_BYTES } from '../engine/wasm.js';
import { loadWasm } from './load-wasm.js';

/** Slice size of the hash pass: large enough to amortise the slice cost, small enough to report progress often. */
const HASH_SLICE_BYTES = 8 * 1024 * 1024;

export interface ScanRequest {
  file: Blob;
  /** Path shown in the report (relative path inside a dropped folder). */
  path: string;
  /** The other files of the same folder (name → Blob): shards, config.json, external data. */
  siblings: [name: string, file: Blob][];
  /** The user's extra safe pickle imports (a setting). */
  allow: readonly string[];
  /** Wasm memory the analysis may take (a setting); default 512 MiB. */
  memoryBudgetBytes?: number;
}

// One instance per worker, made on first use and again when the memory budget changes
// (a memory's maximum is fixed when it is made); the module is compiled once.
let wasm: { budget: number; instance: ReturnType<typeof loadWasm> } | undefined;
function engine(memoryBudgetBytes?: number): ReturnType<typeof loadWasm> {
  if (!wasm || (memoryBudgetBytes !== undefined && memoryBudgetBytes !== wasm.budget)) {
    const budget = memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
    const instance = loadWasm({ memoryBudgetBytes: budget });
    wasm = { budget, instance };
    instance.catch(() => { if (wasm?.instance === instance) wasm = undefined; }); // a failed load is tried again
  }
  return wasm.instance;
}

const api = {
  /** Resolves once the wasm is compiled and instantiated: the pool waits for it before handing out jobs. */
  async ready(): Promise<void> {
    await engine();
  },

  async scan(request: ScanRequest): Promise<Report> {
    const policy = request.allow.length ? createImportPolicy(request.allow) : undefined;
    return scanSource(new BlobByteSource(request.file, request.path), {
      wasm: await engine(request.memoryBudgetBytes),
      path: request.path,
      siblings: new BlobSiblings(request.siblings),
      ...(policy ? { policy } : {}),
    });
  },

  /** A page of a pickle's disassembly from an opcode offset (a finding's, or the last page's `next`). */
  async disassemble(file: Blob, from: number, count: number): Promise<DisasmPage> {
    return disassemble(await engine(), new BlobByteSource(file), from, count);
  },

  /** Statistics of one tensor, reading only its bytes. */
  async tensorStats(file: Blob, tensor: TensorRef): Promise<TensorStatsResult> {
    try {
      return await tensorStats(new BlobByteSource(file), tensor);
    } catch (error) {
      return { error: (error as Error).message };
    }
  },

  /** Streams the file through the wasm SHA-256; onProgress gets the bytes hashed so far. */
  async sha256(file: Blob, onProgress?: (bytesHashed: number) => void): Promise<string> {
    const hash = (await engine()).sha256();
    for (let offset = 0; offset < file.size; offset += HASH_SLICE_BYTES) {
      const slice = new Uint8Array(await file.slice(offset, offset + HASH_SLICE_BYTES).arrayBuffer());
      hash.update(slice);
      onProgress?.(offset + slice.length);
    }
    return hash.digestHex();
  },
};

export type EngineWorkerApi = typeof api;

Comlink.expose(api);
