// numpy .npy: magic, version, a Python-literal header dict, then raw array
// bytes — or, for object arrays, a pickle. Only the header is read, and for
// object arrays the pickle (numpy.load unpickles it).
import { SliceByteSource, type ByteSource } from '../../byte-source.js';
import { ascii, safeInteger, startsWith, view } from '../../bytes.js';
import { LimitError, MalformedError } from '../../errors.js';
import { analysePickleStream } from '../../pickle/analyse-stream.js';
import type { Location } from '../../report.js';
import type { AnalysisContext, FormatDriver } from '../driver.js';
import { isTuple, parsePyLiteral, type PyLiteral } from './numpy-header.js';

const MAGIC = [0x93, ...ascii('NUMPY')];
/** Header bytes read; numpy itself refuses more than 10,000 by default, so this is generous. */
export const MAX_NPY_HEADER_BYTES = 1024 * 1024;
/** Fields in a structured dtype; real record arrays have tens. Bounds work on hostile headers. */
export const MAX_DTYPE_FIELDS = 10_000;

interface DtypeFacts {
  itemsize: bigint;
  hasObject: boolean;
  display: string;
  fields: number;
}

export const numpy: FormatDriver = {
  id: 'numpy',
  async sniff(ctx) {
    const head = await ctx.head();
    if (head.length < 10 || !startsWith(head, MAGIC)) return null;
    return { label: `numpy array (.npy v${head[6]}.${head[7]})`, details: { version: `${head[6]}.${head[7]}` } };
  },

  async analyse(ctx) {
    return (await analyseNpy(ctx, ctx.source, undefined, ctx.content)).status;
  },
};

/**
 * Reads one .npy stream (a file, or an .npz member when `member` is given):
 * the header, the data size it implies, and for object arrays the pickle that
 * follows the header, analysed by the pickle engine. Content is filled as it
 * is learned, so it survives a later error.
 */
export async function analyseNpy(ctx: AnalysisContext, source: ByteSource, member?: string, content: Record<string, unknown> = {}): Promise<{ content: Record<string, unknown>; status: 'complete' | 'unsupported'; objectArray: boolean }> {
  const at = (offset: number, length?: number): Location => ({ ...(member !== undefined ? { member } : {}), offset, ...(length !== undefined ? { length } : {}) });
  const prefix = await source.read(0, 12);
  const major = prefix[6]!;
  const minor = prefix[7]!;
  if (major < 1 || major > 3 || minor !== 0) {
    throw new MalformedError(`unknown .npy format version ${major}.${minor}`, at(6));
  }
  const lengthBytes = major === 1 ? 2 : 4;
  if (prefix.length < 8 + lengthBytes) throw new MalformedError('file ends inside the .npy preamble', at(8));
  const headerLength = major === 1 ? view(prefix).getUint16(8, true) : view(prefix).getUint32(8, true);
  const headerStart = 8 + lengthBytes;
  if (headerLength > MAX_NPY_HEADER_BYTES) {
    throw new LimitError('MAX_NPY_HEADER_BYTES', headerLength, `.npy header of ${headerLength} bytes exceeds the ${MAX_NPY_HEADER_BYTES}-byte limit`, at(8));
  }
  if (headerStart + headerLength > source.size) {
    throw new MalformedError(`.npy header of ${headerLength} bytes runs past the end of the ${source.size}-byte file`, at(8));
  }
  const raw = await source.read(headerStart, headerLength);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(raw);
  const header = withMember(() => parsePyLiteral(text, headerStart), member);
  if (!(header instanceof Map)) throw new MalformedError('.npy header is not a dict', at(headerStart));
  const keys = [...header.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') {
    throw new MalformedError(`.npy header keys are {${keys}}, numpy requires exactly descr, fortran_order, shape`, at(headerStart));
  }
  const fortranOrder = header.get('fortran_order');
  if (typeof fortranOrder !== 'boolean') throw new MalformedError('fortran_order is not True or False', at(headerStart));
  const { shape, dtype } = withMember(() => ({ shape: readShape(header.get('shape')!, headerStart), dtype: describeDtype(header.get('descr')!, headerStart, { fields: 0 }) }), member);
  const dataOffset = headerStart + headerLength;
  const elements = shape.reduce((a, b) => a * BigInt(b), 1n);
  Object.assign(content, {
    version: `${major}.${minor}`,
    dtype: dtype.display,
    shape,
    fortranOrder,
    elements: withMember(() => safeInteger(elements, 'element count', headerStart), member),
    dataOffset,
  });

  if (dtype.hasObject) {
    content.pickleOffset = dataOffset;
    ctx.findings.add(
      'numpy.object-array',
      `array of Python objects (dtype ${dtype.display}): its data is a pickle that numpy.load(allow_pickle=True) would run; the pickle is analysed below`,
      at(dataOffset),
      { dtype: dtype.display },
    );
    // numpy.load unpickles what follows the header: the pickle's own findings decide the verdict.
    const result = await analysePickleStream(ctx, { source: new SliceByteSource(source, dataOffset, source.size - dataOffset), baseOffset: dataOffset, ...(member !== undefined ? { member } : {}) });
    return { content, status: result.complete ? 'complete' : 'unsupported', objectArray: true };
  }

  const dataBytes = withMember(() => safeInteger(elements * dtype.itemsize, 'array size', headerStart), member);
  content.dataBytes = dataBytes;
  content.tensors = [{ name: member ?? 'array', dtype: dtype.display, shape, parameters: Number(elements), bytes: dataBytes, offset: dataOffset }];
  const actual = source.size - dataOffset;
  if (actual < dataBytes) {
    throw new MalformedError(`array data is ${actual} bytes, the header promises ${dataBytes} (shape ${JSON.stringify(shape)} × ${dtype.itemsize} bytes)`, at(dataOffset, actual));
  }
  if (actual > dataBytes) {
    ctx.findings.add('numpy.trailing-data', `${actual - dataBytes} bytes follow the array data; numpy never reads them`, at(dataOffset + dataBytes, actual - dataBytes));
  }
  return { content, status: 'complete', objectArray: false };
}

/** Header errors found by helpers carry only an offset: in an .npz, say which member. */
function withMember<T>(work: () => T, member: string | undefined): T {
  try {
    return work();
  } catch (error) {
    if (member !== undefined && error instanceof MalformedError && error.location.member === undefined) {
      throw new MalformedError(error.message, { ...error.location, member }, error.rule);
    }
    if (member !== undefined && error instanceof LimitError && error.location.member === undefined) {
      throw new LimitError(error.limit, error.value, error.message, { ...error.location, member });
    }
    throw error;
  }
}

function readShape(value: PyLiteral, offset: number): number[] {
  if (!isTuple(value)) throw new MalformedError('shape is not a tuple', { offset });
  return value.tuple.map((d) => {
    if (typeof d !== 'number' || d < 0) throw new MalformedError(`shape has a dimension that is not a non-negative integer: ${JSON.stringify(d)}`, { offset });
    return d;
  });
}

/** Item sizes per kind letter; the number in the type string gives the rest. */
const TYPESTR = /^([<>|=])?([?bBhHiIlLqQpPefdgFDGSaUVOMmcu])(\d*)(\[[A-Za-z0-9]+\])?$/;

function describeDtype(descr: PyLiteral, offset: number, budget: { fields: number }, depth = 0): DtypeFacts {
  if (depth > 16) throw new MalformedError('structured dtype nests too deeply', { offset });
  if (typeof descr === 'string') return describeTypestr(descr, offset);
  if (!Array.isArray(descr)) throw new MalformedError(`descr ${JSON.stringify(String(descr))} is neither a type string nor a field list`, { offset });
  let itemsize = 0n;
  let hasObject = false;
  const parts: string[] = [];
  for (const field of descr) {
    if (++budget.fields > MAX_DTYPE_FIELDS) {
      throw new LimitError('MAX_DTYPE_FIELDS', budget.fields, `structured dtype has more than ${MAX_DTYPE_FIELDS} fields`, { offset });
    }
    if (!isTuple(field) || field.tuple.length < 2 || field.tuple.length > 3) throw new MalformedError('structured dtype field is not (name, type[, shape])', { offset });
    const [name, type, subshape] = field.tuple;
    const fieldName = isTuple(name!) ? String(name.tuple[1]) : String(name);
    const inner = describeDtype(type!, offset, budget, depth + 1);
    const count = subshape === undefined ? 1n : readShape(subshape, offset).reduce((a, b) => a * BigInt(b), 1n);
    itemsize += inner.itemsize * count;
    hasObject ||= inner.hasObject;
    parts.push(`${fieldName}:${inner.display}`);
  }
  return { itemsize, hasObject, display: `[${parts.join(', ')}]`, fields: budget.fields };
}

function describeTypestr(typestr: string, offset: number): DtypeFacts {
  const m = TYPESTR.exec(typestr);
  if (!m) throw new MalformedError(`unknown dtype '${typestr}'`, { offset });
  const kind = m[2]!;
  const digits = m[3] ? BigInt(m[3]) : undefined;
  if (kind === 'O') return { itemsize: 8n, hasObject: true, display: typestr, fields: 0 };
  if (kind === 'U') return { itemsize: (digits ?? 0n) * 4n, hasObject: false, display: typestr, fields: 0 };
  if (digits === undefined) {
    const single: Record<string, bigint> = { '?': 1n, b: 1n, B: 1n, h: 2n, H: 2n, i: 4n, I: 4n, l: 8n, L: 8n, q: 8n, Q: 8n, p: 8n, P: 8n, e: 2n, f: 4n, d: 8n, g: 16n, F: 8n, D: 16n, G: 32n };
    const size = single[kind];
    if (size === undefined) throw new MalformedError(`dtype '${typestr}' has no size`, { offset });
    return { itemsize: size, hasObject: false, display: typestr, fields: 0 };
  }
  return { itemsize: digits, hasObject: false, display: typestr, fields: 0 };
}
