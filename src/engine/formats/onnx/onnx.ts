// ONNX: a protobuf ModelProto. There is no magic number, so the top-level
// fields must all have ModelProto's wire types, with an ir_version and a graph.
// Analysis walks the whole protobuf structure in wasm, skipping weight payloads
// by length, then checks external data, tensors, graph integrity, operators and
// input-triggered branches over the model it rebuilt.
import { walkFields, WIRE_LEN, WIRE_VARINT } from '../../containers/protobuf-fields.js';
import type { AnalysisContext, FormatDriver } from '../driver.js';
import { describeModel } from './content.js';
import { checkOperators, type DomainUse } from './domains.js';
import { checkExternalData } from './external-data.js';
import { collectGraphs, nodeLabel, type GraphEntry } from './graphs.js';
import { checkFunctionRecursion, checkIntegrity } from './integrity.js';
import { MAX_SUBGRAPH_DEPTH, MAX_UNKNOWN_LISTED } from './limits.js';
import type { OnnxModel, OnnxSparseTensor } from './model.js';
import { Notes } from './notes.js';
import { checkTensors } from './tensors.js';
import { checkInputTriggers } from './triggers.js';
import type { SniffContext } from '../../sniff/context.js';
import { FIRST_BYTES, FirstBytesSource } from './first-bytes.js';
import { walkModel } from './walk.js';
import { MESSAGE_NAMES } from './wire.js';

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

/** The sniff's first window, kept for the walk. */
const sources = new WeakMap<SniffContext, FirstBytesSource>();

export const onnx: FormatDriver = {
  id: 'onnx',
  async sniff(ctx) {
    const head = await ctx.head();
    if (head[0] !== 0x08) return null; // serializers write ir_version (field 1) first
    const source = new FirstBytesSource(ctx.source, await ctx.source.read(0, Math.min(FIRST_BYTES, ctx.source.size)));
    sources.set(ctx, source);
    const walk = await walkFields(source, MAX_SNIFF_FIELDS);
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
  analyse: analyseOnnx,
};

/** Every sparse tensor: sparse initializers and sparse attribute values. */
function sparseTensors(entries: GraphEntry[]): OnnxSparseTensor[] {
  const out: OnnxSparseTensor[] = [];
  for (const { graph } of entries) {
    out.push(...graph.sparseInitializers);
    for (const node of graph.nodes) for (const a of node.attributes) out.push(...a.sparseTensors);
  }
  return out;
}

async function analyseOnnx(ctx: AnalysisContext): Promise<'complete'> {
  const notes = new Notes(ctx.findings);
  let model!: OnnxModel;
  let failure: unknown;
  try {
    await walkModel(sources.get(ctx.sniffContext) ?? ctx.source, ctx.wasm, (m) => (model = m));
  } catch (error) {
    failure = error;
  }
  // What was read before damage or a limit is still judged: an unsafe external
  // path or a custom op ahead of garbage must not go unreported.
  const entries = collectGraphs(model);
  const external = await checkExternalData(model, ctx.siblings, notes);
  let domains: DomainUse[] | null = null;
  try {
    // The opset imports come after the graph in the file: without them only custom domains can be told.
    domains = checkOperators(entries, model.functions, notes, !failure);
    if (!failure) {
      // Whole-graph checks only on a whole graph: a cut one would miss producers.
      checkTensors(model, sparseTensors(entries), notes);
      checkIntegrity(entries, notes);
      checkFunctionRecursion(model.functions, notes);
      checkInputTriggers(entries.find((e) => e.graph.kind === 'graph'), model.functions, notes);
    }
    for (const skipped of model.skippedGraphs) {
      const { graph, node, attribute } = skipped.owner;
      const at = graph && node ? `${graph.path}/${nodeLabel(node, graph.nodes.indexOf(node))}.${attribute?.name || '?'}` : 'a graph';
      notes.add('scan.limit-reached', `a graph nested ${skipped.depth} levels deep at offset ${skipped.offset} (${at}) is past MAX_SUBGRAPH_DEPTH (${MAX_SUBGRAPH_DEPTH}): its ${skipped.length} bytes were skipped unread`, { offset: skipped.offset, length: skipped.length }, { limit: 'MAX_SUBGRAPH_DEPTH', value: skipped.depth });
    }
    if (model.unknownFieldCount) {
      const listed = model.unknownFields.slice(0, MAX_UNKNOWN_LISTED).map((f) => `${MESSAGE_NAMES[f.message] ?? '?'} field ${f.field}`);
      ctx.findings.add('onnx.unknown-fields', `${model.unknownFieldCount} field${model.unknownFieldCount === 1 ? '' : 's'} (${model.unknownFieldBytes} bytes) that the ONNX schema does not define: loaders keep them unread. First: ${[...new Set(listed)].slice(0, 5).join(', ')}`, { offset: model.unknownFields[0]!.offset }, { count: model.unknownFieldCount, bytes: model.unknownFieldBytes, fields: [...new Set(listed)] });
    }
  } finally {
    notes.finish();
    describeModel(ctx.content, model, entries, domains, external);
  }
  if (failure) throw failure;
  return 'complete';
}

