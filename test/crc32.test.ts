// The zip checksum agrees with zlib's, whole or in pieces, at every alignment.
import { crc32 as zlibCrc32 } from 'node:zlib';
import { expect, it } from 'vitest';
import { crc32 } from '../src/engine/containers/crc32.js';

it('computes the CRC-32 zlib computes, incrementally and at every length', () => {
  const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 131 + (i >> 3)) & 0xff);
  for (const n of [0, 1, 7, 8, 9, 15, 16, 17, 1000, 4999]) expect(crc32(bytes.subarray(3, 3 + n))).toBe(zlibCrc32(bytes.subarray(3, 3 + n)));
  expect(crc32(bytes.subarray(1234), crc32(bytes.subarray(0, 1234)))).toBe(zlibCrc32(bytes));
});
