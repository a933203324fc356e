// numpy .npy: magic, version, a Python-literal header dict, then raw array
// bytes — or, for object arrays, a pickle. Only the header is read.
import { ascii, safeInteger, startsWith, view } from '../../bytes.js';
import { LimitError, MalformedError } from '../../errors.js';
import type { FormatDriver } from '../driver.js';
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

  async analyse({ source, findings, content }) {
    const prefix = await source.read(0, 12);
    const major = prefix[6]!;
    const minor = prefix[7]!;
    if (major < 1 || major > 3 || minor !== 0) {
      throw new MalformedError(`unknown .npy format version ${major}.${minor}`, { offset: 6 });
    }
    const lengthBytes = major === 1 ? 2 : 4;
    if (prefix.length < 8 + lengthBytes) throw new MalformedError('file ends inside the .npy preamble', { offset: 8 });
    const headerLength = major === 1 ? view(prefix).getUint16(8, true) : view(prefix).getUint32(8, true);
    const headerStart = 8 + lengthBytes;
    if (headerLength > MAX_NPY_HEADER_BYTES) {
      throw new LimitError('MAX_NPY_HEADER_BYTES', headerLength, `.npy header of ${headerLength} bytes exceeds the ${MAX_NPY_HEADER_BYTES}-byte limit`, { offset: 8 });
    }
    if (headerStart + headerLength > source.size) {
      throw new MalformedError(`.npy header of ${headerLength} bytes runs past the end of the ${source.size}-byte file`, { offset: 8 });
    }
    const raw = await source.read(headerStart, headerLength);
    const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(raw);
    const header = parsePyLiteral(text, headerStart);
    if (!(header instanceof Map)) throw new MalformedError('.npy header is not a dict', { offset: headerStart });
    const keys = [...header.keys()].sort().join(',');
    if (keys !== 'descr,fortran_order,shape') {
      throw new MalformedError(`.npy header keys are {${keys}}, numpy requires exactly descr, fortran_order, shape`, { offset: headerStart });
    }
    const fortranOrder = header.get('fortran_order');
    if (typeof fortranOrder !== 'boolean') throw new MalformedError('fortran_order is not True or False', { offset: headerStart });
    const shape = readShape(header.get('shape')!, headerStart);
    const dtype = describeDtype(header.get('descr')!, headerStart, { fields: 0 });
    const dataOffset = headerStart + headerLength;
    const elements = shape.reduce((a, b) => a * BigInt(b), 1n);
    Object.assign(content, {
      version: `${major}.${minor}`,
      dtype: dtype.display,
      shape,
      fortranOrder,
      elements: safeInteger(elements, 'element count', headerStart),
      dataOffset,
    });

    if (dtype.hasObject) {
      content.pickleOffset = dataOffset;
      findings.add(
        'numpy.object-array',
        `array of Python objects (dtype ${dtype.display}): its data is a pickle that numpy.load(allow_pickle=True) would run; the pickle itself is not analysed by this version`,
        { offset: dataOffset },
        { dtype: dtype.display },
      );
      return 'complete';
    }

    const dataBytes = safeInteger(elements * dtype.itemsize, 'array size', headerStart);
    content.dataBytes = dataBytes;
    content.tensors = [{ name: 'array', dtype: dtype.display, shape, parameters: Number(elements), bytes: dataBytes, offset: dataOffset }];
    const actual = source.size - dataOffset;
    if (actual < dataBytes) {
      throw new MalformedError(`array data is ${actual} bytes, the header promises ${dataBytes} (shape ${JSON.stringify(shape)} × ${dtype.itemsize} bytes)`, { offset: dataOffset, length: actual });
    }
    if (actual > dataBytes) {
      findings.add('numpy.trailing-data', `${actual - dataBytes} bytes follow the array data; numpy never reads them`, { offset: dataOffset + dataBytes, length: actual - dataBytes });
    }
    return 'complete';
  },
};

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
