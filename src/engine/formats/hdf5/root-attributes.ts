// What a Keras loader reads first from an HDF5 file: the root group's
// attributes. Reads the superblock, the root object header (and its
// continuation chunks), the attribute messages and the global heap
// collections their strings live in — nothing else, however big the file.
import type { ByteSource } from '../../byte-source.js';
import { AttributeReader, denseStorage, MSG_ATTRIBUTE, MSG_ATTRIBUTE_INFO, type Hdf5Attribute } from './attributes.js';
import { btreeRecords } from './btree-v2.js';
import { FractalHeap } from './fractal-heap.js';
import { MalformedError } from '../../errors.js';
import type { Hdf5Reader } from './reader.js';
import { readObjectHeader } from './object-header.js';
import { readSuperblock, type Superblock } from './superblock.js';

export interface RootAttributes {
  superblock: Superblock;
  objectHeader: { version: number; messages: number; chunks: number };
  attributes: Hdf5Attribute[];
  /** 'dense' when they came from a fractal heap. */
  attributeStorage: 'compact' | 'dense';
}

export async function readRootAttributes(source: ByteSource, signatureOffset: number): Promise<RootAttributes> {
  const { superblock, reader } = await readSuperblock(source, signatureOffset);
  const header = await readObjectHeader(reader, superblock.rootObjectHeader, new Set([MSG_ATTRIBUTE, MSG_ATTRIBUTE_INFO]));
  const attributes: Hdf5Attribute[] = [];
  let storage: 'compact' | 'dense' = 'compact';
  const attributeReader = new AttributeReader(reader);
  for (const message of header.messages) {
    if (message.type === MSG_ATTRIBUTE_INFO) {
      // With the 1.8+ file format, a group of more than 8 attributes keeps them in a fractal heap indexed by name (dense storage)
      const dense = denseStorage(message, reader);
      if (dense.heap !== undefined) {
        attributes.push(...(await readDense(reader, attributeReader, dense.heap, dense.nameIndex, message.offset)));
        storage = 'dense';
      }
      continue;
    }
    attributes.push(await attributeReader.read(message));
  }
  return { superblock, objectHeader: { version: header.version, messages: header.messageCount, chunks: header.chunks }, attributes, attributeStorage: storage };
}

/** Type 8 records of the name index: heap ID (8 bytes), message flags, creation order, name hash. */
const NAME_RECORD_BYTES = 17;

async function readDense(reader: Hdf5Reader, attributeReader: AttributeReader, heapAddress: number, nameIndex: number | undefined, at: number): Promise<Hdf5Attribute[]> {
  if (nameIndex === undefined) throw new MalformedError(`the root group keeps attributes in a fractal heap but has no name index to find them`, { offset: at });
  const heap = await FractalHeap.open(reader, heapAddress, 'the root group attribute heap');
  const records = await btreeRecords(reader, nameIndex, 8, 'the root group attribute name index');
  const out: Hdf5Attribute[] = [];
  for (const record of records) {
    if (record.bytes.length < NAME_RECORD_BYTES) throw new MalformedError(`an attribute name index record at offset ${record.offset} is ${record.bytes.length} bytes, short of ${NAME_RECORD_BYTES}`, { offset: record.offset });
    const object = await heap.object(record.bytes.subarray(0, 8), record.offset);
    out.push(await attributeReader.read({ type: MSG_ATTRIBUTE, flags: record.bytes[8]!, offset: object.offset, data: object.bytes }));
  }
  return out;
}
