// Quantisation schemes recognisable from tensor names and dtypes alone. Each
// scheme is a row of plain data: the tensors it needs (a name ending, optionally
// a dtype) and the tensors it must not have. Rows are tried top to bottom; the
// first whose conditions all hold wins. Nothing is loaded, nothing is fetched.

/** What a scheme needs to know of a tensor. */
export interface TensorSummary {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
}

interface TensorCondition {
  /** Matched against the whole tensor name. */
  readonly name: RegExp;
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

export const QUANTISATION_SCHEMES: readonly SchemeRow[] = [
  {
    scheme: 'gptq',
    label: 'GPTQ (packed int weights with group index)',
    all: [{ name: /\.qweight$/ }, { name: /\.qzeros$/ }, { name: /\.scales$/ }, { name: /\.g_idx$/ }],
  },
  {
    // AWQ writes the same three names as GPTQ but no g_idx.
    scheme: 'awq',
    label: 'AWQ (qweight, qzeros and scales without g_idx; a GPTQ export without g_idx would look the same)',
    all: [{ name: /\.qweight$/ }, { name: /\.qzeros$/ }, { name: /\.scales$/ }],
    none: [{ name: /\.g_idx$/ }],
  },
  {
    scheme: 'bitsandbytes-nf4',
    label: 'bitsandbytes 4-bit, NF4',
    all: [{ name: /\.quant_state\.bitsandbytes__nf4$/ }],
    also: [{ name: /\.absmax$/ }, { name: /\.quant_map$/ }],
  },
  {
    scheme: 'bitsandbytes-fp4',
    label: 'bitsandbytes 4-bit, FP4',
    all: [{ name: /\.quant_state\.bitsandbytes__fp4$/ }],
    also: [{ name: /\.absmax$/ }, { name: /\.quant_map$/ }],
  },
  {
    scheme: 'bitsandbytes-4bit',
    label: 'bitsandbytes 4-bit (quant state without its NF4/FP4 tag)',
    all: [{ name: /\.absmax$/ }, { name: /\.quant_map$/ }],
  },
  {
    scheme: 'bitsandbytes-8bit',
    label: 'bitsandbytes 8-bit (LLM.int8)',
    all: [{ name: /\.SCB$/ }],
    also: [{ name: /\.weight_format$/ }],
  },
  {
    scheme: 'compressed-tensors',
    label: 'compressed-tensors, pack-quantized (llm-compressor)',
    all: [{ name: /\.weight_packed$/ }, { name: /\.weight_scale$/ }],
    also: [{ name: /\.weight_shape$/ }, { name: /\.weight_zero_point$/ }],
  },
  {
    scheme: 'fp8',
    label: 'FP8 weights with scales',
    all: [{ name: /\.weight$/, dtypes: FP8 }, { name: /\.(?:weight_scale|weight_scale_inv|input_scale)$/ }],
    also: [{ name: /\.input_scale$/ }],
  },
];

export interface Quantisation {
  scheme: string;
  label: string;
  /** A few tensor names that gave the scheme away: one per condition. */
  evidence: string[];
}

const meets = (t: TensorSummary, c: TensorCondition) => c.name.test(t.name) && (c.dtypes === undefined || c.dtypes.includes(t.dtype));

/** The first scheme whose tensors are all present, or undefined when the names show none. */
export function detectQuantisation(tensors: readonly TensorSummary[]): Quantisation | undefined {
  for (const row of QUANTISATION_SCHEMES) {
    if (row.none?.some((c) => tensors.some((t) => meets(t, c)))) continue;
    const found = row.all.map((c) => tensors.find((t) => meets(t, c)));
    if (found.some((t) => t === undefined)) continue;
    const extra = (row.also ?? []).map((c) => tensors.find((t) => meets(t, c))).filter((t) => t !== undefined);
    const evidence = [...new Set([...found, ...extra].map((t) => t!.name))];
    return { scheme: row.scheme, label: row.label, evidence };
  }
  return undefined;
}
