// Turns the walker's events into the model structure. Strings are decoded from
// the window the events were made from; bulk payloads stay offsets and sizes.
import { LimitError } from '../../errors.js';
import { MAX_GRAPH_ENTRIES, MAX_NODES, MAX_RANK, MAX_UNKNOWN_LISTED } from './limits.js';
import type {
  OnnxAttribute, OnnxFunction, OnnxGraph, OnnxModel, OnnxNode, OnnxOpset, OnnxSparseTensor, OnnxTensor, OnnxType, OnnxValueInfo, SkippedGraph,
} from './model.js';
import { Bulk, Ev, MESSAGE_NAMES, Msg } from './wire.js';

type Frame =
  | { type: typeof Msg.Model; obj: OnnxModel }
  | { type: typeof Msg.Graph; obj: OnnxGraph }
  | { type: typeof Msg.Node; obj: OnnxNode }
  | { type: typeof Msg.Attribute; obj: OnnxAttribute }
  | { type: typeof Msg.Tensor; obj: OnnxTensor }
  | { type: typeof Msg.SparseTensor; obj: OnnxSparseTensor }
  | { type: typeof Msg.ValueInfo; obj: OnnxValueInfo }
  | { type: typeof Msg.Type; obj: TypeSlot }
  | { type: typeof Msg.TypeTensor | typeof Msg.TypeSparse; obj: Extract<OnnxType, { kind: 'tensor' | 'sparse_tensor' }> }
  | { type: typeof Msg.TypeSequence | typeof Msg.TypeOptional; obj: Extract<OnnxType, { kind: 'sequence' | 'optional' }> }
  | { type: typeof Msg.TypeMap; obj: Extract<OnnxType, { kind: 'map' }> }
  | { type: typeof Msg.Shape; obj: ShapeSlot }
  | { type: typeof Msg.Dimension; obj: { value: number | string | null } }
  | { type: typeof Msg.Opset; obj: OnnxOpset }
  | { type: typeof Msg.Entry; obj: { key: string; value: string; field: number } }
  | { type: typeof Msg.Function; obj: OnnxFunction }
  | { type: number; obj: null };

/** A TypeProto being read: the type it turns out to be. */
interface TypeSlot {
  type: OnnxType | null;
}
interface ShapeSlot {
  dims: (number | string | null)[];
}

const utf8 = new TextDecoder('utf-8');

/** Decodes a string from the window; short ASCII strings (most names) without a TextDecoder call. */
function decode(bytes: Uint8Array, start: number, length: number): string {
  if (length <= 64) {
    let ascii = true;
    for (let i = start; i < start + length; i++) if (bytes[i]! >= 0x80) { ascii = false; break; }
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, start + length) as unknown as number[]);
  }
  return utf8.decode(bytes.subarray(start, start + length));
}

export function emptyGraph(kind: OnnxGraph['kind'], offset: number, depth: number): OnnxGraph {
  return { kind, name: '', docString: '', nodes: [], initializers: [], sparseInitializers: [], inputs: [], outputs: [], valueInfo: [], depth, offset, path: '' };
}

function emptyTensor(offset: number): OnnxTensor {
  return { name: '', dataType: 0, dims: [], rank: 0, dimsUnread: false, data: [], external: [], dataLocation: 0, segment: false, offset, path: '' };
}

export class ModelBuilder {
  readonly model: OnnxModel = {
    irVersion: null, opsets: [], producerName: '', producerVersion: '', domain: '', modelVersion: null, docString: '',
    metadata: [], graph: null, functions: [], trainingGraphs: [], tensors: [],
    unknownFields: [], unknownFieldCount: 0, unknownFieldBytes: 0, skippedGraphs: [],
  };
  private readonly stack: Frame[] = [{ type: Msg.Model, obj: this.model }];
  private nodes = 0;
  private entries = 0;
  /** Graph depth of each open frame's graph (attribute nesting). */
  private readonly graphDepths: number[] = [0];
  /** Short strings that repeat across a graph (op types, domains, dim params, attribute names), kept once. */
  private readonly common = new Map<string, string>();

  private intern(text: string): string {
    if (text.length > 24) return text;
    const known = this.common.get(text);
    if (known !== undefined) return known;
    if (this.common.size < 65_536) this.common.set(text, text);
    return text;
  }

  /** The messages open at this point, outermost first, with names where known: for error messages. */
  openMessages(): string {
    const names = this.stack.map((f) => {
      const name = f.obj && 'name' in f.obj && typeof f.obj.name === 'string' && f.obj.name ? ` ${JSON.stringify(f.obj.name.slice(0, 80))}` : '';
      return `${MESSAGE_NAMES[f.type] ?? `message ${f.type}`}${name}`;
    });
    if (names.length > 12) names.splice(5, names.length - 10, `… ${names.length - 10} more …`);
    return names.join(' > ');
  }

  consume(events: Float64Array, window: Uint8Array, windowStart: number): void {
    for (let e = 0; e < events.length; e += 6) {
      const kind = events[e]!;
      const fieldWord = events[e + 1]!;
      const offset = events[e + 2]!;
      const a = events[e + 3]!;
      const b = events[e + 4]!;
      const c = events[e + 5]!;
      switch (kind) {
        case Ev.Begin: this.begin(fieldWord, a, offset); break;
        case Ev.End: this.end(); break;
        case Ev.Varint: this.varint(fieldWord, a); break;
        case Ev.Float: this.float(fieldWord, a); break;
        case Ev.String: {
          const start = a - windowStart;
          const shown = Math.min(b, window.length - start);
          let text = decode(window, start, shown);
          if (shown < b) text += `…[${b - shown} more bytes]`;
          this.string(fieldWord, text);
          break;
        }
        case Ev.Bulk: this.bulk(fieldWord % 2 ** 32, Math.floor(fieldWord / 2 ** 32), a, b, c); break;
        case Ev.Unknown: this.unknown(fieldWord, a, offset, a === 2 ? c : 0); break;
        case Ev.DepthSkip: this.model.skippedGraphs.push({ offset, length: b, depth: c, owner: this.owner() }); break;
      }
    }
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  /** The innermost open graph, node and attribute: where a skipped graph sits. */
  private owner(): SkippedGraph['owner'] {
    const innermost = <T>(type: number) => {
      for (let i = this.stack.length - 1; i >= 0; i--) if (this.stack[i]!.type === type) return this.stack[i]!.obj as T;
      return null;
    };
    const fn = innermost<OnnxFunction>(Msg.Function);
    return { graph: innermost<OnnxGraph>(Msg.Graph) ?? fn?.body ?? null, node: innermost<OnnxNode>(Msg.Node), attribute: innermost<OnnxAttribute>(Msg.Attribute) };
  }

  private entry(): void {
    if (++this.entries > MAX_GRAPH_ENTRIES) {
      throw new LimitError('MAX_GRAPH_ENTRIES', this.entries, `the model holds more than ${MAX_GRAPH_ENTRIES} tensors, value infos, attributes, opsets, metadata entries and functions (MAX_GRAPH_ENTRIES); the rest was not read`);
    }
  }

  private begin(field: number, type: number, offset: number): void {
    const parent = this.top();
    const depth = this.graphDepths[this.graphDepths.length - 1]!;
    let frame: Frame;
    switch (type) {
      case Msg.Graph: {
        const inAttribute = parent.type === Msg.Attribute;
        const graph = emptyGraph(inAttribute ? 'subgraph' : parent.type === Msg.Model ? 'graph' : 'training', offset, inAttribute ? depth + 1 : depth);
        if (parent.type === Msg.Model) this.model.graph = graph;
        else if (inAttribute) (parent.obj as OnnxAttribute).graphs.push(graph);
        else if (parent.type === Msg.Training) this.model.trainingGraphs.push(graph);
        frame = { type, obj: graph };
        break;
      }
      case Msg.Node: {
        if (++this.nodes > MAX_NODES) {
          throw new LimitError('MAX_NODES', this.nodes, `the model holds more than ${MAX_NODES} nodes (MAX_NODES); the rest was not read`, { offset });
        }
        const node: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [], offset };
        if (parent.type === Msg.Graph) (parent.obj as OnnxGraph).nodes.push(node);
        else if (parent.type === Msg.Function) (parent.obj as OnnxFunction).body.nodes.push(node);
        frame = { type, obj: node };
        break;
      }
      case Msg.Attribute: {
        this.entry();
        const attribute: OnnxAttribute = { name: '', type: 0, count: 0, graphs: [], tensors: [], sparseTensors: [], offset };
        if (parent.type === Msg.Node) (parent.obj as OnnxNode).attributes.push(attribute);
        frame = { type, obj: attribute };
        break;
      }
      case Msg.Tensor: {
        this.entry();
        const tensor = emptyTensor(offset);
        this.model.tensors.push(tensor);
        if (parent.type === Msg.Graph) (parent.obj as OnnxGraph).initializers.push(tensor);
        else if (parent.type === Msg.SparseTensor) {
          const sparse = parent.obj as OnnxSparseTensor;
          if (field === 1) sparse.values = tensor;
          else sparse.indices = tensor;
        } else if (parent.type === Msg.Attribute) {
          const attribute = parent.obj as OnnxAttribute;
          attribute.count++;
          attribute.tensors.push(tensor);
        }
        frame = { type, obj: tensor };
        break;
      }
      case Msg.SparseTensor: {
        this.entry();
        const sparse: OnnxSparseTensor = { dims: [], rank: 0, offset, path: '' };
        if (parent.type === Msg.Graph) (parent.obj as OnnxGraph).sparseInitializers.push(sparse);
        else if (parent.type === Msg.Attribute) {
          const attribute = parent.obj as OnnxAttribute;
          attribute.count++;
          attribute.sparseTensors.push(sparse);
        }
        frame = { type, obj: sparse };
        break;
      }
      case Msg.ValueInfo: {
        this.entry();
        const info: OnnxValueInfo = { name: '', type: null };
        if (parent.type === Msg.Graph) {
          const graph = parent.obj as OnnxGraph;
          (field === 11 ? graph.inputs : field === 12 ? graph.outputs : graph.valueInfo).push(info);
        } else if (parent.type === Msg.Function) (parent.obj as OnnxFunction).body.valueInfo.push(info);
        frame = { type, obj: info };
        break;
      }
      case Msg.Type:
        frame = { type, obj: { type: null } };
        break;
      case Msg.TypeTensor: case Msg.TypeSparse: {
        const t: OnnxType = { kind: type === Msg.TypeTensor ? 'tensor' : 'sparse_tensor', elemType: 0, shape: null };
        this.setType(parent, t);
        frame = { type, obj: t };
        break;
      }
      case Msg.TypeSequence: case Msg.TypeOptional: {
        const t: OnnxType = { kind: type === Msg.TypeSequence ? 'sequence' : 'optional', elem: null };
        this.setType(parent, t);
        frame = { type, obj: t };
        break;
      }
      case Msg.TypeMap: {
        const t: OnnxType = { kind: 'map', keyType: 0, value: null };
        this.setType(parent, t);
        frame = { type, obj: t };
        break;
      }
      case Msg.Shape:
        frame = { type, obj: { dims: [] } };
        break;
      case Msg.Dimension:
        frame = { type, obj: { value: null } };
        break;
      case Msg.Opset: {
        this.entry();
        const opset: OnnxOpset = { domain: '', version: 0 };
        if (parent.type === Msg.Model) this.model.opsets.push(opset);
        else if (parent.type === Msg.Function) ((parent.obj as OnnxFunction).body.opsets ??= []).push(opset);
        frame = { type, obj: opset };
        break;
      }
      case Msg.Entry: {
        this.entry();
        frame = { type, obj: { key: '', value: '', field } };
        break;
      }
      case Msg.Function: {
        this.entry();
        const fn: OnnxFunction = { name: '', domain: '', overload: '', attributes: [], body: emptyGraph('function', offset, 0), docString: '' };
        this.model.functions.push(fn);
        frame = { type, obj: fn };
        break;
      }
      case Msg.Segment:
        if (parent.type === Msg.Tensor) (parent.obj as OnnxTensor).segment = true;
        frame = { type, obj: null };
        break;
      default:
        frame = { type, obj: null };
    }
    this.stack.push(frame);
    this.graphDepths.push(frame.type === Msg.Graph ? (frame.obj as OnnxGraph).depth : depth);
  }

  /** Sets the type a TypeProto (or a Sequence/Optional/Map slot holding one) turned out to be. */
  private setType(typeFrame: Frame, t: OnnxType): void {
    if (typeFrame.type === Msg.Type) (typeFrame.obj as TypeSlot).type = t;
  }

  private end(): void {
    const frame = this.stack.pop()!;
    this.graphDepths.pop();
    const parent = this.stack[this.stack.length - 1];
    if (!parent) return;
    switch (frame.type) {
      case Msg.Node: {
        // Arrays grown by push keep room for 16 more: exact copies keep a 10^5-node graph small.
        const node = frame.obj as OnnxNode;
        node.inputs = node.inputs.slice();
        node.outputs = node.outputs.slice();
        if (node.attributes.length) node.attributes = node.attributes.slice();
        break;
      }
      case Msg.Tensor: {
        const tensor = frame.obj as OnnxTensor;
        tensor.dims = tensor.dims.slice();
        break;
      }
      case Msg.Type: {
        const t = (frame.obj as TypeSlot).type ?? { kind: 'opaque' as const };
        if (parent.type === Msg.ValueInfo) (parent.obj as OnnxValueInfo).type = t;
        else if (parent.type === Msg.TypeSequence || parent.type === Msg.TypeOptional) (parent.obj as { elem: OnnxType | null }).elem = t;
        else if (parent.type === Msg.TypeMap) (parent.obj as { value: OnnxType | null }).value = t;
        break;
      }
      case Msg.Shape:
        if (parent.type === Msg.TypeTensor || parent.type === Msg.TypeSparse) (parent.obj as { shape: (number | string | null)[] | null }).shape = (frame.obj as ShapeSlot).dims.slice();
        break;
      case Msg.Dimension:
        if (parent.type === Msg.Shape) {
          const dims = (parent.obj as ShapeSlot).dims;
          if (dims.length < MAX_RANK) dims.push((frame.obj as { value: number | string | null }).value);
        }
        break;
      case Msg.Entry: {
        const { key, value, field } = frame.obj as { key: string; value: string; field: number };
        if (parent.type === Msg.Model && field === 14) this.model.metadata.push([key, value]);
        else if (parent.type === Msg.Tensor && field === 13) (parent.obj as OnnxTensor).external.push([key, value]);
        break;
      }
    }
  }

  private varint(field: number, value: number): void {
    const frame = this.top();
    switch (frame.type) {
      case Msg.Model:
        if (field === 1) this.model.irVersion = value;
        else if (field === 5) this.model.modelVersion = value;
        break;
      case Msg.Attribute: {
        const attribute = frame.obj as OnnxAttribute;
        if (field === 20) attribute.type = value;
        else if (field === 3) attribute.i = value;
        else if (field === 8) attribute.count++;
        break;
      }
      case Msg.Tensor: {
        const tensor = frame.obj as OnnxTensor;
        if (field === 1) this.dim(tensor, value);
        else if (field === 2) tensor.dataType = value;
        else if (field === 14) tensor.dataLocation = value;
        break;
      }
      case Msg.SparseTensor:
        if (field === 3) this.dim(frame.obj as OnnxSparseTensor, value);
        break;
      case Msg.TypeTensor: case Msg.TypeSparse:
        if (field === 1) (frame.obj as { elemType: number }).elemType = value;
        break;
      case Msg.TypeMap:
        if (field === 1) (frame.obj as { keyType: number }).keyType = value;
        break;
      case Msg.Dimension:
        if (field === 1) (frame.obj as { value: number | string | null }).value = value;
        break;
      case Msg.Opset:
        if (field === 2) (frame.obj as OnnxOpset).version = value;
        break;
    }
  }

  private dim(tensor: { dims: number[]; rank: number }, value: number): void {
    tensor.rank++;
    if (tensor.dims.length < MAX_RANK) tensor.dims.push(value);
  }

  private float(field: number, value: number): void {
    const frame = this.top();
    if (frame.type === Msg.Attribute && field === 2) (frame.obj as OnnxAttribute).f = value;
  }

  private string(field: number, text: string): void {
    const frame = this.top();
    switch (frame.type) {
      case Msg.Model:
        if (field === 2) this.model.producerName = text;
        else if (field === 3) this.model.producerVersion = text;
        else if (field === 4) this.model.domain = text;
        else if (field === 6) this.model.docString = text;
        break;
      case Msg.Graph: {
        const graph = frame.obj as OnnxGraph;
        if (field === 2) graph.name = text;
        else if (field === 10) graph.docString = text;
        break;
      }
      case Msg.Node: {
        const node = frame.obj as OnnxNode;
        switch (field) {
          case 1: node.inputs.push(text); break;
          case 2: node.outputs.push(text); break;
          case 3: node.name = text; break;
          case 4: node.opType = this.intern(text); break;
          case 7: node.domain = this.intern(text); break;
        }
        break;
      }
      case Msg.Attribute: {
        const attribute = frame.obj as OnnxAttribute;
        if (field === 1) attribute.name = this.intern(text);
        else if (field === 21) attribute.refAttrName = text;
        else if (field === 4) attribute.s = text;
        break;
      }
      case Msg.Tensor:
        if (field === 8) (frame.obj as OnnxTensor).name = text;
        break;
      case Msg.ValueInfo:
        if (field === 1) (frame.obj as OnnxValueInfo).name = text;
        break;
      case Msg.Dimension:
        if (field === 2) (frame.obj as { value: number | string | null }).value = this.intern(text);
        break;
      case Msg.Opset:
        if (field === 1) (frame.obj as OnnxOpset).domain = text;
        break;
      case Msg.Entry: {
        const entry = frame.obj as { key: string; value: string };
        if (field === 1) entry.key = text;
        else if (field === 2) entry.value = text;
        break;
      }
      case Msg.Function: {
        this.entry();
        const fn = frame.obj as OnnxFunction;
        switch (field) {
          case 1: fn.name = text; break;
          case 4: fn.body.inputs.push({ name: text, type: null }); break;
          case 5: fn.body.outputs.push({ name: text, type: null }); break;
          case 6: fn.attributes.push(text); break;
          case 8: fn.docString = text; break;
          case 10: fn.domain = text; break;
          case 13: fn.overload = text; break;
        }
        break;
      }
    }
  }

  private bulk(field: number, element: number, offset: number, bytes: number, count: number): void {
    const frame = this.top();
    const kind = element & ~Bulk.Unpacked;
    if (frame.type === Msg.Tensor) {
      const tensor = frame.obj as OnnxTensor;
      if (field === 1) { // dims as a packed list too long to read
        tensor.dimsUnread = true;
        tensor.rank += Math.max(count, 0);
        return;
      }
      if (kind === Bulk.Opaque) return;
      const last = tensor.data[tensor.data.length - 1];
      if (last && last.field === field) { // a run continued after another field, or a field repeated
        last.bytes += bytes;
        last.count = last.count < 0 || count < 0 ? -1 : last.count + count;
      } else {
        tensor.data.push({ field, offset, bytes, count });
      }
    } else if (frame.type === Msg.SparseTensor && field === 3) {
      const sparse = frame.obj as OnnxSparseTensor;
      sparse.rank += Math.max(count, 0);
    } else if (frame.type === Msg.Attribute) {
      (frame.obj as OnnxAttribute).count += Math.max(count, 0);
    }
  }

  private unknown(field: number, wire: number, offset: number, length: number): void {
    const model = this.model;
    model.unknownFieldCount++;
    model.unknownFieldBytes += length;
    if (model.unknownFields.length < MAX_UNKNOWN_LISTED) model.unknownFields.push({ message: this.top().type, field, wire, offset, length });
  }
}
