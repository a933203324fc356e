// The import policy: every tier on many cases, Python 2 spellings, dotted traversals,
// submodules, the user's safe entries, and the globals real files use.
import { describe, expect, it } from 'vitest';
import { DANGEROUS } from '../src/engine/policy/dangerous.js';
import {
  createImportPolicy,
  DEFAULT_IMPORT_POLICY,
  PolicyError,
  type ImportTier,
} from '../src/engine/policy/index.js';
import { PY2_MODULES, PY2_NAMES } from '../src/engine/policy/py2-names.js';
import { SAFE } from '../src/engine/policy/safe.js';

const policy = DEFAULT_IMPORT_POLICY;
const tier = (module: string, name: string): ImportTier => policy.judge(module, name).tier;
const label = ([m, n]: readonly [string, string]): string => `${m} ${n}`;

// The globals the benign fixtures import, listed by
// `/usr/bin/python3 test/fixtures/make_pickle_fixtures.py --list-globals` (torch 1.13.0a0,
// numpy 1.24.2, joblib 1.2.0, scikit-learn 1.2.1, Python 3.11.2). Joblib files are read with
// their raw array bytes cut out; the .npy file from its pickle on.
const FIXTURE_GLOBALS: Record<string, readonly (readonly [string, string])[]> = {
  'benign-torch-state-dict.pt': [['collections', 'OrderedDict'], ['torch', 'FloatStorage'], ['torch._utils', '_rebuild_tensor_v2']],
  'benign-torch-module.pt': [
    ['__builtin__', 'set'], ['collections', 'OrderedDict'], ['torch', 'FloatStorage'], ['torch._utils', '_rebuild_parameter'],
    ['torch._utils', '_rebuild_tensor_v2'], ['torch.nn.modules.activation', 'ReLU'], ['torch.nn.modules.container', 'Sequential'],
    ['torch.nn.modules.linear', 'Linear'],
  ],
  'benign-torch-legacy.pt': [['collections', 'OrderedDict'], ['torch', 'FloatStorage'], ['torch._utils', '_rebuild_tensor_v2']],
  'benign-npy-object-strings.npy': [['numpy', 'dtype'], ['numpy', 'ndarray'], ['numpy.core.multiarray', '_reconstruct']],
  'benign-joblib-logreg.joblib': [
    ['joblib.numpy_pickle', 'NumpyArrayWrapper'], ['numpy', 'dtype'], ['numpy', 'ndarray'],
    ['sklearn.linear_model._logistic', 'LogisticRegression'],
  ],
  'benign-joblib-forest.joblib': [
    ['joblib.numpy_pickle', 'NumpyArrayWrapper'], ['numpy', 'dtype'], ['numpy', 'ndarray'], ['numpy.core.multiarray', 'scalar'],
    ['sklearn.ensemble._forest', 'RandomForestClassifier'], ['sklearn.tree._classes', 'DecisionTreeClassifier'],
    ['sklearn.tree._tree', 'Tree'],
  ],
  'benign-joblib-arrays.joblib': [['joblib.numpy_pickle', 'NumpyArrayWrapper'], ['numpy', 'dtype'], ['numpy', 'ndarray']],
  'benign-joblib-array-looks-like-opcodes.joblib': [['joblib.numpy_pickle', 'NumpyArrayWrapper'], ['numpy', 'dtype'], ['numpy', 'ndarray']],
  'benign-plain-p0.pkl': [
    ['__builtin__', 'bytearray'], ['__builtin__', 'complex'], ['__builtin__', 'frozenset'], ['__builtin__', 'set'],
    ['__builtin__', 'slice'], ['__builtin__', 'xrange'], ['_codecs', 'encode'], ['collections', 'OrderedDict'],
  ],
  'benign-plain-p1.pkl': [
    ['__builtin__', 'bytearray'], ['__builtin__', 'complex'], ['__builtin__', 'frozenset'], ['__builtin__', 'set'],
    ['__builtin__', 'slice'], ['__builtin__', 'xrange'], ['_codecs', 'encode'], ['collections', 'OrderedDict'],
  ],
  'benign-plain-p2.pkl': [
    ['__builtin__', 'bytearray'], ['__builtin__', 'complex'], ['__builtin__', 'frozenset'], ['__builtin__', 'set'],
    ['__builtin__', 'slice'], ['__builtin__', 'xrange'], ['_codecs', 'encode'], ['collections', 'OrderedDict'],
  ],
  'benign-plain-p3.pkl': [
    ['builtins', 'bytearray'], ['builtins', 'complex'], ['builtins', 'frozenset'], ['builtins', 'range'], ['builtins', 'set'],
    ['builtins', 'slice'], ['collections', 'OrderedDict'],
  ],
  'benign-plain-p4.pkl': [
    ['builtins', 'bytearray'], ['builtins', 'complex'], ['builtins', 'range'], ['builtins', 'slice'], ['collections', 'OrderedDict'],
  ],
  'benign-plain-p5.pkl': [['builtins', 'complex'], ['builtins', 'range'], ['builtins', 'slice'], ['collections', 'OrderedDict']],
};

// More globals seen in pickles of benign objects made while reviewing the list (same library
// versions; pickletools over pickle.dumps / torch.save output, not committed as fixtures):
// torch dtypes, sparse, quantized and meta tensors, weight/spectral norm hooks; numpy scalars,
// masked arrays and random state; 20 fitted scikit-learn estimators; scipy.sparse formats.
const REVIEWED_GLOBALS: readonly (readonly [string, string])[] = [
  ['torch', 'HalfStorage'], ['torch', 'BFloat16Storage'], ['torch', 'LongStorage'], ['torch', 'BoolStorage'], ['torch', 'CharStorage'],
  ['torch', 'ByteStorage'], ['torch', 'DoubleStorage'], ['torch', 'IntStorage'], ['torch', 'ShortStorage'],
  ['torch', 'ComplexFloatStorage'], ['torch', 'QUInt8Storage'], ['torch', 'QInt8Storage'], ['torch', 'float32'], ['torch', 'device'],
  ['torch', 'Size'], ['torch', 'per_tensor_affine'], ['torch', 'per_channel_affine'], ['torch._utils', '_rebuild_qtensor'],
  ['torch._utils', '_rebuild_sparse_tensor'], ['torch._utils', '_rebuild_sparse_csr_tensor'],
  ['torch._utils', '_rebuild_meta_tensor_no_storage'], ['torch.serialization', '_get_layout'],
  ['torch.nn.modules.activation', 'GELU'], ['torch.nn.modules.activation', 'MultiheadAttention'],
  ['torch.nn.modules.batchnorm', 'BatchNorm2d'], ['torch.nn.modules.conv', 'Conv2d'], ['torch.nn.modules.dropout', 'Dropout'],
  ['torch.nn.modules.flatten', 'Flatten'], ['torch.nn.modules.linear', 'NonDynamicallyQuantizableLinear'],
  ['torch.nn.modules.normalization', 'LayerNorm'], ['torch.nn.modules.rnn', 'LSTM'], ['torch.nn.modules.sparse', 'Embedding'],
  ['torch.nn.modules.module', '_WrappedHook'], ['torch.nn.utils.weight_norm', 'WeightNorm'],
  ['torch.nn.utils.spectral_norm', 'SpectralNorm'], ['torch.nn.utils.spectral_norm', 'SpectralNormStateDictHook'],
  ['torch.nn.utils.spectral_norm', 'SpectralNormLoadStateDictPreHook'],
  ['numpy.core.numeric', '_frombuffer'], ['numpy', 'matrix'], ['numpy', 'float64'], ['numpy.ma.core', 'MaskedArray'],
  ['numpy.ma.core', '_mareconstruct'], ['numpy.random._pickle', '__randomstate_ctor'], ['numpy.random._pickle', '__bit_generator_ctor'],
  ['numpy.random._pickle', '__generator_ctor'],
  ['sklearn._loss._loss', 'CyHalfBinomialLoss'], ['sklearn._loss._loss', '__pyx_unpickle_CyHalfBinomialLoss'],
  ['sklearn._loss.link', 'Interval'], ['sklearn._loss.link', 'LogitLink'], ['sklearn._loss.loss', 'HalfBinomialLoss'],
  ['sklearn.cluster._kmeans', 'KMeans'], ['sklearn.compose._column_transformer', 'ColumnTransformer'],
  ['sklearn.decomposition._pca', 'PCA'], ['sklearn.dummy', 'DummyClassifier'], ['sklearn.ensemble._forest', 'RandomForestRegressor'],
  ['sklearn.ensemble._gb', 'GradientBoostingClassifier'], ['sklearn.ensemble._gb_losses', 'BinomialDeviance'],
  ['sklearn.ensemble._hist_gradient_boosting.binning', '_BinMapper'],
  ['sklearn.ensemble._hist_gradient_boosting.gradient_boosting', 'HistGradientBoostingClassifier'],
  ['sklearn.ensemble._hist_gradient_boosting.predictor', 'TreePredictor'], ['sklearn.feature_extraction.text', 'TfidfTransformer'],
  ['sklearn.feature_extraction.text', 'TfidfVectorizer'], ['sklearn.impute._base', 'SimpleImputer'],
  ['sklearn.linear_model._ridge', 'Ridge'], ['sklearn.linear_model._sgd_fast', 'Hinge'],
  ['sklearn.linear_model._stochastic_gradient', 'SGDClassifier'], ['sklearn.metrics._dist_metrics', 'EuclideanDistance'],
  ['sklearn.metrics._dist_metrics', 'newObj'], ['sklearn.naive_bayes', 'GaussianNB'],
  ['sklearn.neighbors._classification', 'KNeighborsClassifier'], ['sklearn.neighbors._kd_tree', 'KDTree'],
  ['sklearn.neighbors._kd_tree', 'newObj'], ['sklearn.neural_network._multilayer_perceptron', 'MLPClassifier'],
  ['sklearn.neural_network._stochastic_optimizers', 'AdamOptimizer'], ['sklearn.pipeline', 'Pipeline'],
  ['sklearn.preprocessing._data', 'MinMaxScaler'], ['sklearn.preprocessing._data', 'StandardScaler'],
  ['sklearn.preprocessing._encoders', 'OneHotEncoder'], ['sklearn.preprocessing._label', 'LabelBinarizer'],
  ['sklearn.preprocessing._label', 'LabelEncoder'], ['sklearn.svm._classes', 'SVC'], ['sklearn.tree._classes', 'DecisionTreeRegressor'],
  ['scipy.sparse._csr', 'csr_matrix'], ['scipy.sparse._csc', 'csc_matrix'], ['scipy.sparse._coo', 'coo_matrix'],
  ['scipy.sparse._lil', 'lil_matrix'], ['scipy.sparse._dok', 'dok_matrix'], ['scipy.sparse._bsr', 'bsr_matrix'],
  ['scipy.sparse._dia', 'dia_matrix'], ['scipy.sparse._arrays', 'csr_array'],
  ['builtins', 'dict'], ['builtins', 'list'], ['builtins', 'object'], ['builtins', 'Ellipsis'], ['builtins', 'NotImplemented'],
  ['__builtin__', 'list'], ['__builtin__', 'object'], ['copyreg', '_reconstructor'], ['copy_reg', '_reconstructor'],
  ['collections', 'Counter'], ['collections', 'defaultdict'], ['collections', 'deque'], ['argparse', 'Namespace'],
  ['datetime', 'datetime'], ['datetime', 'timedelta'],
];

describe('safe: what real files import', () => {
  it.each(Object.entries(FIXTURE_GLOBALS))('judges every global of %s safe', (_fixture, globals) => {
    for (const g of globals) expect(tier(...g), label(g)).toBe('safe');
  });

  it('judges the globals of other benign library pickles safe', () => {
    for (const g of REVIEWED_GLOBALS) expect(tier(...g), label(g)).toBe('safe');
  });

  it('accepts the numpy 2 spellings (numpy._core)', () => {
    expect(tier('numpy._core.multiarray', '_reconstruct')).toBe('safe');
    expect(tier('numpy._core.multiarray', 'scalar')).toBe('safe');
    expect(tier('numpy._core.numeric', '_frombuffer')).toBe('safe');
  });

  it('names the deciding entry and its reason', () => {
    const j = policy.judge('torch._utils', '_rebuild_tensor_v2');
    expect(j).toMatchObject({ tier: 'safe', entry: 'torch._utils._rebuild_tensor_v2' });
    expect(j.reason).toMatch(/torch\.save/);
    expect(j.byUser).toBeUndefined();
  });

  it('takes scikit-learn classes by rule, in public and private submodules', () => {
    const j = policy.judge('sklearn.tree._tree', 'Tree');
    expect(j).toMatchObject({ tier: 'safe', entry: 'sklearn.** classes' });
    expect(tier('sklearn.calibration', '_CalibratedClassifier')).toBe('safe');
    expect(tier('sklearn.ensemble._hist_gradient_boosting.binning', '_BinMapper')).toBe('safe');
  });

  it('keeps scikit-learn functions, test modules and nested attributes out of the class rule', () => {
    expect(tier('sklearn.utils.validation', 'check_array')).toBe('unknown');
    expect(tier('sklearn.utils.tests.test_validation', 'MyEstimator')).toBe('unknown');
    expect(tier('sklearn.tree.tests', 'Fake')).toBe('unknown');
    expect(tier('sklearn.pipeline', 'Pipeline.fit')).toBe('unknown');
    expect(tier('sklearn.Pipeline', 'Inner')).toBe('unknown');
  });

  it('takes torch.nn.modules classes by rule, not their functions', () => {
    expect(tier('torch.nn.modules.conv', 'ConvTranspose3d')).toBe('safe');
    expect(tier('torch.nn.modules.linear', 'Identity')).toBe('safe');
    expect(tier('torch.nn.modules.module', 'register_module_forward_hook')).toBe('unknown');
  });

  it('joblib files of scikit-learn < 0.21 name the vendored joblib', () => {
    expect(policy.judge('sklearn.externals.joblib.numpy_pickle', 'NumpyArrayWrapper')).toMatchObject({
      tier: 'safe',
      entry: 'joblib.numpy_pickle.NumpyArrayWrapper',
    });
    expect(tier('sklearn.externals.joblib', 'load')).toBe('dangerous');
  });
});

describe('dangerous', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    // [module, name, the entry that decides]
    ['os', 'system', 'os'],
    ['posix', 'system', 'posix'],
    ['nt', 'system', 'nt'],
    ['os', 'popen', 'os'],
    ['subprocess', 'Popen', 'subprocess'],
    ['subprocess', 'check_output', 'subprocess'],
    ['_posixsubprocess', 'fork_exec', '_posixsubprocess'],
    ['builtins', 'eval', 'builtins.eval'],
    ['builtins', 'exec', 'builtins.exec'],
    ['builtins', 'compile', 'builtins.compile'],
    ['builtins', '__import__', 'builtins.__import__'],
    ['builtins', 'getattr', 'builtins.getattr'],
    ['builtins', 'setattr', 'builtins.setattr'],
    ['builtins', 'delattr', 'builtins.delattr'],
    ['builtins', 'open', 'builtins.open'],
    ['builtins', 'breakpoint', 'builtins.breakpoint'],
    ['builtins', 'input', 'builtins.input'],
    ['builtins', 'globals', 'builtins.globals'],
    ['builtins', 'vars', 'builtins.vars'],
    ['runpy', '_run_code', 'runpy'],
    ['pty', 'spawn', 'pty'],
    ['code', 'InteractiveInterpreter', 'code'],
    ['codeop', 'compile_command', 'codeop'],
    ['pip', 'main', 'pip'],
    ['pip._internal.cli.main', 'main', 'pip'],
    ['setuptools.sandbox', 'run_setup', 'setuptools'],
    ['importlib', 'import_module', 'importlib'],
    ['imp', 'load_source', 'imp'],
    ['zipimport', 'zipimporter', 'zipimport'],
    ['pkgutil', 'resolve_name', 'pkgutil'],
    ['ctypes', 'CDLL', 'ctypes'],
    ['webbrowser', 'open', 'webbrowser'],
    ['socket', 'create_connection', 'socket'],
    ['http.client', 'HTTPSConnection', 'http'],
    ['urllib.request', 'urlopen', 'urllib'],
    ['ftplib', 'FTP', 'ftplib'],
    ['smtplib', 'SMTP', 'smtplib'],
    ['imaplib', 'IMAP4_stream', 'imaplib'],
    ['asyncio', 'create_subprocess_shell', 'asyncio'],
    ['asyncio.subprocess', 'create_subprocess_exec', 'asyncio'],
    ['asyncio.unix_events', '_UnixSubprocessTransport', 'asyncio'],
    ['asyncio.base_events', 'BaseEventLoop.subprocess_shell', 'asyncio'],
    ['pydoc', 'locate', 'pydoc'],
    ['pydoc', 'pipepager', 'pydoc'],
    ['mailcap', 'findmatch', 'mailcap'],
    ['operator', 'attrgetter', 'operator.attrgetter'],
    ['operator', 'methodcaller', 'operator.methodcaller'],
    ['operator', 'itemgetter', 'operator.itemgetter'],
    ['_operator', 'attrgetter', '_operator'],
    ['functools', 'partial', 'functools'],
    ['functools', 'reduce', 'functools'],
    ['pickle', 'loads', 'pickle'],
    ['_pickle', 'loads', '_pickle'],
    ['marshal', 'loads', 'marshal'],
    ['dill', 'loads', 'dill'],
    ['cloudpickle', 'loads', 'cloudpickle'],
    ['shelve', 'open', 'shelve'],
    ['yaml', 'unsafe_load', 'yaml.unsafe_load'],
    ['pandas', 'read_pickle', 'pandas.read_pickle'],
    ['copyreg', 'add_extension', 'copyreg.add_extension'],
    ['torch', 'load', 'torch.load'],
    ['torch.serialization', 'load', 'torch.serialization.load'],
    ['torch.hub', 'load', 'torch.hub'],
    ['torch.jit', 'load', 'torch.jit'],
    ['torch.storage', '_load_from_bytes', 'torch.storage._load_from_bytes'],
    ['torch.fx.graph_module', 'reduce_graph_module', 'torch.fx'],
    ['torch.utils.bottleneck.__main__', 'run_cprofile', 'torch.utils.bottleneck'],
    ['torch._inductor.codecache', 'compile_file', 'torch._inductor'],
    ['numpy', 'load', 'numpy.load'],
    ['numpy.testing._private.utils', 'runstring', 'numpy.testing'],
    ['numpy.f2py.crackfortran', 'getlincoef', 'numpy.f2py'],
    ['numpy.distutils.exec_command', 'exec_command', 'numpy.distutils'],
    ['joblib', 'load', 'joblib.load'],
    ['joblib.numpy_pickle_compat', 'NDArrayWrapper', 'joblib.numpy_pickle_compat'],
    ['sklearn.datasets', 'fetch_openml', 'sklearn.datasets'],
    ['sklearn.utils._testing', 'assert_run_python_script', 'sklearn.utils._testing'],
    ['timeit', 'timeit', 'timeit'],
    ['trace', 'Trace', 'trace'],
    ['profile', 'run', 'profile'],
    ['cProfile', 'run', 'cProfile'],
    ['pdb', 'run', 'pdb'],
    ['bdb', 'Bdb', 'bdb'],
    ['shutil', 'rmtree', 'shutil'],
    ['tempfile', 'mkstemp', 'tempfile'],
    ['io', 'open', 'io.open'],
    ['_io', 'FileIO', '_io'],
    ['pathlib', 'Path', 'pathlib'],
    ['types', 'FunctionType', 'types.FunctionType'],
    ['types', 'CodeType', 'types.CodeType'],
    ['sys', 'modules', 'sys'],
    ['gc', 'get_objects', 'gc'],
    ['inspect', 'getattr_static', 'inspect'],
    ['threading', 'Thread', 'threading'],
    ['multiprocessing', 'Process', 'multiprocessing'],
    ['signal', 'signal', 'signal'],
    ['logging.config', 'listen', 'logging.config'],
    ['xmlrpc.client', 'ServerProxy', 'xmlrpc'],
    ['venv', 'create', 'venv'],
    ['ensurepip', '_run_pip', 'ensurepip'],
    ['site', 'addsitedir', 'site'],
    ['uuid', '_get_command_stdout', 'uuid'],
    ['antigravity', 'geohash', 'antigravity'],
  ];

  it.each(cases)('%s.%s is dangerous (entry %s)', (module, name, entry) => {
    const j = policy.judge(module, name);
    expect(j.tier).toBe('dangerous');
    expect(j.entry).toBe(entry);
    expect(j.reason.length).toBeGreaterThan(10);
    expect(j.reason).not.toContain('\n');
  });

  it('covers submodules of a dangerous module, on component boundaries only', () => {
    for (const [m, n] of [
      ['os.path', 'join'], ['asyncio.unix_events', '_UnixSelectorEventLoop'], ['importlib.util', 'spec_from_file_location'],
      ['xmlrpc.server', 'SimpleXMLRPCServer'], ['ctypes.util', 'find_library'], ['multiprocessing.connection', 'Listener'],
      ['concurrent.futures', 'ProcessPoolExecutor'], ['distutils.file_util', 'write_file'], ['joblib.externals.loky', 'get_reusable_executor'],
      ['torch.hub', 'load_state_dict_from_url'], ['numpy.f2py.f2py2e', 'run_main'],
    ] as const) {
      expect(tier(m, n), `${m} ${n}`).toBe('dangerous');
    }
    expect(tier('osmium', 'Thing')).toBe('unknown');
    expect(tier('torch', 'loads')).toBe('unknown');
    expect(tier('functoolsx', 'partial')).toBe('unknown');
  });

  it('carves exactly uuid.UUID out of the dangerous uuid module, nothing reached through it', () => {
    expect(policy.judge('uuid', 'UUID')).toMatchObject({ tier: 'safe', entry: 'uuid.UUID' });
    expect(tier('uuid', 'UUID.__init__.__globals__')).toBe('dangerous');
    expect(tier('uuid', 'UUID.__init__')).toBe('dangerous');
    expect(tier('uuid.UUID', 'x')).toBe('dangerous');
    expect(tier('uuid', '_get_command_stdout')).toBe('dangerous');
    expect(tier('uuid', 'getnode')).toBe('dangerous');
  });

  it('matches a dangerous module case-insensitively (PYTHONCASEOK on Windows and macOS)', () => {
    const j = policy.judge('OS', 'system');
    expect(j).toMatchObject({ tier: 'dangerous', entry: 'os' });
    expect(j.reason).toMatch(/case-insensitively/);
    expect(tier('Subprocess', 'Popen')).toBe('dangerous');
  });

  it('checks the dangerous list before the safe list', () => {
    // Every built-in safe path is judged safe: no safe entry sits under a dangerous one.
    for (const group of SAFE) {
      for (const path of group.paths) {
        const dot = path.lastIndexOf('.');
        expect(tier(path.slice(0, dot), path.slice(dot + 1)), path).toBe('safe');
      }
    }
  });
});

describe('dotted names', () => {
  it('sees pathlib + os.system reach os', () => {
    expect(policy.judge('pathlib', 'os.system').tier).toBe('dangerous');
    const j = policy.judge('torch', 'os.system');
    expect(j).toMatchObject({ tier: 'dangerous', entry: 'os' });
    expect(j.reason).toContain('reached through the attribute path torch.os');
  });

  it('judges each attribute path a dotted name walks through', () => {
    expect(policy.judge('torch', 'serialization.pickle.loads')).toMatchObject({ tier: 'dangerous', entry: 'torch.serialization.pickle' });
    expect(policy.judge('sklearn.base', 'sys.modules')).toMatchObject({ tier: 'dangerous', entry: 'sys' });
    expect(policy.judge('collections', 'builtins.getattr')).toMatchObject({ tier: 'dangerous', entry: 'builtins.getattr' });
    expect(policy.judge('numpy', 'testing._private.utils.runstring')).toMatchObject({ tier: 'dangerous', entry: 'numpy.testing' });
    expect(policy.judge('torch.nn.modules.module', 'torch.load')).toMatchObject({ tier: 'dangerous', entry: 'torch.load' });
    expect(policy.judge('torch', 'serialization.load')).toMatchObject({ tier: 'dangerous', entry: 'torch.serialization.load' });
  });

  it('refuses dunder attributes in a name', () => {
    const j = policy.judge('collections', 'OrderedDict.__init__.__globals__');
    expect(j.tier).toBe('dangerous');
    expect(j.reason).toMatch(/dunder/);
    expect(tier('builtins', 'object.__subclasses__')).toBe('dangerous');
    expect(tier('sklearn.pipeline', 'Pipeline.__reduce__')).toBe('dangerous');
    expect(tier('mymodule', '__builtins__')).toBe('dangerous');
  });

  it('keeps the dunders pickle itself writes safe', () => {
    expect(tier('copyreg', '__newobj__')).toBe('safe');
    expect(tier('copyreg', '__newobj_ex__')).toBe('safe');
  });

  it('judges a listed path safe however it is split, and only that path', () => {
    expect(tier('numpy.random', '_pickle.__randomstate_ctor')).toBe('safe');
    expect(tier('numpy.random', '_pickle.loads')).toBe('dangerous');
  });

  it('calls a dotted name safe only when the exact path is listed', () => {
    expect(tier('torch', '_utils._rebuild_tensor_v2')).toBe('safe');
    expect(tier('sklearn', 'tree._tree.Tree')).toBe('safe');
    expect(tier('collections', 'OrderedDict.fromkeys')).toBe('unknown');
    expect(tier('builtins', 'set.union')).toBe('unknown');
  });
});

describe('Python 2 spellings', () => {
  it('reads __builtin__, copy_reg and cPickle as pickle does', () => {
    const j = policy.judge('__builtin__', 'eval');
    expect(j).toMatchObject({ tier: 'dangerous', entry: 'builtins.eval' });
    expect(j.reason).toContain('Python 2 spelling of builtins.eval');
    expect(policy.judge('__builtin__', 'getattr')).toMatchObject({ tier: 'dangerous', entry: 'builtins.getattr' });
    expect(policy.judge('cPickle', 'loads')).toMatchObject({ tier: 'dangerous', entry: 'cPickle' });
    expect(policy.judge('copy_reg', 'add_extension')).toMatchObject({ tier: 'dangerous', entry: 'copyreg.add_extension' });
    expect(policy.judge('copy_reg', '_reconstructor')).toMatchObject({ tier: 'safe', entry: 'copyreg._reconstructor' });
    expect(policy.judge('__builtin__', 'set')).toMatchObject({ tier: 'safe', entry: 'builtins.set' });
  });

  it('applies the name mapping before the module mapping', () => {
    expect(policy.judge('__builtin__', 'reduce')).toMatchObject({ tier: 'dangerous', entry: 'functools' });
    expect(policy.judge('__builtin__', 'intern')).toMatchObject({ tier: 'dangerous', entry: 'sys' });
    expect(policy.judge('__builtin__', 'xrange')).toMatchObject({ tier: 'safe', entry: 'builtins.range' });
    expect(policy.judge('__builtin__', 'unicode')).toMatchObject({ tier: 'safe', entry: 'builtins.str' });
  });

  it('maps renamed network and process modules onto their Python 3 names', () => {
    expect(policy.judge('commands', 'getoutput').tier).toBe('dangerous');
    expect(policy.judge('urllib2', 'urlopen').tier).toBe('dangerous');
    expect(policy.judge('httplib', 'HTTPConnection').tier).toBe('dangerous');
    expect(policy.judge('SocketServer', 'TCPServer')).toMatchObject({ tier: 'dangerous', entry: 'socketserver' });
    expect(policy.judge('SimpleXMLRPCServer', 'SimpleXMLRPCServer')).toMatchObject({ tier: 'dangerous', entry: 'xmlrpc' });
    expect(policy.judge('_winreg', 'OpenKey')).toMatchObject({ tier: 'dangerous', entry: 'winreg' });
  });

  it('gives every Python 2 spelling at least the judgement of what pickle loads for it', () => {
    const rank: Record<ImportTier, number> = { safe: 0, unknown: 1, dangerous: 2 };
    for (const [key, [m3, n3]] of Object.entries(PY2_NAMES)) {
      const [m2, n2] = key.split(' ') as [string, string];
      expect(rank[tier(m2, n2)], key).toBeGreaterThanOrEqual(rank[tier(m3, n3)]);
    }
    for (const [m2, m3] of Object.entries(PY2_MODULES)) {
      for (const name of ['system', 'loads', 'Thing']) {
        expect(rank[tier(m2, name)], `${m2} ${name}`).toBeGreaterThanOrEqual(rank[tier(m3, name)]);
      }
    }
  });
});

describe('unknown', () => {
  it.each([
    ['mymodule', 'Net'],
    ['__main__', 'Model'],
    ['builtins', 'type'],
    ['builtins', 'print'],
    ['builtins', 'map'],
    ['collections', 'namedtuple'],
    ['copy', 'deepcopy'],
    ['operator', 'add'],
    ['numpy.random', 'seed'],
    ['scipy.signal', 'lfilter'],
    ['torch.nn.functional', 'relu'],
    ['torch', 'os'],
    ['transformers.models.bert.modeling_bert', 'BertModel'],
    ['', ''],
    ['toString', 'valueOf'],
    ['constructor', 'hasOwnProperty'],
  ])('%s %s is unknown, never safe', (module, name) => {
    expect(policy.judge(module, name)).toEqual({ tier: 'unknown', reason: 'not on the reviewed safe list' });
  });
});

describe('user safe entries', () => {
  it('adds exact names, whole modules and module trees', () => {
    const p = createImportPolicy(['mypkg.models.Net', 'other.layers.*', 'third.**']);
    expect(p.judge('mypkg.models', 'Net')).toMatchObject({ tier: 'safe', byUser: true, entry: 'mypkg.models.Net' });
    expect(p.judge('mypkg', 'models.Net')).toMatchObject({ tier: 'safe', byUser: true });
    expect(p.judge('mypkg.models', 'Other').tier).toBe('unknown');
    expect(p.judge('other.layers', 'Block')).toMatchObject({ tier: 'safe', byUser: true, entry: 'other.layers.*' });
    expect(p.judge('other.layers.sub', 'Block').tier).toBe('unknown');
    expect(p.judge('other.layers', 'Block.Inner').tier).toBe('unknown');
    expect(p.judge('third', 'A')).toMatchObject({ tier: 'safe', byUser: true, entry: 'third.**' });
    expect(p.judge('third.deep.er', 'B').tier).toBe('safe');
    expect(p.judge('thirdparty', 'B').tier).toBe('unknown');
  });

  it('never overrides the dangerous list, and says the entry was ignored', () => {
    const p = createImportPolicy(['os.*', 'builtins.**', 'pathlib.**', 'mypkg.**']);
    const j = p.judge('os', 'system');
    expect(j).toMatchObject({ tier: 'dangerous', entry: 'os' });
    expect(j.byUser).toBeUndefined();
    expect(j.reason).toContain("user entry 'os.*' ignored");
    expect(p.judge('builtins', 'eval').tier).toBe('dangerous');
    expect(p.judge('pathlib', 'Path').tier).toBe('dangerous');
    expect(p.judge('mypkg', 'os.system').tier).toBe('dangerous');
    expect(p.judge('mypkg.models', 'Net.__reduce__').tier).toBe('dangerous');
    expect(p.judge('__builtin__', 'eval').tier).toBe('dangerous');
  });

  it('leaves built-in decisions to the built-in list', () => {
    const p = createImportPolicy(['collections.*']);
    expect(p.judge('collections', 'OrderedDict')).toMatchObject({ tier: 'safe', entry: 'collections.OrderedDict' });
    expect(p.judge('collections', 'OrderedDict').byUser).toBeUndefined();
    expect(p.judge('collections', 'namedtuple')).toMatchObject({ tier: 'safe', byUser: true });
  });

  it('keeps the entries as given; the default policy has none', () => {
    expect(createImportPolicy(['a.b', 'c.**']).userEntries).toEqual(['a.b', 'c.**']);
    expect(DEFAULT_IMPORT_POLICY.userEntries).toEqual([]);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['os .system', /whitespace/],
    ['mypkg.Net\n', /whitespace/],
    ['*', /every import/],
    ['**', /every import/],
    ['*.Net', /wildcard/],
    ['mypkg*', /wildcard/],
    ['mypkg.*.Net', /wildcard/],
    ['mypkg.***', /wildcard/],
    ['.mypkg.Net', /empty component/],
    ['mypkg.Net.', /empty component/],
    ['mypkg..Net', /empty component/],
    ['my-pkg.Net', /not a Python identifier/],
    ['mypkg', /names a module/],
  ])('refuses the malformed entry %j', (entry, why) => {
    expect(() => createImportPolicy(['fine.Entry', entry])).toThrow(PolicyError);
    expect(() => createImportPolicy(['fine.Entry', entry])).toThrow(why);
    expect(() => createImportPolicy(['fine.Entry', entry])).toThrow(/entry 2/);
  });

  it('refuses an entry that is not a string', () => {
    expect(() => createImportPolicy([42 as unknown as string])).toThrow(PolicyError);
  });
});

describe('the tables', () => {
  it('lists each dangerous path once, as a dotted path with a one-line reason', () => {
    const seen = new Set<string>();
    for (const group of DANGEROUS) {
      expect(group.reason).toMatch(/^[^\n]{10,}$/);
      for (const path of group.paths) {
        expect(path).toMatch(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/);
        expect(seen.has(path), path).toBe(false);
        seen.add(path);
      }
    }
  });

  it('lists each safe path once, as module.name with a one-line reason', () => {
    const seen = new Set<string>();
    for (const group of SAFE) {
      expect(group.reason).toMatch(/^[^\n]{10,}$/);
      for (const path of group.paths) {
        expect(path).toMatch(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/);
        expect(seen.has(path), path).toBe(false);
        seen.add(path);
      }
    }
  });

  it('hands out copies: a caller changing a judgement does not change the next one', () => {
    const first = policy.judge('os', 'system');
    first.tier = 'safe';
    expect(policy.judge('os', 'system').tier).toBe('dangerous');
  });
});

describe('policy: carve-outs of dangerous modules', () => {
  it("keeps torch.jit dangerous but TorchScript's list builders safe, and the rest of torch.jit._pickle unknown", () => {
    const judge = (m: string, n: string) => DEFAULT_IMPORT_POLICY.judge(m, n).tier;
    expect(judge('torch.jit._pickle', 'build_intlist')).toBe('safe');
    expect(judge('torch.jit._pickle', 'restore_type_tag')).toBe('safe');
    expect(judge('torch.jit._pickle', 'something_new')).toBe('unknown');
    expect(judge('torch.jit', 'load')).toBe('dangerous');
    expect(judge('torch.jit._script', 'CompilationUnit')).toBe('dangerous');
    expect(judge('torch', 'jit._pickle.build_intlist')).toBe('safe');
    expect(judge('torch.jit._pickle', 'build_intlist.__globals__')).toBe('dangerous');
    expect(judge('__torch__.torch.nn.modules.linear', 'Linear')).toBe('safe');
    expect(judge('torch', 'FloatTensor')).toBe('safe');
  });
});
