// ggml tensor types: id → name, elements per block and bytes per block, from
// ggml's type_traits (ggml/src/ggml.c) and gguf-py's GGML_QUANT_SIZES. The ids
// are append-only with gaps: 4 and 5 (Q4_2, Q4_3), 31–33 (Q4_0_4_4 …) and
// 36–38 (IQ4_NL_4_4 …) were removed and are refused by ggml, so they are unknown here.

export interface GgmlType {
  readonly name: string;
  /** Elements per block (1 for plain types). */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
  readonly quantised: boolean;
}

const QK_K = 256;
const t = (name: string, blockSize: number, typeSize: number): GgmlType => ({ name, blockSize, typeSize, quantised: blockSize > 1 });

export const GGML_TYPES: ReadonlyMap<number, GgmlType> = new Map([
  [0, t('F32', 1, 4)],
  [1, t('F16', 1, 2)],
  [2, t('Q4_0', 32, 2 + 16)],
  [3, t('Q4_1', 32, 2 + 2 + 16)],
  [6, t('Q5_0', 32, 2 + 4 + 16)],
  [7, t('Q5_1', 32, 2 + 2 + 4 + 16)],
  [8, t('Q8_0', 32, 2 + 32)],
  [9, t('Q8_1', 32, 2 + 2 + 32)],
  [10, t('Q2_K', QK_K, 2 + 2 + QK_K / 16 + QK_K / 4)],
  [11, t('Q3_K', QK_K, 2 + QK_K / 4 + QK_K / 8 + 12)],
  [12, t('Q4_K', QK_K, 2 + 2 + QK_K / 2 + 12)],
  [13, t('Q5_K', QK_K, 2 + 2 + QK_K / 2 + QK_K / 8 + 12)],
  [14, t('Q6_K', QK_K, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16)],
  [15, t('Q8_K', QK_K, 4 + QK_K + (QK_K / 16) * 2)],
  [16, t('IQ2_XXS', QK_K, 2 + QK_K / 4)],
  [17, t('IQ2_XS', QK_K, 2 + QK_K / 4 + QK_K / 32)],
  [18, t('IQ3_XXS', QK_K, 2 + QK_K / 4 + QK_K / 8)],
  [19, t('IQ1_S', QK_K, 2 + QK_K / 8 + QK_K / 16)],
  [20, t('IQ4_NL', 32, 2 + 16)],
  [21, t('IQ3_S', QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4)],
  [22, t('IQ2_S', QK_K, 2 + QK_K / 4 + QK_K / 16)],
  [23, t('IQ4_XS', QK_K, 2 + 2 + QK_K / 2 + QK_K / 64)],
  [24, t('I8', 1, 1)],
  [25, t('I16', 1, 2)],
  [26, t('I32', 1, 4)],
  [27, t('I64', 1, 8)],
  [28, t('F64', 1, 8)],
  [29, t('IQ1_M', QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32)],
  [30, t('BF16', 1, 2)],
  [34, t('TQ1_0', QK_K, 2 + 4 * 13)],
  [35, t('TQ2_0', QK_K, 2 + 64)],
  [39, t('MXFP4', 32, 1 + 16)],
  [40, t('NVFP4', 64, 4 + 32)],
  [41, t('Q1_0', 128, 2 + 16)],
  [42, t('Q2_0', 64, 2 + 16)],
]);

/** Ids ggml once had and removed: named in findings so an old file is recognised as such. */
export const REMOVED_GGML_TYPES: ReadonlyMap<number, string> = new Map([
  [4, 'Q4_2'],
  [5, 'Q4_3'],
  [31, 'Q4_0_4_4'],
  [32, 'Q4_0_4_8'],
  [33, 'Q4_0_8_8'],
  [36, 'IQ4_NL_4_4'],
  [37, 'IQ4_NL_4_8'],
  [38, 'IQ4_NL_8_8'],
]);
