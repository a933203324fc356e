// HDF5 files built byte by byte for the reader's edge cases and limits: a
// version 0 superblock, a version 1 root object header, continuation chunks
// and global heap collections, with 8-byte addresses and lengths.

export function u16(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff];
}

export function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

export function u64(n: number): number[] {
  const lo = n % 2 ** 32;
  const hi = Math.floor(n / 2 ** 32);
  return [...u32(lo), ...u32(hi)];
}

const pad8 = (bytes: number[]): number[] => [...bytes, ...new Array((8 - (bytes.length % 8)) % 8).fill(0)];
const text = (s: string): number[] => [...new TextEncoder().encode(s)];

/** A version 1 header message: type, size, flags, 3 reserved bytes, data padded to 8. */
export function message(type: number, data: number[], flags = 0): number[] {
  const body = pad8(data);
  return [...u16(type), ...u16(body.length), flags, 0, 0, 0, ...body];
}

export const nilMessage = (): number[] => message(0, []);
export const continuation = (address: number, length: number): number[] => message(0x10, [...u64(address), ...u64(length)]);

export const scalarSpace = (): number[] => [1, 0, 0, 0, 0, 0, 0, 0];
export const simpleSpace = (dims: number[]): number[] => [1, dims.length, 0, 0, 0, 0, 0, 0, ...dims.flatMap(u64)];
/** Fixed-length string datatype: class 3, version 1, null-padded ASCII. */
export const fixedString = (size: number): number[] => [0x13, 0x01, 0, 0, ...u32(size)];
/** Variable-length string: class 9, version 1, type string, UTF-8; base type a 1-byte string. */
export const vlenString = (): number[] => [0x19, 0x01, 0x01, 0, ...u32(16), 0x13, 0x00, 0x01, 0, ...u32(1)];
export const integerType = (): number[] => [0x10, 0, 0, 0, ...u32(4), ...u16(0), ...u16(32)];

/** A version 1 attribute message's data. */
export function attribute(name: string, datatype: number[], dataspace: number[], data: number[]): number[] {
  const nameBytes = [...text(name), 0];
  return [1, 0, ...u16(nameBytes.length), ...u16(datatype.length), ...u16(dataspace.length), ...pad8(nameBytes), ...pad8(datatype), ...pad8(dataspace), ...data];
}

export const stringAttribute = (name: string, value: string): number[] => {
  const bytes = text(value);
  return message(0x0c, attribute(name, fixedString(Math.max(1, bytes.length)), scalarSpace(), bytes.length ? bytes : [0]));
};

/** A heap ID naming object `index` of the collection at `address`. */
export const heapId = (length: number, address: number, index: number): number[] => [...u32(length), ...u64(address), ...u32(index)];

export const vlenAttribute = (name: string, length: number, address: number, index: number): number[] => message(0x0c, attribute(name, vlenString(), scalarSpace(), heapId(length, address, index)));

/** A global heap collection ("GCOL") of the given objects (indices from 1); `declared` overrides its size field. */
export function collection(objects: Uint8Array[], declared?: number): number[] {
  const body: number[] = [];
  objects.forEach((o, i) => body.push(...u16(i + 1), ...u16(1), 0, 0, 0, 0, ...u64(o.length), ...pad8([...o])));
  const size = Math.max(4096, 16 + body.length + 16);
  const free = size - 16 - body.length;
  body.push(...u16(0), 0, 0, 0, 0, 0, 0, ...u64(free));
  const out = [...text('GCOL'), 1, 0, 0, 0, ...u64(declared ?? size), ...body];
  while (out.length < size) out.push(0);
  return out;
}

/** The start of a collection declaring `size` bytes: its header and objects, the rest left to the caller (zeros). */
export function collectionStart(size: number, objects: Uint8Array[]): number[] {
  const body = objects.flatMap((o, i) => [...u16(i + 1), ...u16(1), 0, 0, 0, 0, ...u64(o.length), ...pad8([...o])]);
  return [...text('GCOL'), 1, 0, 0, 0, ...u64(size), ...body];
}

export interface Layout {
  /** Address of each extra block, in the order given. */
  blocks: number[];
}

const SUPERBLOCK_BYTES = 96;
export const ROOT_ADDRESS = SUPERBLOCK_BYTES;

/**
 * A file: superblock v0, the root object header (v1) holding `root(layout)`'s
 * messages, then `blocks(layout)` (continuation chunks, heap collections) at
 * the addresses the layout gives. Both callbacks run twice: sizes first.
 */
export function hdf5File(build: {
  root: (layout: Layout) => number[][];
  blocks?: (layout: Layout) => number[][];
  /** Overrides the declared message count / header size. */
  declaredMessages?: number;
  declaredSize?: number;
}): Uint8Array {
  const dummy: Layout = { blocks: new Array(64).fill(0) };
  const rootMessages = build.root(dummy);
  const rootBody = rootMessages.flat();
  const headerBytes = 16 + rootBody.length;
  const blockSizes = (build.blocks?.(dummy) ?? []).map((b) => b.length);
  const addresses: number[] = [];
  let at = SUPERBLOCK_BYTES + headerBytes;
  for (const size of blockSizes) {
    addresses.push(at);
    at += size;
  }
  const layout: Layout = { blocks: addresses };
  const messages = build.root(layout);
  const blocks = build.blocks?.(layout) ?? [];
  const total = at;
  const count = build.declaredMessages ?? messages.length + blocks.reduce((n, b) => n + countMessages(b), 0);
  const superblock = [
    0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 8, 8, 0, ...u16(4), ...u16(16), ...u32(0),
    ...u64(0), ...new Array(8).fill(0xff), ...u64(total), ...new Array(8).fill(0xff),
    ...u64(0), ...u64(ROOT_ADDRESS), ...u32(0), ...u32(0), ...new Array(16).fill(0),
  ];
  const header = [1, 0, ...u16(count), ...u32(1), ...u32(build.declaredSize ?? rootBody.length), 0, 0, 0, 0, ...messages.flat()];
  return Uint8Array.from([...superblock, ...header, ...blocks.flat()]);
}

/** Messages in a v1 continuation chunk (a heap collection counts none). */
function countMessages(block: number[]): number {
  if (block[0] === 0x47 && block[1] === 0x43) return 0; // "GC"
  let n = 0;
  for (let at = 0; at + 8 <= block.length; n++) at += 8 + (block[at + 2]! | (block[at + 3]! << 8));
  return n;
}
