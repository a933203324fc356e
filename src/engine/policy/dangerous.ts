// What a pickle must never import: each path reaches code execution, processes, files, the
// network, the import machinery, attribute access or another deserializer when loading calls it.
//
// A path covers itself and everything under it: 'os' covers os.system and os.path.join,
// 'torch.load' covers torch.load only. Whole modules are listed when nearly everything in them
// is reachable harm and no model file needs them; single names when the module also holds
// things real files use (torch, numpy, joblib). Sources: CPython's documentation, published
// scanner bypasses (picklescan and modelscan advisories, fickling's and ModelAudit's lists),
// and reading the functions. Adding a path only ever makes the policy stricter.

export interface DangerousGroup {
  /** One line: what loading can do through these paths. */
  readonly reason: string;
  readonly paths: readonly string[];
}

/**
 * Subpaths of a dangerous path that are not dangerous themselves. Only this
 * list carves anything out; what it carves out is still unknown unless safe.ts
 * lists it exactly.
 */
export const DANGEROUS_EXCEPTIONS: readonly { readonly path: string; readonly reason: string; readonly exact?: boolean }[] = [
  {
    path: 'torch.jit._pickle',
    reason: "TorchScript archives' data.pkl rebuilds int, float, bool and tensor lists through these helpers; the rest of torch.jit compiles and runs code",
  },
  {
    // Exactly the class: uuid.UUID.__init__.__globals__ and the module's helpers stay dangerous.
    path: 'uuid.UUID',
    exact: true,
    reason: 'a UUID value (run ids, dataset ids in checkpoints); importing uuid runs nothing, only its MAC-address helpers start processes',
  },
];

export const DANGEROUS: readonly DangerousGroup[] = [
  // ── processes and the operating system ──
  {
    reason: 'runs shell commands and programs, and reads, writes and deletes files (os and its platform modules)',
    paths: ['os', 'posix', 'nt', 'posixpath', 'ntpath', 'genericpath', '_winapi', 'msvcrt', 'winreg'],
  },
  {
    reason: 'starts processes',
    paths: ['subprocess', '_posixsubprocess', 'commands', 'popen2', 'pty', 'pexpect', 'pipes'],
  },
  {
    reason: 'module code runs commands to find a MAC address or platform details (uuid._get_command_stdout, platform._syscmd_file)',
    paths: ['uuid', 'platform', '_osx_support', '_aix_support'],
  },
  {
    reason: 'starts processes or threads, sends signals, or registers code to run at exit',
    paths: [
      'multiprocessing', '_multiprocessing', 'concurrent', 'threading', '_thread', 'signal', '_signal', 'atexit',
      'resource', 'fcntl', 'termios', 'tty', 'mmap', 'select', 'selectors',
    ],
  },
  {
    reason: 'asyncio runs subprocesses (create_subprocess_shell/exec, asyncio.unix_events, asyncio.subprocess), event loops and sockets',
    paths: ['asyncio', '_asyncio'],
  },

  // ── code execution ──
  {
    reason: 'a builtin that evaluates, compiles or runs Python code, reaches any attribute or namespace, or opens files',
    paths: [
      'builtins.eval', 'builtins.exec', 'builtins.compile', 'builtins.__import__', 'builtins.__build_class__',
      'builtins.getattr', 'builtins.setattr', 'builtins.delattr', 'builtins.hasattr', 'builtins.globals',
      'builtins.locals', 'builtins.vars', 'builtins.dir', 'builtins.open', 'builtins.input', 'builtins.breakpoint',
      'builtins.help', 'builtins.exit', 'builtins.quit', 'builtins.copyright', 'builtins.credits', 'builtins.license',
      'builtins.__loader__', 'builtins.__spec__',
      // Python 2 builtins: gone in Python 3, still run code where a Python 2 loader reads the file.
      'builtins.execfile', 'builtins.apply', 'builtins.reload', 'builtins.file', 'builtins.raw_input',
    ],
  },
  {
    reason: 'runs Python source or code objects (interpreters, debuggers, profilers, timers, doctest, test runners)',
    paths: [
      'code', 'codeop', 'runpy', 'pdb', 'bdb', 'trace', 'profile', 'cProfile', '_lsprof', 'timeit', 'doctest', 'unittest',
      'test', 'idlelib', 'lib2to3', 'rlcompleter', '_pyrepl', 'IPython', 'numexpr', 'sympy',
    ],
  },
  {
    reason: 'builds functions, code objects, methods or classes from data',
    paths: [
      'types.FunctionType', 'types.LambdaType', 'types.CodeType', 'types.MethodType', 'types.CellType',
      'types.ModuleType', 'types.new_class', 'types.prepare_class', 'types.coroutine',
    ],
  },
  {
    reason: 'Tcl, which tkinter embeds, runs shell commands with its exec command',
    paths: ['tkinter', '_tkinter', 'Tkinter', 'turtle'],
  },
  {
    reason: 'pydoc imports any module by name (pydoc.locate) and runs the pager command (pydoc.pipepager)',
    paths: ['pydoc', 'pydoc_data'],
  },
  {
    reason: 'mailcap.findmatch runs the test command of a mailcap entry through os.system',
    paths: ['mailcap'],
  },

  // ── attribute access and call gadgets ──
  {
    reason: 'a callable factory that reaches attributes or items by name, or calls methods, on whatever it is later given (the getattr gadget in another form)',
    paths: [
      'operator.attrgetter', 'operator.itemgetter', 'operator.methodcaller', 'operator.call', 'operator.getitem',
      'operator.setitem', 'operator.delitem', 'operator.__getitem__', 'operator.__setitem__', 'operator.__delitem__',
      'operator.__call__', '_operator',
    ],
  },
  {
    reason: 'binds or chains calls so that a later call runs a callable the pickle chose (functools.partial, reduce, update_wrapper sets attributes)',
    paths: ['functools', '_functools'],
  },
  {
    reason: 'reaches every live object, module or attribute, or raw memory (gc.get_objects, sys.modules, inspect.getattr_static, ctypes)',
    paths: ['gc', 'inspect', 'sys', 'ctypes', '_ctypes', 'cffi'],
  },

  // ── the import machinery ──
  {
    reason: 'imports any module by name or loads code from a file, archive or package',
    paths: [
      'importlib', '_imp', 'imp', 'zipimport', 'pkgutil', '_frozen_importlib', '_frozen_importlib_external',
      'modulefinder', 'site', 'sitecustomize', 'usercustomize', 'pkg_resources', 'importlib_metadata',
      // dictConfig builds handlers from dotted names; listen() takes new configurations from a socket.
      'logging.config',
    ],
  },
  {
    reason: 'installs packages or builds and runs setup code',
    paths: ['pip', 'setuptools', 'distutils', '_distutils_hack', 'ensurepip', 'venv', 'compileall', 'py_compile'],
  },
  {
    reason: 'importing it opens a web browser',
    paths: ['antigravity', 'webbrowser'],
  },

  // ── other deserializers: the nested payload is not in the scanned opcodes ──
  {
    reason: 'another deserializer: loading it runs whatever the nested data imports',
    paths: [
      'pickle', '_pickle', 'cPickle', 'marshal', 'shelve', 'dill', 'cloudpickle', 'jsonpickle', 'yaml.load', 'yaml.load_all', 'yaml.unsafe_load', 'yaml.unsafe_load_all',
      'yaml.full_load', 'yaml.full_load_all', 'yaml.Loader', 'yaml.UnsafeLoader', 'yaml.FullLoader', 'pandas.read_pickle',
      'pandas.io', 'pandas.eval', 'pandas.core.computation',
    ],
  },
  {
    reason: 'changes how pickles load: registers extension codes (EXT1/2/4 then import anything) or reducers',
    paths: ['copyreg.add_extension', 'copyreg.remove_extension', 'copyreg.pickle', 'copyreg.constructor'],
  },
  {
    reason: 'torch: loads or saves another checkpoint, downloads code, compiles or executes code, or reaches the raw C++ bindings',
    paths: [
      'torch.load', 'torch.save', 'torch.serialization.load', 'torch.serialization._load',
      'torch.serialization._legacy_load', 'torch.serialization.save', 'torch.serialization._save',
      'torch.serialization._legacy_save', 'torch.serialization._open_file', 'torch.serialization._open_file_like',
      'torch.serialization._open_zipfile_reader', 'torch.serialization._open_zipfile_writer',
      'torch.serialization.pickle', 'torch.storage._load_from_bytes', 'torch.hub', 'torch.jit', 'torch.package',
      'torch.fx', 'torch._C', 'torch.ops', 'torch._ops', 'torch.library', 'torch._dynamo', 'torch._inductor',
      'torch.compile', 'torch.export', 'torch.testing', 'torch.multiprocessing', 'torch.distributed',
      'torch.utils.cpp_extension', 'torch.utils.bottleneck', 'torch.utils.collect_env', 'torch.utils.model_zoo',
      'torch.utils.benchmark', 'torch.utils.hipify', 'torch.utils.tensorboard', 'torch.utils._config_module',
      'torch.utils.data.datapipes', 'torch._jit_internal',
    ],
  },
  {
    reason: 'numpy: loads pickles or files (numpy.load allows pickles when asked), maps files, compiles or runs code (f2py, distutils, testing.runstring)',
    paths: [
      'numpy.load', 'numpy.loads', 'numpy.save', 'numpy.savez', 'numpy.savez_compressed', 'numpy.savetxt',
      'numpy.loadtxt', 'numpy.genfromtxt', 'numpy.fromfile', 'numpy.fromregex', 'numpy.memmap', 'numpy.DataSource',
      'numpy.lookfor', 'numpy.lib.format', 'numpy.lib.npyio', 'numpy.lib._npyio_impl',
      'numpy.lib._datasource', 'numpy.lib.utils', 'numpy.core.memmap', 'numpy.core.records.fromfile',
      'numpy.core.multiarray.fromfile', 'numpy.ctypeslib', 'numpy.compat', 'numpy.testing', 'numpy.f2py',
      'numpy.distutils', 'numpy._pytesttester', 'numpy.ma.mrecords',
    ],
  },
  {
    reason: 'joblib: loads another pickle (joblib.load; NDArrayWrapper runs numpy.load(allow_pickle=True) on a file the pickle names), writes files or starts processes',
    paths: [
      'joblib.load', 'joblib.dump', 'joblib.numpy_pickle.load', 'joblib.numpy_pickle.dump',
      'joblib.numpy_pickle.NumpyUnpickler', 'joblib.numpy_pickle.NumpyPickler', 'joblib.numpy_pickle._unpickle',
      'joblib.numpy_pickle.load_temporary_memmap', 'joblib.numpy_pickle_compat', 'joblib.numpy_pickle_utils',
      'joblib.compressor', 'joblib.externals', 'joblib.Parallel', 'joblib.parallel', 'joblib.delayed',
      'joblib.parallel_backend', 'joblib.parallel_config', 'joblib.register_parallel_backend',
      'joblib.wrap_non_picklable_objects', 'joblib.Memory', 'joblib.memory', 'joblib.MemorizedResult',
      'joblib.disk', 'joblib._store_backends', 'joblib._memmapping_reducer', 'joblib.pool', 'joblib.executor',
      'joblib._parallel_backends', 'joblib.testing',
    ],
  },
  {
    reason: 'scikit-learn and scipy helpers that download datasets, read files, run subprocesses (assert_run_python_script), start processes or re-export joblib.load',
    paths: [
      'sklearn.datasets', 'sklearn.utils._testing', 'sklearn.utils.estimator_checks', 'sklearn.utils._show_versions',
      'sklearn.utils._joblib', 'sklearn.utils.parallel', 'scipy.io',
      'scipy.weave', 'scipy._lib._testutils', 'scipy.sparse.load_npz', 'scipy.sparse.save_npz',
    ],
  },

  // ── files ──
  {
    reason: 'opens, reads, writes or deletes files and folders',
    paths: [
      'io.open', 'io.open_code', 'io.FileIO', '_io', 'pathlib', 'shutil', 'tempfile', 'glob', 'filecmp', 'linecache', 'tarfile', 'zipfile', 'zipapp', 'gzip.open', 'gzip.GzipFile', 'bz2.open',
      'bz2.BZ2File', 'lzma.open', 'lzma.LZMAFile', 'codecs.open', 'codecs.EncodedFile', 'dbm', 'sqlite3', '_sqlite3',
      'mailbox', 'logging.handlers', 'logging.FileHandler', 'logging.basicConfig',
    ],
  },

  // ── the network ──
  {
    reason: 'opens network connections or servers (exfiltration, downloads); xml parsers fetch external entities',
    paths: [
      'socket', '_socket', 'ssl', '_ssl', 'http', 'httplib', 'urllib', 'urllib2', 'urllib3', 'requests', 'httpx',
      'aiohttp', 'ftplib', 'smtplib', 'smtpd', 'poplib', 'imaplib', 'nntplib', 'telnetlib', 'socketserver', 'xmlrpc',
      'asyncore', 'asynchat', 'wsgiref', 'xml',
    ],
  },
];
