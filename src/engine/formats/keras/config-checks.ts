// The security checks of a Keras model config, shared by .keras archives
// (config.json) and legacy .h5 files (the model_config and training_config
// attributes). Every value is visited: a serialized object
// ({module, class_name, config, registered_name}) is judged by what loading
// it would import and call; a Lambda's marshalled bytecode is decoded and
// summarised; a string naming a callable outside Keras is flagged.
import type { Evidence, RuleId, Severity } from '../../report.js';
import { DEFAULT_IMPORT_POLICY } from '../../policy/index.js';
import { valueOffsets, type JsonObject, type JsonValue } from '../../json/value.js';
import { decodeLambda, type LambdaCode } from './lambda-code.js';
import { isKerasModule, KERAS_GADGETS, registeredPackage, riskyTfSymbol, TF_OP_LAYERS } from './namespaces.js';

/** Findings of one rule per config; the rest are counted in a last one. */
export const MAX_FINDINGS_PER_RULE = 50;
/** Lambdas whose code is decoded and listed in the report. */
export const MAX_LAMBDAS_LISTED = 32;

/** Keys whose string value Keras resolves to a function or class. */
const CALLABLE_KEY = /(^|_)(activation|initializer|regularizer|constraint)$|^(function|fn|loss|losses|metrics|weighted_metrics|output_shape|mask)$/;
/** Keras 3's markers for values that are not objects to import. */
const VALUE_MARKERS = new Set(['__numpy__', '__tensor__', '__bytes__', '__typespec__', '__ellipsis__', '__slice__', '__complex__', '__numpy_dtype__']);

export interface ConfigFinding {
  rule: RuleId;
  severity?: Severity;
  message: string;
  /** Path of the value in the config (`config.layers[2].config.function`). */
  path: string;
  /** Byte offset of the value in the JSON text, when known. */
  offset?: number;
  evidence: Evidence;
}

export interface LambdaReport extends LambdaCode {
  path: string;
  layer?: string;
}

export interface ConfigCheckResult {
  findings: ConfigFinding[];
  lambdas: LambdaReport[];
  lambdasTotal: number;
  /** Objects naming a module outside Keras or a custom object, for the report. */
  references: { path: string; module: string | null; name: string; verdict: string }[];
}

export function checkConfig(root: JsonValue, rootPath: string): ConfigCheckResult {
  const checker = new Checker();
  checker.visit(root, rootPath, undefined, undefined);
  checker.summarise();
  return { findings: checker.findings, lambdas: checker.lambdas, lambdasTotal: checker.lambdaCount, references: checker.references };
}

class Checker {
  readonly findings: ConfigFinding[] = [];
  readonly lambdas: LambdaReport[] = [];
  readonly references: ConfigCheckResult['references'] = [];
  lambdaCount = 0;
  private readonly counts = new Map<RuleId, number>();
  /** The innermost layer name, for messages. */
  private layer: string | undefined;
  /** Inside a TFOpLambda's config: `function` names a TensorFlow symbol. */
  private tfOp = false;
  /** Paths of code strings already reported as a Lambda's. */
  private readonly codePaths = new Set<string>();

  add(finding: ConfigFinding): void {
    const n = (this.counts.get(finding.rule) ?? 0) + 1;
    this.counts.set(finding.rule, n);
    if (n <= MAX_FINDINGS_PER_RULE) this.findings.push(finding);
  }

  summarise(): void {
    for (const [rule, n] of this.counts) {
      if (n > MAX_FINDINGS_PER_RULE) this.findings.push({ rule, message: `${n - MAX_FINDINGS_PER_RULE} more ${rule} findings in this config (the first ${MAX_FINDINGS_PER_RULE} are listed)`, path: '', evidence: { count: n, listed: MAX_FINDINGS_PER_RULE } });
    }
  }

  visit(value: JsonValue, path: string, offset: number | undefined, key: string | undefined): void {
    if (Array.isArray(value)) {
      value.forEach((item, i) => this.visit(item, `${path}[${i}]`, offset, key));
      return;
    }
    if (typeof value === 'string') {
      // Marshalled bytecode wherever it sits, also where a damaged or unusual structure hides it from the checks above
      if (!this.codePaths.has(path) && looksLikeCode(value)) this.lambda(value, path, offset, undefined);
      else if (key === 'function' && this.tfOp) this.tfSymbol(value, path, offset);
      else if (key !== undefined && CALLABLE_KEY.test(key)) this.callableString(value, path, offset);
      return;
    }
    if (!(value instanceof Map)) return;
    const outerLayer = this.layer;
    const outerTfOp = this.tfOp;
    const className = value.get('class_name');
    if (typeof className === 'string') {
      const config = value.get('config');
      if (config instanceof Map && typeof config.get('name') === 'string') this.layer = config.get('name') as string;
      this.kerasObject(value, className, path, offset);
      this.tfOp = TF_OP_LAYERS.has(className);
      if (config instanceof Map && (className === 'Lambda' || config.has('function_type'))) this.legacyLambda(config, `${path}.config`); // any class can call func_load
    }
    const offsets = valueOffsets.get(value);
    for (const [k, v] of value) this.visit(v, path ? `${path}.${k}` : k, offsets?.get(k), k);
    this.layer = outerLayer;
    this.tfOp = outerTfOp;
  }

  /** A serialized object: what would Keras import and call for it? */
  private kerasObject(object: JsonObject, className: string, path: string, offset: number | undefined): void {
    const module = object.get('module');
    const registered = object.get('registered_name');
    const config = object.get('config');
    if (className === '__lambda__') {
      const code = config instanceof Map ? config.get('code') : undefined;
      this.lambda(typeof code === 'string' ? code : undefined, `${path}.config.code`, offset, config instanceof Map ? config : undefined);
      return;
    }
    if (VALUE_MARKERS.has(className)) return;
    // A serialized function names itself in `config`; a class in `class_name`.
    const name = className === 'function' && typeof config === 'string' ? config : className;
    if (typeof module === 'string' && module !== '' && module !== '__main__' && !isKerasModule(module)) {
      this.reference(module, name, path, offset, 'module');
      return;
    }
    if (typeof module === 'string' && isKerasModule(module)) this.reference(module, name, path, offset, 'module'); // gadgets inside Keras
    // "__main__": the class was defined in the saving program's own script, which the loading program must supply
    const custom = typeof registered === 'string' && registeredPackage(registered) !== undefined ? registered : className.includes('>') ? className : module === '__main__' ? `__main__.${name}` : undefined;
    if (custom !== undefined) this.customObject(custom, path, offset);
  }

  /** A module and a name Keras would import and fetch. */
  private reference(module: string, name: string, path: string, offset: number | undefined, how: string): void {
    const full = `${module}.${name}`;
    if (isKerasModule(module)) {
      const gadget = Object.hasOwn(KERAS_GADGETS, name) ? KERAS_GADGETS[name] : undefined; // a name like 'constructor' is not a gadget
      if (gadget) {
        this.references.push({ path, module, name, verdict: 'dangerous' });
        this.add({ rule: 'keras.unsafe-callable', message: `${this.where()}names ${full}, which ${gadget}`, path, ...at(offset), evidence: { callable: full, via: how } });
      }
      return;
    }
    const judgement = DEFAULT_IMPORT_POLICY.judge(module, name);
    if (module === 'builtins' && judgement.tier !== 'dangerous') return; // Keras looks builtin-module functions up among its own (activations, losses …) first
    this.references.push({ path, module, name, verdict: judgement.tier === 'dangerous' ? 'dangerous' : 'outside Keras' });
    if (judgement.tier === 'dangerous') {
      this.add({ rule: 'keras.unsafe-callable', message: `${this.where()}names ${full}: loading imports ${module} and calls ${name}, which ${judgement.reason}`, path, ...at(offset), evidence: { callable: full, via: how, reason: judgement.reason } });
    } else {
      this.add({ rule: 'keras.foreign-module', message: `${this.where()}names ${full}, outside Keras' own modules: Keras before 3.9 imports ${module} (running its code) and calls ${name}; 3.9 and later refuse it`, path, ...at(offset), evidence: { callable: full, via: how } });
    }
  }

  private customObject(registered: string, path: string, offset: number | undefined): void {
    const pkg = registeredPackage(registered) ?? registered;
    if (isKerasModule(pkg)) return;
    this.references.push({ path, module: null, name: registered, verdict: 'custom object' });
    this.add({ rule: 'keras.custom-object', message: `${this.where()}needs the custom object ${registered}: the loading program must supply its code (register it or pass custom_objects); the file does not carry it`, path, ...at(offset), evidence: { registeredName: registered } });
  }

  /** A TFOpLambda's TensorFlow symbol (`"math.add"` is tf.math.add): TensorFlow's own, unless it does file I/O or calls Python. */
  private tfSymbol(symbol: string, path: string, offset: number | undefined): void {
    if (!riskyTfSymbol(symbol)) return;
    this.references.push({ path, module: 'tensorflow', name: symbol, verdict: 'dangerous' });
    this.add({ rule: 'keras.unsafe-callable', message: `${this.where()}calls tf.${symbol}: running the model reads or writes files, or calls Python code`, path, ...at(offset), evidence: { callable: `tf.${symbol}`, via: 'TFOpLambda' } });
  }

  /** "package.module.function" in a key Keras resolves to a callable. Plain names ("relu") are Keras' own. */
  private callableString(value: string, path: string, offset: number | undefined): void {
    const dot = value.lastIndexOf('.');
    if (dot <= 0 || dot === value.length - 1 || !/^[A-Za-z_][\w.]*$/.test(value)) return;
    this.reference(value.slice(0, dot), value.slice(dot + 1), path, offset, 'string');
  }

  /**
   * Keras 2 / tf.keras Lambda: `function` is [base64 code, defaults, closure]
   * (function_type "lambda") or a function name (function_type "function",
   * looked up by name); output_shape and mask the same way.
   */
  private legacyLambda(config: JsonObject, path: string): void {
    const offsets = valueOffsets.get(config);
    for (const field of ['function', 'output_shape', 'mask']) {
      const value = config.get(field);
      const type = config.get(field === 'function' ? 'function_type' : `${field}_type`);
      const code = Array.isArray(value) && typeof value[0] === 'string' ? value[0] : typeof value === 'string' && type === 'lambda' ? value : undefined;
      if (code !== undefined) {
        this.codePaths.add(`${path}.${field}[0]`);
        this.lambda(code, `${path}.${field}`, offsets?.get(field), config);
      }
      else if (typeof value === 'string' && type === 'function') {
        const module = config.get(field === 'function' ? 'module' : `${field}_module`);
        this.add({ rule: 'keras.lambda-layer', message: `${this.where()}Lambda layer calls the function ${typeof module === 'string' ? `${module}.` : ''}${value}, looked up by name when loading (its code is not in the file)`, path: `${path}.${field}`, ...at(offsets?.get(field)), evidence: { function: value, ...(typeof module === 'string' ? { module } : {}) } });
        if (typeof module === 'string' && module !== '__main__') this.reference(module, value, `${path}.${field}`, offsets?.get(field), 'lambda');
      }
    }
  }

  private lambda(code: string | undefined, path: string, offset: number | undefined, config: JsonObject | undefined): void {
    if (this.codePaths.has(path)) return;
    this.codePaths.add(path);
    this.lambdaCount++;
    const decoded: LambdaCode = code === undefined ? { kind: 'text', text: '', error: 'no code field' } : decodeLambda(code);
    const report: LambdaReport = { path, ...(this.layer !== undefined ? { layer: this.layer } : {}), ...decoded };
    if (this.lambdas.length < MAX_LAMBDAS_LISTED) this.lambdas.push(report);
    const evidence: Evidence = { kind: decoded.kind };
    if (decoded.names) evidence.names = decoded.names;
    if (decoded.strings) evidence.strings = decoded.strings;
    if (decoded.code?.[0]) evidence.function = decoded.code[0].qualname ?? decoded.code[0].name;
    if (decoded.error) evidence.error = decoded.error;
    const closure = config?.get('closure');
    if (closure !== undefined && closure !== null) evidence.closure = true;
    const what = decoded.kind === 'bytecode'
      ? `marshalled Python bytecode (${decoded.layout}) using ${decoded.names?.length ? decoded.names.join(', ') : 'no globals'}${decoded.strings?.length ? ` with strings ${decoded.strings.slice(0, 5).map((s) => JSON.stringify(s)).join(', ')}` : ''}`
      : `a function Keras would decode and run, which is not readable bytecode (${decoded.error})`;
    this.add({ rule: 'keras.lambda-bytecode', message: `${this.where()}Lambda carries ${what}: loading it runs this code (Keras 3 refuses it in safe mode, tf.keras and Keras 2 do not)`, path, ...at(offset), evidence });
  }

  private where(): string {
    return this.layer !== undefined ? `layer ${JSON.stringify(this.layer)}: ` : '';
  }
}

/** Base64 of a marshalled code object starts "4w" (TYPE_CODE with FLAG_REF, what CPython writes) or "Yw" (without). */
function looksLikeCode(text: string): boolean {
  return text.length >= 64 && (text.startsWith('4w') || text.startsWith('Yw')) && decodeLambda(text).kind === 'bytecode';
}

function at(offset: number | undefined): { offset?: number } {
  return offset === undefined ? {} : { offset };
}
