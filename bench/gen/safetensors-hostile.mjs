#!/usr/bin/env node
// Safetensors files whose header is the attack: ~90 MB of JSON (the reference
// allows 100 MB), to time the strict header pass on its worst realistic input.
//   node bench/gen/safetensors-hostile.mjs [--out DIR] [--small]
// Writes, in DIR (default /tmp/weightlens-bench-hostile):
//   hostile-valid.safetensors  480,000 one-byte U8 tensors with long names: a valid file,
//                              just under MAX_TENSORS, so the whole header is checked
//   hostile-dup.safetensors    the same, but the last name repeats the first, spelled with
//                              a \u escape (JSON.parse would keep the last and hide it)
//   hostile-many.safetensors   ~90 MB of tiny entries, over a million: stops at MAX_TENSORS
// Every run writes the same bytes. Time them with: node bench/run.mjs DIR
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FileWriter, ascii } from './writer.mjs';

const TARGET_HEADER = 90_000_000;
const VALID_TENSORS = 480_000;

/** One tensor entry; the name is padded so `count` entries fill about `target` bytes. */
function entry(name, i) {
  return `"${name}":{"dtype":"U8","shape":[1],"data_offsets":[${i},${i + 1}]}`;
}

function padName(i, width) {
  const base = `model.layers.${i % 100}.experts.${i}.w`;
  return base + '_'.repeat(Math.max(0, width - base.length));
}

/** Entries joined into '{…}' and space-padded so 8 + N is a multiple of 8, as the reference writes. */
function header(parts) {
  let json = `{${parts.join(',')}}`;
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  return json;
}

function variants(scale) {
  const count = scale === 'small' ? 1000 : VALID_TENSORS;
  const target = scale === 'small' ? 200_000 : TARGET_HEADER;
  const fixed = entry('', 0).length + 8; // entry without a name, plus digits and comma
  const width = Math.max(24, Math.floor(target / count) - fixed);
  const names = Array.from({ length: count }, (_, i) => padName(i, width));
  const valid = names.map((n, i) => entry(n, i));
  // The duplicate: the first name again, its first letter written as \u006d ('m').
  const dupName = `\\u006d${names[0].slice(1)}`;
  const dup = [...valid.slice(0, -1), entry(dupName, count - 1)];
  const many = [];
  for (let i = 0, bytes = 0; bytes < target; i++) {
    const e = entry(`t${i}`, i);
    many.push(e);
    bytes += e.length + 1;
  }
  return [
    { file: 'hostile-valid.safetensors', json: header(valid), dataBytes: count },
    { file: 'hostile-dup.safetensors', json: header(dup), dataBytes: count },
    { file: 'hostile-many.safetensors', json: header(many), dataBytes: many.length },
  ];
}

function main() {
  const { values } = parseArgs({ options: { out: { type: 'string', default: '/tmp/weightlens-bench-hostile' }, small: { type: 'boolean', default: false } } });
  fs.mkdirSync(values.out, { recursive: true });
  for (const v of variants(values.small ? 'small' : 'full')) {
    const file = path.join(values.out, v.file);
    const w = new FileWriter(`${file}.partial`);
    const length = Buffer.allocUnsafe(8);
    const headerBytes = Buffer.byteLength(v.json);
    length.writeBigUInt64LE(BigInt(headerBytes));
    w.write(length);
    w.write(ascii(v.json));
    w.skip(v.dataBytes); // one zero byte per tensor, as a hole
    w.close();
    fs.renameSync(`${file}.partial`, file);
    process.stdout.write(`${v.file}: header ${headerBytes} bytes, file ${8 + headerBytes + v.dataBytes} bytes\n`);
  }
}

main();
