// Version 2 B-trees ("BTHD", "BTIN", "BTLF"): every record of a tree, in key
// order, checksums checked. Used for dense attribute storage (type 8: the
// attribute name index) and huge fractal heap objects (type 1). Bounded by
// MAX_BTREE_DEPTH, MAX_BTREE_NODE_BYTES and MAX_BTREE_RECORDS.
import { ascii, startsWith } from '../../bytes.js';
import { LimitError, MalformedError } from '../../errors.js';
import { MAX_BTREE_DEPTH, MAX_BTREE_NODE_BYTES, MAX_BTREE_RECORDS } from './limits.js';
import { lookup3 } from './lookup3.js';
import { Cursor, type Hdf5Reader } from './reader.js';
import { hex } from './superblock.js';

const BTHD = ascii('BTHD');
const BTIN = ascii('BTIN');
const BTLF = ascii('BTLF');
/** Signature, version, type and checksum of every node. */
const NODE_OVERHEAD = 10;
const HEADER_BYTES = 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1;

export interface BtreeRecord {
  bytes: Uint8Array;
  /** File offset of the record. */
  offset: number;
}

/** Bytes needed to encode `n` (libhdf5's H5VM_limit_enc_size). */
export function encodedSize(n: number): number {
  return Math.floor(Math.log2(Math.max(1, n)) / 8) + 1;
}

export async function btreeRecords(reader: Hdf5Reader, address: number, type: number, what: string): Promise<BtreeRecord[]> {
  const start = reader.at(address, what);
  const c = await reader.cursor(start, HEADER_BYTES + reader.offsetSize + 2 + reader.lengthSize + 4, what);
  if (!startsWith(c.bytes, BTHD)) throw new MalformedError(`${what} at offset ${start} does not start with "BTHD"`, { offset: start });
  c.skip(4);
  const version = c.u8();
  if (version !== 0) throw new MalformedError(`${what} at offset ${start} has version ${version} (only 0 exists)`, { offset: start + 4 });
  const found = c.u8();
  if (found !== type) throw new MalformedError(`${what} at offset ${start} is a B-tree of type ${found}, where type ${type} belongs`, { offset: start + 5 });
  const nodeSize = c.u32();
  const recordSize = c.u16();
  const depth = c.u16();
  c.skip(2); // split and merge percentages
  const root = c.address();
  const rootRecords = c.u16();
  const total = c.length('a B-tree record count');
  verify(c.bytes, what, start);
  if (depth > MAX_BTREE_DEPTH) throw new LimitError('MAX_BTREE_DEPTH', depth, `${what} at offset ${start} is ${depth} levels deep, past the ${MAX_BTREE_DEPTH}-level limit`, { offset: start });
  if (nodeSize > MAX_BTREE_NODE_BYTES) throw new LimitError('MAX_BTREE_NODE_BYTES', nodeSize, `${what} at offset ${start} has nodes of ${nodeSize} bytes, over the ${MAX_BTREE_NODE_BYTES}-byte limit`, { offset: start });
  if (total > MAX_BTREE_RECORDS) throw new LimitError('MAX_BTREE_RECORDS', total, `${what} at offset ${start} holds ${total} records, over the ${MAX_BTREE_RECORDS}-record limit`, { offset: start });
  if (recordSize === 0 || nodeSize <= NODE_OVERHEAD + recordSize) throw new MalformedError(`${what} at offset ${start} has records of ${recordSize} bytes in nodes of ${nodeSize}`, { offset: start });
  const records: BtreeRecord[] = [];
  if (root === undefined || total === 0) return records;

  // What each level's child pointers hold (libhdf5's H5B2__hdr_init): the record count is sized by
  // the most records a leaf holds; below the twigs, each pointer also counts its whole subtree.
  const leafMax = Math.floor((nodeSize - NODE_OVERHEAD) / recordSize);
  const countBytes = encodedSize(leafMax);
  const cumulativeBytes: number[] = [0];
  let cumulative = leafMax;
  for (let level = 1; level <= depth; level++) {
    const pointer = reader.offsetSize + countBytes + (level > 1 ? cumulativeBytes[level - 1]! : 0);
    const max = Math.floor((nodeSize - (NODE_OVERHEAD + pointer)) / (recordSize + pointer));
    if (max < 1) throw new MalformedError(`${what} at offset ${start}: nodes of ${nodeSize} bytes cannot hold an internal level`, { offset: start });
    cumulative = (max + 1) * cumulative + max;
    cumulativeBytes.push(encodedSize(Math.min(cumulative, Number.MAX_SAFE_INTEGER)));
  }

  const visited = new Set<number>();
  const walk = async (nodeAddress: number, level: number, count: number): Promise<void> => {
    const at = reader.at(nodeAddress, `a node of ${what}`);
    if (visited.has(at)) throw new MalformedError(`${what} reaches the node at offset ${at} twice`, { offset: at });
    visited.add(at);
    const node = await reader.cursor(at, nodeSize, `a node of ${what}`);
    const signature = level === 0 ? BTLF : BTIN;
    if (!startsWith(node.bytes, signature)) throw new MalformedError(`the ${level === 0 ? 'leaf' : 'internal'} node of ${what} at offset ${at} does not start with "${level === 0 ? 'BTLF' : 'BTIN'}"`, { offset: at });
    node.skip(4);
    node.skip(2); // version, type
    const pointerBytes = level === 0 ? 0 : (count + 1) * (reader.offsetSize + countBytes + (level > 1 ? cumulativeBytes[level - 1]! : 0));
    const used = 6 + count * recordSize + pointerBytes;
    if (used + 4 > nodeSize) throw new MalformedError(`a node of ${what} at offset ${at} declares ${count} records, more than its ${nodeSize} bytes hold`, { offset: at });
    verify(node.bytes.subarray(0, used + 4), `a node of ${what}`, at);
    const own: BtreeRecord[] = [];
    for (let i = 0; i < count; i++) own.push({ bytes: node.take(recordSize), offset: node.here - recordSize });
    if (level === 0) {
      for (const r of own) add(r);
      return;
    }
    for (let i = 0; i <= count; i++) {
      const child = node.address();
      const childCount = node.uint(countBytes) ?? 0;
      if (level > 1) node.uint(cumulativeBytes[level - 1]!);
      if (child === undefined) throw new MalformedError(`a node of ${what} at offset ${at} has an undefined child`, { offset: at });
      await walk(child, level - 1, childCount);
      if (i < count) add(own[i]!);
    }
  };
  const add = (r: BtreeRecord) => {
    records.push(r);
    if (records.length > MAX_BTREE_RECORDS) throw new LimitError('MAX_BTREE_RECORDS', records.length, `${what} holds more than ${MAX_BTREE_RECORDS} records`, { offset: r.offset });
  };
  await walk(root, depth, rootRecords);
  if (records.length !== total) throw new MalformedError(`${what} at offset ${start} declares ${total} records, its nodes hold ${records.length}`, { offset: start });
  return records;
}

function verify(bytes: Uint8Array, what: string, offset: number): void {
  const c = new Cursor(bytes, offset, what);
  c.pos = bytes.length - 4;
  const stored = c.u32();
  const computed = lookup3(bytes.subarray(0, bytes.length - 4));
  if (stored !== computed) throw new MalformedError(`the checksum of ${what} at offset ${offset} is 0x${hex(stored)}, its bytes give 0x${hex(computed)}: libhdf5 refuses it`, { offset: offset + bytes.length - 4 });
}
