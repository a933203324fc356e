// The walker's vocabulary (assembly/onnx/schema.ts and walker.ts), mirrored
// for TypeScript: message types, event types and bulk element kinds.

export const Msg = {
  Model: 1,
  Graph: 2,
  Node: 3,
  Attribute: 4,
  Tensor: 5,
  SparseTensor: 6,
  ValueInfo: 7,
  Type: 8,
  TypeTensor: 9,
  TypeSequence: 10,
  TypeMap: 11,
  Shape: 12,
  Dimension: 13,
  Opset: 14,
  Entry: 15,
  Function: 16,
  Training: 17,
  Annotation: 18,
  Segment: 19,
  TypeOptional: 20,
  TypeSparse: 21,
} as const;

/** Protobuf message names, for messages that say where something is. */
export const MESSAGE_NAMES: Record<number, string> = {
  1: 'ModelProto', 2: 'GraphProto', 3: 'NodeProto', 4: 'AttributeProto', 5: 'TensorProto',
  6: 'SparseTensorProto', 7: 'ValueInfoProto', 8: 'TypeProto', 9: 'TypeProto.Tensor',
  10: 'TypeProto.Sequence', 11: 'TypeProto.Map', 12: 'TensorShapeProto', 13: 'TensorShapeProto.Dimension',
  14: 'OperatorSetIdProto', 15: 'StringStringEntryProto', 16: 'FunctionProto', 17: 'TrainingInfoProto',
  18: 'TensorAnnotation', 19: 'TensorProto.Segment', 20: 'TypeProto.Optional', 21: 'TypeProto.SparseTensor',
};

export const Ev = {
  Begin: 1,
  End: 2,
  Varint: 3,
  String: 4,
  Float: 5,
  Bulk: 6,
  Unknown: 7,
  DepthSkip: 8,
} as const;

export const Bulk = {
  Varint: 1,
  F32: 2,
  F64: 3,
  Bytes: 4,
  Strings: 5,
  Opaque: 6,
  /** Added when the elements were written one field each. */
  Unpacked: 16,
} as const;

export const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'group start', 'group end', '32-bit', 'wire type 6', 'wire type 7'];
