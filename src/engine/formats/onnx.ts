// ONNX: a protobuf ModelProto. There is no magic number, so the top-level
// fields must all have ModelProto's wire types, with an ir_version and a graph.
import { walkFields, WIRE_LEN, WIRE_VARINT } from '../containers/protobuf-fields.js';
import type { FormatDriver } from './driver.js';

/** ModelProto field numbers (onnx.proto) and their wire types. */
const MODEL_PROTO_FIELDS: ReadonlyMap<number, number> = new Map([
  [1, WIRE_VARINT], // ir_version
  [2, WIRE_LEN], // producer_name
  [3, WIRE_LEN], // producer_version
  [4, WIRE_LEN], // domain
  [5, WIRE_VARINT], // model_version
  [6, WIRE_LEN], // doc_string
  [7, WIRE_LEN], // graph
  [8, WIRE_LEN], // opset_import
  [14, WIRE_LEN], // metadata_props
  [20, WIRE_LEN], // training_info
  [25, WIRE_LEN], // functions
  [26, WIRE_LEN], // configuration
]);
const IR_VERSION = 1;
const GRAPH = 7;
/** Top-level fields read while sniffing; real models have a handful plus metadata entries. */
const MAX_SNIFF_FIELDS = 10_000;
/** IR versions defined so far are 1-11; leave room for new ones, reject nonsense. */
const MAX_IR_VERSION = 100;

export const onnx: FormatDriver = {
  id: 'onnx',
  async sniff(ctx) {
    const head = await ctx.head();
    if (head[0] !== 0x08) return null; // serializers write ir_version (field 1) first
    const walk = await walkFields(ctx.source, MAX_SNIFF_FIELDS);
    // A model cut short (a failed download) still shows ModelProto fields up to the cut.
    const truncated = !walk.ok && walk.reason === 'field runs past the end';
    if (!walk.ok && !truncated) return null;
    let irVersion: number | undefined;
    let hasGraph = false;
    for (const f of walk.fields) {
      const expected = MODEL_PROTO_FIELDS.get(f.field);
      if (expected !== undefined && expected !== f.wireType) return null;
      if (f.field === IR_VERSION) irVersion = f.value;
      if (f.field === GRAPH) hasGraph = true;
    }
    if (irVersion === undefined || irVersion < 1 || irVersion > MAX_IR_VERSION) return null;
    if (truncated) {
      if (walk.fields.length < 2) return null; // too little to tell ONNX from stray protobuf
      return { label: `ONNX model (IR version ${irVersion}, truncated)`, details: { irVersion, truncatedAt: walk.offset } };
    }
    if (!hasGraph) return null;
    return { label: `ONNX model (IR version ${irVersion})`, details: { irVersion, topLevelFields: walk.fields.length } };
  },
};
