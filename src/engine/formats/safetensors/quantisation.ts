// Quantisation schemes recognisable from tensor names and dtypes alone. Each
// scheme is a row of plain data: the tensors it needs (the last component of a
// name, optionally a dtype) and the tensors it must not have. Rows are tried top
// to bottom; the first whose conditions all hold wins. Nothing is loaded,
// nothing is fetched. The tensors are indexed once by last component, so a
// header of 500,000 tensors costs one pass, not one per condition.

/** What a scheme needs to know of a tensor. */
export interface TensorSummary {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
}

interface TensorCondition {
  /** The last dot-separated component of the name: `qweight` matches `model.layers.0.mlp.up_proj.qweight`. */
  readonly suffix: string;
  /** When given, the tensor must also have one of these dtypes. */
  readonly dtypes?: readonly string[];
}

interface SchemeRow {
  readonly scheme: string;
  readonly label: string;
  /** Every condition must be met by at least one tensor. */
  readonly all: readonly TensorCondition[];
  /** No tensor may meet any of these. */
  readonly none?: readonly TensorCondition[];
  /** Tensors that, when present, are added to the evidence. */
  readonly also?: readonly TensorCondition[];
}

const FP8 = ['F8_E4M3', 'F8_E5M2'];
const HALF = ['F16', 'BF16'];

export const QUANTISATION_SCHEMES: readonly SchemeRow[] = [
  {
    scheme: 'gptq',
    label: 'GPTQ (packed int weights with group index)',
    all: [{ suffix: 'qweight' }, { suffix: 'qzeros' }, { suffix: 'scales' }, { suffix: 'g_idx' }],
  },
  {
    // AWQ writes the same three names as GPTQ but no g_idx.
    scheme: 'awq',
    label: 'AWQ (qweight, qzeros and scales without g_idx; a GPTQ export without g_idx would look the same)',
    all: [{ suffix: 'qweight' }, { suffix: 'qzeros' }, { suffix: 'scales' }],
    none: [{ suffix: 'g_idx' }],
  },
  {
    // vLLM's gptq_marlin_24 / compressed-tensors marlin-24: 2:4 sparse int4 with its sparsity metadata.
    scheme: 'marlin-24',
    label: 'Marlin 2:4 sparse (B_24 packed weights, B_meta sparsity metadata, s scales)',
    all: [{ suffix: 'B_24' }, { suffix: 'B_meta' }, { suffix: 's' }],
  },
  {
    // IST-DASLab Marlin as AutoGPTQ and vLLM serialise it: layer.B (int32, tiled int4) and layer.s (fp16 scales).
    scheme: 'marlin',
    label: 'Marlin (B: int32-packed int4 weights in Marlin tile order, s: fp16 scales)',
    all: [{ suffix: 'B', dtypes: ['I32'] }, { suffix: 's', dtypes: HALF }],
    also: [{ suffix: 'workspace' }],
  },
  {
    // HQQ (mobiusml/hqq, transformers' HqqConfig): W_q packed weights with scale and zero, and the quant
    // config stored as small tensors (nbits, group_size, shape, axis …) beside them.
    scheme: 'hqq',
    label: 'HQQ (W_q packed weights with scale, zero and its config as tensors)',
    all: [{ suffix: 'W_q' }],
    also: [{ suffix: 'scale' }, { suffix: 'zero' }, { suffix: 'meta' }, { suffix: 'nbits' }, { suffix: 'group_size' }],
  },
  {
    scheme: 'bitsandbytes-nf4',
    label: 'bitsandbytes 4-bit, NF4',
    all: [{ suffix: 'bitsandbytes__nf4' }],
    also: [{ suffix: 'absmax' }, { suffix: 'quant_map' }],
  },
  {
    scheme: 'bitsandbytes-fp4',
    label: 'bitsandbytes 4-bit, FP4',
    all: [{ suffix: 'bitsandbytes__fp4' }],
    also: [{ suffix: 'absmax' }, { suffix: 'quant_map' }],
  },
  {
    scheme: 'bitsandbytes-4bit',
    label: 'bitsandbytes 4-bit (quant state without its NF4/FP4 tag)',
    all: [{ suffix: 'absmax' }, { suffix: 'quant_map' }],
  },
  {
    scheme: 'bitsandbytes-8bit',
    label: 'bitsandbytes 8-bit (LLM.int8)',
    all: [{ suffix: 'SCB' }],
    also: [{ suffix: 'weight_format' }],
  },
  {
    // NVIDIA ModelOpt NVFP4 (hf_quant_config.json quant_algo NVFP4): two FP4 values per U8 byte,
    // FP8 E4M3 scales per block of 16, a second-level F32 scale per tensor.
    scheme: 'nvfp4',
    label: 'NVFP4, ModelOpt layout (U8-packed FP4 weight, FP8 block weight_scale, F32 weight_scale_2)',
    all: [{ suffix: 'weight', dtypes: ['U8'] }, { suffix: 'weight_scale', dtypes: ['F8_E4M3'] }, { suffix: 'weight_scale_2' }],
    also: [{ suffix: 'input_scale' }],
  },
  {
    // compressed-tensors nvfp4-pack-quantized (llm-compressor): the same data under other names.
    scheme: 'nvfp4-compressed-tensors',
    label: 'NVFP4, compressed-tensors layout (U8 weight_packed, FP8 weight_scale, F32 weight_global_scale)',
    all: [{ suffix: 'weight_packed', dtypes: ['U8'] }, { suffix: 'weight_scale', dtypes: ['F8_E4M3'] }, { suffix: 'weight_global_scale' }],
    also: [{ suffix: 'input_global_scale' }],
  },
  {
    scheme: 'compressed-tensors',
    label: 'compressed-tensors, pack-quantized (llm-compressor)',
    all: [{ suffix: 'weight_packed' }, { suffix: 'weight_scale' }],
    also: [{ suffix: 'weight_shape' }, { suffix: 'weight_zero_point' }],
  },
  {
    scheme: 'fp8',
    label: 'FP8 weights with scales',
    all: [{ suffix: 'weight', dtypes: FP8 }, { suffix: 'weight_scale' }],
    also: [{ suffix: 'input_scale' }],
  },
  {
    // DeepSeek-V3 style block-wise FP8: the inverse scale per 128×128 block.
    scheme: 'fp8',
    label: 'FP8 weights with scales',
    all: [{ suffix: 'weight', dtypes: FP8 }, { suffix: 'weight_scale_inv' }],
    also: [{ suffix: 'input_scale' }],
  },
  {
    scheme: 'fp8',
    label: 'FP8 weights with scales',
    all: [{ suffix: 'weight', dtypes: FP8 }, { suffix: 'input_scale' }],
  },
];

export interface Quantisation {
  scheme: string;
  label: string;
  /** A few tensor names that gave the scheme away: one per condition. */
  evidence: string[];
}

/** Every last component some row asks about: the only ones worth indexing. */
const WANTED = new Set(QUANTISATION_SCHEMES.flatMap((row) => [...row.all, ...(row.none ?? []), ...(row.also ?? [])].map((c) => c.suffix)));

/** The first tensor with each wanted last component, and with each (last component, dtype). */
class SuffixIndex {
  private readonly first = new Map<string, TensorSummary>();
  private readonly firstOfDtype = new Map<string, Map<string, TensorSummary>>();

  constructor(tensors: readonly TensorSummary[]) {
    for (const t of tensors) {
      const dot = t.name.lastIndexOf('.');
      if (dot < 0) continue; // a bare name is a tensor of its own, not a part of a quantised layer
      const suffix = t.name.slice(dot + 1);
      if (!WANTED.has(suffix)) continue;
      if (!this.first.has(suffix)) this.first.set(suffix, t);
      let byDtype = this.firstOfDtype.get(suffix);
      if (!byDtype) this.firstOfDtype.set(suffix, (byDtype = new Map()));
      if (!byDtype.has(t.dtype)) byDtype.set(t.dtype, t);
    }
  }

  find(c: TensorCondition): TensorSummary | undefined {
    if (c.dtypes === undefined) return this.first.get(c.suffix);
    const byDtype = this.firstOfDtype.get(c.suffix);
    for (const d of c.dtypes) {
      const t = byDtype?.get(d);
      if (t) return t;
    }
    return undefined;
  }
}

/** The first scheme whose tensors are all present, or undefined when the names show none. */
export function detectQuantisation(tensors: readonly TensorSummary[]): Quantisation | undefined {
  const index = new SuffixIndex(tensors);
  for (const row of QUANTISATION_SCHEMES) {
    if (row.none?.some((c) => index.find(c))) continue;
    const found = row.all.map((c) => index.find(c));
    if (found.some((t) => t === undefined)) continue;
    const extra = (row.also ?? []).map((c) => index.find(c)).filter((t) => t !== undefined);
    const evidence = [...new Set([...found, ...extra].map((t) => t!.name))];
    return { scheme: row.scheme, label: row.label, evidence };
  }
  return undefined;
}
