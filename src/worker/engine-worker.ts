// The engine in a web worker, reached through Comlink. The File itself is
// passed in; the worker reads it slice by slice.
import * as Comlink from 'comlink';
import { BlobByteSource } from '../engine/byte-source.js';
import type { Report } from '../engine/report.js';
import { scanSource } from '../engine/scan.js';
import { disassemble, type DisasmPage } from '../engine/pickle/disassemble.js';
import { createImportPolicy } from '../engine/policy/index.js';
import { loadWasm } from './load-wasm.js';

/** Slice size of the hash pass: large enough to amortise the slice cost, small enough to report progress. */
const HASH_SLICE_BYTES = 8 * 1024 * 1024;

const wasm = loadWasm();

const api = {
  /** `allow`: the user's extra safe pickle imports (a setting); a malformed entry throws PolicyError. */
  async scan(file: Blob, path: string, allow: readonly string[] = []): Promise<Report> {
    const policy = allow.length ? createImportPolicy(allow) : undefined;
    return scanSource(new BlobByteSource(file, path), { wasm: await wasm, path, ...(policy ? { policy } : {}) });
  },

  /** A page of a raw pickle's disassembly from an opcode offset (a finding's, or the last page's `next`). */
  async disassemble(file: Blob, from: number, count: number): Promise<DisasmPage> {
    return disassemble(await wasm, new BlobByteSource(file), from, count);
  },

  /** Streams the file through the wasm SHA-256; progress gets bytes hashed so far. */
  async sha256(file: Blob, onProgress?: (bytesHashed: number) => void): Promise<string> {
    const hash = (await wasm).sha256();
    for (let offset = 0; offset < file.size; offset += HASH_SLICE_BYTES) {
      const slice = new Uint8Array(await file.slice(offset, offset + HASH_SLICE_BYTES).arrayBuffer());
      hash.update(slice);
      await onProgress?.(offset + slice.length);
    }
    return hash.digestHex();
  },
};

export type EngineWorkerApi = typeof api;

Comlink.expose(api);
