// Statistics of one tensor, on request only: reads just that tensor's bytes,
// in bounded chunks, never the rest of the file.
import type { ByteSource } from './byte-source.js';
import { MalformedError } from './errors.js';
import { bfloat16, float16 } from './half-floats.js';

/** Bytes per read while streaming a tensor; bounds memory whatever the tensor's size. */
export const STATS_CHUNK_BYTES = 8 * 1024 * 1024;

export interface TensorRef {
  name: string;
  /** safetensors dtype (F32, BF16, …) or numpy type string (<f4, |u1, …). */
  dtype: string;
  /** Absolute file offset of the data. */
  offset: number;
  bytes: number;
}

export interface TensorStats {
  elements: number;
  /** null when there is no finite value. */
  min: number | null;
  max: number | null;
  mean: number | null;
  nan: number;
  inf: number;
}

type Decoder = { size: number; read: (v: DataView, at: number) => number };


function decoder(dtype: string): Decoder | undefined {
  const table: Record<string, (le: boolean) => Decoder> = {
    F64: (le) => ({ size: 8, read: (v, i) => v.getFloat64(i, le) }),
    F32: (le) => ({ size: 4, read: (v, i) => v.getFloat32(i, le) }),
    F16: (le) => ({ size: 2, read: (v, i) => float16(v.getUint16(i, le)) }),
    BF16: (le) => ({ size: 2, read: (v, i) => bfloat16(v.getUint16(i, le)) }),
    I64: (le) => ({ size: 8, read: (v, i) => Number(v.getBigInt64(i, le)) }),
    U64: (le) => ({ size: 8, read: (v, i) => Number(v.getBigUint64(i, le)) }),
    I32: (le) => ({ size: 4, read: (v, i) => v.getInt32(i, le) }),
    U32: (le) => ({ size: 4, read: (v, i) => v.getUint32(i, le) }),
    I16: (le) => ({ size: 2, read: (v, i) => v.getInt16(i, le) }),
    U16: (le) => ({ size: 2, read: (v, i) => v.getUint16(i, le) }),
    I8: () => ({ size: 1, read: (v, i) => v.getInt8(i) }),
    U8: () => ({ size: 1, read: (v, i) => v.getUint8(i) }),
    BOOL: () => ({ size: 1, read: (v, i) => (v.getUint8(i) ? 1 : 0) }),
  };
  const numpy = /^([<>|=])([fiub])(\d+)$/.exec(dtype);
  if (numpy) {
    const [, order, kind, size] = numpy;
    const name = kind === 'b' ? 'BOOL' : `${kind === 'f' ? 'F' : kind === 'i' ? 'I' : 'U'}${Number(size) * 8}`;
    return table[name]?.(order !== '>');
  }
  return table[dtype]?.(true); // safetensors is little-endian
}

export async function tensorStats(source: ByteSource, tensor: TensorRef): Promise<TensorStats> {
  const decode = decoder(tensor.dtype);
  if (!decode) throw new MalformedError(`statistics are not available for dtype ${tensor.dtype}`, { tensor: tensor.name });
  if (tensor.offset + tensor.bytes > source.size) {
    throw new MalformedError(`tensor ${tensor.name} runs past the end of the file`, { offset: tensor.offset, tensor: tensor.name });
  }
  const chunk = Math.floor(STATS_CHUNK_BYTES / decode.size) * decode.size;
  const stats = { elements: 0, min: Infinity, max: -Infinity, sum: 0, finite: 0, nan: 0, inf: 0 };
  for (let at = 0; at < tensor.bytes; at += chunk) {
    const bytes = await source.read(tensor.offset + at, Math.min(chunk, tensor.bytes - at));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i + decode.size <= bytes.length; i += decode.size) {
      const x = decode.read(view, i);
      stats.elements++;
      if (Number.isNaN(x)) stats.nan++;
      else if (!Number.isFinite(x)) stats.inf++;
      else {
        stats.finite++;
        stats.sum += x;
        if (x < stats.min) stats.min = x;
        if (x > stats.max) stats.max = x;
      }
    }
  }
  const any = stats.finite > 0;
  return {
    elements: stats.elements,
    min: any ? stats.min : null,
    max: any ? stats.max : null,
    mean: any ? stats.sum / stats.finite : null,
    nan: stats.nan,
    inf: stats.inf,
  };
}

/** Limit on tensors whose statistics one scan computes; each costs a full read of that tensor. */
export const MAX_STATS_TENSORS = 64;

export type TensorStatsResult = TensorStats | { error: string };

/** Statistics for the named tensors of a report's `content.tensors`, each an error entry when it cannot be computed. */
export async function requestedTensorStats(source: ByteSource, content: Record<string, unknown>, names: readonly string[]): Promise<Record<string, TensorStatsResult>> {
  const tensors = Array.isArray(content.tensors) ? (content.tensors as TensorRef[]) : [];
  const results: Record<string, TensorStatsResult> = Object.create(null) as Record<string, TensorStatsResult>;
  for (const name of names.slice(0, MAX_STATS_TENSORS)) {
    const tensor = tensors.find((t) => t.name === name);
    if (!tensor) {
      results[name] = { error: tensors.length ? `no tensor named "${name}"` : 'this file has no tensor table' };
      continue;
    }
    try {
      results[name] = await tensorStats(source, tensor);
    } catch (error) {
      results[name] = { error: (error as Error).message };
    }
  }
  for (const name of names.slice(MAX_STATS_TENSORS)) results[name] = { error: `only ${MAX_STATS_TENSORS} tensors per scan (MAX_STATS_TENSORS)` };
  return { ...results };
}
