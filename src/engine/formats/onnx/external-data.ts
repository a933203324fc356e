// External data: a tensor whose bytes live in another file, named by a
// `location` the loader joins to the model's folder. A location that is
// absolute, climbs out with `..`, names a drive or a network share, or hides a
// NUL makes onnx.load / onnxruntime read any file the loading user can read
// (CVE-2024-27318, CVE-2024-5187). Files are opened only among the siblings
// offered beside the model, never by building a path, and only their sizes are
// looked at.
import type { Siblings } from '../../siblings.js';
import { DTYPES, dtypeName } from './dtypes.js';
import { MAX_EXTERNAL_FILES } from './limits.js';
import type { OnnxModel, OnnxTensor } from './model.js';
import type { Notes } from './notes.js';
import { expectedBytes } from './tensors.js';

export interface ExternalFileSummary {
  location: string;
  /** `ok`, `unsafe` (never opened), `missing`, `subfolder` (not offered, unchecked), `invalid` (no usable location), `unchecked` (past MAX_EXTERNAL_FILES). */
  status: 'ok' | 'unsafe' | 'missing' | 'subfolder' | 'invalid' | 'unchecked';
  tensors: number;
  /** Bytes the tensors claim (their lengths, or expected sizes when no length is given). */
  bytes: number;
  /** The file's size when it was found. */
  size: number | null;
}

/** Why a location is not a plain relative path inside the model's folder, or null when it is. */
export function unsafeLocation(location: string): string | null {
  if (location.includes('\0')) return 'contains a NUL byte (the path is cut short where C code reads it)';
  if (location.startsWith('\\\\') || location.startsWith('//')) return 'is a UNC network path';
  if (location.includes('\\')) return 'contains a backslash (a Windows path separator)';
  if (/^[A-Za-z]:/.test(location)) return 'starts with a drive letter';
  if (location.startsWith('/')) return 'is an absolute path';
  if (location.split('/').includes('..')) return "climbs out of the model's folder with '..'";
  if (location.includes('://')) return 'is a URL';
  return null;
}

export interface Parsed {
  location: string | null;
  offset: number;
  length: number | null;
  problem?: string;
}

const INTEGER = /^(0|[1-9][0-9]*)$/;

/** Reads the external_data entries as onnx does: location, offset and length (decimal, non-negative). */
export function parseExternalEntries(tensor: OnnxTensor): Parsed {
  const out: Parsed = { location: null, offset: 0, length: null };
  for (const [key, value] of tensor.external) {
    if (key === 'location') out.location = value;
    else if (key === 'offset' || key === 'length') {
      const n = INTEGER.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n)) out.problem ??= `${key} ${JSON.stringify(value.slice(0, 40))} is not a non-negative integer`;
      else if (key === 'offset') out.offset = n;
      else out.length = n;
    }
  }
  if (out.location === null) out.problem ??= 'has no location entry';
  else if (out.location === '') out.problem ??= 'has an empty location';
  return out;
}

/** Checks every tensor stored outside the file; returns one summary per external file. */
export async function checkExternalData(model: OnnxModel, siblings: Siblings, notes: Notes): Promise<ExternalFileSummary[]> {
  const files = new Map<string, { summary: ExternalFileSummary; uses: { tensor: OnnxTensor; parsed: Parsed }[] }>();
  for (const tensor of model.tensors) {
    const external = tensor.dataLocation === 1;
    if (!external) continue;
    const where = { tensor: tensor.name, offset: tensor.offset };
    const parsed = parseExternalEntries(tensor);
    if (parsed.problem) {
      notes.add('onnx.external-data-invalid', `tensor ${JSON.stringify(tensor.name)} is stored outside the file but its external_data ${parsed.problem}: loaders fail on it`, where, { path: tensor.path });
    }
    // A location is judged even when other entries are broken: what it names matters on its own.
    const location = parsed.location;
    if (!location) continue;
    let entry = files.get(location);
    if (!entry) {
      entry = { summary: { location, status: 'ok', tensors: 0, bytes: 0, size: null }, uses: [] };
      files.set(location, entry);
    }
    entry.summary.tensors++;
    entry.summary.bytes += parsed.length ?? expectedBytes(tensor) ?? 0;
    entry.uses.push({ tensor, parsed });
  }

  const available = files.size ? new Set(await siblings.names()) : new Set<string>();
  let opened = 0;
  for (const { summary, uses } of files.values()) {
    const valid = uses.filter((u) => !u.parsed.problem);
    const first = uses[0]!.tensor;
    const where = { tensor: first.name, offset: first.offset };
    const unsafe = unsafeLocation(summary.location);
    if (unsafe) {
      summary.status = 'unsafe';
      notes.add(
        'onnx.external-data-unsafe-path',
        `external data location ${JSON.stringify(summary.location)} ${unsafe}: loading the model reads a file outside its folder (${uses.length} tensor${uses.length === 1 ? '' : 's'}, first ${JSON.stringify(first.name)}); not opened`,
        where,
        { location: summary.location, tensors: uses.slice(0, 20).map((u) => u.tensor.name), count: uses.length },
      );
      continue;
    }
    if (summary.location.includes('/')) {
      summary.status = 'subfolder';
      notes.add('onnx.external-data-unchecked', `external data file ${JSON.stringify(summary.location)} is in a subfolder, which is not offered beside the model: its ${uses.length} tensor(s) were not checked`, where, { location: summary.location, count: uses.length });
      continue;
    }
    if (!available.has(summary.location)) {
      summary.status = 'missing';
      notes.add('onnx.external-data-missing', `external data file ${JSON.stringify(summary.location)} is not beside the model: the model cannot be loaded as shipped (${uses.length} tensor${uses.length === 1 ? '' : 's'}, first ${JSON.stringify(first.name)})`, where, { location: summary.location, count: uses.length });
      continue;
    }
    if (++opened > MAX_EXTERNAL_FILES) {
      summary.status = 'unchecked';
      if (opened === MAX_EXTERNAL_FILES + 1) {
        notes.add('scan.limit-reached', `more than ${MAX_EXTERNAL_FILES} external data files (MAX_EXTERNAL_FILES): the rest were not opened`, where, { limit: 'MAX_EXTERNAL_FILES', value: files.size });
      }
      continue;
    }
    const file = await siblings.open(summary.location);
    if (!file) {
      summary.status = 'missing';
      notes.add('onnx.external-data-missing', `external data file ${JSON.stringify(summary.location)} could not be opened beside the model`, where, { location: summary.location, count: uses.length });
      continue;
    }
    summary.size = file.size;
    for (const { tensor, parsed } of valid) checkRange(tensor, parsed, file.size, summary.location, notes);
  }
  return [...files.values()].map((f) => f.summary);
}

function checkRange(tensor: OnnxTensor, parsed: Parsed, size: number, location: string, notes: Notes): void {
  const where = { tensor: tensor.name, offset: tensor.offset };
  const evidence = { location, offset: parsed.offset, ...(parsed.length !== null ? { length: parsed.length } : {}), fileSize: size };
  const end = parsed.offset + (parsed.length ?? 0);
  if (parsed.offset > size || end > size) {
    notes.add('onnx.external-data-out-of-bounds', `tensor ${JSON.stringify(tensor.name)} reads bytes ${parsed.offset}–${end} of ${JSON.stringify(location)}, which has ${size} bytes`, where, evidence);
    return;
  }
  const expected = expectedBytes(tensor);
  const length = parsed.length ?? size - parsed.offset; // no length: onnx reads to the end of the file
  if (expected !== null && DTYPES.get(tensor.dataType)?.bits && length !== expected) {
    notes.add('onnx.tensor-size-mismatch', `tensor ${JSON.stringify(tensor.name)} (${dtypeName(tensor.dataType)} [${tensor.dims.join(', ')}]) needs ${expected} bytes but its external data ${parsed.length !== null ? 'declares' : 'runs to the end of the file for'} ${length}`, where, { ...evidence, expected });
  }
}
