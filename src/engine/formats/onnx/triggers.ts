// Input-triggered branches: the shape of a graph backdoor (ShadowLogic). A
// model input flows into a comparison (Equal, Greater, …), and the comparison's
// result chooses what the model outputs: the condition of an If, or of a Where
// after a global reduction turned it into one switch for the whole input. Such
// a graph behaves normally until a chosen pattern shows up in the input.
//
// A taint walk in graph order, three flags per value:
//   V  the value is computed from a model input's values (not just its shape);
//   T  it is derived from a comparison of such values (a condition);
//   R  a reduction over all axes happened on the way (one verdict for the whole input).
// V flows through every op but the shape-only ones; T and R flow only through
// ops that carry a condition along (logic, casts, reshapes, slicing, reductions).
// An If whose condition has T fires; a Where whose condition has T and R fires.
// docs/onnx.md explains where this may fire on legitimate graphs.
import type { GraphEntry } from './graphs.js';
import { nodeLabel } from './graphs.js';
import type { OnnxFunction, OnnxGraph, OnnxNode } from './model.js';
import type { Notes } from './notes.js';
import { freeNames } from './integrity.js';
import { canonicalDomain } from './operators.js';

const V = 1;
const T = 2;
const R = 4;

/** Ops whose result depends only on the shape of their input, never its values. */
const SHAPE_ONLY = new Set(['Shape', 'Size']);
/** Comparisons: a boolean verdict on values. */
const COMPARISONS = new Set(['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'IsNaN', 'IsInf', 'RegexFullMatch', 'StringEqual']);
const REDUCTIONS = new Set(['ReduceMin', 'ReduceMax', 'ReduceSum', 'ReduceProd', 'ReduceMean', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSum', 'ReduceLogSumExp']);
/** Ops that carry a condition along: logic, casts, reshaping, slicing, reductions, min/max, counting. */
const CONDITION_OPS = new Set([
  'Not', 'And', 'Or', 'Xor', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'BitwiseNot', 'Cast', 'CastLike', 'Identity',
  'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Expand', 'Tile', 'Transpose', 'Slice', 'Gather', 'GatherElements',
  'GatherND', 'Concat', 'Split', 'Pad', 'Min', 'Max', 'Mul', 'Add', 'Sum', 'ArgMax', 'ArgMin', 'Compress', ...REDUCTIONS,
]);
/** Longest node path listed as evidence. */
const MAX_PATH = 40;

/** Where a flag came from: the node that set it (by index in its graph) and the value it read. */
interface Taint {
  flags: number;
  /** The producing node; absent for a model or function input, where V starts. */
  graph?: OnnxGraph;
  index: number;
  /** The value V came from and the value T came from, with the scopes to look them up in. */
  valueFrom?: string;
  valueScope?: Scope;
  conditionFrom?: string;
  conditionScope?: Scope;
  /** For a model input or a function input: what it is. */
  origin?: string;
}

class Scope {
  readonly taints = new Map<string, Taint>();
  constructor(readonly parent: Scope | null) {}

  get(name: string): Taint | undefined {
    for (let s: Scope | null = this; s; s = s.parent) {
      const t = s.taints.get(name);
      if (t) return t;
    }
    return undefined;
  }
}

const describeNode = (graph: OnnxGraph, index: number) => `${nodeLabel(graph.nodes[index]!, index)} (${graph.nodes[index]!.opType})`;

/** A reduction over every axis: no axes attribute, no axes input, and not told to do nothing when axes are empty. */
function reducesAllAxes(node: OnnxNode): boolean {
  if (!REDUCTIONS.has(node.opType)) return false;
  if (node.attributes.some((a) => a.name === 'axes' || (a.name === 'noop_with_empty_axes' && a.i === 1))) return false;
  return !node.inputs[1];
}

export function checkInputTriggers(main: GraphEntry | undefined, functions: OnnxFunction[], notes: Notes): void {
  if (!main) return;
  const run = new TriggerRun(functions, notes);
  const scope = new Scope(null);
  const initializers = new Set(main.graph.initializers.map((t) => t.name));
  for (const input of main.graph.inputs) {
    if (!initializers.has(input.name)) scope.taints.set(input.name, { flags: V, index: -1, origin: `model input ${JSON.stringify(input.name)}` });
  }
  run.graph(main.graph, scope);
}

class TriggerRun {
  private readonly byKey: Map<string, OnnxFunction>;
  private readonly analysed = new Set<string>();
  private readonly freeMemo = new Map<OnnxGraph, Set<string>>();

  constructor(functions: OnnxFunction[], private readonly notes: Notes) {
    this.byKey = new Map(functions.map((f) => [`${canonicalDomain(f.domain)}\u0000${f.name}`, f]));
  }

  graph(graph: OnnxGraph, scope: Scope): void {
    for (let index = 0; index < graph.nodes.length; index++) this.node(graph, index, scope);
  }

  private node(graph: OnnxGraph, index: number, scope: Scope): void {
    const node = graph.nodes[index]!;
    let flags = 0;
    let valueFrom: string | undefined;
    let conditionFrom: string | undefined;
    let valueScope: Scope | undefined;
    let conditionScope: Scope | undefined;
    const read = (name: string, where: Scope) => {
      const t = where.get(name);
      if (!t) return;
      flags |= t.flags;
      if (t.flags & V && valueFrom === undefined) [valueFrom, valueScope] = [name, where];
      if (t.flags & T && conditionFrom === undefined) [conditionFrom, conditionScope] = [name, where];
    };
    for (const input of node.inputs) if (input) read(input, scope);
    let subgraphs = false;
    for (const a of node.attributes) {
      for (const g of a.graphs) {
        subgraphs = true;
        for (const name of freeNames(g, this.freeMemo)) read(name, scope);
      }
    }

    // Sinks first: they judge the condition as it arrives.
    const cond = node.inputs[0] ? scope.get(node.inputs[0]) : undefined;
    if (cond && cond.flags & T && (node.opType === 'If' || (node.opType === 'Where' && cond.flags & R))) {
      this.report(graph, index, node.inputs[0]!, scope);
    }

    const fn = this.byKey.get(`${canonicalDomain(node.domain)}\u0000${node.opType}`);
    if (fn) this.call(fn, node, scope);

    let out = 0;
    const compares = COMPARISONS.has(node.opType) && (flags & V) !== 0;
    if (!SHAPE_ONLY.has(node.opType)) {
      out = flags & V;
      if (fn || subgraphs || CONDITION_OPS.has(node.opType) || COMPARISONS.has(node.opType)) out |= flags & (T | R);
      if (compares) out |= T;
      if (reducesAllAxes(node) && flags & (V | T)) out |= R;
    }
    // Subgraphs see this graph's taints; what they compute leaves through the node's outputs.
    if (subgraphs) {
      for (const a of node.attributes) {
        for (const g of a.graphs) {
          const inner = new Scope(scope);
          this.graph(g, inner);
          for (const o of g.outputs) {
            const t = inner.get(o.name);
            if (!t) continue;
            out |= t.flags & (V | T | R);
            if (t.flags & V && valueFrom === undefined) [valueFrom, valueScope] = [o.name, inner];
            if (t.flags & T && conditionFrom === undefined) [conditionFrom, conditionScope] = [o.name, inner];
          }
        }
      }
    }
    if (!out) return;
    // A comparison starts a condition: it comes from the value compared.
    if (compares) [conditionFrom, conditionScope] = [valueFrom, valueScope];
    for (const o of node.outputs) {
      if (!o) continue;
      scope.taints.set(o, {
        flags: out, graph, index,
        ...(out & V ? { valueFrom, valueScope } : {}),
        ...(out & T ? { conditionFrom, conditionScope } : {}),
      });
    }
  }

  /** A model-local function called with tainted arguments: its body is walked with them (once per pattern of taints). */
  private call(fn: OnnxFunction, node: OnnxNode, scope: Scope): void {
    const formal = fn.body.inputs.map((v) => v.name);
    const flags = formal.map((_, i) => (node.inputs[i] ? scope.get(node.inputs[i]!)?.flags ?? 0 : 0));
    if (!flags.some(Boolean)) return;
    const key = `${fn.domain}\u0000${fn.name}\u0000${flags.join(',')}`;
    if (this.analysed.has(key)) return;
    this.analysed.add(key);
    const inner = new Scope(null);
    formal.forEach((name, i) => flags[i] && inner.taints.set(name, { flags: flags[i]!, index: -1, origin: `input ${JSON.stringify(name)} of function ${fn.domain}.${fn.name}` }));
    this.graph(fn.body, inner);
  }

  private report(graph: OnnxGraph, index: number, condition: string, scope: Scope): void {
    const sink = describeNode(graph, index);
    const label = nodeLabel(graph.nodes[index]!, index);
    const path: string[] = [sink];
    let comparison = '';
    let input = '';
    // Back along the condition to the comparison, then along the values to the input.
    let name: string | undefined = condition;
    let where: Scope | undefined = scope;
    let following: 'condition' | 'value' = 'condition';
    while (name !== undefined && where && path.length < MAX_PATH) {
      const t: Taint | undefined = where.get(name);
      if (!t) break;
      if (!t.graph) {
        input = t.origin ?? name;
        path.push(input);
        break;
      }
      const step = describeNode(t.graph, t.index);
      path.push(step);
      if (following === 'condition') {
        // T starts at the comparison whose input had none
        const from: Taint | undefined = t.conditionFrom !== undefined ? t.conditionScope?.get(t.conditionFrom) : undefined;
        if (!from || !(from.flags & T)) {
          comparison = step;
          following = 'value';
        }
      }
      [name, where] = following === 'condition' ? [t.conditionFrom, t.conditionScope] : [t.valueFrom, t.valueScope];
    }
    path.reverse();
    const node = graph.nodes[index]!;
    const kind = node.opType === 'If' ? 'which branch the If runs' : 'what the Where selects, for the whole input at once';
    this.notes.add(
      'onnx.input-triggered-branch',
      `${input || 'a model input'} reaches the comparison ${comparison || '?'}, whose result decides ${kind} at ${label} in ${graph.path}: a pattern in the input can switch the model's output (path: ${path.join(' → ')})`,
      { node: label, offset: node.offset },
      { graph: graph.path, path, input, comparison, sink },
    );
  }
}
