// ONNX tensor element types (TensorProto.DataType): names, sizes, and which
// typed field holds their values when raw_data is not used (onnx.proto).

export interface OnnxDtype {
  name: string;
  /** Bits per element; 0 for STRING (variable). Sub-byte types are packed, rounded up to whole bytes. */
  bits: number;
  /** Typed field holding the values when there is no raw_data, and entries per element. */
  field: number;
  perElement: number;
}

const FLOAT_DATA = 4;
const INT32_DATA = 5;
const STRING_DATA = 6;
const INT64_DATA = 7;
const DOUBLE_DATA = 10;
const UINT64_DATA = 11;

export const DTYPES: ReadonlyMap<number, OnnxDtype> = new Map([
  [1, { name: 'FLOAT', bits: 32, field: FLOAT_DATA, perElement: 1 }],
  [2, { name: 'UINT8', bits: 8, field: INT32_DATA, perElement: 1 }],
  [3, { name: 'INT8', bits: 8, field: INT32_DATA, perElement: 1 }],
  [4, { name: 'UINT16', bits: 16, field: INT32_DATA, perElement: 1 }],
  [5, { name: 'INT16', bits: 16, field: INT32_DATA, perElement: 1 }],
  [6, { name: 'INT32', bits: 32, field: INT32_DATA, perElement: 1 }],
  [7, { name: 'INT64', bits: 64, field: INT64_DATA, perElement: 1 }],
  [8, { name: 'STRING', bits: 0, field: STRING_DATA, perElement: 1 }],
  [9, { name: 'BOOL', bits: 8, field: INT32_DATA, perElement: 1 }],
  [10, { name: 'FLOAT16', bits: 16, field: INT32_DATA, perElement: 1 }],
  [11, { name: 'DOUBLE', bits: 64, field: DOUBLE_DATA, perElement: 1 }],
  [12, { name: 'UINT32', bits: 32, field: UINT64_DATA, perElement: 1 }],
  [13, { name: 'UINT64', bits: 64, field: UINT64_DATA, perElement: 1 }],
  [14, { name: 'COMPLEX64', bits: 64, field: FLOAT_DATA, perElement: 2 }],
  [15, { name: 'COMPLEX128', bits: 128, field: DOUBLE_DATA, perElement: 2 }],
  [16, { name: 'BFLOAT16', bits: 16, field: INT32_DATA, perElement: 1 }],
  [17, { name: 'FLOAT8E4M3FN', bits: 8, field: INT32_DATA, perElement: 1 }],
  [18, { name: 'FLOAT8E4M3FNUZ', bits: 8, field: INT32_DATA, perElement: 1 }],
  [19, { name: 'FLOAT8E5M2', bits: 8, field: INT32_DATA, perElement: 1 }],
  [20, { name: 'FLOAT8E5M2FNUZ', bits: 8, field: INT32_DATA, perElement: 1 }],
  // Sub-byte types pack several elements into one int32_data entry: counts are not checked for them.
  [21, { name: 'UINT4', bits: 4, field: INT32_DATA, perElement: 0 }],
  [22, { name: 'INT4', bits: 4, field: INT32_DATA, perElement: 0 }],
  [23, { name: 'FLOAT4E2M1', bits: 4, field: INT32_DATA, perElement: 0 }],
  [24, { name: 'FLOAT8E8M0', bits: 8, field: INT32_DATA, perElement: 1 }],
  [25, { name: 'UINT2', bits: 2, field: INT32_DATA, perElement: 0 }],
  [26, { name: 'INT2', bits: 2, field: INT32_DATA, perElement: 0 }],
]);

/** Name of a data type, or `type N` for one ONNX does not define. */
export function dtypeName(type: number): string {
  return DTYPES.get(type)?.name ?? (type === 0 ? 'UNDEFINED' : `type ${type}`);
}

/** Field names of TensorProto's data fields, for messages. */
export const DATA_FIELD_NAMES: Record<number, string> = {
  4: 'float_data', 5: 'int32_data', 6: 'string_data', 7: 'int64_data', 9: 'raw_data', 10: 'double_data', 11: 'uint64_data',
};
