// Which operators each standard ONNX domain defines, and from which opset
// version. Opsets 1–17 are what onnx 1.12's schema registry lists (first
// since_version of each op); later additions are from the ONNX release notes
// (1.13–1.20). A node is checked against the opset its graph imports: an op the
// table does not know, or one newer than the declared version, does not exist
// for that model, and conforming runtimes refuse it.

/** The highest opset version of each domain this table describes; models declaring a newer one are not checked. */
export const KNOWN_OPSET: Readonly<Record<string, number>> = {
  '': 25,
  'ai.onnx.ml': 5,
  'ai.onnx.preview.training': 1,
};

/** `version: op op …` lines per domain: each op with the opset version it first appeared in. */
const TABLE: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  '': {
    1: 'Abs Add And ArgMax ArgMin AveragePool BatchNormalization Cast Ceil Clip Concat Constant Conv ConvTranspose DepthToSpace Div Dropout Elu Equal Exp Flatten Floor GRU Gather Gemm GlobalAveragePool GlobalLpPool GlobalMaxPool Greater HardSigmoid Hardmax Identity If InstanceNormalization LRN LSTM LeakyRelu Less Log LogSoftmax Loop LpNormalization LpPool MatMul Max MaxPool MaxRoiPool Mean Min Mul Neg Not Or PRelu Pad Pow RNN RandomNormal RandomNormalLike RandomUniform RandomUniformLike Reciprocal ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSum ReduceSumSquare Relu Reshape Selu Shape Sigmoid Size Slice Softmax Softplus Softsign SpaceToDepth Split Sqrt Squeeze Sub Sum Tanh Tile TopK Transpose Unsqueeze Upsample Xor '
      // experimental ops of the first releases, removed from the spec later but still in old models and runtimes
      + 'ATen Affine ConstantFill Crop DynamicSlice GRUUnit GivenTensorFill ImageScaler ParametricSoftplus Scale ScaledTanh',
    7: 'Acos Asin Atan Cos Multinomial Sin Tan',
    8: 'Expand Scan',
    9: 'Acosh Asinh Atanh Compress ConstantOfShape Cosh Erf EyeLike IsNaN MaxUnpool MeanVarianceNormalization NonZero OneHot Scatter Shrink Sign Sinh TfIdfVectorizer Where',
    10: 'ConvInteger DequantizeLinear IsInf MatMulInteger Mod NonMaxSuppression QLinearConv QLinearMatMul QuantizeLinear Resize ReverseSequence RoiAlign StringNormalizer ThresholdedRelu',
    11: 'BitShift ConcatFromSequence CumSum Det DynamicQuantizeLinear GatherElements GatherND Range Round ScatterElements ScatterND SequenceAt SequenceConstruct SequenceEmpty SequenceErase SequenceInsert SequenceLength SplitToSequence Unique',
    12: 'Celu Einsum GreaterOrEqual LessOrEqual NegativeLogLikelihoodLoss SoftmaxCrossEntropyLoss',
    14: 'HardSwish Trilu',
    15: 'Bernoulli CastLike Optional OptionalGetElement OptionalHasElement',
    16: 'GridSample',
    17: 'BlackmanWindow DFT HammingWindow HannWindow LayerNormalization MelWeightMatrix STFT SequenceMap',
    18: 'BitwiseAnd BitwiseNot BitwiseOr BitwiseXor CenterCropPad Col2Im GroupNormalization Mish',
    19: 'DeformConv',
    20: 'AffineGrid Gelu ImageDecoder RegexFullMatch StringConcat StringSplit',
    23: 'Attention RMSNormalization RotaryEmbedding',
    24: 'Swish TensorScatter',
  },
  'ai.onnx.ml': {
    1: 'ArrayFeatureExtractor Binarizer CastMap CategoryMapper DictVectorizer FeatureVectorizer Imputer LabelEncoder LinearClassifier LinearRegressor Normalizer OneHotEncoder SVMClassifier SVMRegressor Scaler TreeEnsembleClassifier TreeEnsembleRegressor ZipMap',
    5: 'TreeEnsemble',
  },
  'ai.onnx.preview.training': {
    1: 'Adagrad Adam Gradient Momentum',
  },
};

const SINCE: ReadonlyMap<string, ReadonlyMap<string, number>> = new Map(
  Object.entries(TABLE).map(([domain, versions]) => [
    domain,
    new Map(Object.entries(versions).flatMap(([version, ops]) => ops.split(' ').filter(Boolean).map((op) => [op, Number(version)] as const))),
  ]),
);

/** The canonical name of a standard domain: `ai.onnx` is the empty default domain. */
export function canonicalDomain(domain: string): string {
  return domain === 'ai.onnx' ? '' : domain;
}

/** Whether ONNX itself defines this domain (the default, ai.onnx.ml, the training preview). */
export function isStandardDomain(domain: string): boolean {
  return SINCE.has(canonicalDomain(domain));
}

/**
 * Whether `op` exists in `domain` at opset `version`: true, false, or null when
 * the table cannot tell (not a standard domain, or a version newer than it knows).
 */
export function opExists(domain: string, op: string, version: number): boolean | null {
  const d = canonicalDomain(domain);
  const ops = SINCE.get(d);
  if (!ops || version > KNOWN_OPSET[d]!) return null;
  const since = ops.get(op);
  return since !== undefined && since <= version;
}

/** The version an op first appeared in, when the table knows it. */
export function opSince(domain: string, op: string): number | undefined {
  return SINCE.get(canonicalDomain(domain))?.get(op);
}

/**
 * Domains of widely used runtime extensions, not part of ONNX but shipped with
 * the runtimes people load models into (onnxruntime's contrib ops, PyTorch's
 * ATen fallback, onnxruntime-extensions). Their ops run code from those
 * runtimes, not from a library the model brings along.
 */
export const WELL_KNOWN_DOMAINS: ReadonlySet<string> = new Set([
  'com.microsoft',
  'com.microsoft.nchwc',
  'com.microsoft.experimental',
  'com.microsoft.dml',
  'com.ms.internal.nhwc',
  'ai.onnx.contrib',
  'org.pytorch.aten',
  'ai.onnx.training',
]);
