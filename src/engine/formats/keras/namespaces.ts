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
};

/** Package part of a registered name ("package>Name"), or undefined when it has none. */
export function registeredPackage(registered: string): string | undefined {
  const at = registered.indexOf('>');
  return at > 0 ? registered.slice(0, at) : undefined;
}
