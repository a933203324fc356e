// Tensor checks: the element type is one ONNX defines, the shape is sane, and
// the bytes stored match dims × dtype. A loader fed a mismatch reads past the
// data it was given or fails; either way the file is not what it claims.
import { DATA_FIELD_NAMES, DTYPES, dtypeName } from './dtypes.js';
import { MAX_RANK } from './limits.js';
import type { OnnxModel, OnnxSparseTensor, OnnxTensor } from './model.js';
import type { Notes } from './notes.js';

const RAW_DATA = 9;

/** Elements of a tensor, or null when its shape is unreadable, negative or past 2^53. */
export function elementCount(tensor: { dims: number[]; rank: number; dimsUnread?: boolean }): number | null {
  if (tensor.dimsUnread || tensor.rank > tensor.dims.length) return null;
  let n = 1;
  for (const d of tensor.dims) {
    if (!Number.isSafeInteger(d) || d < 0) return null;
    n *= d;
    if (!Number.isSafeInteger(n)) return null;
  }
  return n;
}

/** Bytes the tensor's values take in raw_data (sub-byte types packed), or null when unknown or variable (STRING). */
export function expectedBytes(tensor: OnnxTensor): number | null {
  const dtype = DTYPES.get(tensor.dataType);
  const n = elementCount(tensor);
  if (!dtype || !dtype.bits || n === null) return null;
  const bytes = Math.ceil((n * dtype.bits) / 8);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

const describe = (t: OnnxTensor) => `${JSON.stringify(t.name)} (${dtypeName(t.dataType)} [${t.dims.join(', ')}])`;

/** Checks every tensor in the model (initializers, sparse parts, attribute tensors). */
export function checkTensors(model: OnnxModel, sparse: OnnxSparseTensor[], notes: Notes): void {
  for (const tensor of model.tensors) checkTensor(tensor, notes);
  for (const s of sparse) checkSparse(s, notes);
}

function checkTensor(tensor: OnnxTensor, notes: Notes): void {
  const where = { tensor: tensor.name, offset: tensor.offset };
  const evidence = { path: tensor.path };
  if (tensor.rank > MAX_RANK || tensor.dimsUnread) {
    notes.add('scan.limit-reached', `tensor ${JSON.stringify(tensor.name)} has ${tensor.dimsUnread ? 'a dims list too long to read' : `${tensor.rank} dimensions`}, more than ${MAX_RANK} (MAX_RANK): its size was not checked`, where, { limit: 'MAX_RANK', value: tensor.rank });
    return;
  }
  const dtype = DTYPES.get(tensor.dataType);
  if (!dtype) {
    notes.add('onnx.invalid-tensor', `tensor ${JSON.stringify(tensor.name)} has data type ${tensor.dataType} (${dtypeName(tensor.dataType)}), which ONNX does not define`, where, { ...evidence, dataType: tensor.dataType });
    return;
  }
  const negative = tensor.dims.find((d) => d < 0);
  if (negative !== undefined) {
    notes.add('onnx.invalid-tensor', `tensor ${describe(tensor)} has a negative dimension`, where, evidence);
    return;
  }
  const n = elementCount(tensor);
  if (n === null) {
    notes.add('onnx.invalid-tensor', `tensor ${describe(tensor)} has more than 2^53 elements: its size cannot be computed exactly`, where, evidence);
    return;
  }
  if (tensor.segment || tensor.dataLocation === 1) return; // a chunk of a larger tensor; external data is checked against its file
  const fields = [...new Set(tensor.data.map((d) => d.field))];
  if (fields.length > 1) {
    notes.add('onnx.invalid-tensor', `tensor ${describe(tensor)} stores values in ${fields.map((f) => DATA_FIELD_NAMES[f] ?? `field ${f}`).join(' and ')}: loaders read only one of them`, where, { ...evidence, fields: fields.map((f) => DATA_FIELD_NAMES[f] ?? String(f)) });
    return;
  }
  const data = tensor.data[0];
  const external = tensor.external.length > 0 ? ' (it has external_data entries, but data_location is not EXTERNAL, so loaders ignore them)' : '';
  if (!data) {
    if (n > 0) notes.add('onnx.tensor-size-mismatch', `tensor ${describe(tensor)} holds no data for its ${n} elements${external}`, where, { ...evidence, expected: n, stored: 0 });
    return;
  }
  const stored = { offset: data.offset, length: data.bytes };
  if (data.field === RAW_DATA) {
    if (!dtype.bits) {
      notes.add('onnx.invalid-tensor', `STRING tensor ${JSON.stringify(tensor.name)} stores its values in raw_data, which cannot hold strings`, where, evidence);
      return;
    }
    const expected = Math.ceil((n * dtype.bits) / 8);
    if (data.bytes !== expected) {
      notes.add('onnx.tensor-size-mismatch', `tensor ${describe(tensor)} needs ${expected} bytes of raw_data but holds ${data.bytes}`, { ...where, ...stored }, { ...evidence, expected, stored: data.bytes });
    }
    return;
  }
  const field = DATA_FIELD_NAMES[data.field] ?? `field ${data.field}`;
  if (data.field !== dtype.field) {
    notes.add('onnx.tensor-size-mismatch', `tensor ${describe(tensor)} stores values in ${field}, but ${dtype.name} values belong in ${DATA_FIELD_NAMES[dtype.field]}: loaders find none there`, { ...where, ...stored }, { ...evidence, field });
    return;
  }
  if (!dtype.perElement) return; // sub-byte types pack several values per entry
  const expected = n * dtype.perElement;
  // A packed varint list too long to count in passing is bounded by its length: 1 to 10 bytes an entry.
  const fits = data.count >= 0 ? data.count === expected : expected <= data.bytes && expected >= Math.ceil(data.bytes / 10);
  if (!fits) {
    const held = data.count >= 0 ? `${data.count}` : `between ${Math.ceil(data.bytes / 10)} and ${data.bytes}`;
    notes.add('onnx.tensor-size-mismatch', `tensor ${describe(tensor)} needs ${expected} entries in ${field} but holds ${held}`, { ...where, ...stored }, { ...evidence, expected, ...(data.count >= 0 ? { stored: data.count } : {}) });
  }
}

function checkSparse(sparse: OnnxSparseTensor, notes: Notes): void {
  const where = { tensor: sparse.values?.name ?? '', offset: sparse.offset };
  if (!sparse.values || !sparse.indices) {
    notes.add('onnx.invalid-tensor', `sparse tensor ${JSON.stringify(sparse.values?.name ?? '')} lacks its ${sparse.values ? 'indices' : 'values'}`, where, { path: sparse.path });
    return;
  }
  const nnz = sparse.values.dims[0];
  if (sparse.values.dims.length !== 1 || sparse.indices.dims[0] !== nnz || sparse.indices.dims.length > 2) {
    notes.add('onnx.invalid-tensor', `sparse tensor ${JSON.stringify(sparse.values.name)} has values [${sparse.values.dims.join(', ')}] and indices [${sparse.indices.dims.join(', ')}], which do not pair up`, where, { path: sparse.path });
  }
}
