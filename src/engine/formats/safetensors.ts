// safetensors: an 8-byte little-endian header length, then a JSON object.
import { u64 } from '../bytes.js';
import type { FormatDriver } from './driver.js';

/** Header lengths above this cannot be real (the reference caps headers at 100 MB). */
const PLAUSIBLE_HEADER_BYTES = 2 ** 32;
/** After '{' comes a quoted key, '}' or whitespace. */
const AFTER_BRACE = new Set([0x22, 0x7d, 0x20, 0x09, 0x0a, 0x0d]);

export const safetensors: FormatDriver = {
  id: 'safetensors',
  async sniff(ctx) {
    const head = await ctx.head();
    if (head.length < 10 || head[8] !== 0x7b || !AFTER_BRACE.has(head[9]!)) return null;
    const headerLength = u64(head, 0);
    if (headerLength === undefined || headerLength < 2 || headerLength > PLAUSIBLE_HEADER_BYTES) return null;
    return { label: 'safetensors', details: { headerLength } };
  },
};
