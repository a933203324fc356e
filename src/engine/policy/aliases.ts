// Module paths that are another name for the same code, judged as that code. Applied after
// the Python 2 spellings; both the alias and the original are checked against the dangerous list.

export const MODULE_ALIASES: Readonly<Record<string, string>> = {
  // scikit-learn < 0.21 vendored joblib here; its joblib files name this path for NumpyArrayWrapper.
  'sklearn.externals.joblib': 'joblib',
};
