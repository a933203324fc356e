// The ONNX protobuf schema as the walker needs it: for each message type and
// field number, how the field is handled (descend, copy a string, decode a
// number, skip a bulk payload by length). Field numbers are onnx.proto's;
// fields added after it (up to IR 12) are included so newer files walk cleanly.
// The message ids are mirrored in src/engine/formats/onnx/wire.ts.

// Message types.
export const M_MODEL: i32 = 1;
export const M_GRAPH: i32 = 2;
export const M_NODE: i32 = 3;
export const M_ATTRIBUTE: i32 = 4;
export const M_TENSOR: i32 = 5;
export const M_SPARSE_TENSOR: i32 = 6;
export const M_VALUE_INFO: i32 = 7;
export const M_TYPE: i32 = 8;
export const M_TYPE_TENSOR: i32 = 9;
export const M_TYPE_SEQUENCE: i32 = 10;
export const M_TYPE_MAP: i32 = 11;
export const M_SHAPE: i32 = 12;
export const M_DIMENSION: i32 = 13;
export const M_OPSET: i32 = 14;
export const M_ENTRY: i32 = 15;
export const M_FUNCTION: i32 = 16;
export const M_TRAINING: i32 = 17;
export const M_ANNOTATION: i32 = 18;
export const M_SEGMENT: i32 = 19;
export const M_TYPE_OPTIONAL: i32 = 20;
export const M_TYPE_SPARSE: i32 = 21;

// Field kinds (low byte of a schema entry; the message type of a sub-message is above it).
export const K_UNKNOWN: i32 = 0;
/** A sub-message: descended into. */
export const K_MESSAGE: i32 = 1;
/** A string or small bytes: its first bytes are handed over. */
export const K_STRING: i32 = 2;
/** One varint (int32, int64, enum). */
export const K_INT: i32 = 3;
/** Repeated int64 that is kept (dims, attribute ints): unpacked or packed. */
export const K_INTS: i32 = 4;
/** One float (fixed32). */
export const K_FLOAT: i32 = 5;
/** Repeated float, counted not decoded (attribute floats). */
export const K_FLOATS: i32 = 6;
/** Bulk tensor data, skipped by length: packed or unpacked varints, floats, doubles. */
export const K_BULK_VARINT: i32 = 7;
export const K_BULK_F32: i32 = 8;
export const K_BULK_F64: i32 = 9;
/** raw_data: one bytes payload, skipped. */
export const K_BULK_BYTES: i32 = 10;
/** Repeated bytes (string_data, attribute strings): counted and skipped. */
export const K_BULK_STRINGS: i32 = 11;
/** A known message the walker does not need to enter (device configurations, opaque types). */
export const K_OPAQUE: i32 = 12;

@inline function msg(sub: i32): i32 { return K_MESSAGE | (sub << 8); }

/** How field `field` of message `type` is handled: a kind, with the sub-message type above the low byte. */
export function schemaOf(type: i32, field: u32): i32 {
  switch (type) {
    case M_MODEL:
      switch (field) {
        case 1: return K_INT; // ir_version
        case 2: case 3: case 4: case 6: return K_STRING; // producer_name, producer_version, domain, doc_string
        case 5: return K_INT; // model_version
        case 7: return msg(M_GRAPH);
        case 8: return msg(M_OPSET); // opset_import
        case 14: return msg(M_ENTRY); // metadata_props
        case 20: return msg(M_TRAINING); // training_info
        case 25: return msg(M_FUNCTION); // functions
        case 26: return K_OPAQUE; // configuration (multi-device)
      }
      break;
    case M_GRAPH:
      switch (field) {
        case 1: return msg(M_NODE);
        case 2: case 10: return K_STRING; // name, doc_string
        case 5: return msg(M_TENSOR); // initializer
        case 15: return msg(M_SPARSE_TENSOR); // sparse_initializer
        case 11: case 12: case 13: return msg(M_VALUE_INFO); // input, output, value_info
        case 14: return msg(M_ANNOTATION); // quantization_annotation
        case 16: return msg(M_ENTRY); // metadata_props
      }
      break;
    case M_NODE:
      switch (field) {
        case 1: case 2: case 3: case 4: case 6: case 7: case 8: return K_STRING; // input, output, name, op_type, doc_string, domain, overload
        case 5: return msg(M_ATTRIBUTE);
        case 9: return msg(M_ENTRY); // metadata_props
        case 10: return K_OPAQUE; // device_configurations
      }
      break;
    case M_ATTRIBUTE:
      switch (field) {
        case 1: case 21: case 13: case 4: return K_STRING; // name, ref_attr_name, doc_string, s
        case 20: case 3: return K_INT; // type, i
        case 2: return K_FLOAT; // f
        case 5: case 10: return msg(M_TENSOR); // t, tensors
        case 6: case 11: return msg(M_GRAPH); // g, graphs
        case 22: case 23: return msg(M_SPARSE_TENSOR); // sparse_tensor, sparse_tensors
        case 14: case 15: return msg(M_TYPE); // tp, type_protos
        case 7: return K_FLOATS;
        case 8: return K_INTS;
        case 9: return K_BULK_STRINGS;
      }
      break;
    case M_TENSOR:
      switch (field) {
        case 1: return K_INTS; // dims
        case 2: case 14: return K_INT; // data_type, data_location
        case 3: return msg(M_SEGMENT);
        case 4: return K_BULK_F32; // float_data
        case 5: case 7: case 11: return K_BULK_VARINT; // int32_data, int64_data, uint64_data
        case 6: return K_BULK_STRINGS; // string_data
        case 8: case 12: return K_STRING; // name, doc_string
        case 9: return K_BULK_BYTES; // raw_data
        case 10: return K_BULK_F64; // double_data
        case 13: case 16: return msg(M_ENTRY); // external_data, metadata_props
      }
      break;
    case M_SPARSE_TENSOR:
      switch (field) {
        case 1: case 2: return msg(M_TENSOR); // values, indices
        case 3: return K_INTS; // dims
      }
      break;
    case M_VALUE_INFO:
      switch (field) {
        case 1: case 3: return K_STRING; // name, doc_string
        case 2: return msg(M_TYPE);
        case 4: return msg(M_ENTRY); // metadata_props
      }
      break;
    case M_TYPE:
      switch (field) {
        case 1: return msg(M_TYPE_TENSOR);
        case 4: return msg(M_TYPE_SEQUENCE);
        case 5: return msg(M_TYPE_MAP);
        case 8: return msg(M_TYPE_SPARSE);
        case 9: return msg(M_TYPE_OPTIONAL);
        case 6: return K_STRING; // denotation
        case 7: return K_OPAQUE; // opaque_type
      }
      break;
    case M_TYPE_TENSOR: case M_TYPE_SPARSE:
      switch (field) {
        case 1: return K_INT; // elem_type
        case 2: return msg(M_SHAPE);
      }
      break;
    case M_TYPE_SEQUENCE: case M_TYPE_OPTIONAL:
      if (field == 1) return msg(M_TYPE); // elem_type
      break;
    case M_TYPE_MAP:
      switch (field) {
        case 1: return K_INT; // key_type
        case 2: return msg(M_TYPE); // value_type
      }
      break;
    case M_SHAPE:
      if (field == 1) return msg(M_DIMENSION);
      break;
    case M_DIMENSION:
      switch (field) {
        case 1: return K_INT; // dim_value
        case 2: case 3: return K_STRING; // dim_param, denotation
      }
      break;
    case M_OPSET:
      switch (field) {
        case 1: return K_STRING; // domain
        case 2: return K_INT; // version
      }
      break;
    case M_ENTRY:
      if (field == 1 || field == 2) return K_STRING; // key, value
      break;
    case M_FUNCTION:
      switch (field) {
        case 1: case 4: case 5: case 6: case 8: case 10: case 13: return K_STRING; // name, input, output, attribute, doc_string, domain, overload
        case 7: return msg(M_NODE);
        case 9: return msg(M_OPSET);
        case 11: return msg(M_ATTRIBUTE); // attribute_proto
        case 12: return msg(M_VALUE_INFO);
        case 14: return msg(M_ENTRY); // metadata_props
      }
      break;
    case M_TRAINING:
      switch (field) {
        case 1: case 2: return msg(M_GRAPH); // initialization, algorithm
        case 3: case 4: return msg(M_ENTRY); // bindings
      }
      break;
    case M_ANNOTATION:
      switch (field) {
        case 1: return K_STRING; // tensor_name
        case 2: return msg(M_ENTRY);
      }
      break;
    case M_SEGMENT:
      if (field == 1 || field == 2) return K_INT; // begin, end
      break;
  }
  return K_UNKNOWN;
}
