// An object header (version 1, or version 2 "OHDR" with "OCHK" continuation
// chunks), walked message by message across its continuation chunks, keeping
// only the messages the caller asks for. Bounded by MAX_HEADER_MESSAGES,
// MAX_CONTINUATIONS and MAX_HEADER_CHUNK_BYTES; a chunk visited twice is a loop.
import { LimitError, MalformedError } from '../../errors.js';
import { ascii, startsWith } from '../../bytes.js';
import { MAX_CONTINUATIONS, MAX_HEADER_CHUNK_BYTES, MAX_HEADER_MESSAGES } from './limits.js';
import { lookup3 } from './lookup3.js';
import { Cursor, type Hdf5Reader } from './reader.js';
import { hex } from './superblock.js';

export const MSG_CONTINUATION = 0x10;

const OHDR = ascii('OHDR');
const OCHK = ascii('OCHK');
/** The v1 prefix is 12 bytes, padded to 16 so messages are 8-byte aligned. */
const V1_PREFIX_BYTES = 16;
/** The longest v2 prefix: signature, version, flags, four times, two attribute thresholds, an 8-byte chunk size. */
const V2_PREFIX_MAX_BYTES = 4 + 1 + 1 + 16 + 4 + 8;

export interface HeaderMessage {
  type: number;
  flags: number;
  /** File offset of the message data. */
  offset: number;
  data: Uint8Array;
}

export interface ObjectHeader {
  version: number;
  /** Messages of the kept types, in header order. */
  messages: HeaderMessage[];
  /** Every message walked, of any type. */
  messageCount: number;
  chunks: number;
}

export async function readObjectHeader(reader: Hdf5Reader, address: number, keep: ReadonlySet<number>, what = 'the root group object header'): Promise<ObjectHeader> {
  const start = reader.at(address, what);
  const head = await reader.source.read(start, V2_PREFIX_MAX_BYTES);
  if (startsWith(head, OHDR)) return readV2(reader, start, head, keep, what);
  if (head[0] === 1) return readV1(reader, start, keep, what);
  throw new MalformedError(`${what} at offset ${start} is neither version 1 nor an "OHDR" version 2 header (first byte 0x${(head[0] ?? 0).toString(16)})`, { offset: start });
}

class Walk {
  readonly messages: HeaderMessage[] = [];
  count = 0;
  chunks = 0;
  /** Continuation chunks still to read: [file offset, length]. */
  readonly pending: [number, number][] = [];
  private readonly visited = new Set<number>();

  constructor(
    private readonly reader: Hdf5Reader,
    private readonly keep: ReadonlySet<number>,
    private readonly what: string,
  ) {}

  message(type: number, flags: number, offset: number, data: Uint8Array): void {
    if (++this.count > MAX_HEADER_MESSAGES) throw new LimitError('MAX_HEADER_MESSAGES', this.count, `${this.what} has more than ${MAX_HEADER_MESSAGES} messages`, { offset });
    if (type === MSG_CONTINUATION) {
      const c = new Cursor(data, offset, 'a continuation message', this.reader.offsetSize, this.reader.lengthSize);
      const address = c.address();
      const length = c.length('a continuation length');
      if (address === undefined) throw new MalformedError(`a continuation message of ${this.what} at offset ${offset} has an undefined address`, { offset });
      this.pending.push([this.reader.at(address, `a continuation chunk of ${this.what}`), length]);
    } else if (this.keep.has(type)) {
      this.messages.push({ type, flags, offset, data });
    }
  }

  /** Registers a chunk about to be read: counts hops, refuses loops and oversized chunks. */
  enter(offset: number, length: number): void {
    if (this.visited.has(offset)) throw new MalformedError(`${this.what} continues at offset ${offset} a second time: its continuation chunks form a loop`, { offset });
    this.visited.add(offset);
    if (++this.chunks > MAX_CONTINUATIONS + 1) throw new LimitError('MAX_CONTINUATIONS', this.chunks - 1, `${this.what} has more than ${MAX_CONTINUATIONS} continuation chunks`, { offset });
    // a size the file cannot hold is damage, not a big header
    if (offset + length > this.reader.source.size) throw new MalformedError(`a chunk of ${this.what} at offset ${offset} declares ${length} bytes, past the end of the file (${this.reader.source.size} bytes)`, { offset });
    if (length > MAX_HEADER_CHUNK_BYTES) throw new LimitError('MAX_HEADER_CHUNK_BYTES', length, `a chunk of ${this.what} at offset ${offset} is ${length} bytes, over the ${MAX_HEADER_CHUNK_BYTES}-byte limit`, { offset });
  }
}

async function readV1(reader: Hdf5Reader, start: number, keep: ReadonlySet<number>, what: string): Promise<ObjectHeader> {
  const prefix = await reader.cursor(start, V1_PREFIX_BYTES, what);
  prefix.skip(2); // version, reserved
  const declared = prefix.u16();
  prefix.skip(4); // reference count
  const size = prefix.u32();
  const walk = new Walk(reader, keep, what);
  walk.pending.push([start + V1_PREFIX_BYTES, size]);
  while (walk.pending.length) {
    const [offset, length] = walk.pending.shift()!;
    walk.enter(offset, length);
    const c = await reader.cursor(offset, length, `a chunk of ${what}`);
    // Each message: type u16, size u16, flags u8, 3 reserved bytes, then its (8-byte padded) data.
    while (c.left >= 8) {
      const type = c.u16();
      const dataSize = c.u16();
      const flags = c.u8();
      c.skip(3);
      const at = c.here;
      if (dataSize > c.left) throw new MalformedError(`a message of ${what} at offset ${at - 8} declares ${dataSize} bytes, past the end of its chunk`, { offset: at - 8 });
      walk.message(type, flags, at, c.take(dataSize));
    }
  }
  if (walk.count !== declared) throw new MalformedError(`${what} at offset ${start} declares ${declared} messages, its chunks hold ${walk.count}`, { offset: start });
  return { version: 1, messages: walk.messages, messageCount: walk.count, chunks: walk.chunks };
}

async function readV2(reader: Hdf5Reader, start: number, head: Uint8Array, keep: ReadonlySet<number>, what: string): Promise<ObjectHeader> {
  const p = new Cursor(head, start, what);
  p.skip(4);
  const version = p.u8();
  if (version !== 2) throw new MalformedError(`${what} at offset ${start} is an "OHDR" header of version ${version} (only 2 exists)`, { offset: start + 4 });
  const flags = p.u8();
  if (flags & 0xc0) throw new MalformedError(`${what} at offset ${start} has unknown flag bits 0x${(flags & 0xc0).toString(16)} (libhdf5 refuses them)`, { offset: start + 5 });
  if (flags & 0x20) p.skip(16); // access, modification, change, birth times
  if (flags & 0x10) p.skip(4); // attribute storage thresholds
  const sizeBytes = 1 << (flags & 0x03);
  const chunk0 = p.uint(sizeBytes);
  if (chunk0 === undefined) throw new MalformedError(`${what} at offset ${start} has a chunk size past 2^53`, { offset: start });
  const creationOrder = (flags & 0x04) !== 0;
  const walk = new Walk(reader, keep, what);
  const prefixBytes = p.pos;
  walk.enter(start, chunk0);
  // The checksum covers the prefix and the messages.
  const first = await reader.cursor(start, prefixBytes + chunk0 + 4, what);
  checkSum(first.bytes, what, start);
  walkV2(first, prefixBytes, prefixBytes + chunk0, creationOrder, walk);
  while (walk.pending.length) {
    const [offset, length] = walk.pending.shift()!;
    walk.enter(offset, length);
    const c = await reader.cursor(offset, length, `a continuation chunk of ${what}`);
    if (!startsWith(c.bytes, OCHK)) throw new MalformedError(`a continuation chunk of ${what} at offset ${offset} does not start with "OCHK"`, { offset });
    if (length < 8) throw new MalformedError(`a continuation chunk of ${what} at offset ${offset} is ${length} bytes, too short for its signature and checksum`, { offset });
    checkSum(c.bytes, `a continuation chunk of ${what}`, offset);
    walkV2(c, 4, length - 4, creationOrder, walk);
  }
  return { version: 2, messages: walk.messages, messageCount: walk.count, chunks: walk.chunks };
}

/** Messages from `from` to `to` in a v2 chunk: type u8, size u16, flags u8, [creation order u16]; a tail too short for a message header is a gap. */
function walkV2(c: Cursor, from: number, to: number, creationOrder: boolean, walk: Walk): void {
  const headerBytes = creationOrder ? 6 : 4;
  c.pos = from;
  while (to - c.pos >= headerBytes) {
    const type = c.u8();
    const size = c.u16();
    const flags = c.u8();
    if (creationOrder) c.skip(2);
    const at = c.here;
    if (size > to - c.pos) throw new MalformedError(`a message at offset ${at - headerBytes} declares ${size} bytes, past the end of its chunk`, { offset: at - headerBytes });
    walk.message(type, flags, at, c.take(size));
  }
}

function checkSum(bytes: Uint8Array, what: string, offset: number): void {
  const body = bytes.subarray(0, bytes.length - 4);
  const stored = new Cursor(bytes, offset, what);
  stored.pos = bytes.length - 4;
  const expected = stored.u32();
  const computed = lookup3(body);
  if (expected !== computed) throw new MalformedError(`the checksum of ${what} at offset ${offset} is 0x${hex(expected)}, its bytes give 0x${hex(computed)}: libhdf5 refuses it`, { offset: offset + bytes.length - 4 });
}
