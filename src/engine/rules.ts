// Every finding has a stable rule id. This table is the single list of them:
// the default severity and a one-line explanation a reviewer can read top to bottom.
// docs/rules.md is checked against it by a test.
import type { Severity } from './report.js';

export interface RuleInfo {
  readonly severity: Severity;
  readonly title: string;
}

export const RULES = {
  'format.unsupported': {
    severity: 'info',
    title: 'Not a model format Weightlens analyses; the report says what the bytes look like.',
  },
  'format.not-analysed': {
    severity: 'info',
    title: 'A recognised model format whose contents this version cannot check yet: the file is unscanned, not clean.',
  },
  'format.malformed': {
    severity: 'high',
    title: 'The bytes break the rules of their format; loaders may fail or, worse, disagree about what the file holds.',
  },
  'scan.limit-reached': {
    severity: 'medium',
    title: 'A named safety limit stopped the analysis early: what follows the limit was not checked.',
  },
  'scan.read-error': {
    severity: 'high',
    title: 'The file could not be read to the end, so it was not fully checked.',
  },
  'scan.internal-error': {
    severity: 'high',
    title: 'The analyser failed unexpectedly (a Weightlens bug); the file was not fully checked.',
  },
  'numpy.object-array': {
    severity: 'low',
    title: 'A numpy array of Python objects: its data is a pickle that numpy.load(allow_pickle=True) runs. The pickle is analysed, and its own findings decide the verdict: low.',
  },
  'numpy.trailing-data': {
    severity: 'medium',
    title: 'Bytes after the array data that numpy never reads: a place to hide a payload.',
  },
  'safetensors.header-too-large': {
    severity: 'high',
    title: 'The declared header length is over the 100,000,000-byte limit of the reference implementation (or past 2^53): it refuses the file.',
  },
  'safetensors.header-out-of-bounds': {
    severity: 'high',
    title: 'The declared header length runs past the end of the file.',
  },
  'safetensors.invalid-utf8': {
    severity: 'high',
    title: 'The header is not valid UTF-8.',
  },
  'safetensors.invalid-json': {
    severity: 'high',
    title: 'The header is not one JSON object followed only by whitespace padding.',
  },
  'safetensors.duplicate-key': {
    severity: 'high',
    title: 'A key appears twice in one JSON object: parsers disagree on which one wins, so loaders may see different tensors.',
  },
  'safetensors.nesting-too-deep': {
    severity: 'high',
    title: 'The header JSON nests deeper than the reference parser accepts (MAX_JSON_DEPTH).',
  },
  'safetensors.invalid-entry': {
    severity: 'high',
    title: 'A tensor entry is not an object with dtype, shape and data_offsets.',
  },
  'safetensors.unknown-dtype': {
    severity: 'high',
    title: 'A tensor has a dtype the reference implementation does not know.',
  },
  'safetensors.invalid-shape': {
    severity: 'high',
    title: 'A tensor shape is not a list of non-negative integers.',
  },
  'safetensors.invalid-offsets': {
    severity: 'high',
    title: 'The data_offsets of a tensor are not [begin, end] of non-negative integers with begin <= end.',
  },
  'safetensors.overflow': {
    severity: 'high',
    title: 'A dimension, element count, byte size or offset is past 2^53: refused rather than rounded.',
  },
  'safetensors.misaligned': {
    severity: 'high',
    title: 'A sub-byte tensor (F4, F6) whose size is not a whole number of bytes.',
  },
  'safetensors.size-mismatch': {
    severity: 'high',
    title: 'The data_offsets of a tensor span a different number of bytes than its dtype and shape need.',
  },
  'safetensors.offsets-overlap': {
    severity: 'high',
    title: 'Two tensors share bytes of the data section.',
  },
  'safetensors.offsets-gap': {
    severity: 'high',
    title: 'Bytes of the data section between tensors (or before the first) that belong to no tensor: room for a hidden payload.',
  },
  'safetensors.offsets-past-end': {
    severity: 'high',
    title: 'The data of a tensor runs past the end of the file.',
  },
  'safetensors.data-not-covered': {
    severity: 'high',
    title: 'Bytes after the last tensor that belong to no tensor: the reference requires the tensors to end exactly at the end of the file.',
  },
  'safetensors.invalid-metadata': {
    severity: 'high',
    title: '__metadata__ is not an object mapping strings to strings.',
  },
  'safetensors.config-mismatch': {
    severity: 'low',
    title: 'config.json beside the file disagrees with its tensors (layers, hidden size, vocabulary): loaders build the model from config.json, so loading fails or leaves weights uninitialised. Broken, not dangerous: low.',
  },
  'safetensors.config-unreadable': {
    severity: 'info',
    title: 'config.json beside the file could not be used (invalid JSON, not an object, over 4 MiB); the safetensors file itself is unaffected.',
  },
  'safetensors.index-invalid': {
    severity: 'high',
    title: 'A sharded model index that is not the expected shape: weight_map must map tensor names to shard file names, metadata.total_size be a non-negative integer.',
  },
  'safetensors.index-unsafe-shard-name': {
    severity: 'critical',
    title: "A shard name with '..', an absolute path, a drive letter, a backslash, a NUL or '://' makes a loader read outside the model's folder or fetch a URL (a subfolder: high). Never opened.",
  },
  'safetensors.index-missing-shard': {
    severity: 'high',
    title: 'A shard the index names is not beside it: the model cannot be loaded as shipped, and the missing part was not checked.',
  },
  'safetensors.index-tensor-missing': {
    severity: 'high',
    title: 'A tensor the index names is not in the shard it names.',
  },
  'safetensors.index-tensor-elsewhere': {
    severity: 'high',
    title: 'A tensor is in a shard other than the one the index names.',
  },
  'safetensors.index-tensor-duplicate': {
    severity: 'high',
    title: 'A tensor is in more than one shard: loaders disagree on which copy wins.',
  },
  'safetensors.index-extra-tensor': {
    severity: 'medium',
    title: 'A shard holds a tensor the index does not list: loaders ignore it, so it can hide data.',
  },
  'safetensors.index-total-size': {
    severity: 'medium',
    title: "metadata.total_size differs from the bytes of the shards' tensors.",
  },
  'safetensors.index-shard-malformed': {
    severity: 'high',
    title: 'A shard whose header fails safetensors validation; the shard gets its own report when scanned.',
  },
  'safetensors.index-bom': {
    severity: 'medium',
    title: "The index starts with a UTF-8 byte-order mark: Python's json.load (transformers, huggingface_hub) and serde_json refuse it, browsers' fetch().json() skips it. Loaders disagree; the index is checked past the mark.",
  },
  'pickle.dangerous-import': {
    severity: 'critical',
    title: 'The pickle imports something on the dangerous list (code execution, processes, files, sockets, the import machinery, attribute access, another deserializer): loading it can run anything.',
  },
  'pickle.dynamic-import': {
    severity: 'critical',
    title: 'An import whose module or name is not a constant string (built by a call, fetched from an unusual place): what it imports cannot be known without running it.',
  },
  'pickle.unknown-import': {
    severity: 'medium',
    title: 'The pickle imports something not on the reviewed safe list: loading it runs that code. Unknown is never clean.',
  },
  'pickle.global-mutation': {
    severity: 'critical',
    title: 'BUILD, SETITEM(S) or APPEND(S) writes into an imported module, class or function: a write-then-call gadget that changes code before it runs.',
  },
  'pickle.ext-code': {
    severity: 'high',
    title: 'EXT1/EXT2/EXT4 imports through the copyreg extension registry, which is empty unless the loading program fills it: what it imports cannot be known from the file.',
  },
  'pickle.frame-straddle': {
    severity: 'high',
    title: 'An opcode crosses a FRAME boundary: CPython never writes that, so the stream was crafted or damaged.',
  },
  'pickle.extra-pickle': {
    severity: 'medium',
    title: 'A second pickle follows the first STOP: pickle.load stops at the first, but other loaders read on. Its imports are judged like the first.',
  },
  'pickle.trailing-data': {
    severity: 'medium',
    title: 'Bytes after the last pickle that no loader reads: a place to hide a payload.',
  },
  'pickle.render-budget': {
    severity: 'info',
    title: "A checkpoint's tensor table is incomplete: the pickle is so big that its values' details stopped being kept (MAX_KEPT_BYTES, 48 MiB), or a tensor nests deeper than the walk goes. Imports and calls are all still judged.",
  },
  'pickle.persistent-id': {
    severity: 'low',
    title: 'A persistent id outside a PyTorch checkpoint: the loading program decides what it becomes.',
  },
  'pickle.user-allowlist': {
    severity: 'info',
    title: 'Imports were judged safe by a user-supplied allowlist entry rather than the built-in reviewed list.',
  },
  'pytorch.missing-storage': {
    severity: 'high',
    title: 'A tensor names a storage the checkpoint does not hold: torch.load fails on it.',
  },
  'pytorch.tensor-past-storage': {
    severity: 'high',
    title: 'A tensor view reaches past the end of its storage: loaders read bytes that belong to no tensor, or fail.',
  },
  'zip.local-header-mismatch': {
    severity: 'high',
    title: 'A local file header disagrees with the central directory (name, method, sizes): tools that read one or the other see different files.',
  },
  'zip.flag-bits': {
    severity: 'medium',
    title: 'A member has general-purpose flag bits set that model writers never set (encryption, patched data, strong encryption): tools disagree on how to read it.',
  },
  'zip.crc-mismatch': {
    severity: 'high',
    title: 'The CRC-32 of a member does not match its bytes: PyTorch ignores the check, so the member was changed after the archive was written.',
  },
  'zip.prefix-data': {
    severity: 'high',
    title: 'Bytes before the first local header (a polyglot): a loader that reads the start of the file sees something other than the archive.',
  },
  'zip.unlisted-bytes': {
    severity: 'medium',
    title: 'Bytes between zip members (or before the central directory) that no directory entry covers: loaders skip them, readers that walk local headers do not.',
  },
  'zip.shadowed-end-record': {
    severity: 'high',
    title: 'The end-of-central-directory record loaders read lies inside the comment of another: zip readers disagree on which directory, and so which members, the archive holds.',
  },
  'zip.appended-to-pickle': {
    severity: 'high',
    title: 'A pickle followed by a zip archive (a polyglot): pickle.load and zip readers see two different files.',
  },
  'zip.overlapping-members': {
    severity: 'high',
    title: 'Two members share bytes of the archive: a sign of a zip bomb or of a crafted archive.',
  },
  'zip.duplicate-name': {
    severity: 'high',
    title: 'Two members of one archive share a name: loaders disagree on which one they read (each is checked).',
  },
  'zip.unreadable-member': {
    severity: 'high',
    title: 'A member could not be read (encrypted, an unsupported compression method, broken deflate data): it was not checked.',
  },
  'zip.nested-archive': {
    severity: 'info',
    title: 'An archive inside the archive; its members are scanned too, to a bounded depth.',
  },
  ...{
    // Hash pinning and Git LFS pointers (src/engine/pinning/)
    'hash.mismatch': {
      severity: 'high',
      title: 'The SHA-256 (or size) differs from the one pinned for this file (--expect-sha256, a checksum file, a Git LFS pointer, a pasted hash): it is not the file expected. At least suspicious, even when its format is not analysed.',
    },
    'hash.match': {
      severity: 'info',
      title: 'The SHA-256 (and size) matches the one pinned for this file: it is the file expected — which says nothing about whether that file is safe.',
    },
    'lfs.pointer': {
      severity: 'info',
      title: 'A Git LFS pointer whose real file was scanned too: its SHA-256 and size pinned that file.',
    },
    'lfs.pointer-without-file': {
      severity: 'medium',
      title: 'A Git LFS pointer: a placeholder for the real file, which is not here (a clone without LFS). Nothing of the model was checked: unsupported, not clean and not malicious.',
    },
  },
  ...{
    // Keras (src/engine/formats/keras/, hdf5/)
    'keras.lambda-bytecode': {
      severity: 'critical',
      title: 'A Lambda layer (or a __lambda__ object) carries marshalled Python bytecode: loading the model runs it (tf.keras and Keras 2 always, Keras 3 with safe_mode off). The decoded names and constants are shown.',
    },
    'keras.unsafe-callable': {
      severity: 'critical',
      title: 'The config names a function or class that reaches code execution, processes, files or the network (builtins.exec, os.system, subprocess …) or a Keras gadget (enable_unsafe_deserialization, get_file): loading calls it (CVE-2025-1550 and its bypasses).',
    },
    'keras.foreign-module': {
      severity: 'medium',
      title: "The config names a module outside Keras' own packages: Keras before 3.9 imports it (running its code) and calls the named object; 3.9 and later refuse it. Unknown is never clean.",
    },
    'keras.custom-object': {
      severity: 'low',
      title: 'The model needs a custom object (a registered class or function) whose code is not in the file: the loading program must supply it.',
    },
    'keras.lambda-layer': {
      severity: 'low',
      title: 'A Lambda layer that calls a function by name (no bytecode): the function is looked up when loading, its code is not in the file.',
    },
    'keras.config-invalid': {
      severity: 'high',
      title: 'The model config (config.json, metadata.json, or the model_config / training_config attribute) is not strict JSON, not an object, or not a string: Keras cannot load it, or loaders could read it differently.',
    },
    'hdf5.unsupported-structure': {
      severity: 'info',
      title: "A valid HDF5 structure this reader does not follow (shared messages, a fractal heap with I/O filters, 16-byte addresses) stands between it and the root group's attributes: the file is unscanned, not clean.",
    },
  },
  ...{
    // ONNX (src/engine/formats/onnx/)
    'onnx.external-data-unsafe-path': {
      severity: 'critical',
      title: "An external data location that is absolute, climbs out with '..', names a drive, a UNC share or a URL, or holds a backslash or NUL: loading the model reads a file outside its folder. Never opened.",
    },
    'onnx.external-data-invalid': {
      severity: 'high',
      title: 'A tensor stored outside the file whose external_data has no usable location, or an offset or length that is not a non-negative integer: loaders fail on it.',
    },
    'onnx.external-data-missing': {
      severity: 'high',
      title: 'An external data file the model names is not beside it: the model cannot be loaded as shipped, and the missing part was not checked.',
    },
    'onnx.external-data-out-of-bounds': {
      severity: 'high',
      title: "A tensor's external offset and length run past the end of its external data file.",
    },
    'onnx.external-data-unchecked': {
      severity: 'info',
      title: 'External data in a subfolder of the model folder: allowed by ONNX, but not offered beside the model, so its bounds were not checked.',
    },
    'onnx.tensor-size-mismatch': {
      severity: 'high',
      title: 'The bytes or values a tensor stores differ from what its dims and data type need.',
    },
    'onnx.invalid-tensor': {
      severity: 'high',
      title: 'A tensor with a data type ONNX does not define, a negative dimension, more than 2^53 elements, values in two data fields, or a sparse tensor whose parts do not pair up.',
    },
    'onnx.undefined-value': {
      severity: 'high',
      title: 'A node input or graph output that nothing produces (no graph input, initializer, node or enclosing graph): the model cannot run as written.',
    },
    'onnx.duplicate-output': {
      severity: 'high',
      title: 'A value defined twice in one graph (two nodes, two initializers, a node and an input): which one a reader sees depends on the runtime.',
    },
    'onnx.cycle': {
      severity: 'high',
      title: 'Nodes that feed each other in a circle, or model-local functions that call themselves: runtimes refuse the graph or never finish inlining it.',
    },
    'onnx.unknown-op': {
      severity: 'medium',
      title: 'An operator that the ONNX domain it claims does not define at the imported opset version: conforming runtimes refuse it.',
    },
    'onnx.missing-opset': {
      severity: 'medium',
      title: 'Nodes use a domain the model does not import: the operator version they bind to is undefined.',
    },
    'onnx.custom-domain': {
      severity: 'medium',
      title: "Operators from a custom domain (not ONNX's own, not a well-known runtime's contrib ops): running them needs a native library whose code is not in the file.",
    },
    'onnx.input-triggered-branch': {
      severity: 'medium',
      title: "A model input reaches a comparison whose result decides an If, or a Where after a global reduction: a pattern in the input can switch the model's output (the shape of a graph backdoor).",
    },
    'onnx.unknown-fields': {
      severity: 'low',
      title: 'Protobuf fields the ONNX schema does not define: loaders keep them unread, so they can carry hidden data.',
    },
  },
  ...{
    // GGUF (src/engine/formats/gguf/)
    'gguf.truncated': {
      severity: 'high',
      title: 'The file ends inside the GGUF header (or a count or length promises more bytes than are left).',
    },
    'gguf.unsupported-version': {
      severity: 'high',
      title: 'A GGUF version other than 1, 2 or 3: its layout is unknown, so nothing after the magic can be read.',
    },
    'gguf.invalid-value-type': {
      severity: 'high',
      title: 'A metadata value type GGUF does not define (0–12): its size is unknown, so the rest of the header cannot be read.',
    },
    'gguf.invalid-value': {
      severity: 'high',
      title: 'A metadata bool that is neither 0 nor 1: llama.cpp reads the byte into a C++ bool, which is undefined behaviour.',
    },
    'gguf.duplicate-key': {
      severity: 'high',
      title: 'A metadata key appears twice: llama.cpp refuses the file, other readers keep one of the two values.',
    },
    'gguf.invalid-alignment': {
      severity: 'high',
      title: 'general.alignment is not a uint32, or not a non-zero power of two: llama.cpp refuses or aborts on the file.',
    },
    'gguf.invalid-tensor': {
      severity: 'high',
      title: 'A tensor info ggml cannot hold: more than 4 dimensions, or a name longer than 63 bytes.',
    },
    'gguf.duplicate-tensor': {
      severity: 'high',
      title: 'Two tensors share a name: llama.cpp refuses the file, other loaders keep one of the two.',
    },
    'gguf.unknown-type': {
      severity: 'high',
      title: 'A tensor of a ggml type that does not exist (or was removed): its size is unknown and loaders refuse it.',
    },
    'gguf.overflow': {
      severity: 'high',
      title: "A tensor's element count or byte size is past 2^53: refused rather than rounded.",
    },
    'gguf.partial-block': {
      severity: 'high',
      title: "A quantised tensor's rows are not a whole number of its type's blocks: ggml cannot size it.",
    },
    'gguf.misaligned-offset': {
      severity: 'high',
      title: "A tensor's data offset is not a multiple of the file's alignment.",
    },
    'gguf.tensor-past-end': {
      severity: 'high',
      title: "A tensor's data runs past the end of the file.",
    },
    'gguf.tensor-overlap': {
      severity: 'high',
      title: 'Two tensors share bytes of the data section.',
    },
    'gguf.data-gap': {
      severity: 'medium',
      title: 'Bytes of the data section between tensors (beyond alignment padding) that belong to no tensor: room for a hidden payload.',
    },
    'gguf.trailing-data': {
      severity: 'medium',
      title: "Bytes after the last tensor's data (beyond alignment padding) that no loader reads: room for a hidden payload.",
    },
  },
  ...{
    // Chat templates (src/engine/chat-template/), in GGUF metadata and tokenizer_config.json
    'template.python-internals': {
      severity: 'critical',
      title: 'A chat template reaches Python internals (__class__, __mro__, __subclasses__, __globals__, __builtins__, __init__, underscore attributes): the server-side template injection of CVE-2024-34359. A special name only in a string: high.',
    },
    'template.dangerous-name': {
      severity: 'critical',
      title: 'A chat template calls or reads os, popen, eval, exec, import, subprocess, getattr …: code execution on whoever renders it. A bare mention, or a template-loading statement: medium.',
    },
    'template.escape-global': {
      severity: 'medium',
      title: "A chat template uses a Jinja global known from sandbox escapes (cycler, joiner, namespace, lipsum attributes; self, config, request): no chat template needs them.",
    },
    'template.computed-attribute': {
      severity: 'high',
      title: 'A chat template reads an attribute or item whose name is built at render time (~, |join, |format, a variable): how payloads spell __class__ without writing it. Built names given to |attr: critical.',
    },
    'template.syntax-error': {
      severity: 'medium',
      title: "A chat template breaks Jinja's grammar: Jinja refuses it, and what follows the error was only searched for special names.",
    },
  },
  ...{
    // tokenizer_config.json (src/engine/formats/tokenizer-config.ts)
    'tokenizer.invalid-config': {
      severity: 'high',
      title: 'A tokenizer_config.json whose chat_template is neither a string nor a list of {name, template} objects, or which is not strict JSON (duplicate keys).',
    },
  },
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

export function isRuleId(value: string): value is RuleId {
  return Object.hasOwn(RULES, value);
}
