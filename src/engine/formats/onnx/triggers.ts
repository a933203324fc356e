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

interface Step {
  /** The node that set the flag, as people read it: `Equal_3 (Equal)`. */
  node: string;
  /** The value it came from, and where to look it up. */
  from: string;
  scope: Scope;
}

interface Taint {
  flags: number;
  /** How the value got V and T (absent for a model input, which is where V starts). */
  value?: Step;
  condition?: Step;
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
    if (!initializers.has(input.name)) scope.taints.set(input.name, { flags: V, origin: `model input ${JSON.stringify(input.name)}` });
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
    graph.nodes.forEach((node, index) => this.node(graph, node, nodeLabel(node, index), scope));
  }

  private node(graph: OnnxGraph, node: OnnxNode, label: string, scope: Scope): void {
    const name = `${label} (${node.opType})`;
    const reads = node.inputs.filter(Boolean);
    for (const a of node.attributes) for (const g of a.graphs) reads.push(...freeNames(g, this.freeMemo));
    let flags = 0;
    let valueFrom: { from: string; scope: Scope } | undefined;
    let conditionFrom: { from: string; scope: Scope } | undefined;
    for (const r of reads) {
      const t = scope.get(r);
      if (!t) continue;
      flags |= t.flags;
      if (t.flags & V) valueFrom ??= { from: r, scope };
      if (t.flags & T) conditionFrom ??= { from: r, scope };
    }

    // Sinks first: they judge the condition as it arrives.
    const cond = node.inputs[0] ? scope.get(node.inputs[0]) : undefined;
    if (cond && cond.flags & T && (node.opType === 'If' || (node.opType === 'Where' && cond.flags & R))) {
      this.report(graph, node, label, name, node.inputs[0]!, scope);
    }

    const fn = this.byKey.get(`${canonicalDomain(node.domain)}\u0000${node.opType}`);
    if (fn) this.call(fn, node, scope);

    let out = 0;
    if (!SHAPE_ONLY.has(node.opType)) {
      out = flags & V;
      if (fn || CONDITION_OPS.has(node.opType) || COMPARISONS.has(node.opType) || node.attributes.some((a) => a.graphs.length)) out |= flags & (T | R);
      if (COMPARISONS.has(node.opType) && flags & V) out |= T;
      if (reducesAllAxes(node) && flags & (V | T)) out |= R;
    }
    // Subgraphs see this graph's taints; what they compute leaves through the node's outputs.
    for (const a of node.attributes) {
      for (const g of a.graphs) {
        const inner = new Scope(scope);
        this.graph(g, inner);
        for (const o of g.outputs) {
          const t = inner.get(o.name);
          if (t) {
            out |= t.flags & (V | T | R);
            if (t.flags & V) valueFrom ??= { from: o.name, scope: inner };
            if (t.flags & T) conditionFrom ??= { from: o.name, scope: inner };
          }
        }
      }
    }
    if (!out) return;
    const step = (from: { from: string; scope: Scope } | undefined): Step | undefined => (from ? { node: name, ...from } : undefined);
    for (const o of node.outputs) {
      if (!o) continue;
      const conditionStep = COMPARISONS.has(node.opType) && flags & V ? step(valueFrom) : step(conditionFrom);
      scope.taints.set(o, { flags: out, ...(out & V ? { value: step(valueFrom) } : {}), ...(out & T ? { condition: conditionStep } : {}) });
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
    formal.forEach((name, i) => flags[i] && inner.taints.set(name, { flags: flags[i]!, origin: `input ${JSON.stringify(name)} of function ${fn.domain}.${fn.name}` }));
    this.graph(fn.body, inner);
  }

  private report(graph: OnnxGraph, node: OnnxNode, label: string, name: string, condition: string, scope: Scope): void {
    const path: string[] = [name];
    let comparison = '';
    let input = '';
    // Back along the condition to the comparison, then along the values to the input.
    let current: { name: string; scope: Scope } | undefined = { name: condition, scope };
    let following: 'condition' | 'value' = 'condition';
    while (current && path.length < MAX_PATH) {
      const t: Taint | undefined = current.scope.get(current.name);
      if (!t) break;
      const step: Step | undefined = following === 'condition' ? t.condition : t.value;
      if (!step) {
        input = t.origin ?? current.name;
        path.push(input);
        break;
      }
      path.push(step.node);
      if (following === 'condition' && !t.condition?.scope.get(step.from)?.condition) {
        comparison = step.node;
        following = 'value';
      }
      current = { name: step.from, scope: step.scope };
    }
    path.reverse();
    const kind = node.opType === 'If' ? 'which branch the If runs' : 'what the Where selects, for the whole input at once';
    this.notes.add(
      'onnx.input-triggered-branch',
      `${input || 'a model input'} reaches the comparison ${comparison || '?'}, whose result decides ${kind} at ${label} in ${graph.path}: a pattern in the input can switch the model's output (path: ${path.join(' → ')})`,
      { node: label, offset: node.offset },
      { graph: graph.path, path, input, comparison, sink: name },
    );
  }
}
