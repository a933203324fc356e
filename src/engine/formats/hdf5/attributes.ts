// Attribute messages (versions 1-3) with their datatype and dataspace, and
// their values when they are strings: fixed-length strings from the message
// itself, variable-length strings from the global heap. Other datatypes are
// described, not decoded: Keras stores only strings on the root group.
import { LimitError, MalformedError } from '../../errors.js';
import { GlobalHeap } from './global-heap.js';
import { MAX_ATTRIBUTE_BYTES, MAX_ATTRIBUTE_ELEMENTS, MAX_RANK } from './limits.js';
import { Cursor, type Hdf5Reader } from './reader.js';
import { Hdf5Unsupported } from './unsupported.js';
import type { HeaderMessage } from './object-header.js';

export const MSG_ATTRIBUTE = 0x0c;
export const MSG_ATTRIBUTE_INFO = 0x15;
/** Header message flag: the message is stored in the shared message table, not here. */
const MESSAGE_SHARED = 0x02;

const CLASS_NAMES = ['integer', 'float', 'time', 'string', 'bitfield', 'opaque', 'compound', 'reference', 'enum', 'variable-length', 'array', 'complex'];

export interface StringValue {
  /** The string's bytes, padding removed. */
  bytes: Uint8Array;
  /** File offset of its first byte. */
  offset: number;
}

export interface Hdf5Attribute {
  name: string;
  /** `string` (fixed length), `vlen string`, or the datatype class for other types. */
  type: string;
  charset?: 'ascii' | 'utf-8';
  /** Dimensions; [] for a scalar, null for a null dataspace (no value). */
  shape: number[] | null;
  /** Decoded strings (the first MAX_ATTRIBUTE_ELEMENTS), for string types. */
  strings?: StringValue[];
  /** Elements in the dataspace. */
  elements: number;
  /** File offset of the attribute message. */
  offset: number;
}

interface Datatype {
  cls: number;
  size: number;
  kind: 'fixed' | 'vlen' | 'other';
  padding: number;
  charset: number;
}

export class AttributeReader {
  private readonly heap: GlobalHeap;

  constructor(private readonly reader: Hdf5Reader) {
    this.heap = new GlobalHeap(reader);
  }

  async read(message: HeaderMessage): Promise<Hdf5Attribute> {
    if (message.flags & MESSAGE_SHARED) throw new Hdf5Unsupported(`an attribute at offset ${message.offset} is a shared message (stored in the file's shared message table), which this reader does not follow`, message.offset);
    const c = new Cursor(message.data, message.offset, `the attribute message at offset ${message.offset}`, this.reader.offsetSize, this.reader.lengthSize);
    const version = c.u8();
    if (version < 1 || version > 3) throw new MalformedError(`attribute message version ${version} at offset ${message.offset} is unknown (1 to 3 exist)`, { offset: message.offset });
    const flags = c.u8(); // reserved in version 1
    const nameSize = c.u16();
    const typeSize = c.u16();
    const spaceSize = c.u16();
    if (version === 3) c.skip(1); // name character set
    if (version >= 2 && flags & 0x03) throw new Hdf5Unsupported(`the attribute at offset ${message.offset} uses a shared (committed) ${flags & 0x01 ? 'datatype' : 'dataspace'}, which this reader does not follow`, message.offset);
    const pad = (n: number) => (version === 1 ? n + ((8 - (n % 8)) % 8) : n);
    const nameBytes = c.take(nameSize);
    c.skip(pad(nameSize) - nameSize);
    const end = nameBytes.indexOf(0);
    const name = new TextDecoder().decode(end >= 0 ? nameBytes.subarray(0, end) : nameBytes);
    const typeCursor = new Cursor(c.take(typeSize), c.here - typeSize, `the datatype of attribute ${JSON.stringify(name)}`, this.reader.offsetSize, this.reader.lengthSize);
    c.skip(pad(typeSize) - typeSize);
    const spaceCursor = new Cursor(c.take(spaceSize), c.here - spaceSize, `the dataspace of attribute ${JSON.stringify(name)}`, this.reader.offsetSize, this.reader.lengthSize);
    c.skip(pad(spaceSize) - spaceSize);
    const type = readDatatype(typeCursor);
    const shape = readDataspace(spaceCursor);
    const elements = count(shape, message.offset);
    const attribute: Hdf5Attribute = { name, type: type.kind === 'fixed' ? 'string' : type.kind === 'vlen' ? 'vlen string' : CLASS_NAMES[type.cls] ?? `class ${type.cls}`, shape, elements, offset: message.offset };
    if (type.kind === 'other') return attribute;
    attribute.charset = type.charset === 1 ? 'utf-8' : 'ascii';
    const dataBytes = elements * type.size;
    if (dataBytes > c.left) throw new MalformedError(`attribute ${JSON.stringify(name)} at offset ${message.offset} holds ${elements} values of ${type.size} bytes, past the end of its message`, { offset: message.offset });
    const strings: StringValue[] = [];
    let total = 0;
    for (let i = 0; i < Math.min(elements, MAX_ATTRIBUTE_ELEMENTS); i++) {
      const value = type.kind === 'fixed' ? fixedString(c.take(type.size), c.here - type.size, type.padding) : await this.vlenString(c, name);
      total += value.bytes.length;
      if (total > MAX_ATTRIBUTE_BYTES) throw new LimitError('MAX_ATTRIBUTE_BYTES', total, `attribute ${JSON.stringify(name)} holds more than ${MAX_ATTRIBUTE_BYTES} bytes of text`, { offset: message.offset });
      strings.push(value);
    }
    attribute.strings = strings;
    return attribute;
  }

  /** A heap ID: length u32, collection address, object index u32. */
  private async vlenString(c: Cursor, name: string): Promise<StringValue> {
    const at = c.here;
    const length = c.u32();
    const address = c.address();
    const index = c.u32();
    if (length > this.reader.source.size) throw new MalformedError(`attribute ${JSON.stringify(name)} names a string of ${length} bytes in a file of ${this.reader.source.size}`, { offset: at });
    if (length > MAX_ATTRIBUTE_BYTES) throw new LimitError('MAX_ATTRIBUTE_BYTES', length, `attribute ${JSON.stringify(name)} holds a string of ${length} bytes, over the ${MAX_ATTRIBUTE_BYTES}-byte limit`, { offset: at });
    if (address === undefined || (length === 0 && index === 0)) return { bytes: new Uint8Array(0), offset: at };
    const object = await this.heap.object(address, index);
    if (length > object.bytes.length) throw new MalformedError(`attribute ${JSON.stringify(name)} names ${length} bytes in global heap object ${index}, which holds ${object.bytes.length}`, { offset: at });
    return { bytes: object.bytes.subarray(0, length), offset: object.offset };
  }
}

function readDatatype(c: Cursor): Datatype {
  const classAndVersion = c.u8();
  const bits = c.u8() | (c.u8() << 8) | (c.u8() << 16);
  const size = c.u32();
  const cls = classAndVersion & 0x0f;
  const version = classAndVersion >> 4;
  if (version < 1 || version > 5) throw new MalformedError(`datatype version ${version} at offset ${c.fileOffset} is unknown`, { offset: c.fileOffset });
  if (cls === 3) {
    if (size === 0) throw new MalformedError(`a fixed-length string datatype of 0 bytes at offset ${c.fileOffset}`, { offset: c.fileOffset });
    return { cls, size, kind: 'fixed', padding: bits & 0x0f, charset: (bits >> 4) & 0x0f };
  }
  if (cls === 9 && (bits & 0x0f) === 1) {
    const expected = 4 + c.offsetSize + 4;
    if (size !== expected) throw new MalformedError(`a variable-length string datatype at offset ${c.fileOffset} is ${size} bytes, where a heap ID takes ${expected}`, { offset: c.fileOffset });
    return { cls, size, kind: 'vlen', padding: (bits >> 4) & 0x0f, charset: (bits >> 8) & 0x0f };
  }
  return { cls, size, kind: 'other', padding: 0, charset: 0 };
}

/** Dimensions, [] for a scalar, null for a null dataspace. */
function readDataspace(c: Cursor): number[] | null {
  const version = c.u8();
  const rank = c.u8();
  c.u8(); // flags: maximum dimensions follow the sizes, unread
  let type = rank === 0 ? 0 : 1;
  if (version === 1) c.skip(5);
  else if (version === 2) type = c.u8();
  else throw new MalformedError(`dataspace version ${version} at offset ${c.fileOffset} is unknown (1 and 2 exist)`, { offset: c.fileOffset });
  if (type === 2) return null;
  if (rank > MAX_RANK) throw new MalformedError(`a dataspace of rank ${rank} at offset ${c.fileOffset}: HDF5 allows ${MAX_RANK}`, { offset: c.fileOffset });
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(c.length('a dataspace dimension'));
  return dims;
}

function count(shape: number[] | null, offset: number): number {
  if (shape === null) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) throw new MalformedError(`an attribute at offset ${offset} has more than 2^53 elements`, { offset });
  }
  return n;
}

/** As h5py hands a fixed-length string to numpy: trailing NULs dropped (and trailing spaces when space-padded); a NUL inside stays. */
function fixedString(raw: Uint8Array, offset: number, padding: number): StringValue {
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === 0 || (padding === 2 && raw[end - 1] === 0x20))) end--;
  return { bytes: raw.subarray(0, end), offset };
}

/** Where the attribute info message (version 0) says dense attributes are: a fractal heap and its name index (both undefined for compact storage). */
export function denseStorage(message: HeaderMessage, reader: Hdf5Reader): { heap?: number; nameIndex?: number } {
  const c = new Cursor(message.data, message.offset, 'the attribute info message', reader.offsetSize, reader.lengthSize);
  const version = c.u8();
  if (version !== 0) throw new MalformedError(`attribute info message version ${version} at offset ${message.offset} is unknown (only 0 exists)`, { offset: message.offset });
  const flags = c.u8();
  if (flags & 0x01) c.skip(2); // maximum creation index
  const heap = c.address();
  const nameIndex = c.address();
  return { ...(heap !== undefined ? { heap } : {}), ...(nameIndex !== undefined ? { nameIndex } : {}) };
}
