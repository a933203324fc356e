// What the walk of an ONNX file yields: the model's structure with every
// weight payload reduced to where it is and how big it is.

/** Where a tensor's values are: a typed field, raw_data, or (with no entry) nowhere in the file. */
export interface TensorData {
  /** TensorProto field number (4 float_data … 9 raw_data … 11 uint64_data). */
  field: number;
  /** File offset of the (first) payload. */
  offset: number;
  /** Payload bytes. */
  bytes: number;
  /** Elements, or -1 when a packed varint list was skipped without counting. */
  count: number;
}

export interface OnnxTensor {
  name: string;
  dataType: number;
  /** Dimensions as read (the first MAX_RANK); `rank` counts them all. */
  dims: number[];
  rank: number;
  /** Dims written as a packed list too long to read: the shape is unknown. */
  dimsUnread: boolean;
  data: TensorData[];
  /** external_data entries in file order, [key, value]. */
  external: [string, string][];
  /** 1 when data_location is EXTERNAL. */
  dataLocation: number;
  /** A TensorProto.Segment is present: this tensor is one chunk of a larger one. */
  segment: boolean;
  /** Offset of the TensorProto's field tag. */
  offset: number;
  /** Where it is in the model, e.g. `graph.initializer[3]`, `graph/Constant_0.value`. */
  path: string;
}

export interface OnnxSparseTensor {
  values?: OnnxTensor;
  indices?: OnnxTensor;
  dims: number[];
  rank: number;
  offset: number;
  path: string;
}

export type OnnxType =
  | { kind: 'tensor' | 'sparse_tensor'; elemType: number; shape: (number | string | null)[] | null }
  | { kind: 'sequence' | 'optional'; elem: OnnxType | null }
  | { kind: 'map'; keyType: number; value: OnnxType | null }
  | { kind: 'opaque' };

export interface OnnxValueInfo {
  name: string;
  type: OnnxType | null;
}

export interface OnnxAttribute {
  name: string;
  /** Set in function bodies: the value comes from the calling node's attribute of that name. */
  refAttrName?: string;
  /** AttributeProto.type, 0 when absent. */
  type: number;
  i?: number;
  f?: number;
  s?: string;
  /** Values in the repeated fields (ints, floats, strings, tensors, graphs …). */
  count: number;
  graphs: OnnxGraph[];
  /** `t`/`tensors` and `sparse_tensor`/`sparse_tensors` values (a Constant's value, for one). */
  tensors: OnnxTensor[];
  sparseTensors: OnnxSparseTensor[];
  /** Offset of the AttributeProto's field tag: list values are read from there on request. */
  offset: number;
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
  /** Offset of the NodeProto's field tag. */
  offset: number;
}

export interface OnnxGraph {
  /** `graph` for the main graph, `subgraph` for attribute graphs, `function` for a function body, `training` for training graphs. */
  kind: 'graph' | 'subgraph' | 'function' | 'training';
  name: string;
  docString: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  sparseInitializers: OnnxSparseTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
  /** Attribute nesting below the main graph (or the function body it is in). */
  depth: number;
  offset: number;
  /** Where it is: `graph`, `graph/If_0.then_branch`, `function custom.Fn` … */
  path: string;
  /** For a function body: the opsets it imports (nodes bind to these, not the model's). */
  opsets?: OnnxOpset[];
}

export interface OnnxOpset {
  domain: string;
  version: number;
}

export interface OnnxFunction {
  name: string;
  domain: string;
  overload: string;
  /** The attribute names it declares. */
  attributes: string[];
  body: OnnxGraph;
  docString: string;
}

export interface UnknownField {
  /** The message holding it (ModelProto …) and the field number. */
  message: number;
  field: number;
  wire: number;
  offset: number;
  /** Payload bytes of a length-delimited field, 0 otherwise. */
  length: number;
}

export interface SkippedGraph {
  offset: number;
  length: number;
  depth: number;
  /** The attribute it is the value of, and the node and graph holding that. */
  owner: { graph: OnnxGraph | null; node: OnnxNode | null; attribute: OnnxAttribute | null };
}

export interface OnnxModel {
  irVersion: number | null;
  opsets: OnnxOpset[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number | null;
  docString: string;
  metadata: [string, string][];
  graph: OnnxGraph | null;
  functions: OnnxFunction[];
  trainingGraphs: OnnxGraph[];
  /** Every tensor anywhere in the model (initializers, sparse parts, attribute tensors), for size and external-data checks. */
  tensors: OnnxTensor[];
  /** Fields the schema does not define (the first MAX_UNKNOWN_LISTED), and how many there were. */
  unknownFields: UnknownField[];
  unknownFieldCount: number;
  unknownFieldBytes: number;
  /** Graphs past MAX_SUBGRAPH_DEPTH, skipped unread. */
  skippedGraphs: SkippedGraph[];
}
