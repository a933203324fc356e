// Keras models: .keras archives and legacy .h5 files from
// test/fixtures/make_keras_fixtures.py (written as Keras writes them), the
// config checks and model summary on built configs, and every named limit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { MAX_CONFIG_DEPTH } from '../src/engine/formats/keras/analyse-config.js';
import { checkConfig, MAX_FINDINGS_PER_RULE, MAX_LAMBDAS_LISTED } from '../src/engine/formats/keras/config-checks.js';
import { MAX_CONFIG_BYTES, MAX_METADATA_BYTES } from '../src/engine/formats/keras/keras-archive.js';
import { decodeLambda } from '../src/engine/formats/keras/lambda-code.js';
import { MAX_LAYERS_LISTED, MAX_MODEL_DEPTH, summariseModel } from '../src/engine/formats/keras/layers.js';
import { MAX_MARSHAL_BYTES, MAX_MARSHAL_DEPTH, MAX_MARSHAL_OBJECTS, readMarshal } from '../src/engine/formats/keras/marshal.js';
import type { ByteSource } from '../src/engine/byte-source.js';
import type { Report } from '../src/engine/report.js';
import { scanSource } from '../src/engine/scan.js';
import { parseStrictJson } from '../src/engine/strict-json.js';
import { validateReport, wasm } from './helpers.js';
import { buildZip, SegmentSource } from './zip-builder.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`fixtures/keras/${name}`, import.meta.url)));

async function scanOf(source: ByteSource): Promise<Report> {
  const r = await scanSource(source, { wasm: await wasm() });
  expect(validateReport(r), JSON.stringify(validateReport.errors)).toBe(true);
  return r;
}
const scan = (name: string) => scanOf(new MemoryByteSource(fixture(name), name));
const rules = (r: Report) => r.findings.map((f) => f.rule);
const json = async (text: string) => parseStrictJson(await wasm(), new TextEncoder().encode(text), { maxDepth: 1000 });

interface Keras {
  container: string;
  kerasVersion?: string;
  backend?: string;
  model: { className: string; layers: { path: string; className: string; inputShape?: (number | null)[]; outputShape?: (number | null)[]; parameters: number | null }[]; layersTotal: number; parameters: number; parametersUnknown: number; inputShapes: unknown[] };
  lambdas: { path: string; layer?: string; kind: string; names?: string[]; strings?: string[]; code?: { name: string; filename: string }[] }[];
  lambdasTotal: number;
}
const keras = (r: Report) => r.content.keras as Keras;

/** A config of the given layers in Keras 3's Sequential shape. */
const sequential = (layers: unknown[]) => JSON.stringify({ module: 'keras', class_name: 'Sequential', config: { name: 's', layers }, registered_name: null });

describe('.keras archives', () => {
  it('reads a benign Sequential model: clean, with its layers and parameter counts', async () => {
    const r = await scan('sequential.keras');
    expect(r.format).toBe('keras');
    expect(r.verdict).toBe('clean');
    expect(r.findings).toEqual([]);
    const k = keras(r);
    expect(k).toMatchObject({ container: 'keras-v3', kerasVersion: '3.3.3', model: { className: 'Sequential', layersTotal: 4, parameters: 784 * 64 + 64 + 64 * 10 + 10, parametersUnknown: 0 } });
    expect(k.model.layers.map((l) => [l.className, l.outputShape])).toEqual([['InputLayer', [null, 784]], ['Dense', [null, 64]], ['Dropout', [null, 64]], ['Dense', [null, 10]]]);
    // every member is still listed and judged by content
    expect((r.content.members as { name: string }[]).map((m) => m.name)).toEqual(['metadata.json', 'config.json', 'model.weights.h5']);
  });

  it('reads a Functional model with nested models and wrappers', async () => {
    const r = await scan('functional.keras');
    expect(r.verdict).toBe('clean');
    const byPath = Object.fromEntries(keras(r).model.layers.map((l) => [l.path, l]));
    expect(Object.keys(byPath)).toEqual(['image', 'tokens', 'conv', 'pool', 'embed', 'bidi', 'bidi/lstm', 'bidi/backward_lstm', 'concat', 'head', 'head/head_in', 'head/head_dense']);
    expect(byPath.conv!.parameters).toBe(3 * 3 * 1 * 8 + 8);
    expect(byPath.embed!.parameters).toBe(16000);
    expect(byPath['bidi/lstm']!.parameters).toBe(4 * (8 * (16 + 8) + 8));
    expect(byPath['head/head_dense']!.parameters).toBe(24 * 4 + 4);
    expect(keras(r).model.parameters).toBe(80 + 16000 + 800 + 800 + 100);
  });

  it('flags a Lambda with marshalled bytecode as malicious and shows what it calls', async () => {
    const r = await scan('lambda-bytecode.keras');
    expect(r.verdict).toBe('malicious');
    const f = r.findings.find((x) => x.rule === 'keras.lambda-bytecode')!;
    expect(f.location.member).toBe('config.json');
    expect(f.evidence).toMatchObject({ kind: 'bytecode', names: ['__import__', 'system'], strings: ['os', 'echo pwned'], function: '<lambda>' });
    expect(keras(r).lambdas[0]).toMatchObject({ layer: 'lambda', kind: 'bytecode', code: [{ name: '<lambda>', filename: '<fixture>' }] });
  });

  it('flags a module/class_name injection (CVE-2025-1550) as malicious', async () => {
    const r = await scan('module-injection.keras');
    expect(r.verdict).toBe('malicious');
    expect(r.findings.find((f) => f.rule === 'keras.unsafe-callable')!.evidence).toMatchObject({ callable: 'os.system', via: 'module' });
  });

  it('flags a Keras-internal gadget that turns safe mode off', async () => {
    const r = await scan('gadget.keras');
    expect(r.verdict).toBe('malicious');
    expect(r.findings.find((f) => f.rule === 'keras.unsafe-callable')!.evidence.callable).toBe('keras.config.enable_unsafe_deserialization');
  });

  it('calls a custom layer from a foreign module suspicious, a registry-only custom object clean with a note', async () => {
    const custom = await scan('custom-object.keras');
    expect(custom.verdict).toBe('suspicious');
    expect(rules(custom)).toEqual(['keras.foreign-module']);
    const registered = await scan('registered-object.keras');
    expect(registered.verdict).toBe('clean');
    expect(rules(registered)).toEqual(['keras.custom-object']);
  });

  it('still catches a pickle hidden in a .keras archive', async () => {
    const r = await scan('pickle-inside.keras');
    expect(r.verdict).toBe('malicious');
    expect(r.findings.find((f) => f.rule === 'pickle.dangerous-import')!.location.member).toBe('assets/payload.bin');
    expect(keras(r).model.layersTotal).toBe(4);
  });

  it('reports a config.json that is not JSON, or has a duplicate key, as malformed', async () => {
    for (const name of ['bad-config.keras', 'duplicate-key.keras']) {
      const r = await scan(name);
      expect(r.verdict, name).toBe('malformed');
      expect(rules(r), name).toEqual(['keras.config-invalid']);
    }
  });

  it('reads the sniff fixture model.keras as a clean Keras model', async () => {
    const r = await scanOf(new MemoryByteSource(new Uint8Array(readFileSync(new URL('fixtures/sniff/model.keras', import.meta.url))), 'model.keras'));
    expect(r.verdict).toBe('clean');
    expect(keras(r).model.parameters).toBe(6);
  });

  it(`stops at a config.json over MAX_CONFIG_BYTES (${MAX_CONFIG_BYTES}) without reading it`, async () => {
    const r = await scanOf(buildZip([{ name: 'metadata.json', head: new TextEncoder().encode('{}') }, { name: 'config.json', head: new TextEncoder().encode('{'), zeros: MAX_CONFIG_BYTES, crc: 0 }]));
    expect(r.format).toBe('keras');
    expect(r.findings.find((f) => f.rule === 'scan.limit-reached')!.evidence).toEqual({ limit: 'MAX_CONFIG_BYTES', value: MAX_CONFIG_BYTES + 1 });
    expect(r.stats.bytesRead).toBeLessThan(128 * 1024); // the zip directory search and headers, not the 16 MiB
  });

  it(`stops at a metadata.json over MAX_METADATA_BYTES (${MAX_METADATA_BYTES})`, async () => {
    const r = await scanOf(buildZip([{ name: 'metadata.json', head: new TextEncoder().encode('{'), zeros: MAX_METADATA_BYTES, crc: 0 }, { name: 'config.json', head: new TextEncoder().encode(sequential([])) }]));
    expect(r.findings.find((f) => f.rule === 'scan.limit-reached')!.evidence).toEqual({ limit: 'MAX_METADATA_BYTES', value: MAX_METADATA_BYTES + 1 });
  });

  it(`stops at a config nested deeper than MAX_CONFIG_DEPTH (${MAX_CONFIG_DEPTH})`, async () => {
    const deep = `{"class_name": "Sequential", "config": ${'['.repeat(MAX_CONFIG_DEPTH)}${']'.repeat(MAX_CONFIG_DEPTH)}}`;
    const r = await scanOf(buildZip([{ name: 'config.json', head: new TextEncoder().encode(deep) }, { name: 'metadata.json', head: new TextEncoder().encode('{}') }]));
    expect(r.findings.find((f) => f.rule === 'scan.limit-reached')!.evidence.limit).toBe('MAX_CONFIG_DEPTH');
    expect(r.verdict).toBe('suspicious');
  });
});

describe('legacy .h5 models', () => {
  it('reads a Keras 2 model with fixed-length string attributes and a training config', async () => {
    const r = await scan('keras2-sequential.h5');
    expect(r.formatLabel).toBe('Keras model (HDF5)');
    expect(r.verdict).toBe('clean');
    expect(keras(r)).toMatchObject({ container: 'hdf5', kerasVersion: '2.15.0', backend: 'tensorflow', trainingConfig: true, model: { layersTotal: 2, parameters: 4 * 8 + 8 + 8 * 3 + 3 } });
    const attributes = (r.content.hdf5 as { rootAttributes: { name: string; type: string }[] }).rootAttributes;
    expect(attributes.find((a) => a.name === 'model_config')!.type).toBe('string');
  });

  it('reads a Keras 3 model with variable-length strings, after a user block, and in the 1.8+ file format', async () => {
    const functional = await scan('keras3-functional.h5');
    expect(functional.verdict).toBe('clean');
    expect(keras(functional).model.layersTotal).toBe(12);
    const user = await scan('keras2-userblock.h5');
    expect([user.verdict, user.formatLabel]).toEqual(['clean', 'Keras model (HDF5) (after a 1024-byte user block)']);
    const latest = await scan('keras-latest-format.h5');
    expect(latest.verdict).toBe('clean');
    expect(latest.content.hdf5).toMatchObject({ superblockVersion: 3, rootObjectHeader: { version: 2 } });
  });

  it('reads only the superblock, the root header and the heap: never the weights', async () => {
    // the fixture followed by a gigabyte of zeros (HDF5 allows bytes past its recorded end), never held in memory
    const r = await scanOf(new SegmentSource([fixture('keras2-sequential.h5'), { zeros: 2 ** 30 }], 'big.h5'));
    expect(r.verdict).toBe('clean');
    expect(r.stats.bytesRead).toBeLessThan(96 * 1024); // the sniffers' looks at both ends, then a few KB of HDF5
  });

  it('flags a Keras 2 Lambda with bytecode, a module injection and a poisoned training config', async () => {
    const lambda = await scan('lambda-bytecode.h5');
    expect(lambda.verdict).toBe('malicious');
    expect(keras(lambda).lambdas[0]).toMatchObject({ path: 'config.layers[1].config.function', names: ['__import__', 'system'] });
    const injection = await scan('module-injection.h5');
    expect(injection.verdict).toBe('malicious');
    const training = await scan('training-injection.h5');
    expect(training.verdict).toBe('malicious');
    expect(training.findings[0]!.evidence).toMatchObject({ callable: 'subprocess.getoutput', path: 'loss' });
  });

  it('calls HDF5 files without a model config unsupported, never clean', async () => {
    const weights = await scan('weights-only.h5');
    expect(weights.verdict).toBe('unsupported');
    expect(rules(weights)).toEqual(['format.not-analysed']);
    const plain = await scanOf(new MemoryByteSource(new Uint8Array(readFileSync(new URL('fixtures/sniff/model.h5', import.meta.url))), 'model.h5'));
    expect([plain.verdict, plain.formatLabel]).toEqual(['unsupported', 'HDF5']);
  });

  it('reads attributes kept in dense storage: fractal heap, name index B-tree, child indirect blocks, huge objects', async () => {
    const cases: [string, number, string][] = [['dense-attributes.h5', 13, 'clean'], ['dense-many.h5', 803, 'clean'], ['dense-child-blocks.h5', 303, 'clean'], ['dense-huge-lambda.h5', 13, 'malicious']];
    for (const [name, count, verdict] of cases) {
      const r = await scan(name);
      expect(r.verdict, name).toBe(verdict);
      expect(r.content.hdf5, name).toMatchObject({ superblockVersion: 3, attributeStorage: 'dense' });
      expect((r.content.hdf5 as { rootAttributes: unknown[] }).rootAttributes, name).toHaveLength(count);
      expect(keras(r).model.layersTotal, name).toBeGreaterThan(0);
    }
    const huge = await scan('dense-huge-lambda.h5');
    expect(huge.findings.map((f) => f.rule)).toEqual(['keras.lambda-bytecode']);
    expect(keras(huge).lambdas[0]!.names).toEqual(['__import__', 'system']);
  });

  it('reports truncated, corrupt and impossible files as malformed with the reason', async () => {
    const cases: [string, RegExp][] = [
      ['truncated.h5', /says the file ends at byte \d+, but it has \d+ bytes/],
      ['bad-checksum.h5', /checksum of the root group object header/],
      ['bad-superblock.h5', /superblock version 7 is unknown/],
      ['config-not-string.h5', /integer of shape \[3\], not one string/],
    ];
    for (const [name, message] of cases) {
      const r = await scan(name);
      expect(r.verdict, name).toBe('malformed');
      expect(r.findings.map((f) => f.message).join('\n'), name).toMatch(message);
    }
  });
});

describe('config checks', () => {
  it('flags callable strings outside Keras and leaves Keras names alone', async () => {
    const config = await json(sequential([
      { class_name: 'Dense', config: { name: 'a', activation: 'relu', kernel_initializer: 'glorot_uniform' } },
      { class_name: 'Dense', config: { name: 'b', activation: 'keras.activations.relu' } },
      { class_name: 'Dense', config: { name: 'c', activation: 'builtins.eval' } },
      { class_name: 'Dense', config: { name: 'd', kernel_regularizer: 'my_lib.regularizers.l3' } },
      { class_name: 'Dense', config: { name: 'e', note: 'os.system' } },
    ]));
    const { findings } = checkConfig(config, '');
    expect(findings.map((f) => [f.rule, f.evidence.callable])).toEqual([['keras.unsafe-callable', 'builtins.eval'], ['keras.foreign-module', 'my_lib.regularizers.l3']]);
  });

  it('judges serialized functions by module and name, and Keras builtin lookups as harmless', async () => {
    const fn = (module: string, name: string) => ({ module, class_name: 'function', config: name, registered_name: null });
    const config = await json(sequential([
      { class_name: 'Dense', config: { name: 'a', activation: fn('builtins', 'relu') } },
      { class_name: 'Dense', config: { name: 'b', activation: fn('builtins', 'exec') } },
      { class_name: 'Dense', config: { name: 'c', activation: fn('keras.src.activations.activations', 'relu') } },
      { class_name: 'Dense', config: { name: 'd', activation: fn('keras.src.utils.python_utils', 'func_load') } },
      { module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional', config: { name: 'e', layers: [] } },
      { class_name: 'Dense', config: { name: 'f', activation: fn('keras.activations', 'constructor') } },
    ]));
    expect(checkConfig(config, '').findings.map((f) => f.evidence.callable)).toEqual(['builtins.exec', 'keras.src.utils.python_utils.func_load']);
  });

  it('finds a __lambda__ under any class name and a Keras 2 function_type lambda', async () => {
    const code = fixtureLambda();
    const config = await json(sequential([
      { class_name: 'TotallyBenignLayer', config: { name: 'x', function: { class_name: '__lambda__', config: { code, defaults: null, closure: null } } } },
      { class_name: 'MyLayer', config: { name: 'y', function: [code, null, null], function_type: 'lambda', module: '__main__' } },
      { class_name: 'Lambda', config: { name: 'z', function: 'my_fn', function_type: 'function', module: 'my_pkg.fns' } },
    ]));
    const { findings, lambdas } = checkConfig(config, '');
    expect(findings.map((f) => f.rule)).toEqual(['keras.lambda-bytecode', 'keras.lambda-bytecode', 'keras.lambda-layer', 'keras.foreign-module']);
    expect(lambdas.map((l) => l.layer)).toEqual(['x', 'y']);
  });

  it("judges a TFOpLambda's function as a TensorFlow symbol: ordinary ops pass, file I/O and Python calls are flagged", async () => {
    const op = (fn: string) => ({ class_name: 'TFOpLambda', config: { name: `tf.${fn}`, trainable: true, dtype: 'float32', function: fn } });
    const config = await json(sequential([op('expand_dims'), op('math.add'), op('__operators__.add'), op('io.decode_raw'), op('io.write_file'), op('raw_ops.PyFunc')]));
    const { findings } = checkConfig(config, '');
    expect(findings.map((f) => [f.rule, f.evidence.callable])).toEqual([['keras.unsafe-callable', 'tf.io.write_file'], ['keras.unsafe-callable', 'tf.raw_ops.PyFunc']]);
  });

  it('finds marshalled bytecode wherever it sits, once per string', async () => {
    const code = fixtureLambda();
    const config = await json(sequential([
      { blass_name: 'Lambda', config: { name: 'x', function: [code, null, null], function_type: 'lambda' } },
      { class_name: 'Lambda', config: { name: 'y', function: [code, null, null], function_type: 'lambda' } },
      { class_name: 'Dense', config: { name: 'z', note: code, other: code.slice(0, 60) } },
    ]));
    const result = checkConfig(config, '');
    expect(result.findings.map((f) => [f.rule, f.path])).toEqual([
      ['keras.lambda-bytecode', 'config.layers[0].config.function[0]'],
      ['keras.lambda-bytecode', 'config.layers[1].config.function'],
      ['keras.lambda-bytecode', 'config.layers[2].config.note'],
    ]);
    expect(result.lambdasTotal).toBe(3);
  });

  it('still calls an undecodable Lambda function critical, showing the text', async () => {
    const config = await json(sequential([{ class_name: 'Lambda', config: { name: 'l', function: ['import os; os.system("x")', null, null], function_type: 'lambda' } }]));
    const { findings, lambdas } = checkConfig(config, '');
    expect(findings[0]).toMatchObject({ rule: 'keras.lambda-bytecode', evidence: { kind: 'text', error: 'not base64' } });
    expect(lambdas[0]!.text).toBe('import os; os.system("x")');
  });

  it(`lists MAX_FINDINGS_PER_RULE (${MAX_FINDINGS_PER_RULE}) findings of a rule, then counts the rest`, async () => {
    const layers = Array.from({ length: MAX_FINDINGS_PER_RULE + 5 }, (_, i) => ({ module: 'evil_pkg', class_name: `L${i}`, config: { name: `l${i}` } }));
    const { findings } = checkConfig(await json(sequential(layers)), '');
    expect(findings).toHaveLength(MAX_FINDINGS_PER_RULE + 1);
    expect(findings.at(-1)!.evidence).toEqual({ count: MAX_FINDINGS_PER_RULE + 5, listed: MAX_FINDINGS_PER_RULE });
  });

  it(`lists MAX_LAMBDAS_LISTED (${MAX_LAMBDAS_LISTED}) decoded lambdas and counts all`, async () => {
    const code = fixtureLambda();
    const layers = Array.from({ length: MAX_LAMBDAS_LISTED + 3 }, (_, i) => ({ class_name: 'Lambda', config: { name: `l${i}`, function: [code, null, null], function_type: 'lambda' } }));
    const result = checkConfig(await json(sequential(layers)), '');
    expect(result.lambdas).toHaveLength(MAX_LAMBDAS_LISTED);
    expect(result.lambdasTotal).toBe(MAX_LAMBDAS_LISTED + 3);
  });
});

describe('model summary', () => {
  it(`lists MAX_LAYERS_LISTED (${MAX_LAYERS_LISTED}) layers and counts all`, async () => {
    const layers = Array.from({ length: MAX_LAYERS_LISTED + 2 }, (_, i) => ({ class_name: 'Dropout', config: { name: `d${i}` } }));
    const summary = summariseModel(await json(sequential(layers)))!;
    expect(summary.layers).toHaveLength(MAX_LAYERS_LISTED);
    expect(summary.layersTotal).toBe(MAX_LAYERS_LISTED + 2);
  });

  it(`descends MAX_MODEL_DEPTH (${MAX_MODEL_DEPTH}) nested models and lists the next one without its layers`, async () => {
    let inner: unknown = { class_name: 'Dense', config: { name: 'leaf', units: 1 } };
    for (let i = 0; i < MAX_MODEL_DEPTH + 3; i++) inner = { class_name: 'Sequential', config: { name: `m${i}`, layers: [inner] } };
    const summary = summariseModel(await json(JSON.stringify(inner)))!;
    expect(summary.layersTotal).toBe(MAX_MODEL_DEPTH + 1);
    expect(summary.layers.some((l) => l.name === 'leaf')).toBe(false);
  });

  it('propagates shapes through a Keras 2 Sequential and computes recurrent and normalisation parameters', async () => {
    const summary = summariseModel(await json(JSON.stringify({ class_name: 'Sequential', config: { name: 's', layers: [
      { class_name: 'Embedding', config: { name: 'e', input_dim: 100, output_dim: 8, batch_input_shape: [null, 5] } },
      { class_name: 'GRU', config: { name: 'g', units: 4, return_sequences: true } },
      { class_name: 'LayerNormalization', config: { name: 'n', axis: -1 } },
      { class_name: 'Flatten', config: { name: 'f' } },
      { class_name: 'BatchNormalization', config: { name: 'b' } },
      { class_name: 'Dense', config: { name: 'd', units: 2, use_bias: false } },
    ] } })))!;
    expect(summary.layers.map((l) => [l.name, l.outputShape, l.parameters])).toEqual([
      ['e', [null, 5, 8], 800],
      ['g', [null, 5, 4], 3 * (4 * (8 + 4) + 4) + 3 * 4],
      ['n', [null, 5, 4], 8],
      ['f', [null, 20], 0],
      ['b', [null, 20], 80],
      ['d', [null, 2], 40],
    ]);
  });
});

/** The fixture's Lambda code string, as Keras wrote it. */
function fixtureLambda(): string {
  const config = JSON.parse(new TextDecoder().decode(unzipConfig(fixture('lambda-bytecode.keras')))) as { config: { layers: { config: { function: { config: { code: string } } } }[] } };
  return config.config.layers[1]!.config.function.config.code;
}

/** config.json of a fixture (deflated): through the engine's own reader would be circular; zlib is in Node. */
function unzipConfig(zip: Uint8Array): Uint8Array {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { inflateRawSync } = require('node:zlib') as typeof import('node:zlib');
  const view = new DataView(zip.buffer, zip.byteOffset);
  for (let at = 0; at + 30 < zip.length; ) {
    const nameLength = view.getUint16(at + 26, true);
    const extra = view.getUint16(at + 28, true);
    const size = view.getUint32(at + 18, true);
    const name = new TextDecoder().decode(zip.subarray(at + 30, at + 30 + nameLength));
    const data = zip.subarray(at + 30 + nameLength + extra, at + 30 + nameLength + extra + size);
    if (name === 'config.json') return view.getUint16(at + 8, true) === 8 ? inflateRawSync(data) : data;
    at += 30 + nameLength + extra + size;
  }
  throw new Error('no config.json');
}

describe('marshal reader', () => {
  it('decodes the fixture lambda as a Python 3.11+ code object', () => {
    const decoded = decodeLambda(fixtureLambda());
    expect(decoded).toMatchObject({ kind: 'bytecode', layout: 'Python 3.11+ code object', names: ['__import__', 'system'], strings: ['os', 'echo pwned'] });
  });

  it('tells the Python 3.8-3.10 code layout apart', () => {
    const w = new MarshalWriter();
    w.code38({ name: 'f', names: ['os', 'system'], consts: ['echo hi'] });
    const { value, layout } = readMarshal(w.bytes());
    expect(layout).toBe('3.8-3.10');
    expect(value).toMatchObject({ t: 'code', code: { name: 'f', names: ['os', 'system'] } });
  });

  it('refuses bytes that are not marshal data, or have bytes left over', () => {
    expect(() => readMarshal(Uint8Array.from([0x7e]))).toThrow(/not Python 3 marshal data/);
    expect(() => readMarshal(Uint8Array.from([0x4e, 0x4e]))).toThrow(/bytes after the marshalled object/);
    expect(() => readMarshal(Uint8Array.from([0x72, 5, 0, 0, 0]))).toThrow(/does not exist yet/);
  });

  it(`stops past MAX_MARSHAL_BYTES (${MAX_MARSHAL_BYTES}), MAX_MARSHAL_DEPTH (${MAX_MARSHAL_DEPTH}) and MAX_MARSHAL_OBJECTS (${MAX_MARSHAL_OBJECTS})`, () => {
    expect(() => readMarshal(new Uint8Array(MAX_MARSHAL_BYTES + 1))).toThrow(/MAX_MARSHAL_BYTES|over the/);
    const deep = new Uint8Array(2 * (MAX_MARSHAL_DEPTH + 2) + 1).fill(0x29);
    for (let i = 1; i < deep.length; i += 2) deep[i] = 1;
    deep[deep.length - 1] = 0x4e;
    expect(() => readMarshal(deep)).toThrow(/deeper than 200/);
    const n = MAX_MARSHAL_OBJECTS + 1;
    const many = new Uint8Array(5 + n).fill(0x4e);
    many.set([0x28, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, 0], 0);
    expect(() => readMarshal(many)).toThrow(/more than 100000 objects/);
    // through the Lambda decoder, a limit makes the function undecodable, still reported
    expect(decodeLambda(Buffer.from(many).toString('base64'))).toMatchObject({ kind: 'text', error: expect.stringMatching(/more than 100000 objects/) });
  });

  it('keras/lambda-code limits: MAX_BASE64_CHARS (2 MiB of text decoded, one more not), MAX_TEXT_SHOWN (2000), MAX_LISTED (64)', () => {
    const MiB2 = 2 * 1024 * 1024;
    // at the limit the text is base64-decoded (then refused by MAX_MARSHAL_BYTES); one past it is not decoded at all
    expect(decodeLambda('A'.repeat(MiB2))).toMatchObject({ kind: 'text', error: '1572864 bytes of marshal data, over the 1048576-byte limit' });
    const over = decodeLambda('A'.repeat(MiB2 + 1));
    expect(over).toMatchObject({ kind: 'text', error: `${MiB2 + 1} characters, over the ${MiB2}-character limit: not decoded` });
    expect(over.text).toHaveLength(2000);
    // text that is not base64 is shown, cut at 2000 characters
    expect(decodeLambda('lambda x: x ' + '#'.repeat(5000)).text).toHaveLength(2000);
    expect(decodeLambda('lambda x: x').text).toBe('lambda x: x');
    // a code object naming 70 globals: 64 are listed
    const w = new MarshalWriter();
    w.code38({ name: 'f', names: Array.from({ length: 70 }, (_, i) => `n${i}`), consts: Array.from({ length: 70 }, (_, i) => `s${i}`) });
    const decoded = decodeLambda(Buffer.from(w.bytes()).toString('base64'));
    expect(decoded.kind).toBe('bytecode');
    expect(decoded.names).toHaveLength(64);
    expect(decoded.strings).toHaveLength(64);
    expect(decoded.names!.at(-1)).toBe('n63');
  });
});

/** Just enough of marshal.dumps to build a Python 3.8-3.10 code object. */
class MarshalWriter {
  private readonly out: number[] = [];
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
  private i32(n: number): void {
    this.out.push(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
  }
  private str(s: string): void {
    this.out.push(0x7a, s.length, ...new TextEncoder().encode(s));
  }
  private bytesObject(b: number[]): void {
    this.out.push(0x73);
    this.i32(b.length);
    this.out.push(...b);
  }
  private tuple(items: string[]): void {
    this.out.push(0x29, items.length);
    items.forEach((s) => this.str(s));
  }
  code38(c: { name: string; names: string[]; consts: string[] }): void {
    this.out.push(0x63);
    [1, 0, 0, 1, 2, 67].forEach((n) => this.i32(n)); // argcount, posonly, kwonly, nlocals, stacksize, flags
    this.bytesObject([116, 0, 160, 1, 100, 1, 161, 1, 83, 0]);
    this.tuple(c.consts);
    this.tuple(c.names);
    this.tuple(['x']); // varnames
    this.tuple([]); // freevars
    this.tuple([]); // cellvars
    this.str('<f>');
    this.str(c.name);
    this.i32(1);
    this.bytesObject([]);
  }
}
