// Fractal heaps ("FRHP"), where dense attribute storage keeps attribute
// messages: an object is found from its heap ID — tiny objects inside the ID,
// managed ones in a direct block reached through the doubling table of
// indirect blocks, huge ones at the address the ID (or the huge-object
// B-tree) gives. Only the object's own bytes are read. Filtered heaps (I/O
// filters on heap blocks) are not followed: no writer uses them for attributes.
import { ascii, startsWith } from '../../bytes.js';
import { LimitError, MalformedError } from '../../errors.js';
import { btreeRecords, encodedSize } from './btree-v2.js';
import { MAX_ATTRIBUTE_BYTES } from './limits.js';
import { lookup3 } from './lookup3.js';
import { Cursor, type Hdf5Reader } from './reader.js';
import { hex } from './superblock.js';
import { Hdf5Unsupported } from './unsupported.js';

const FRHP = ascii('FRHP');
const FHIB = ascii('FHIB');
const FHDB = ascii('FHDB');
/** The header with 8-byte addresses and lengths and no filter information. */
const HEADER_READ_BYTES = 4 + 1 + 2 + 2 + 1 + 4 + 12 * 8 + 2 + 2 * 8 + 2 + 2 + 8 + 2 + 4;

export interface HeapObjectBytes {
  bytes: Uint8Array;
  offset: number;
}

export class FractalHeap {
  private constructor(
    private readonly reader: Hdf5Reader,
    private readonly address: number,
    readonly idLength: number,
    private readonly maxManaged: number,
    private readonly hugeTree: number | undefined,
    private readonly width: number,
    private readonly startBlock: number,
    private readonly maxDirectBlock: number,
    private readonly maxHeapBits: number,
    private readonly root: number | undefined,
    private readonly rootRows: number,
    private readonly checksummedBlocks: boolean,
  ) {}

  static async open(reader: Hdf5Reader, address: number, what: string): Promise<FractalHeap> {
    const start = reader.at(address, what);
    const c = await reader.cursor(start, Math.min(HEADER_READ_BYTES, reader.source.size - start), what);
    if (!startsWith(c.bytes, FRHP)) throw new MalformedError(`${what} at offset ${start} does not start with "FRHP"`, { offset: start });
    c.skip(4);
    const version = c.u8();
    if (version !== 0) throw new MalformedError(`${what} at offset ${start} has version ${version} (only 0 exists)`, { offset: start + 4 });
    const idLength = c.u16();
    const filterBytes = c.u16();
    const flags = c.u8();
    const maxManaged = c.u32();
    c.length('the next huge object ID');
    const hugeTree = c.address();
    c.length('the free space'); c.address(); c.length('the managed space'); c.length('the allocated space'); c.length('the allocation iterator');
    c.length('the managed object count'); c.length('the huge object size'); c.length('the huge object count'); c.length('the tiny object size'); c.length('the tiny object count');
    const width = c.u16();
    const startBlock = c.length('the starting block size');
    const maxDirectBlock = c.length('the maximum direct block size');
    const maxHeapBits = c.u16();
    c.u16(); // starting rows of the root indirect block
    const root = c.address();
    const rootRows = c.u16();
    if (filterBytes > 0) throw new Hdf5Unsupported(`${what} at offset ${start} filters its blocks (I/O filters), which this reader does not follow`, start);
    const stored = c.u32();
    const computed = lookup3(c.bytes.subarray(0, c.pos - 4));
    if (stored !== computed) throw new MalformedError(`the checksum of ${what} at offset ${start} is 0x${hex(stored)}, its bytes give 0x${hex(computed)}: libhdf5 refuses it`, { offset: c.here - 4 });
    const power = (n: number) => n >= 1 && Number.isInteger(Math.log2(n));
    if (!power(width) || !power(startBlock) || !power(maxDirectBlock) || maxDirectBlock < startBlock || maxHeapBits < 1 || maxHeapBits > 64 || idLength < 1) {
      throw new MalformedError(`${what} at offset ${start} has an impossible doubling table (width ${width}, blocks ${startBlock} to ${maxDirectBlock}, ${maxHeapBits}-bit heap, ${idLength}-byte IDs)`, { offset: start });
    }
    return new FractalHeap(reader, address, idLength, maxManaged, hugeTree, width, startBlock, maxDirectBlock, maxHeapBits, root, rootRows, (flags & 0x02) !== 0);
  }

  /** The bytes of the object a heap ID names. */
  async object(id: Uint8Array, at: number): Promise<HeapObjectBytes> {
    const c = new Cursor(id, at, 'a fractal heap ID', this.reader.offsetSize, this.reader.lengthSize);
    const first = c.u8();
    if (first >> 6 !== 0) throw new MalformedError(`a fractal heap ID at offset ${at} has version ${first >> 6} (only 0 exists)`, { offset: at });
    const type = (first >> 4) & 0x03;
    if (type === 2) {
      // tiny: the object is in the ID
      const extended = this.idLength > 18;
      const length = (extended ? (((first & 0x0f) << 8) | c.u8()) : first & 0x0f) + 1;
      return { bytes: c.take(length), offset: c.here - length };
    }
    if (type === 1) return this.huge(c, at);
    if (type !== 0) throw new MalformedError(`a fractal heap ID at offset ${at} has type ${type}`, { offset: at });
    const offset = c.uint(Math.ceil(this.maxHeapBits / 8)) ?? Number.MAX_SAFE_INTEGER;
    const length = c.uint(encodedSize(Math.min(this.maxDirectBlock, this.maxManaged))) ?? Number.MAX_SAFE_INTEGER;
    if (this.root === undefined) throw new MalformedError(`a fractal heap ID at offset ${at} names an object in an empty heap`, { offset: at });
    const block = await this.directBlockOf(offset, at);
    const inBlock = offset - block.heapOffset;
    if (inBlock < block.headerBytes || inBlock + length > block.size) throw new MalformedError(`a fractal heap ID at offset ${at} names ${length} bytes at heap offset ${offset}, outside its direct block`, { offset: at });
    const fileOffset = this.reader.at(block.address, 'a fractal heap direct block') + inBlock;
    const bytes = await this.reader.cursor(fileOffset, length, 'a fractal heap object');
    return { bytes: bytes.bytes, offset: fileOffset };
  }

  private async huge(c: Cursor, at: number): Promise<HeapObjectBytes> {
    let address: number | undefined;
    let length: number;
    if (this.idLength >= 1 + this.reader.offsetSize + this.reader.lengthSize) {
      address = c.address();
      length = c.length('a huge object length');
    } else {
      // the ID holds a key into the huge-object B-tree (type 1 records: address, length, ID)
      const key = c.uint(Math.min(this.reader.lengthSize, this.idLength - 1));
      if (this.hugeTree === undefined || key === undefined) throw new MalformedError(`a huge fractal heap object at offset ${at} has no B-tree to find it in`, { offset: at });
      const records = await btreeRecords(this.reader, this.hugeTree, 1, 'the huge object B-tree');
      const record = records.map((r) => new Cursor(r.bytes, r.offset, 'a huge object record', this.reader.offsetSize, this.reader.lengthSize)).find((r) => {
        r.address();
        r.length('a huge object length');
        const found = r.uint(this.reader.lengthSize) === key;
        r.pos = 0;
        return found;
      });
      if (!record) throw new MalformedError(`no huge object ${key} in the huge object B-tree (ID at offset ${at})`, { offset: at });
      address = record.address();
      length = record.length('a huge object length');
    }
    if (address === undefined) throw new MalformedError(`a huge fractal heap object at offset ${at} has an undefined address`, { offset: at });
    if (length > this.reader.source.size) throw new MalformedError(`a huge fractal heap object at offset ${at} is ${length} bytes, more than the file`, { offset: at });
    if (length > MAX_ATTRIBUTE_BYTES) throw new LimitError('MAX_ATTRIBUTE_BYTES', length, `an attribute of ${length} bytes (a huge fractal heap object), over the ${MAX_ATTRIBUTE_BYTES}-byte limit`, { offset: at });
    const fileOffset = this.reader.at(address, 'a huge fractal heap object');
    return { bytes: (await this.reader.cursor(fileOffset, length, 'a huge fractal heap object')).bytes, offset: fileOffset };
  }

  /** The direct block holding heap offset `target`, through the doubling table. */
  private async directBlockOf(target: number, at: number): Promise<{ address: number; heapOffset: number; size: number; headerBytes: number }> {
    const headerBytes = 4 + 1 + this.reader.offsetSize + Math.ceil(this.maxHeapBits / 8) + (this.checksummedBlocks ? 4 : 0);
    if (this.rootRows === 0) return this.checkDirect(this.root!, 0, this.startBlock, headerBytes, target, at);
    const firstRowBits = Math.log2(this.startBlock) + Math.log2(this.width);
    const maxDirectRows = Math.log2(this.maxDirectBlock) - Math.log2(this.startBlock) + 2;
    let address = this.root!;
    let rows = this.rootRows;
    let base = 0;
    // A child indirect block has fewer rows than the row holding it, so this descent ends within rootRows steps.
    if (rows > this.maxHeapBits) throw new MalformedError(`the fractal heap's root indirect block has ${rows} rows, more than its ${this.maxHeapBits}-bit address space allows`, { offset: at });
    for (;;) {
      const directEntries = Math.min(rows, maxDirectRows) * this.width;
      const indirectEntries = rows > maxDirectRows ? (rows - maxDirectRows) * this.width : 0;
      const start = this.reader.at(address, 'a fractal heap indirect block');
      const size = 4 + 1 + this.reader.offsetSize + Math.ceil(this.maxHeapBits / 8) + (directEntries + indirectEntries) * this.reader.offsetSize + 4;
      if (size > this.reader.source.size - start) throw new MalformedError(`a fractal heap indirect block of ${rows} rows at offset ${start} runs past the end of the file`, { offset: start });
      const block = await this.reader.cursor(start, size, 'a fractal heap indirect block');
      if (!startsWith(block.bytes, FHIB)) throw new MalformedError(`no fractal heap indirect block ("FHIB") at offset ${start}`, { offset: start });
      const stored = new Cursor(block.bytes, start, 'a fractal heap indirect block');
      stored.pos = size - 4;
      if (stored.u32() !== lookup3(block.bytes.subarray(0, size - 4))) throw new MalformedError(`the checksum of the fractal heap indirect block at offset ${start} does not match its bytes: libhdf5 refuses it`, { offset: start + size - 4 });
      // find the row and column holding the target
      let rowStart = base;
      let row = 0;
      for (; row < rows; row++) {
        const blockSize = row === 0 ? this.startBlock : this.startBlock * 2 ** (row - 1);
        const span = blockSize * this.width;
        if (target < rowStart + span) {
          const column = Math.floor((target - rowStart) / blockSize);
          const blockOffset = rowStart + column * blockSize;
          const entry = row < maxDirectRows ? row * this.width + column : directEntries + (row - maxDirectRows) * this.width + column;
          block.pos = 4 + 1 + this.reader.offsetSize + Math.ceil(this.maxHeapBits / 8) + entry * this.reader.offsetSize;
          const child = block.address();
          if (child === undefined) throw new MalformedError(`heap offset ${target} (ID at offset ${at}) falls in a fractal heap block that was never allocated`, { offset: at });
          if (row < maxDirectRows) return this.checkDirect(child, blockOffset, blockSize, headerBytes, target, at);
          address = child;
          rows = Math.log2(blockSize) - firstRowBits + 1;
          base = blockOffset;
          break;
        }
        rowStart += span;
      }
      if (row === rows) throw new MalformedError(`heap offset ${target} (ID at offset ${at}) is past the fractal heap's blocks`, { offset: at });
    }
  }

  private async checkDirect(address: number, heapOffset: number, size: number, headerBytes: number, target: number, at: number): Promise<{ address: number; heapOffset: number; size: number; headerBytes: number }> {
    const start = this.reader.at(address, 'a fractal heap direct block');
    const head = await this.reader.cursor(start, Math.min(headerBytes, this.reader.source.size - start), 'a fractal heap direct block');
    if (!startsWith(head.bytes, FHDB)) throw new MalformedError(`no fractal heap direct block ("FHDB") at offset ${start} (heap offset ${target}, ID at offset ${at})`, { offset: start });
    head.skip(5);
    if (head.address() !== this.address) throw new MalformedError(`the fractal heap direct block at offset ${start} belongs to another heap`, { offset: start });
    const recorded = head.uint(Math.ceil(this.maxHeapBits / 8));
    if (recorded !== heapOffset) throw new MalformedError(`the fractal heap direct block at offset ${start} says it starts at heap offset ${recorded}, where the doubling table puts ${heapOffset}`, { offset: start });
    return { address, heapOffset, size, headerBytes };
  }
}
