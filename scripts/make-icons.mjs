// Writes the PWA icons (public/icons/icon-192.png, icon-512.png, and a
// maskable 512) from the favicon's design: a lens over a block of weights.
// Plain Node: a small anti-aliased rasteriser and a PNG encoder.
// Run: node scripts/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [9, 105, 218];
const GREEN = [26, 127, 55];
const WHITE = [255, 255, 255];

/** Shapes in the favicon's 32-unit space; `inset` shrinks the drawing for maskable icons. */
function colourAt(x, y) {
  const ring = Math.abs(Math.hypot(x - 14, y - 14) - 9) <= 1.5;
  const t = Math.max(0, Math.min(1, ((x - 21) * 8 + (y - 21) * 8) / 128));
  const handle = Math.hypot(x - (21 + 8 * t), y - (21 + 8 * t)) <= 1.5;
  if (ring || handle) return BLUE;
  if (x >= 10 && x <= 18 && y >= 10 && y <= 18) return GREEN;
  return null;
}

function render(size, inset) {
  const samples = 4;
  const rgba = Buffer.alloc(size * size * 4);
  const scale = (32 + inset * 2) / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) * scale - inset;
          const y = (py + (sy + 0.5) / samples) * scale - inset;
          const c = colourAt(x, y) ?? WHITE;
          r += c[0]; g += c[1]; b += c[2];
        }
      }
      const n = samples * samples;
      rgba.set([Math.round(r / n), Math.round(g / n), Math.round(b / n), 255], (py * size + px) * 4);
    }
  }
  return png(size, rgba);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

writeFileSync('public/icons/icon-192.png', render(192, 2));
writeFileSync('public/icons/icon-512.png', render(512, 2));
// Maskable: the drawing inside the 80% safe zone.
writeFileSync('public/icons/icon-maskable-512.png', render(512, 6));
console.log('wrote public/icons/icon-192.png, icon-512.png, icon-maskable-512.png');
