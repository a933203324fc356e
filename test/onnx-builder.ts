// A tiny protobuf writer for ONNX tests: models built field by field, so each
// test states the bytes it feeds the walker (the big ones for the limits too).
import { concat } from './helpers.js';

type Bytes = Uint8Array | number[] | string;

export function varint(n: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return Uint8Array.from(out);
}

export const key = (field: number, wire: number) => varint(field * 8 + wire);
export const vint = (field: number, n: number | bigint) => concat(key(field, 0), varint(n));
export function ld(field: number, ...parts: Bytes[]): Uint8Array {
  const payload = concat(...parts);
  return concat(key(field, 2), varint(payload.length), payload);
}
export const f32 = (field: number, x: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, x, true);
  return concat(key(field, 5), b);
};

export const FLOAT = 1;
export const INT64 = 7;

/** A ModelProto: ir_version 8, a producer, the graph, then the opsets (as onnx writes them, last). */
export function model(graph: Bytes[], opsets: [string, number][] = [['', 17]], ...extra: Bytes[]): Uint8Array {
  return concat(vint(1, 8), ld(2, 'weightlens-test'), ld(7, ...graph), ...opsets.map(([d, v]) => ld(8, ld(1, d), vint(2, v))), ...extra);
}

export function node(op: string, inputs: string[], outputs: string[], name = '', ...attributes: Bytes[]): Uint8Array {
  return ld(1, ...inputs.map((i) => ld(1, i)), ...outputs.map((o) => ld(2, o)), ...(name ? [ld(3, name)] : []), ld(4, op), ...attributes.map((a) => ld(5, a)));
}

export const domainNode = (domain: string, op: string, inputs: string[], outputs: string[], name = '') =>
  ld(1, ...inputs.map((i) => ld(1, i)), ...outputs.map((o) => ld(2, o)), ...(name ? [ld(3, name)] : []), ld(4, op), ld(7, domain));

/** ValueInfoProto of a float tensor (as graph field `field`: 11 input, 12 output, 13 value_info). */
export function valueInfo(field: number, name: string, dims: (number | string)[] = [1, 4], elemType = FLOAT): Uint8Array {
  const shape = dims.map((d) => ld(1, typeof d === 'number' ? vint(1, d) : ld(2, d)));
  return ld(field, ld(1, name), ld(2, ld(1, vint(1, elemType), ld(2, ...shape))));
}

/** An initializer (graph field 5) with raw_data. */
export function rawTensor(name: string, dims: number[], raw: Uint8Array | number, dataType = FLOAT): Uint8Array {
  const bytes = typeof raw === 'number' ? new Uint8Array(raw) : raw;
  return ld(5, ...dims.map((d) => vint(1, d)), vint(2, dataType), ld(8, name), ld(9, bytes));
}

/** An initializer stored in an external file. */
export function externalTensor(name: string, dims: number[], entries: [string, string][]): Uint8Array {
  return ld(5, ...dims.map((d) => vint(1, d)), vint(2, FLOAT), ld(8, name), ...entries.map(([k, v]) => ld(13, ld(1, k), ld(2, v))), vint(14, 1));
}

/** Y = X @ W over a [1,4] input: the smallest useful graph around some initializers. */
export function matmulGraph(...initializers: Uint8Array[]): Uint8Array[] {
  return [node('MatMul', ['X', 'W'], ['Y'], 'matmul'), ...initializers, valueInfo(11, 'X'), valueInfo(12, 'Y')];
}
