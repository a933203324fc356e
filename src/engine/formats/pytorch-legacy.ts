// Legacy PyTorch checkpoints (torch.save before 1.6, or with
// _use_new_zipfile_serialization=False): a pickle whose first value is the
// magic number 0x1950a86a20f9469cfc6c, then more pickles and raw storages.
// The oldest releases wrote a tar with members `sys_info`, `pickle`, `storages`, `tensors`.
import { ascii, decodeUtf8, startsWith } from '../bytes.js';
import type { SniffContext } from '../sniff/context.js';
import type { FormatDriver } from './driver.js';

/** LONG1 of 10 bytes holding the magic number, little-endian, right after PROTO n. */
const MAGIC_LONG1 = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const USTAR = ascii('ustar');
const TAR_BLOCK = 512;
/** Tar headers walked while looking for the legacy member names; the layout has four. */
const MAX_TAR_MEMBERS = 64;

export const pytorchLegacy: FormatDriver = {
  id: 'pytorch-legacy',
  async sniff(ctx) {
    const head = await ctx.head();
    if (head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5 && startsWith(head, MAGIC_LONG1, 2)) {
      return { label: 'PyTorch checkpoint (legacy format)', details: { layout: 'pickle', protocol: head[1] } };
    }
    const members = await tarMemberNames(ctx);
    if (members && members.includes('pickle') && members.some((m) => m === 'storages' || m === 'tensors')) {
      return { label: 'PyTorch checkpoint (legacy tar format)', details: { layout: 'tar', members } };
    }
    return null;
  },
};

/** Member names of a ustar archive (headers only), or undefined when not a tar. */
async function tarMemberNames(ctx: SniffContext): Promise<string[] | undefined> {
  const head = await ctx.head();
  if (!startsWith(head, USTAR, 257)) return undefined;
  const names: string[] = [];
  let offset = 0;
  while (names.length < MAX_TAR_MEMBERS && offset + TAR_BLOCK <= ctx.source.size) {
    const header = await ctx.source.read(offset, TAR_BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    if (!startsWith(header, USTAR, 257)) return names.length ? names : undefined;
    const name = decodeUtf8(header.subarray(0, 100)).replace(/\0.*$/s, '');
    const size = parseInt(decodeUtf8(header.subarray(124, 136)).replace(/\0.*$/s, '').trim() || '0', 8);
    if (!Number.isSafeInteger(size) || size < 0) break;
    names.push(name);
    offset += TAR_BLOCK + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
  }
  return names;
}
