// What real model files import: exactly the globals torch.save, numpy, joblib, scikit-learn,
// scipy.sparse and plain Python containers write, each checked against files made by those
// libraries (see test/fixtures/make_pickle_fixtures.py and the globals listed in
// test/policy.test.ts). An entry is safe when calling it with any arguments only builds data:
// a callable it receives as an argument is itself an import, judged on its own.
//
// Entries are full dotted paths and match exactly: 'collections.OrderedDict' does not make
// 'collections.OrderedDict.fromkeys' safe. The dangerous list (dangerous.ts) is checked first,
// so nothing here can make a dangerous path safe.

export interface SafeGroup {
  /** One line: what the entries are and why loading them only builds data. */
  readonly reason: string;
  readonly paths: readonly string[];
}

/** Every `module.name` for each module and name: for families spread over several modules. */
function each(modules: readonly string[], names: readonly string[]): string[] {
  return modules.flatMap((m) => names.map((n) => `${m}.${n}`));
}

const TORCH_STORAGES = [
  'DoubleStorage', 'FloatStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage', 'ShortStorage',
  'CharStorage', 'ByteStorage', 'BoolStorage', 'ComplexDoubleStorage', 'ComplexFloatStorage', 'QUInt8Storage',
  'QInt8Storage', 'QInt32Storage', 'QUInt4x2Storage', 'QUInt2x4Storage',
];

const TORCH_DTYPES = [
  'float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16', 'complex32', 'chalf', 'complex64', 'cfloat',
  'complex128', 'cdouble', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'short', 'int32', 'int', 'int64',
  'long', 'bool', 'qint8', 'quint8', 'qint32', 'quint4x2', 'quint2x4', 'float8_e4m3fn', 'float8_e5m2',
  'float8_e4m3fnuz', 'float8_e5m2fnuz',
];

const NUMPY_SCALAR_TYPES = [
  'bool_', 'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'intc', 'uintc', 'int_',
  'uint', 'longlong', 'ulonglong', 'float16', 'float32', 'float64', 'float_', 'half', 'single', 'double', 'longdouble',
  'complex64', 'complex128', 'complex_', 'csingle', 'cdouble', 'clongdouble', 'object_', 'str_', 'bytes_', 'void',
  'datetime64', 'timedelta64',
];

const SPARSE_FORMATS = ['csr', 'csc', 'coo', 'lil', 'dok', 'bsr', 'dia'];

export const SAFE: readonly SafeGroup[] = [
  // ── PyTorch: torch.save of state dicts, tensors and whole nn.Module objects ──
  {
    reason: 'torch.save: rebuilds a tensor or parameter from a storage, shape and strides (no code beyond tensor construction)',
    paths: [
      'torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor_v3',
      'torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state', 'torch._utils._rebuild_qtensor',
      'torch._utils._rebuild_sparse_tensor', 'torch._utils._rebuild_sparse_csr_tensor',
      'torch._utils._rebuild_nested_tensor', 'torch._utils._rebuild_meta_tensor_no_storage',
      'torch._utils._rebuild_wrapper_subclass', 'torch._utils._rebuild_device_tensor_from_numpy',
      'torch._utils._rebuild_device_tensor_from_cpu_tensor', 'torch._utils._rebuild_xla_tensor',
    ],
  },
  {
    reason: 'torch.save: rebuilds a tensor subclass; the function and type it is given are imports judged on their own',
    paths: ['torch._tensor._rebuild_from_type', 'torch._tensor._rebuild_from_type_v2'],
  },
  {
    reason: 'torch.save: a storage type named in a persistent id (CPU, CUDA, typed and untyped): a class, only instantiated with sizes',
    paths: [
      ...each(['torch', 'torch.cuda'], TORCH_STORAGES),
      'torch.UntypedStorage', 'torch.TypedStorage', 'torch.storage.UntypedStorage', 'torch.storage.TypedStorage',
    ],
  },
  {
    reason: 'torch.save: a dtype, layout, memory format or quantization scheme constant',
    paths: [
      ...each(['torch'], TORCH_DTYPES),
      'torch.strided', 'torch.sparse_coo', 'torch.sparse_csr', 'torch.sparse_csc', 'torch.sparse_bsr',
      'torch.sparse_bsc', 'torch._mkldnn', 'torch.contiguous_format', 'torch.channels_last', 'torch.channels_last_3d',
      'torch.preserve_format', 'torch.per_tensor_affine', 'torch.per_channel_affine', 'torch.per_tensor_symmetric',
      'torch.per_channel_symmetric', 'torch.per_channel_affine_float_qparams',
    ],
  },
  {
    reason: 'torch.save: device, shape and tensor classes, and the layout lookup by name used by sparse tensors',
    paths: [
      'torch.device', 'torch.Size', 'torch.Tensor', 'torch.serialization._get_layout',
      'torch.nn.parameter.Parameter', 'torch.nn.parameter.UninitializedParameter',
      'torch.nn.parameter.UninitializedBuffer', 'torch.nn.parameter.Buffer',
    ],
  },
  {
    reason: 'legacy torch.save (tar layout): the tensor type named in each tensor record, a class only instantiated with sizes',
    paths: each(['torch', 'torch.cuda'], [
      'DoubleTensor', 'FloatTensor', 'HalfTensor', 'BFloat16Tensor', 'LongTensor', 'IntTensor', 'ShortTensor',
      'CharTensor', 'ByteTensor', 'BoolTensor',
    ]),
  },
  {
    reason: "TorchScript data.pkl: rebuilds typed lists and tensors by id (torch.jit._pickle, carved out of torch.jit's danger)",
    paths: [
      'torch.jit._pickle.build_intlist', 'torch.jit._pickle.build_tensorlist', 'torch.jit._pickle.build_doublelist',
      'torch.jit._pickle.build_boollist', 'torch.jit._pickle.build_tensor_from_id', 'torch.jit._pickle.restore_type_tag',
    ],
  },
  {
    reason: 'torch.save of a whole module: the hook objects weight_norm and spectral_norm attach (data holders)',
    paths: [
      'torch.nn.utils.weight_norm.WeightNorm', 'torch.nn.utils.spectral_norm.SpectralNorm',
      'torch.nn.utils.spectral_norm.SpectralNormStateDictHook',
      'torch.nn.utils.spectral_norm.SpectralNormLoadStateDictPreHook',
    ],
  },

  // ── numpy: ndarray and scalar pickles, np.save of object arrays, random state ──
  {
    reason: 'numpy: rebuilds an array, scalar or dtype from shape, dtype and raw bytes (numpy 1.x numpy.core and 2.x numpy._core spellings)',
    paths: [
      'numpy.ndarray', 'numpy.dtype', 'numpy.matrix', 'numpy.core.multiarray._reconstruct',
      'numpy._core.multiarray._reconstruct', 'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar',
      'numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer', 'numpy.ma.core.MaskedArray',
      'numpy.ma.core._mareconstruct',
    ],
  },
  {
    reason: 'numpy: a scalar type stored as a dtype argument (e.g. OneHotEncoder(dtype=numpy.float64)); calling it makes a number',
    paths: each(['numpy'], NUMPY_SCALAR_TYPES),
  },
  {
    reason: 'numpy.random: rebuilds a RandomState, Generator or bit generator from its state (scikit-learn estimators keep one)',
    paths: [
      'numpy.random._pickle.__randomstate_ctor', 'numpy.random._pickle.__bit_generator_ctor',
      'numpy.random._pickle.__generator_ctor', 'numpy.random.__RandomState_ctor', 'numpy.random.mtrand.RandomState',
      'numpy.random._mt19937.MT19937', 'numpy.random._pcg64.PCG64', 'numpy.random._pcg64.PCG64DXSM',
      'numpy.random._philox.Philox', 'numpy.random._sfc64.SFC64', 'numpy.random.bit_generator.SeedSequence',
    ],
  },

  // ── joblib, scikit-learn helpers, scipy.sparse ──
  {
    reason: "joblib.dump: placeholder for an array whose bytes follow in the same file (object arrays: a nested pickle there, scanned as such)",
    paths: ['joblib.numpy_pickle.NumpyArrayWrapper'],
  },
  {
    reason: "scikit-learn: Cython helpers that rebuild a tree or distance metric: newObj(cls) is cls.__new__(cls)",
    paths: [
      'sklearn.metrics._dist_metrics.newObj', 'sklearn.neighbors._kd_tree.newObj', 'sklearn.neighbors._ball_tree.newObj',
      'sklearn.neighbors._binary_tree.newObj',
    ],
  },
  {
    reason: 'scipy.sparse: a sparse matrix or array class (scipy >= 1.8 private modules, older public ones); rebuilt from index and data arrays',
    paths: [
      ...SPARSE_FORMATS.flatMap((f) => each(['scipy.sparse', `scipy.sparse._${f}`], [`${f}_matrix`, `${f}_array`])),
      ...SPARSE_FORMATS.map((f) => `scipy.sparse.${f}.${f}_matrix`),
      ...SPARSE_FORMATS.map((f) => `scipy.sparse._arrays.${f}_array`),
    ],
  },

  // ── plain Python: what pickle writes for builtin containers and values ──
  {
    reason: 'Python: a builtin value type; calling it builds a value',
    paths: [
      'builtins.set', 'builtins.frozenset', 'builtins.slice', 'builtins.complex', 'builtins.bytearray', 'builtins.bytes',
      'builtins.range', 'builtins.dict', 'builtins.list', 'builtins.tuple', 'builtins.object', 'builtins.int',
      'builtins.float', 'builtins.str', 'builtins.bool', 'builtins.Ellipsis', 'builtins.NotImplemented',
    ],
  },
  {
    reason: 'Python: pickle protocol helpers: cls.__new__(cls) then state, and bytes written as latin-1 text by protocols 0-2',
    paths: ['copyreg._reconstructor', 'copyreg.__newobj__', 'copyreg.__newobj_ex__', '_codecs.encode'],
  },
  {
    reason: 'Python: standard containers and values found in checkpoints (hyper-parameters, timestamps)',
    paths: [
      'collections.OrderedDict', 'collections.defaultdict', 'collections.deque', 'collections.Counter',
      'argparse.Namespace', 'datetime.datetime', 'datetime.date', 'datetime.time', 'datetime.timedelta',
      'datetime.timezone', 'uuid.UUID',
    ],
  },
];

/**
 * Families too large to list name by name: classes of one library, matched by the shape of the
 * path. A match needs: the path under `under`, module components in lower snake_case (so no
 * nested class in the middle), no test module, and a last component matching `name`.
 */
export interface SafePattern {
  /** Shown as the deciding entry, e.g. 'sklearn.** classes'. */
  readonly id: string;
  readonly under: string;
  readonly name: RegExp;
  readonly reason: string;
}

/** A class name: CapWords, optionally private (`_BinMapper`). */
const CLASS_NAME = /^_?[A-Z][A-Za-z0-9]*$/;

export const SAFE_PATTERNS: readonly SafePattern[] = [
  {
    id: 'sklearn.** classes',
    under: 'sklearn',
    // Cython's generated __pyx_unpickle_<Class>(type, checksum, state) rebuilds an instance of its own type.
    name: /^(?:_?[A-Z][A-Za-z0-9]*|__pyx_unpickle_[A-Za-z0-9_]+)$/,
    reason:
      'scikit-learn: an estimator or helper class (sklearn.tree._tree.Tree, sklearn._loss.loss.HalfBinomialLoss): __init__ only stores parameters (a scikit-learn rule) and unpickling sets state; sklearn modules that download, read files or start processes are on the dangerous list',
  },
  {
    id: '__torch__.** classes',
    under: '__torch__',
    name: /^[A-Za-z_][A-Za-z0-9_]*$/,
    reason:
      "TorchScript: a class compiled from the archive's own code/ folder; torch.jit.load resolves it there, and Python's pickle cannot import __torch__ at all",
  },
  {
    id: 'torch.nn.modules.** classes',
    under: 'torch.nn.modules',
    name: CLASS_NAME,
    reason:
      'torch.save of a whole model: an nn.Module subclass (Linear, Conv2d, Sequential …); unpickling makes it with __new__ and sets its state',
  },
];
