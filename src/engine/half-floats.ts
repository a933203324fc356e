// IEEE half precision and bfloat16, from their 16 bits: what the tensor
// statistics and the ONNX "show values" both decode.

export function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** bfloat16 is the top half of a float32. */
export const bfloat16 = (bits: number): number => new Float32Array(Uint32Array.of((bits & 0xffff) << 16).buffer)[0]!;
