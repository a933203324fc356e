// GGUF (llama.cpp): magic "GGUF" then a u32 version, little-endian or, on
// big-endian exports, byte-swapped.
import { ascii, startsWith, view } from '../bytes.js';
import type { FormatDriver } from './driver.js';

const MAGIC = ascii('GGUF');
const KNOWN_VERSIONS = new Set([1, 2, 3]);

export const gguf: FormatDriver = {
  id: 'gguf',
  async sniff(ctx) {
    const head = await ctx.head();
    if (head.length < 8 || !startsWith(head, MAGIC)) return null;
    const little = view(head).getUint32(4, true);
    const big = view(head).getUint32(4, false);
    if (KNOWN_VERSIONS.has(little)) return { label: `GGUF v${little}`, details: { version: little, byteOrder: 'little' } };
    if (KNOWN_VERSIONS.has(big)) return { label: `GGUF v${big} (big-endian)`, details: { version: big, byteOrder: 'big' } };
    return { label: 'GGUF (unknown version)', details: { version: little, byteOrder: 'unknown' } };
  },
};
