// big-keras.h5: a legacy Keras model file (what model.save("x.h5") writes) in
// the HDF5 1.8+ file format h5py writes with libver="latest": superblock v3,
// version 2 object headers with lookup3 checksums, compact links. The root
// group carries the Keras attributes as variable-length UTF-8 strings in a
// global heap collection — backend, keras_version, model_config (a tf.keras
// Sequential of Dense layers) and training_config — and links one float32
// dataset, `model_weights`, that holds every weight contiguously (Keras
// stores one dataset per variable; one is enough to make the file as big).
// The dataset's data is a hole in a sparse file: its space is allocated and
// recorded, never written (h5py reads zeros).
import { ascii, utf8 } from './writer.mjs';

export const name = 'big-keras.h5';
export const description = 'Keras legacy HDF5 model (HDF5 1.8+ format), 64 Dense(4096) layers, 4.3 GB float32 weights as a sparse dataset';

const CONFIGS = {
  full: { layers: 64, width: 4096 },
  small: { layers: 3, width: 8 },
};
const UNDEFINED = 0xffffffffffffffffn;
const DATA_ALIGN = 4096;

// ---- bytes --------------------------------------------------------------------
const u8 = (v) => Buffer.from([v]);
const u16 = (v) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
const cat = (...parts) => Buffer.concat(parts.flat());

/** Bob Jenkins' lookup3 hashlittle, the checksum of HDF5 1.8+ metadata. */
function lookup3(bytes) {
  const rot = (x, k) => ((x << k) | (x >>> (32 - k))) >>> 0;
  let length = bytes.length;
  let a = (0xdeadbeef + length) >>> 0;
  let b = a;
  let c = a;
  let k = 0;
  const word = (i) => (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
  while (length > 12) {
    a = (a + word(k)) >>> 0; b = (b + word(k + 4)) >>> 0; c = (c + word(k + 8)) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 12;
    k += 12;
  }
  if (length === 0) return c;
  const tail = [0, 0, 0];
  for (let i = 0; i < length; i++) tail[i >> 2] = (tail[i >> 2] + (bytes[k + i] << ((i & 3) * 8))) >>> 0;
  a = (a + tail[0]) >>> 0; b = (b + tail[1]) >>> 0; c = (c + tail[2]) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return c;
}
const withChecksum = (body) => cat(body, u32(lookup3(body)));

// ---- HDF5 structures ----------------------------------------------------------
/** A version 2 object header of one chunk: "OHDR", version 2, flags 0x02 (4-byte chunk size). */
function objectHeader(messages) {
  const body = cat(...messages.map(([type, data]) => cat(u8(type), u16(data.length), u8(0), data)));
  return withChecksum(cat(ascii('OHDR'), u8(2), u8(0x02), u32(body.length), body));
}

/** Variable-length UTF-8 string datatype (class 9), its base a 1-byte UTF-8 string. */
const VLEN_STRING = cat(u8(0x19), u8(0x01), u8(0x01), u8(0), u32(16), u8(0x13), u8(0x10), u8(0), u8(0), u32(1));
const SCALAR = cat(u8(2), u8(0), u8(0), u8(0));

/** Attribute message version 3 holding a heap ID. */
function attribute(attrName, heapAddress, index, length) {
  const nameBytes = cat(utf8(attrName), u8(0));
  return cat(u8(3), u8(0), u16(nameBytes.length), u16(VLEN_STRING.length), u16(SCALAR.length), u8(0), nameBytes, VLEN_STRING, SCALAR, u32(length), u64(heapAddress), u32(index));
}

/** A global heap collection of the given objects (indices from 1), then its free space. */
function collection(objects) {
  const parts = objects.map((o, i) => cat(u16(i + 1), u16(1), u32(0), u64(o.length), o, Buffer.alloc((8 - (o.length % 8)) % 8)));
  const used = 16 + parts.reduce((n, p) => n + p.length, 0) + 16;
  const size = Math.max(4096, used + ((8 - (used % 8)) % 8));
  const free = cat(u16(0), u16(0), u32(0), u64(size - used + 16));
  const body = cat(ascii('GCOL'), u8(1), Buffer.alloc(3), u64(size), ...parts, free);
  return cat(body, Buffer.alloc(size - body.length));
}

function modelConfig({ layers, width }) {
  const dense = (i) => ({
    class_name: 'Dense',
    config: {
      name: `dense_${i}`, trainable: true, dtype: 'float32', units: width, activation: i + 1 < layers ? 'relu' : 'linear', use_bias: true,
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
      ...(i === 0 ? { batch_input_shape: [null, width] } : {}),
    },
  });
  return { class_name: 'Sequential', config: { name: 'sequential', layers: Array.from({ length: layers }, (_, i) => dense(i)) } };
}

function layout(scale) {
  const cfg = CONFIGS[scale];
  const parameters = cfg.layers * (cfg.width * cfg.width + cfg.width);
  const strings = [
    utf8('tensorflow'),
    utf8('2.15.0'),
    utf8(JSON.stringify(modelConfig(cfg))),
    utf8(JSON.stringify({ loss: 'mse', metrics: ['mae'], weighted_metrics: null, loss_weights: null, optimizer_config: { class_name: 'Adam', config: { name: 'Adam', learning_rate: 0.001 } } })),
  ];
  // Sizes do not depend on addresses (all are 8 bytes): build once with zeros to place things.
  const build = (rootAt, datasetAt, heapAt, dataAt) => {
    const superblock = withChecksum(cat(Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), u8(3), u8(8), u8(8), u8(0), u64(0), u64(UNDEFINED), u64(dataAt + parameters * 4), u64(rootAt)));
    const root = objectHeader([
      [0x02, cat(u8(0), u8(0), u64(UNDEFINED), u64(UNDEFINED))], // link info: compact links
      [0x0a, cat(u8(0), u8(0))], // group info
      [0x06, cat(u8(1), u8(0), u8('model_weights'.length), ascii('model_weights'), u64(datasetAt))], // hard link
      [0x0c, attribute('backend', heapAt, 1, strings[0].length)],
      [0x0c, attribute('keras_version', heapAt, 2, strings[1].length)],
      [0x0c, attribute('model_config', heapAt, 3, strings[2].length)],
      [0x0c, attribute('training_config', heapAt, 4, strings[3].length)],
    ]);
    const float32 = cat(u8(0x11), u8(0x20), u8(0x1f), u8(0x00), u32(4), u16(0), u16(32), u8(23), u8(8), u8(0), u8(23), u32(127));
    const dataset = objectHeader([
      [0x01, cat(u8(2), u8(1), u8(0), u8(1), u64(parameters))], // dataspace: simple, 1-D
      [0x03, float32],
      [0x05, cat(u8(3), u8(0x0a))], // fill value: allocated late, written if set, none set
      [0x08, cat(u8(3), u8(1), u64(dataAt), u64(parameters * 4))], // contiguous layout
    ]);
    return { superblock, root, dataset, heap: collection(strings) };
  };
  const sized = build(0, 0, 0, 0);
  const rootAt = sized.superblock.length;
  const datasetAt = rootAt + sized.root.length;
  const heapAt = datasetAt + sized.dataset.length;
  const metaEnd = heapAt + sized.heap.length;
  const dataAt = Math.ceil(metaEnd / DATA_ALIGN) * DATA_ALIGN;
  return { parts: build(rootAt, datasetAt, heapAt, dataAt), dataAt, metaEnd, parameters, configBytes: strings[2].length };
}

export function expectedSize(scale = 'full') {
  const l = layout(scale);
  return l.dataAt + l.parameters * 4;
}

export function generate(w, scale = 'full') {
  const l = layout(scale);
  const { superblock, root, dataset, heap } = l.parts;
  for (const part of [superblock, root, dataset, heap]) w.write(part);
  w.write(Buffer.alloc(l.dataAt - l.metaEnd));
  w.skip(l.parameters * 4);
  return { metadataBytes: l.metaEnd, modelConfigBytes: l.configBytes, parameters: l.parameters, dataOffset: l.dataAt };
}
