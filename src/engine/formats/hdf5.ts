// HDF5 (Keras .h5 among others): the signature sits at offset 0 or, after a
// user block, at 512, 1024, 2048, … (powers of two). A legacy Keras model
// keeps its config in the root group's `model_config` attribute, which is all
// that is read (hdf5/root-attributes.ts); the datasets are never touched.
import { decodeUtf8, startsWith } from '../bytes.js';
import { MalformedError } from '../errors.js';
import { recordFailure } from '../failure.js';
import type { SniffContext } from '../sniff/context.js';
import type { AnalysisContext, FormatDriver } from './driver.js';
import type { Hdf5Attribute } from './hdf5/attributes.js';
import { readRootAttributes, type RootAttributes } from './hdf5/root-attributes.js';
import { Hdf5Unsupported } from './hdf5/unsupported.js';
import { analyseConfigText, kerasContent, type ConfigAnalysis } from './keras/analyse-config.js';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** The attribute Keras' load_model reads the model from. */
const MODEL_CONFIG = 'model_config';
const TRAINING_CONFIG = 'training_config';
/** Characters of a short attribute value shown in the report (versions, backend names). */
const MAX_VALUE_SHOWN = 200;

/** The sniff's reading of the root attributes, kept for the analysis. */
const roots = new WeakMap<SniffContext, Promise<RootAttributes>>();

export const hdf5: FormatDriver = {
  id: 'hdf5',
  async sniff(ctx) {
    const { source } = ctx;
    for (let offset = 0; offset + SIGNATURE.length <= source.size; offset = offset === 0 ? 512 : offset * 2) {
      if (startsWith(await source.read(offset, SIGNATURE.length), SIGNATURE)) {
        const root = readRootAttributes(ctx.source, offset);
        root.catch(() => undefined); // reported by the analysis
        roots.set(ctx, root);
        const keras = await root.then((r) => r.attributes.some((a) => a.name === MODEL_CONFIG), () => false);
        const where = offset === 0 ? '' : ` (after a ${offset}-byte user block)`;
        return { label: keras ? `Keras model (HDF5)${where}` : `HDF5${where}`, details: { signatureOffset: offset } };
      }
    }
    return null;
  },
  analyse: analyseHdf5,
};

async function analyseHdf5(ctx: AnalysisContext): Promise<'complete' | 'unsupported' | 'failed'> {
  let root: RootAttributes;
  try {
    root = await (roots.get(ctx.sniffContext) ?? readRootAttributes(ctx.source, ctx.match.details.signatureOffset as number));
  } catch (error) {
    if (!(error instanceof Hdf5Unsupported)) throw error;
    ctx.findings.add('hdf5.unsupported-structure', `${error.message}: the root group's attributes (where a Keras model keeps its config) were not read, so the file is unscanned`, { offset: error.offset });
    return 'unsupported';
  }
  const { superblock, objectHeader, attributes, attributeStorage } = root;
  ctx.content.hdf5 = {
    superblockVersion: superblock.version,
    offsetSize: superblock.offsetSize,
    lengthSize: superblock.lengthSize,
    rootObjectHeader: objectHeader,
    attributeStorage,
    rootAttributes: attributes.map(describeAttribute),
  };
  const model = attributes.find((a) => a.name === MODEL_CONFIG);
  if (!model) {
    const names = attributes.map((a) => a.name);
    const weights = names.includes('layer_names');
    ctx.findings.add('format.not-analysed', `${weights ? 'Keras weights' : 'an HDF5 data file'} with no ${MODEL_CONFIG} attribute on its root group (${names.length ? `attributes: ${names.slice(0, 10).join(', ')}` : 'no attributes'}): no Keras model config to check; its datasets, links and external storage were not checked, so the file is unscanned`);
    return 'unsupported';
  }
  const facts: Record<string, unknown> = { container: 'hdf5' };
  for (const [attribute, key] of [['keras_version', 'kerasVersion'], ['backend', 'backend']] as const) {
    const found = attributes.find((a) => a.name === attribute);
    const text = found ? singleString(found) : undefined;
    if (text !== undefined) facts[key] = decodeUtf8(text.bytes);
  }
  let training: ConfigAnalysis | undefined;
  let status: 'complete' | 'failed' = 'complete';
  const modelAnalysis = analyseConfigText(ctx.wasm, attributeText(model), ctx.findings, true);
  const trainingAttribute = attributes.find((a) => a.name === TRAINING_CONFIG);
  if (trainingAttribute) {
    facts.trainingConfig = true;
    try {
      training = analyseConfigText(ctx.wasm, attributeText(trainingAttribute), ctx.findings, false);
    } catch (error) {
      // load_model(compile=True) reads it; the model config's findings stand
      status = recordFailure(error, ctx.findings) === 'failed' ? 'failed' : status;
    }
  }
  ctx.content.keras = kerasContent(modelAnalysis, training, facts);
  return status;
}

/** The attribute's string as a config text; any other shape is not a config Keras can read. */
function attributeText(attribute: Hdf5Attribute): { bytes: Uint8Array; what: string; locate: (offset: number) => { offset: number } } {
  const text = singleString(attribute);
  const what = `the ${attribute.name} attribute`;
  if (!text) {
    const shape = attribute.shape === null ? 'null' : `[${attribute.shape.join(', ')}]`;
    throw new MalformedError(`${what} is ${attribute.type} of shape ${shape}, not one string: Keras cannot read a model config from it`, { offset: attribute.offset }, 'keras.config-invalid');
  }
  return { bytes: text.bytes, what, locate: (offset) => ({ offset: text.offset + offset }) };
}

/** A scalar string, or a one-element array of one (h5py reads both as one value). */
function singleString(attribute: Hdf5Attribute): { bytes: Uint8Array; offset: number } | undefined {
  if (!attribute.strings || attribute.elements !== 1) return undefined;
  return attribute.strings[0];
}

function describeAttribute(a: Hdf5Attribute): Record<string, unknown> {
  const out: Record<string, unknown> = { name: a.name, type: a.type, shape: a.shape };
  if (a.charset) out.charset = a.charset;
  const one = singleString(a);
  if (one) {
    out.bytes = one.bytes.length;
    if (one.bytes.length <= MAX_VALUE_SHOWN && a.name !== MODEL_CONFIG && a.name !== TRAINING_CONFIG) out.value = decodeUtf8(one.bytes);
  }
  return out;
}

