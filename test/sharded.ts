// Hand-built sharded safetensors models for the index tests and the CLI tests.
import { concat } from './helpers.js';

const SIZES: Record<string, number> = { F32: 4, F16: 2, U8: 1, I64: 8 };

/** A valid safetensors shard holding `tensors` (name → [dtype, shape]) back to back. */
export function shard(tensors: Record<string, [string, number[]]>): Uint8Array {
  const header: Record<string, object> = {};
  let at = 0;
  for (const [name, [dtype, shape]] of Object.entries(tensors)) {
    const bytes = shape.reduce((n, d) => n * d, 1) * SIZES[dtype]!;
    header[name] = { dtype, shape, data_offsets: [at, at + bytes] };
    at += bytes;
  }
  const text = new TextEncoder().encode(JSON.stringify(header));
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(text.length), true);
  return concat(length, text, new Uint8Array(at));
}

export function indexJson(weightMap: Record<string, string>, totalSize?: unknown): string {
  const metadata = totalSize === undefined ? {} : { metadata: { total_size: totalSize } };
  return JSON.stringify({ ...metadata, weight_map: weightMap }, null, 2);
}

export const A = 'model-00001-of-00002.safetensors';
export const B = 'model-00002-of-00002.safetensors';
/** A complete valid sharded model: 16 + 8 + 2 bytes of tensors over two shards. */
export function validModel(): Record<string, string | Uint8Array> {
  return {
    'model.safetensors.index.json': indexJson({ 'a.weight': A, 'a.bias': A, 'b.weight': B }, 26),
    [A]: shard({ 'a.weight': ['F32', [2, 2]], 'a.bias': ['F32', [2]] }),
    [B]: shard({ 'b.weight': ['F16', [1]] }),
  };
}
