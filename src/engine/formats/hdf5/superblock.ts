// The HDF5 superblock (versions 0-3): where the root group's object header is.
// libhdf5 takes the base address to be where it found the signature (after a
// user block), whatever the field says, and so does this reader.
import { MalformedError } from '../../errors.js';
import { lookup3 } from './lookup3.js';
import { Cursor, Hdf5Reader } from './reader.js';
import type { ByteSource } from '../../byte-source.js';
import { Hdf5Unsupported } from './unsupported.js';

/** Enough for every superblock version with 8-byte addresses (v0/v1 are the longest: about 100 bytes). */
const SUPERBLOCK_READ_BYTES = 160;
/** Address sizes this reader follows; libhdf5 also allows 16 and 32, which no writer uses. */
const OFFSET_SIZES = new Set([2, 4, 8]);

export interface Superblock {
  version: number;
  offsetSize: number;
  lengthSize: number;
  /** Absolute file offset of the superblock (the signature). */
  base: number;
  /** Address of the root group's object header (relative to base). */
  rootObjectHeader: number;
  /** Where the superblock says the file ends, when defined (its whole length, user block included). */
  endOfFile?: number;
}

export async function readSuperblock(source: ByteSource, signatureOffset: number): Promise<{ superblock: Superblock; reader: Hdf5Reader }> {
  const bytes = await source.read(signatureOffset, Math.min(SUPERBLOCK_READ_BYTES, source.size - signatureOffset));
  const c = new Cursor(bytes, signatureOffset, 'the HDF5 superblock');
  c.skip(8);
  const version = c.u8();
  let offsetSize: number;
  let lengthSize: number;
  if (version === 0 || version === 1) {
    c.skip(4); // free-space, root symbol table entry, reserved, shared header versions
    offsetSize = c.u8();
    lengthSize = c.u8();
    c.skip(1 + 2 + 2 + 4 + (version === 1 ? 4 : 0)); // reserved, group K values, consistency flags, indexed storage K
  } else if (version === 2 || version === 3) {
    offsetSize = c.u8();
    lengthSize = c.u8();
    c.skip(1); // consistency flags
  } else {
    throw new MalformedError(`HDF5 superblock version ${version} is unknown (libhdf5 writes 0 to 3)`, { offset: signatureOffset + 8 });
  }
  checkSizes(offsetSize, lengthSize, signatureOffset);
  const sized = new Cursor(bytes, signatureOffset, 'the HDF5 superblock', offsetSize, lengthSize);
  sized.pos = c.pos;
  sized.address(); // base address: libhdf5 uses where the signature is
  let rootObjectHeader: number | undefined;
  let endOfFile: number | undefined;
  if (version < 2) {
    sized.address(); // free-space info
    endOfFile = sized.address();
    sized.address(); // driver info block
    sized.address(); // root symbol table entry: link name offset
    rootObjectHeader = sized.address();
    sized.skip(4 + 4 + 16); // cache type, reserved, scratch pad
  } else {
    sized.address(); // superblock extension
    endOfFile = sized.address();
    rootObjectHeader = sized.address();
    const covered = bytes.subarray(0, sized.pos);
    const stored = sized.u32();
    const computed = lookup3(covered);
    if (stored !== computed) throw new MalformedError(`the HDF5 superblock checksum is 0x${hex(stored)}, its bytes give 0x${hex(computed)}: libhdf5 refuses the file`, { offset: sized.here - 4 });
  }
  if (rootObjectHeader === undefined) throw new MalformedError('the HDF5 superblock has no root group address', { offset: signatureOffset });
  const superblock: Superblock = { version, offsetSize, lengthSize, base: signatureOffset, rootObjectHeader };
  if (endOfFile !== undefined) {
    // Recorded as the file's whole length, user block included (h5py files show it); libhdf5 refuses a file shorter than that: a cut-short download
    superblock.endOfFile = endOfFile;
    if (superblock.endOfFile > source.size) throw new MalformedError(`the HDF5 superblock says the file ends at byte ${superblock.endOfFile}, but it has ${source.size} bytes: it was cut short (libhdf5 refuses it as truncated)`, { offset: signatureOffset });
  }
  return { superblock, reader: new Hdf5Reader(source, signatureOffset, offsetSize, lengthSize) };
}

function checkSizes(offsetSize: number, lengthSize: number, at: number): void {
  const valid = [2, 4, 8, 16, 32];
  if (!valid.includes(offsetSize) || !valid.includes(lengthSize)) throw new MalformedError(`HDF5 superblock sizes of offsets ${offsetSize} and lengths ${lengthSize}: each must be 2, 4, 8, 16 or 32`, { offset: at + 9 });
  if (!OFFSET_SIZES.has(offsetSize) || !OFFSET_SIZES.has(lengthSize)) throw new Hdf5Unsupported(`HDF5 addresses of ${offsetSize} bytes and lengths of ${lengthSize} bytes: this reader follows 2, 4 and 8 (every known writer uses 8)`, at);
}

export function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
