// What a Keras loader reads first from an HDF5 file: the root group's
// attributes. Reads the superblock, the root object header (and its
// continuation chunks), the attribute messages and the global heap
// collections their strings live in — nothing else, however big the file.
import type { ByteSource } from '../../byte-source.js';
import { AttributeReader, denseStorageAddress, MSG_ATTRIBUTE, MSG_ATTRIBUTE_INFO, type Hdf5Attribute } from './attributes.js';
import { readObjectHeader } from './object-header.js';
import { readSuperblock, type Superblock } from './superblock.js';
import { Hdf5Unsupported } from './unsupported.js';

export interface RootAttributes {
  superblock: Superblock;
  objectHeader: { version: number; messages: number; chunks: number };
  attributes: Hdf5Attribute[];
}

export async function readRootAttributes(source: ByteSource, signatureOffset: number): Promise<RootAttributes> {
  const { superblock, reader } = await readSuperblock(source, signatureOffset);
  const header = await readObjectHeader(reader, superblock.rootObjectHeader, new Set([MSG_ATTRIBUTE, MSG_ATTRIBUTE_INFO]));
  const attributes: Hdf5Attribute[] = [];
  const attributeReader = new AttributeReader(reader);
  for (const message of header.messages) {
    if (message.type === MSG_ATTRIBUTE_INFO) {
      const heap = denseStorageAddress(message, reader);
      // h5py and Keras keep the root group's few attributes in its header (compact storage); more than 8 with the 1.8+ file format go to a fractal heap
      if (heap !== undefined) throw new Hdf5Unsupported(`the root group keeps attributes in dense storage (a fractal heap at address ${heap} indexed by a v2 B-tree), which this reader does not follow`, message.offset);
      continue;
    }
    attributes.push(await attributeReader.read(message));
  }
  return { superblock, objectHeader: { version: header.version, messages: header.messageCount, chunks: header.chunks }, attributes };
}
