// The model a Keras config describes, for the report: every layer (nested
// models and wrapped layers included) with its class, input and output shapes
// and parameter count where they can be computed from the config alone.
// Shapes come from the config (Keras 3 `build_config.input_shape`, Keras 2
// `batch_input_shape`, an InputLayer's `batch_shape`) or, in a Sequential
// model, from the layer before; parameters are computed for the layer classes
// below and left null for the others.
import type { JsonObject, JsonValue } from '../../json/value.js';
import { JsonFloat } from '../../json/value.js';

/** Layers listed in the report; the rest are counted. */
export const MAX_LAYERS_LISTED = 10_000;
/** Nested models and wrappers followed; real models nest 2-3 levels. Deeper ones are listed, not descended into. */
export const MAX_MODEL_DEPTH = 32;

export type Shape = (number | null)[];

export interface LayerSummary {
  /** Model-qualified name: `outer/inner/dense`. */
  path: string;
  name: string;
  className: string;
  module?: string;
  inputShape?: Shape;
  outputShape?: Shape;
  /** Trainable and non-trainable weights together; null when not computable from the config. */
  parameters: number | null;
}

export interface ModelSummary {
  className: string;
  name?: string;
  layers: LayerSummary[];
  layersTotal: number;
  /** Sum over the layers whose count is known. */
  parameters: number;
  /** Layers whose parameter count could not be computed. */
  parametersUnknown: number;
  inputShapes: Shape[];
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);
const WRAPPER_FIELDS = ['layer', 'backward_layer'];
/** Layers whose output has the input's shape and that hold no weights. */
const SHAPE_KEEPING = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'ThresholdedReLU', 'Masking', 'ActivityRegularization', 'Rescaling']);
const WEIGHTLESS = new Set(['InputLayer', 'Flatten', 'Reshape', 'Permute', 'RepeatVector', 'Lambda', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot', 'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalAveragePooling3D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling3D', 'ZeroPadding1D', 'ZeroPadding2D', 'ZeroPadding3D', 'Cropping1D', 'Cropping2D', 'Cropping3D', 'UpSampling1D', 'UpSampling2D', 'UpSampling3D', ...SHAPE_KEEPING]);

export function summariseModel(root: JsonValue): ModelSummary | undefined {
  if (!(root instanceof Map) || typeof root.get('class_name') !== 'string') return undefined;
  const layers: LayerSummary[] = [];
  const counter = { total: 0, parameters: 0, unknown: 0 };
  const inputShapes: Shape[] = [];
  const config = root.get('config');
  const name = config instanceof Map && typeof config.get('name') === 'string' ? (config.get('name') as string) : undefined;
  const visit = (layer: LayerSummary) => {
    counter.total++;
    if (layer.parameters === null) counter.unknown++;
    else counter.parameters += layer.parameters;
    if (layer.className === 'InputLayer' && layer.outputShape) inputShapes.push(layer.outputShape);
    if (layers.length < MAX_LAYERS_LISTED) layers.push(layer);
  };
  const className = root.get('class_name') as string;
  if (MODEL_CLASSES.has(className) && config instanceof Map) walkModel(config, className, '', 0, visit);
  else walkLayer(root, '', undefined, 0, visit);
  return { className, ...(name !== undefined ? { name } : {}), layers, layersTotal: counter.total, parameters: counter.parameters, parametersUnknown: counter.unknown, inputShapes };
}

function walkModel(config: JsonObject, className: string, prefix: string, depth: number, visit: (l: LayerSummary) => void): void {
  const layers = config.get('layers');
  if (!Array.isArray(layers)) return;
  let previous: Shape | undefined;
  for (const layer of layers) {
    if (!(layer instanceof Map)) continue;
    const out = walkLayer(layer, prefix, className === 'Sequential' ? previous : undefined, depth, visit);
    previous = out;
  }
}

/** Lists one layer (and what it holds); returns its output shape when known. */
function walkLayer(layer: JsonObject, prefix: string, previous: Shape | undefined, depth: number, visit: (l: LayerSummary) => void): Shape | undefined {
  const className = str(layer.get('class_name')) ?? '?';
  const config = layer.get('config');
  const c: JsonObject = config instanceof Map ? config : new Map();
  const name = str(c.get('name')) ?? str(layer.get('name')) ?? className;
  const path = prefix ? `${prefix}/${name}` : name;
  const input = declaredInput(layer, c) ?? previous;
  const { output, parameters } = describe(className, c, input);
  const module = str(layer.get('module'));
  visit({ path, name, className, ...(module ? { module } : {}), ...(input ? { inputShape: input } : {}), ...(output ? { outputShape: output } : {}), parameters: MODEL_CLASSES.has(className) || isWrapper(c) ? 0 : parameters });
  if (depth >= MAX_MODEL_DEPTH) return output;
  if (MODEL_CLASSES.has(className)) walkModel(c, className, path, depth + 1, visit);
  for (const field of WRAPPER_FIELDS) {
    const inner = c.get(field);
    if (inner instanceof Map) walkLayer(inner, path, innerInput(className, input), depth + 1, visit);
  }
  return output;
}

function isWrapper(c: JsonObject): boolean {
  return WRAPPER_FIELDS.some((f) => c.get(f) instanceof Map);
}

/** TimeDistributed applies its layer to each step: the inner input drops the time axis. */
function innerInput(wrapper: string, input: Shape | undefined): Shape | undefined {
  if (!input) return undefined;
  return wrapper === 'TimeDistributed' ? [input[0]!, ...input.slice(2)] : input;
}

function declaredInput(layer: JsonObject, c: JsonObject): Shape | undefined {
  const build = layer.get('build_config');
  const fromBuild = build instanceof Map ? shape(build.get('input_shape')) : undefined;
  return fromBuild ?? shape(c.get('batch_input_shape')) ?? shape(c.get('batch_shape'));
}

function describe(className: string, c: JsonObject, input: Shape | undefined): { output?: Shape; parameters: number | null } {
  const last = input && input.length ? input[input.length - 1] : undefined;
  const bias = c.get('use_bias') !== false;
  const known = (n: number | undefined | null): number | null => (n === undefined || n === null || !Number.isSafeInteger(n) ? null : n);
  switch (className) {
    case 'InputLayer':
      return { ...(input ? { output: input } : {}), parameters: 0 };
    case 'Dense': {
      const units = int(c.get('units'));
      return { ...(input && units !== undefined ? { output: [...input.slice(0, -1), units] } : {}), parameters: known(units !== undefined && typeof last === 'number' ? units * last + (bias ? units : 0) : undefined) };
    }
    case 'Embedding': {
      const inDim = int(c.get('input_dim'));
      const outDim = int(c.get('output_dim'));
      return { ...(input && outDim !== undefined ? { output: [...input, outDim] } : {}), parameters: known(inDim !== undefined && outDim !== undefined ? inDim * outDim : undefined) };
    }
    case 'Conv1D': case 'Conv2D': case 'Conv3D': case 'Conv1DTranspose': case 'Conv2DTranspose': case 'Conv3DTranspose': {
      const filters = int(c.get('filters'));
      const kernel = ints(c.get('kernel_size'));
      const groups = int(c.get('groups')) ?? 1;
      const channels = channelsOf(c, input);
      if (filters === undefined || !kernel || channels === undefined) return { parameters: null };
      const perFilter = className.endsWith('Transpose') ? kernel.reduce((a, b) => a * b, 1) * channels : (kernel.reduce((a, b) => a * b, 1) * channels) / groups;
      return { parameters: known(perFilter * filters + (bias ? filters : 0)) };
    }
    case 'DepthwiseConv2D': case 'DepthwiseConv1D': {
      const kernel = ints(c.get('kernel_size'));
      const multiplier = int(c.get('depth_multiplier')) ?? 1;
      const channels = channelsOf(c, input);
      if (!kernel || channels === undefined) return { parameters: null };
      return { parameters: known(kernel.reduce((a, b) => a * b, 1) * channels * multiplier + (bias ? channels * multiplier : 0)) };
    }
    case 'SeparableConv1D': case 'SeparableConv2D': {
      const filters = int(c.get('filters'));
      const kernel = ints(c.get('kernel_size'));
      const multiplier = int(c.get('depth_multiplier')) ?? 1;
      const channels = channelsOf(c, input);
      if (filters === undefined || !kernel || channels === undefined) return { parameters: null };
      return { parameters: known(kernel.reduce((a, b) => a * b, 1) * channels * multiplier + channels * multiplier * filters + (bias ? filters : 0)) };
    }
    case 'BatchNormalization': case 'LayerNormalization': {
      const axis = int(c.get('axis'));
      const dims = input ? input[axis === undefined || axis < 0 ? input.length + (axis ?? -1) : axis] : undefined;
      const scaled = (c.get('scale') !== false ? 1 : 0) + (c.get('center') !== false ? 1 : 0);
      const perChannel = className === 'BatchNormalization' ? scaled + 2 : scaled; // moving mean and variance
      return { ...(input ? { output: input } : {}), parameters: known(typeof dims === 'number' ? dims * perChannel : undefined) };
    }
    case 'SimpleRNN': case 'LSTM': case 'GRU': {
      const units = int(c.get('units'));
      const gates = className === 'LSTM' ? 4 : className === 'GRU' ? 3 : 1;
      const resetAfter = className === 'GRU' && c.get('reset_after') !== false;
      const output = input && units !== undefined ? (c.get('return_sequences') === true ? [input[0]!, input[1] ?? null, units] : [input[0]!, units]) : undefined;
      const params = units !== undefined && typeof last === 'number' ? gates * (units * (last + units) + (bias ? units : 0)) + (resetAfter && bias ? gates * units : 0) : undefined;
      return { ...(output ? { output } : {}), parameters: known(params) };
    }
    case 'Flatten': {
      if (!input) return { parameters: 0 };
      const rest = input.slice(1);
      return { output: [input[0]!, rest.every((d) => typeof d === 'number') ? (rest as number[]).reduce((a, b) => a * b, 1) : null], parameters: 0 };
    }
  }
  if (SHAPE_KEEPING.has(className)) return { ...(input ? { output: input } : {}), parameters: 0 };
  if (WEIGHTLESS.has(className)) return { parameters: 0 };
  return { parameters: null };
}

function channelsOf(c: JsonObject, input: Shape | undefined): number | undefined {
  if (!input) return undefined;
  const d = c.get('data_format') === 'channels_first' ? input[1] : input[input.length - 1];
  return typeof d === 'number' ? d : undefined;
}

function str(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function int(v: JsonValue | undefined): number | undefined {
  return typeof v === 'bigint' && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

function ints(v: JsonValue | undefined): number[] | undefined {
  if (typeof v === 'bigint') return int(v) !== undefined ? [int(v)!] : undefined;
  if (!Array.isArray(v)) return undefined;
  const out = v.map(int);
  return out.every((n) => n !== undefined) ? (out as number[]) : undefined;
}

/** A shape list: integers or null; anything else is not a shape. */
function shape(v: JsonValue | undefined): Shape | undefined {
  if (!Array.isArray(v) || v.length > 64) return undefined;
  const out: Shape = [];
  for (const d of v) {
    if (d === null) out.push(null);
    else if (int(d) !== undefined) out.push(int(d)!);
    else if (d instanceof JsonFloat) return undefined;
    else return undefined;
  }
  return out;
}
