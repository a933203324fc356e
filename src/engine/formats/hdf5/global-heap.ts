// The global heap, where variable-length strings live: one collection ("GCOL")
// read whole (bounded by MAX_HEAP_COLLECTION_BYTES) and walked to the object
// a heap ID names. Collections are cached for the attributes that share one.
import { LimitError, MalformedError } from '../../errors.js';
import { ascii, startsWith } from '../../bytes.js';
import { MAX_HEAP_COLLECTION_BYTES, MAX_HEAP_TOTAL_BYTES } from './limits.js';
import type { Cursor, Hdf5Reader } from './reader.js';

const GCOL = ascii('GCOL');

export interface HeapObject {
  bytes: Uint8Array;
  /** File offset of the object's data. */
  offset: number;
}

export class GlobalHeap {
  private readonly collections = new Map<number, Promise<Cursor>>();
  /** Collection bytes read so far (MAX_HEAP_TOTAL_BYTES). */
  private total = 0;

  constructor(private readonly reader: Hdf5Reader) {}

  /** The object `index` of the collection at `address`. */
  async object(address: number, index: number): Promise<HeapObject> {
    const offset = this.reader.at(address, 'a global heap collection');
    let pending = this.collections.get(offset);
    if (!pending) {
      pending = this.readCollection(offset);
      this.collections.set(offset, pending);
    }
    const c = await pending;
    c.pos = 8 + this.reader.lengthSize;
    while (c.left >= 8 + this.reader.lengthSize) {
      const at = c.here;
      const id = c.u16();
      c.skip(2 + 4); // reference count, reserved
      const size = c.length('a global heap object size');
      if (id === 0) break; // free space: the rest of the collection
      const padded = size + ((8 - (size % 8)) % 8);
      if (size > c.left) throw new MalformedError(`global heap object ${id} at offset ${at} declares ${size} bytes, past the end of its collection`, { offset: at });
      if (id === index) return { bytes: c.bytes.subarray(c.pos, c.pos + size), offset: c.here };
      c.skip(Math.min(padded, c.left));
    }
    throw new MalformedError(`the global heap collection at offset ${offset} holds no object ${index}`, { offset });
  }

  private async readCollection(offset: number): Promise<Cursor> {
    const head = await this.reader.cursor(offset, 8 + this.reader.lengthSize, 'a global heap collection header');
    if (!startsWith(head.bytes, GCOL)) throw new MalformedError(`no global heap collection ("GCOL") at offset ${offset}`, { offset });
    head.skip(4);
    const version = head.u8();
    if (version !== 1) throw new MalformedError(`global heap collection at offset ${offset} has version ${version} (only 1 exists)`, { offset: offset + 4 });
    head.skip(3);
    const size = head.length('a global heap collection size');
    if (offset + size > this.reader.source.size) throw new MalformedError(`the global heap collection at offset ${offset} declares ${size} bytes, past the end of the file (${this.reader.source.size} bytes)`, { offset });
    if (size > MAX_HEAP_COLLECTION_BYTES) throw new LimitError('MAX_HEAP_COLLECTION_BYTES', size, `the global heap collection at offset ${offset} is ${size} bytes, over the ${MAX_HEAP_COLLECTION_BYTES}-byte limit`, { offset });
    this.total += size;
    if (this.total > MAX_HEAP_TOTAL_BYTES) throw new LimitError('MAX_HEAP_TOTAL_BYTES', this.total, `the root group's strings live in global heap collections of more than ${MAX_HEAP_TOTAL_BYTES} bytes in all`, { offset });
    if (size < head.bytes.length) throw new MalformedError(`global heap collection at offset ${offset} declares ${size} bytes, less than its own header`, { offset });
    return this.reader.cursor(offset, size, `the global heap collection at offset ${offset}`);
  }
}
