// One Keras config text (config.json of a .keras archive, or the model_config
// and training_config attributes of a legacy .h5) from bytes to findings and
// report content: strict JSON, the security checks, the model summary.
import { JsonError, parseStrictJson, type JsonValue } from '../../strict-json.js';
import { LimitError, MalformedError } from '../../errors.js';
import type { Location } from '../../report.js';
import type { WeightlensWasm } from '../../wasm.js';
import type { FindingList } from '../driver.js';
import { checkConfig, type ConfigCheckResult } from './config-checks.js';
import { summariseModel, type ModelSummary } from './layers.js';

/** Nesting of a config's JSON; nested models and wrappers reach 20-30 levels. Also bounds the checker's recursion. */
export const MAX_CONFIG_DEPTH = 256;

export interface ConfigText {
  bytes: Uint8Array;
  /** For messages: "config.json", "the model_config attribute". */
  what: string;
  /** Location of a byte offset in the text. */
  locate(offset: number): Location;
}

export interface ConfigAnalysis {
  value: JsonValue;
  checks: ConfigCheckResult;
  model?: ModelSummary;
}

/** Parses and checks one config; findings go to `findings`. Throws MalformedError (rule keras.config-invalid) when it is not a JSON object. */
export function analyseConfigText(wasm: WeightlensWasm, text: ConfigText, findings: FindingList, summarise: boolean): ConfigAnalysis {
  let value: JsonValue;
  try {
    value = parseStrictJson(wasm, text.bytes, { maxDepth: MAX_CONFIG_DEPTH });
  } catch (error) {
    if (!(error instanceof JsonError)) throw error;
    if (error.kind === 'too-many-open-keys') throw new LimitError('JSON_MAX_OPEN_KEYS', 0, `${text.what}: ${error.message}`, text.locate(error.at));
    if (error.kind === 'too-deep') throw new LimitError('MAX_CONFIG_DEPTH', MAX_CONFIG_DEPTH + 1, `${text.what} nests deeper than ${MAX_CONFIG_DEPTH} levels (${error.message})`, text.locate(error.at));
    // json.loads refuses what the strict reader refuses, but for duplicate keys (it keeps the last): either way, loaders and this report could disagree
    throw new MalformedError(`${text.what} is not valid JSON: ${error.message}`, text.locate(error.at), 'keras.config-invalid');
  }
  if (!(value instanceof Map)) throw new MalformedError(`${text.what} is JSON but not an object: Keras cannot build a model from it`, text.locate(0), 'keras.config-invalid');
  const checks = checkConfig(value, '');
  for (const f of checks.findings) {
    findings.add(f.rule, f.message, text.locate(f.offset ?? 0), { ...f.evidence, ...(f.path ? { path: f.path } : {}) }, f.severity);
  }
  const model = summarise ? summariseModel(value) : undefined;
  return { value, checks, ...(model ? { model } : {}) };
}

/** The content every Keras report carries, whichever the container. */
export function kerasContent(model: ConfigAnalysis, training: ConfigAnalysis | undefined, facts: Record<string, unknown>): Record<string, unknown> {
  const lambdas = [...model.checks.lambdas, ...(training?.checks.lambdas ?? [])];
  const references = [...model.checks.references, ...(training?.checks.references ?? [])];
  return {
    ...facts,
    ...(model.model ? { model: model.model } : {}),
    lambdas,
    lambdasTotal: model.checks.lambdasTotal + (training?.checks.lambdasTotal ?? 0),
    references,
  };
}
