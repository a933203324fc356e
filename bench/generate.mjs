#!/usr/bin/env node
// Writes the big benchmark files (see bench/README.md).
//   node bench/generate.mjs [--out DIR] [--only NAME]... [--force] [--small]
// Files already there with the expected size are kept unless --force.
// --small writes tiny instances from the same generators (used by verify-generators.sh).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FileWriter } from './gen/writer.mjs';
import * as safetensors from './gen/safetensors.mjs';
import * as pickleRaw from './gen/pickle-raw.mjs';
import * as pickleObjects from './gen/pickle-objects.mjs';
import * as torch from './gen/torch.mjs';
import * as torchMany from './gen/torch-many.mjs';
import * as onnx from './gen/onnx.mjs';
import * as onnxGraph from './gen/onnx-graph.mjs';
import * as ggufGen from './gen/gguf.mjs';
import * as kerasH5 from './gen/keras-h5.mjs';
import * as onnxLayers from './gen/onnx-layers.mjs';

export const GENERATORS = [safetensors, pickleRaw, pickleObjects, torch, torchMany, onnx, onnxGraph, onnxLayers, ggufGen, kerasH5];
const ALIASES = { safetensors: safetensors, pickle: pickleRaw, pkl: pickleRaw, objects: pickleObjects, torch: torch, pt: torch, many: torchMany, onnx: onnx, graph: onnxGraph, layers: onnxLayers, gguf: ggufGen, keras: kerasH5, h5: kerasH5 };

const USAGE = `Usage: node bench/generate.mjs [--out DIR] [--only NAME]... [--force] [--small]
  --out DIR    where to write (default /tmp/weightlens-bench)
  --only NAME  make only this file (${GENERATORS.map((g) => g.name).join(', ')};
               or safetensors, pickle, objects, torch, many, onnx, graph, layers, gguf, keras); may be repeated
  --force      rewrite files even if they exist with the right size
  --small      tiny instances of the same files (for bench/verify-generators.sh)
`;

function fmtBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(2)} ${units[u]}`;
}

function main() {
  let opts;
  try {
    opts = parseArgs({
      options: {
        out: { type: 'string', default: '/tmp/weightlens-bench' },
        only: { type: 'string', multiple: true },
        force: { type: 'boolean', default: false },
        small: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    process.stderr.write(`${e.message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let gens = GENERATORS;
  if (opts.only) {
    gens = [];
    for (const n of opts.only) {
      const g = GENERATORS.find((x) => x.name === n) ?? ALIASES[n];
      if (!g) {
        process.stderr.write(`unknown file "${n}"\n${USAGE}`);
        return 2;
      }
      if (!gens.includes(g)) gens.push(g);
    }
  }
  const scale = opts.small ? 'small' : 'full';
  fs.mkdirSync(opts.out, { recursive: true });
  for (const g of gens) {
    const file = path.join(opts.out, g.name);
    const expected = g.expectedSize(scale);
    const existing = fs.statSync(file, { throwIfNoEntry: false });
    if (!opts.force && existing?.isFile() && existing.size === expected) {
      process.stdout.write(`${g.name}: kept (already ${expected} bytes)\n`);
      continue;
    }
    process.stdout.write(`${g.name}: writing ${expected} bytes (${fmtBytes(expected)}) ... `);
    const tmp = `${file}.partial`;
    const started = process.hrtime.bigint();
    const w = new FileWriter(tmp);
    let facts;
    try {
      facts = g.generate(w, scale);
      w.close();
    } catch (e) {
      w.abort();
      throw e;
    }
    const written = fs.statSync(tmp);
    if (written.size !== expected) {
      fs.rmSync(tmp, { force: true });
      throw new Error(`${g.name}: wrote ${written.size} bytes, expected ${expected}`);
    }
    fs.renameSync(tmp, file);
    const secs = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`done in ${secs.toFixed(1)} s, ${fmtBytes(written.blocks * 512)} on disk\n`);
    for (const [k, v] of Object.entries(facts)) process.stdout.write(`    ${k}: ${v}\n`);
  }
  return 0;
}

process.exitCode = main();
