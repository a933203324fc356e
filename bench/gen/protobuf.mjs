// Protobuf wire format for the ONNX generators and benches: every message
// built as one Buffer (for files whose structure is small; onnx.mjs sizes its
// multi-gigabyte parts lazily and uses only `varint` from here).
export function varint(v) {
  const out = [];
  let n = BigInt(v);
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return Buffer.from(out);
}
export const key = (field, wire) => varint(field * 8 + wire);
export const vint = (field, v) => Buffer.concat([key(field, 0), varint(v)]);
export const ld = (field, ...parts) => {
  const payload = Buffer.concat(parts);
  return Buffer.concat([key(field, 2), varint(payload.length), payload]);
};
export const str = (field, s) => ld(field, Buffer.from(s, 'utf8'));
