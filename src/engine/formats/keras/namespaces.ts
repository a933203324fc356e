// Which modules a Keras config may name without leaving Keras. Keras 3.9+
// imports only from the packages below (the CVE-2025-1550 fix); before it,
// any module named in a config was imported and the named object called.

/** Package roots Keras itself trusts (serialization_lib: keras, keras_hub, keras_cv, keras_nlp), plus Keras 2's homes. */
const KERAS_ROOTS = ['keras', 'tf_keras', 'keras_hub', 'keras_nlp', 'keras_cv', 'keras_core'];
/** Keras 2 inside TensorFlow. */
const KERAS_PREFIXES = ['tensorflow.keras', 'tensorflow.python.keras', 'tf.keras'];

export function isKerasModule(module: string): boolean {
  const root = module.split('.', 1)[0]!;
  return KERAS_ROOTS.includes(root) || KERAS_PREFIXES.some((p) => module === p || module.startsWith(`${p}.`));
}

/**
 * Objects inside Keras that a config must never name: published gadgets that
 * need no foreign module. Matched by the object's own name under any Keras module.
 */
export const KERAS_GADGETS: Readonly<Record<string, string>> = {
  enable_unsafe_deserialization: 'turns Keras safe mode off while the model loads, so a Lambda after it runs its bytecode (CVE-2025-9906)',
  get_file: 'downloads a URL to a local path, overwriting files (CVE-2025-8747)',
  func_load: 'rebuilds a Python function from marshalled bytecode and runs it (the Lambda path of CVE-2024-3660, reached without a Lambda)',
};

/** Package part of a registered name ("package>Name"), or undefined when it has none. */
export function registeredPackage(registered: string): string | undefined {
  const at = registered.indexOf('>');
  return at > 0 ? registered.slice(0, at) : undefined;
}

/** tf.keras layers whose `function` names a TensorFlow API symbol (`"math.add"` is `tf.math.add`), resolved by name when loading. */
export const TF_OP_LAYERS = new Set(['TFOpLambda', 'SlicingOpLambda']);

/**
 * TensorFlow symbols a TFOpLambda must not name: running the model would read
 * or write files, or call Python (the TF-op shape of a model that does I/O).
 * Exact names, or prefixes ending in '.'.
 */
const TF_RISKY = [
  'io.read_file', 'io.write_file', 'io.gfile.', 'io.matching_files', 'compat.v1.gfile.', 'compat.v1.io.read_file', 'compat.v1.io.write_file',
  'raw_ops.ReadFile', 'raw_ops.WriteFile', 'raw_ops.MatchingFiles', 'raw_ops.Save', 'raw_ops.SaveV2', 'raw_ops.SaveSlices', 'raw_ops.Restore', 'raw_ops.RestoreV2', 'raw_ops.RestoreSlice',
  'raw_ops.PyFunc', 'raw_ops.PyFuncStateless', 'raw_ops.EagerPyFunc', 'py_function', 'numpy_function', 'compat.v1.py_func',
  'summary.create_file_writer', 'saved_model.', 'train.Checkpoint', 'debugging.experimental.enable_dump_debug_info',
];

export function riskyTfSymbol(symbol: string): boolean {
  return TF_RISKY.some((r) => (r.endsWith('.') ? symbol.startsWith(r) : symbol === r));
}
