// The format registry. Order matters: exact magic numbers first, then formats
// told apart by structure (a pickle before the zip it may carry on its tail;
// zlib/gzip streams whose inflated head is a pickle),
// ONNX after them because protobuf has no magic number, and the safetensors
// index and tokenizer configuration (JSON text) last of all.
import type { FormatDriver } from './driver.js';
import { compressedJoblib, compressedPickle, unreadableCompression } from './compressed-pickle.js';
import { gguf } from './gguf/gguf.js';
import { hdf5 } from './hdf5.js';
import { numpy } from './numpy/numpy.js';
import { onnx } from './onnx/onnx.js';
import { joblib, pickle } from './pickle.js';
import { pytorchLegacy } from './pytorch-legacy.js';
import { safetensors } from './safetensors/safetensors.js';
import { safetensorsIndex } from './safetensors/safetensors-index.js';
import { tokenizerConfig } from './tokenizer-config.js';
import { keras, npz, pytorchZip, torchscript, zip } from './zip-family.js';

export const FORMAT_DRIVERS: readonly FormatDriver[] = [
  safetensors,
  numpy,
  gguf,
  pytorchLegacy,
  joblib,
  pickle,
  compressedJoblib,
  compressedPickle,
  torchscript,
  pytorchZip,
  npz,
  keras,
  zip,
  unreadableCompression,
  hdf5,
  onnx,
  // JSON text: after every binary format, since it reads the whole (bounded) file to parse it.
  safetensorsIndex,
  tokenizerConfig,
];

export type { FormatDriver, SniffMatch, AnalysisContext } from './driver.js';
