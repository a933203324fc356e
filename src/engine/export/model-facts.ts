// What the exports say about a model beyond its verdict: the parameter count and
// the dtypes, read from whichever `content` fields the format filled in
// (docs/report.md). Content may come from a shared or older report, so every
// field is checked before use and a missing fact is `null`, never a guess.
import type { Finding, Report } from '../report.js';

export interface ModelFacts {
  /** Total parameters (tensor elements), or null when the report lists none. */
  parameters: number | null;
  /** Distinct dtypes in the format's own spelling (`F16`, `float32`, `<f4`), sorted. */
  dtypes: string[];
  /** The architecture family a safetensors report recognised (`llama-like`), if any. */
  architectureFamily: string | null;
  /** `architectures` from a config.json beside the file, if any. */
  architectures: string[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function sum(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) : null;
}

/** `tensors: [{ dtype, parameters }]`, the shape every format with tensors uses. */
function tensorList(value: unknown): { parameters: number | null; dtypes: string[] } {
  if (!Array.isArray(value)) return { parameters: null, dtypes: [] };
  const rows = value.filter(isObject);
  return {
    parameters: sum(rows.map((t) => count(t.parameters))),
    dtypes: rows.map((t) => t.dtype).filter((d): d is string => typeof d === 'string'),
  };
}

function pickleStreams(content: Json): Json[] {
  const pickle = content.pickle;
  return isObject(pickle) && Array.isArray(pickle.streams) ? pickle.streams.filter(isObject) : [];
}

export function modelFacts(report: Pick<Report, 'content'>): ModelFacts {
  const content = report.content;
  const dtypes = new Set<string>();
  let parameters: number | null = null;

  // safetensors, ONNX, PyTorch checkpoints, the sharded index: totals by dtype and a total.
  if (isObject(content.totals)) Object.keys(content.totals).forEach((d) => dtypes.add(d));
  parameters = count(content.parameters);

  const listed = tensorList(content.tensors);
  listed.dtypes.forEach((d) => dtypes.add(d));
  parameters ??= listed.parameters;

  // .npz: one .npy content per member.
  if (isObject(content.arrays)) {
    const arrays = Object.values(content.arrays).filter(isObject).map((a) => tensorList(a.tensors));
    arrays.forEach((a) => a.dtypes.forEach((d) => dtypes.add(d)));
    parameters ??= sum(arrays.map((a) => a.parameters));
  }

  // Pickles with a rebuilt tensor table (a raw torch.save pickle, TorchScript).
  const totals = pickleStreams(content).map((s) => s.tensorTotals).filter(isObject);
  for (const t of totals) if (isObject(t.byDtype)) Object.keys(t.byDtype).forEach((d) => dtypes.add(d));
  parameters ??= sum(totals.map((t) => count(t.parameters)));

  // A .npy array without a tensor row (an object array) still names its dtype.
  if (dtypes.size === 0 && typeof content.dtype === 'string') dtypes.add(content.dtype);

  const architecture = isObject(content.architecture) ? content.architecture : {};
  const fact = (name: string): unknown => (isObject(architecture[name]) ? (architecture[name] as Json).value : undefined);
  const family = fact('family');
  const architectures = fact('architectures');
  return {
    parameters,
    dtypes: [...dtypes].sort(),
    architectureFamily: typeof family === 'string' ? family : null,
    architectures: Array.isArray(architectures) ? architectures.filter((a): a is string => typeof a === 'string') : [],
  };
}

/** Where a finding is, in words: `member data.pkl, offset 12, opcode #3`. */
export function describeLocation(location: Finding['location']): string {
  const parts: string[] = [];
  if (location.member !== undefined) parts.push(`member ${location.member}`);
  if (location.offset !== undefined) parts.push(`offset ${location.offset}`);
  if (location.length !== undefined) parts.push(`length ${location.length}`);
  if (location.opcodeIndex !== undefined) parts.push(`opcode #${location.opcodeIndex}`);
  if (location.node !== undefined) parts.push(`node ${location.node}`);
  if (location.tensor !== undefined) parts.push(`tensor ${location.tensor}`);
  return parts.join(', ');
}
