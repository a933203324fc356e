// Resumable UTF-8 validation, byte ranges as in Unicode Table 3-7 (what Rust's
// str::from_utf8 and a fatal TextDecoder accept: no overlongs, no surrogates,
// nothing past U+10FFFF). A sequence may straddle two windows.

let need: i32 = 0; // continuation bytes still expected
let lo: u32 = 0x80; // allowed range of the next continuation byte
let hi: u32 = 0xbf;
let seqStart: u32 = 0; // offset of the lead byte of the open sequence
let errorAt: i64 = -1;

export function utf8Reset(): void {
  need = 0;
  lo = 0x80;
  hi = 0xbf;
  seqStart = 0;
  errorAt = -1;
}

/** Offset of the first byte of the first invalid sequence, or -1. */
export function utf8ErrorAt(): i64 { return errorAt; }

/**
 * Validates `length` bytes at `pointer`, which sit at text offset `offset`.
 * Returns false at the first invalid sequence (utf8ErrorAt() says where).
 */
export function utf8Validate(pointer: usize, offset: u32, length: u32): bool {
  if (errorAt >= 0) return false;
  let i: u32 = 0;
  while (i < length) {
    if (need == 0) {
      // ASCII runs, eight bytes at a time
      while (i + 8 <= length && (load<u64>(pointer + <usize>i) & 0x8080808080808080) == 0) i += 8;
      if (i >= length) break;
      const b = <u32>load<u8>(pointer + <usize>i);
      if (b < 0x80) { i++; continue; }
      seqStart = offset + i;
      if (b >= 0xc2 && b <= 0xdf) { need = 1; lo = 0x80; hi = 0xbf; }
      else if (b == 0xe0) { need = 2; lo = 0xa0; hi = 0xbf; }
      else if (b == 0xed) { need = 2; lo = 0x80; hi = 0x9f; }
      else if (b >= 0xe1 && b <= 0xef) { need = 2; lo = 0x80; hi = 0xbf; }
      else if (b == 0xf0) { need = 3; lo = 0x90; hi = 0xbf; }
      else if (b >= 0xf1 && b <= 0xf3) { need = 3; lo = 0x80; hi = 0xbf; }
      else if (b == 0xf4) { need = 3; lo = 0x80; hi = 0x8f; }
      else { errorAt = <i64>(offset + i); return false; }
      i++;
    } else {
      const b = <u32>load<u8>(pointer + <usize>i);
      if (b < lo || b > hi) { errorAt = <i64>seqStart; return false; }
      need--;
      lo = 0x80;
      hi = 0xbf;
      i++;
    }
  }
  return true;
}

/** At the end of the text: a sequence still open is invalid. */
export function utf8Finish(): bool {
  if (errorAt >= 0) return false;
  if (need > 0) { errorAt = <i64>seqStart; return false; }
  return true;
}
