// For bytes that are no model format: say what they look like, so "unsupported"
// is useful ("PNG image", "gzip-compressed data") rather than a shrug.
import { ascii, startsWith } from '../bytes.js';

interface Magic {
  at: number;
  bytes: ArrayLike<number>;
  label: string;
}

const MAGICS: Magic[] = [
  { at: 0, bytes: [0x89, ...ascii('PNG\r\n\x1a\n')], label: 'PNG image' },
  { at: 0, bytes: [0xff, 0xd8, 0xff], label: 'JPEG image' },
  { at: 0, bytes: ascii('GIF8'), label: 'GIF image' },
  { at: 0, bytes: ascii('%PDF-'), label: 'PDF document' },
  { at: 0, bytes: [0x7f, ...ascii('ELF')], label: 'ELF executable' },
  { at: 0, bytes: ascii('MZ'), label: 'Windows executable (PE)' },
  { at: 0, bytes: [0xcf, 0xfa, 0xed, 0xfe], label: 'Mach-O executable' },
  { at: 0, bytes: [0x00, ...ascii('asm')], label: 'WebAssembly module' },
  { at: 0, bytes: [0x1f, 0x8b], label: 'gzip-compressed data (compressed joblib files look like this)' },
  { at: 0, bytes: ascii('BZh'), label: 'bzip2-compressed data' },
  { at: 0, bytes: [0xfd, ...ascii('7zXZ'), 0x00], label: 'xz-compressed data' },
  { at: 0, bytes: [0x28, 0xb5, 0x2f, 0xfd], label: 'zstd-compressed data' },
  { at: 0, bytes: [0x04, 0x22, 0x4d, 0x18], label: 'LZ4-compressed data (compressed joblib files look like this)' },
  { at: 0, bytes: ascii('7z\xbc\xaf\x27\x1c'), label: '7-Zip archive' },
  { at: 0, bytes: ascii('Rar!'), label: 'RAR archive' },
  { at: 257, bytes: ascii('ustar'), label: 'tar archive' },
  { at: 0, bytes: ascii('SQLite format 3\0'), label: 'SQLite database' },
  { at: 0, bytes: ascii('version https://git-lfs.github.com/spec/'), label: 'Git LFS pointer (the model file itself is not here)' },
  { at: 0, bytes: [0x08, 0x01, 0x12], label: 'protobuf data' },
];

/** zlib streams (raw joblib compression) start with CMF 0x78 and a checksummed FLG byte. */
function isZlib(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x78 && ((head[0] << 8) | head[1]!) % 31 === 0;
}

export function describeUnknown(head: Uint8Array, size: number): string {
  if (size === 0) return 'empty file';
  for (const m of MAGICS) if (startsWith(head, m.bytes, m.at)) return m.label;
  if (isZlib(head)) return 'zlib-compressed data (compressed joblib files look like this)';
  const text = looksLikeText(head);
  if (text) {
    const trimmed = new TextDecoder().decode(head.subarray(0, 256)).trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return 'JSON or other text';
    return 'text';
  }
  return 'unrecognised binary data';
}

function looksLikeText(head: Uint8Array): boolean {
  const sample = head.subarray(0, 4096);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, lastCompleteUtf8(sample)));
  } catch {
    return false;
  }
  let control = 0;
  for (const b of sample) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) control++;
  return control === 0;
}

/** Length of the sample without a UTF-8 sequence cut off at its end. */
function lastCompleteUtf8(bytes: Uint8Array): number {
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = bytes[end - back]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? end - back : end;
  }
  return end;
}
