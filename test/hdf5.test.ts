// The HDF5 root-attribute reader on hand-built files: every named limit,
// continuation chunks and their loops, the global heap, damaged structures,
// and the reads it costs. Real h5py files are in keras.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { MAX_ATTRIBUTE_BYTES, MAX_ATTRIBUTE_ELEMENTS, MAX_BTREE_DEPTH, MAX_BTREE_NODE_BYTES, MAX_BTREE_RECORDS, MAX_CONTINUATIONS, MAX_HEADER_CHUNK_BYTES, MAX_HEADER_MESSAGES, MAX_HEAP_COLLECTION_BYTES, MAX_HEAP_TOTAL_BYTES, MAX_RANK } from '../src/engine/formats/hdf5/limits.js';
import { lookup3 } from '../src/engine/formats/hdf5/lookup3.js';
import { readRootAttributes } from '../src/engine/formats/hdf5/root-attributes.js';
import type { Finding, Report } from '../src/engine/report.js';
import { scanSource } from '../src/engine/scan.js';
import { attribute, collection, collectionStart, continuation, fixedString, hdf5File, message, nilMessage, scalarSpace, simpleSpace, stringAttribute, u16, u32, vlenAttribute, integerType } from './hdf5-builder.js';
import { validateReport, wasm } from './helpers.js';
import { SegmentSource } from './zip-builder.js';

/** `bytes` followed by zeros up to `total` bytes (never held in memory): room for the sizes a limit test declares. */
const padded = (bytes: Uint8Array, total: number) => new SegmentSource([bytes, { zeros: total - bytes.length }], 'big.h5');

async function scan(bytes: Uint8Array | SegmentSource): Promise<Report> {
  const r = await scanSource(bytes instanceof Uint8Array ? new MemoryByteSource(bytes, 'test.h5') : bytes, { wasm: await wasm() });
  expect(r.format).toBe('hdf5');
  expect(validateReport(r), JSON.stringify(validateReport.errors)).toBe(true);
  return r;
}

const rules = (r: Report) => r.findings.map((f) => f.rule);
const limit = (r: Report): Finding => {
  const found = r.findings.filter((f) => f.rule === 'scan.limit-reached');
  expect(found, JSON.stringify(r.findings)).toHaveLength(1);
  return found[0]!;
};
const malformed = (r: Report): string => {
  expect(r.verdict, JSON.stringify(r.findings)).toBe('malformed');
  return r.findings.find((f) => f.rule === 'format.malformed')!.message;
};
const enc = (s: string) => new TextEncoder().encode(s);
const CONFIG = '{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Dense", "config": {"name": "d", "units": 2, "batch_input_shape": [null, 3]}}]}}';

describe('lookup3', () => {
  it('matches the published hashlittle test vectors', () => {
    // from lookup3.c's driver5(): hashlittle("", 0, 0) and "Four score and seven years ago"
    expect(lookup3(new Uint8Array(0))).toBe(0xdeadbeef);
    expect(lookup3(enc('Four score and seven years ago'))).toBe(0x17770551);
    expect(lookup3(enc('Four score and seven years ago'), 1)).toBe(0xcd628161);
  });
});

describe('HDF5 root attributes (hand-built)', () => {
  it('MAX_VALUE_SHOWN (200 bytes, src/engine/formats/hdf5.ts): a short string attribute is shown, a longer one only sized', async () => {
    const attributes = async (value: string) => {
      const r = await scan(hdf5File({ root: () => [stringAttribute('note', value)], blocks: () => [] }));
      return (r.content.hdf5 as { rootAttributes: { name: string; bytes: number; value?: string }[] }).rootAttributes;
    };
    expect(await attributes('v'.repeat(200))).toMatchObject([{ name: 'note', bytes: 200, value: 'v'.repeat(200) }]);
    const long = await attributes('v'.repeat(201));
    expect(long).toMatchObject([{ name: 'note', bytes: 201 }]);
    expect(long[0]!.value).toBeUndefined();
  });

  it('reads a variable-length model_config from the global heap and checks it', async () => {
    const r = await scan(hdf5File({
      root: (l) => [vlenAttribute('model_config', CONFIG.length, l.blocks[0]!, 1), stringAttribute('keras_version', '2.15.0')],
      blocks: () => [collection([enc(CONFIG)])],
    }));
    expect(r.verdict).toBe('clean');
    expect(r.formatLabel).toBe('Keras model (HDF5)');
    const keras = r.content.keras as { kerasVersion: string; model: { parameters: number } };
    expect(keras.kerasVersion).toBe('2.15.0');
    expect(keras.model.parameters).toBe(8);
    // superblock, root header, heap collection: nothing else
    expect(r.stats.bytesRead).toBeLessThan(4096 + 4096 + 512);
  });

  it('follows continuation chunks to attributes after them', async () => {
    const chunk = stringAttribute('model_config', CONFIG);
    const r = await scan(hdf5File({ root: (l) => [nilMessage(), continuation(l.blocks[0]!, chunk.length)], blocks: () => [chunk] }));
    expect(r.verdict).toBe('clean');
    expect((r.content.keras as { model: { layersTotal: number } }).model.layersTotal).toBe(1);
    expect((r.content.hdf5 as { rootObjectHeader: { chunks: number } }).rootObjectHeader.chunks).toBe(2);
  });

  it(`stops past MAX_HEADER_MESSAGES (${MAX_HEADER_MESSAGES}) messages`, async () => {
    const r = await scan(hdf5File({ root: () => new Array(MAX_HEADER_MESSAGES + 1).fill(0).map(nilMessage) }));
    expect(limit(r).evidence).toEqual({ limit: 'MAX_HEADER_MESSAGES', value: MAX_HEADER_MESSAGES + 1 });
    expect(r.verdict).toBe('suspicious');
  });

  it(`stops past MAX_CONTINUATIONS (${MAX_CONTINUATIONS}) continuation chunks`, async () => {
    const hops = MAX_CONTINUATIONS + 1;
    const r = await scan(hdf5File({
      root: (l) => [continuation(l.blocks[0]!, 24)],
      blocks: (l) => Array.from({ length: hops }, (_, i) => (i + 1 < hops ? continuation(l.blocks[i + 1]!, 24) : nilMessage().concat(new Array(16).fill(0)))),
    }));
    expect(limit(r).evidence).toEqual({ limit: 'MAX_CONTINUATIONS', value: MAX_CONTINUATIONS + 1 });
  });

  it('refuses continuation chunks that loop', async () => {
    const bytes = hdf5File({ root: (l) => [continuation(l.blocks[0]!, 24)], blocks: (l) => [continuation(l.blocks[0]!, 24)], declaredMessages: 2 });
    expect(malformed(await scan(bytes))).toMatch(/a second time: its continuation chunks form a loop/);
  });

  it(`stops at a chunk over MAX_HEADER_CHUNK_BYTES (${MAX_HEADER_CHUNK_BYTES}) without reading it`, async () => {
    const r = await scan(padded(hdf5File({ root: () => [nilMessage()], declaredSize: MAX_HEADER_CHUNK_BYTES + 1 }), 2 * MAX_HEADER_CHUNK_BYTES));
    expect(limit(r).evidence).toEqual({ limit: 'MAX_HEADER_CHUNK_BYTES', value: MAX_HEADER_CHUNK_BYTES + 1 });
  });

  it(`stops at a string over MAX_ATTRIBUTE_BYTES (${MAX_ATTRIBUTE_BYTES}) before reading the heap`, async () => {
    const file = () => padded(hdf5File({ root: (l) => [vlenAttribute('model_config', MAX_ATTRIBUTE_BYTES + 1, l.blocks[0]!, 1)], blocks: () => [collection([enc('{}')])] }), MAX_ATTRIBUTE_BYTES + 2);
    expect(limit(await scan(file())).evidence).toEqual({ limit: 'MAX_ATTRIBUTE_BYTES', value: MAX_ATTRIBUTE_BYTES + 1 });
    const source = file();
    await expect(readRootAttributes(source, 0)).rejects.toThrow(/over the 16777216-byte limit/);
    expect(source.bytesRead).toBeLessThan(512); // superblock and header: never the 4 KiB collection
  });

  it(`stops at a heap collection over MAX_HEAP_COLLECTION_BYTES (${MAX_HEAP_COLLECTION_BYTES})`, async () => {
    const r = await scan(padded(hdf5File({ root: (l) => [vlenAttribute('model_config', 2, l.blocks[0]!, 1)], blocks: () => [collection([enc('{}')], MAX_HEAP_COLLECTION_BYTES + 1)] }), 2 * MAX_HEAP_COLLECTION_BYTES));
    expect(limit(r).evidence).toEqual({ limit: 'MAX_HEAP_COLLECTION_BYTES', value: MAX_HEAP_COLLECTION_BYTES + 1 });
  });

  it(`stops when the collections read pass MAX_HEAP_TOTAL_BYTES (${MAX_HEAP_TOTAL_BYTES}) in all`, async () => {
    // attributes each naming another big collection: the file is made of zeros but for their headers, never materialised
    const big = MAX_HEAP_COLLECTION_BYTES;
    const count = Math.floor(MAX_HEAP_TOTAL_BYTES / big) + 1;
    const head = hdf5File({ root: () => Array.from({ length: count }, (_, i) => vlenAttribute(`a${i}`, 2, 1024 * 1024 + i * big, 1)) });
    const segments: (Uint8Array | { zeros: number })[] = [head, { zeros: 1024 * 1024 - head.length }];
    const start = Uint8Array.from(collectionStart(big, [enc('{}')]));
    for (let i = 0; i < count; i++) segments.push(start, { zeros: big - start.length });
    const r = await scanSource(new SegmentSource(segments, 'big.h5'), { wasm: await wasm() });
    expect(limit(r).evidence).toEqual({ limit: 'MAX_HEAP_TOTAL_BYTES', value: count * big });
  });

  it('calls sizes the file cannot hold malformed, not limits', async () => {
    const chunk = await scan(hdf5File({ root: () => [nilMessage()], declaredSize: MAX_HEADER_CHUNK_BYTES + 1 }));
    expect(malformed(chunk)).toMatch(/declares 1048577 bytes, past the end of the file/);
    const text = await scan(hdf5File({ root: (l) => [vlenAttribute('model_config', MAX_ATTRIBUTE_BYTES + 1, l.blocks[0]!, 1)], blocks: () => [collection([enc('{}')])] }));
    expect(malformed(text)).toMatch(/names a string of 16777217 bytes in a file of/);
    const heap = await scan(hdf5File({ root: (l) => [vlenAttribute('model_config', 2, l.blocks[0]!, 1)], blocks: () => [collection([enc('{}')], MAX_HEAP_COLLECTION_BYTES + 1)] }));
    expect(malformed(heap)).toMatch(/collection at offset \d+ declares \d+ bytes, past the end of the file/);
  });

  it(`decodes the first MAX_ATTRIBUTE_ELEMENTS (${MAX_ATTRIBUTE_ELEMENTS}) strings of an array and counts the rest`, async () => {
    const n = MAX_ATTRIBUTE_ELEMENTS + 1;
    const bytes = hdf5File({ root: () => [message(0x0c, attribute('layer_names', fixedString(1), simpleSpace([n]), new Array(n).fill(0x61)))] });
    const root = await readRootAttributes(new MemoryByteSource(bytes, 't'), 0);
    expect(root.attributes[0]!.elements).toBe(n);
    expect(root.attributes[0]!.strings).toHaveLength(MAX_ATTRIBUTE_ELEMENTS);
    expect((await scan(bytes)).verdict).toBe('unsupported'); // no model_config: not clean
  });

  it(`refuses a dataspace of more than MAX_RANK (${MAX_RANK}) dimensions`, async () => {
    const dims = new Array(MAX_RANK + 1).fill(1);
    const r = await scan(hdf5File({ root: () => [message(0x0c, attribute('model_config', fixedString(1), simpleSpace(dims), [0x7b]))] }));
    expect(malformed(r)).toMatch(/rank 33/);
  });

  it('refuses a header whose message count disagrees with its chunks', async () => {
    expect(malformed(await scan(hdf5File({ root: () => [nilMessage()], declaredMessages: 3 })))).toMatch(/declares 3 messages, its chunks hold 1/);
  });

  it('refuses a message that runs past its chunk', async () => {
    const bad = [...u16(0x0c), ...u16(4000), 0, 0, 0, 0, 1, 2, 3];
    expect(malformed(await scan(hdf5File({ root: () => [bad] })))).toMatch(/past the end of its chunk/);
  });

  it('refuses a heap ID naming an object the collection lacks', async () => {
    const r = await scan(hdf5File({ root: (l) => [vlenAttribute('model_config', 2, l.blocks[0]!, 7)], blocks: () => [collection([enc('{}')])] }));
    expect(malformed(r)).toMatch(/holds no object 7/);
  });

  it('refuses a heap address that is not a collection', async () => {
    const r = await scan(hdf5File({ root: (l) => [vlenAttribute('model_config', 2, l.blocks[0]!, 1)], blocks: () => [new Array(64).fill(0x20)], declaredMessages: 1 }));
    expect(malformed(r)).toMatch(/no global heap collection/);
  });

  it('reports a root group header address past the end of the file', async () => {
    const bytes = hdf5File({ root: () => [nilMessage()] });
    bytes.set(u32(0x7fff0000), 64); // root object header address
    expect(malformed(await scan(bytes))).toMatch(/past the end of the file/);
  });

  it('refuses a version 2 object header with unknown flag bits', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('fixtures/keras/keras-latest-format.h5', import.meta.url)));
    const at = Buffer.from(bytes).indexOf('OHDR');
    bytes[at + 5] = bytes[at + 5]! | 0x40;
    expect(malformed(await scan(bytes))).toMatch(/unknown flag bits 0x40/);
  });

  it('calls a shared attribute message unsupported, never clean', async () => {
    const r = await scan(hdf5File({ root: () => [message(0x0c, attribute('model_config', fixedString(2), scalarSpace(), [0x7b, 0x7d]), 0x02)] }));
    expect(r.verdict).toBe('unsupported');
    expect(rules(r)).toEqual(['hdf5.unsupported-structure']);
  });

  it('reports a model_config that is not a string as an invalid config', async () => {
    const r = await scan(hdf5File({ root: () => [message(0x0c, attribute('model_config', integerType(), scalarSpace(), u32(7)))] }));
    expect(r.verdict).toBe('malformed');
    expect(rules(r)).toEqual(['keras.config-invalid']);
  });

  it('locates config findings at their byte in the file', async () => {
    const config = '{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"activation": "os.system"}}]}}';
    const bytes = hdf5File({ root: (l) => [vlenAttribute('model_config', config.length, l.blocks[0]!, 1)], blocks: () => [collection([enc(config)])] });
    const r = await scan(bytes);
    expect(r.verdict).toBe('malicious');
    const f = r.findings.find((x) => x.rule === 'keras.unsafe-callable')!;
    expect(new TextDecoder().decode(bytes.subarray(f.location.offset!, f.location.offset! + 11))).toBe('"os.system"');
  });
});

describe('HDF5 dense attribute storage (h5py files, patched)', () => {
  const dense = () => new Uint8Array(readFileSync(new URL('fixtures/keras/dense-attributes.h5', import.meta.url)));
  const find = (bytes: Uint8Array, signature: string) => Buffer.from(bytes).indexOf(signature);
  /** Writes `value` as a little-endian integer of `size` bytes, then the structure's checksum again. */
  const patch = (bytes: Uint8Array, start: number, checksummed: number, at: number, size: number, value: number) => {
    for (let i = 0; i < size; i++) bytes[start + at + i] = Math.floor(value / 256 ** i) % 256;
    const sum = lookup3(bytes.subarray(start, start + checksummed - 4));
    bytes.set(u32(sum), start + checksummed - 4);
    return bytes;
  };
  const BTHD_BYTES = 38;

  it(`stops at a name index holding more than MAX_BTREE_RECORDS (${MAX_BTREE_RECORDS}) records`, async () => {
    const bytes = dense();
    const r = await scan(patch(bytes, find(bytes, 'BTHD'), BTHD_BYTES, 26, 8, MAX_BTREE_RECORDS + 1));
    expect(limit(r).evidence).toEqual({ limit: 'MAX_BTREE_RECORDS', value: MAX_BTREE_RECORDS + 1 });
  });

  it(`stops at a name index deeper than MAX_BTREE_DEPTH (${MAX_BTREE_DEPTH})`, async () => {
    const bytes = dense();
    const r = await scan(patch(bytes, find(bytes, 'BTHD'), BTHD_BYTES, 12, 2, MAX_BTREE_DEPTH + 1));
    expect(limit(r).evidence).toEqual({ limit: 'MAX_BTREE_DEPTH', value: MAX_BTREE_DEPTH + 1 });
  });

  it(`stops at B-tree nodes over MAX_BTREE_NODE_BYTES (${MAX_BTREE_NODE_BYTES})`, async () => {
    const bytes = dense();
    const r = await scan(patch(bytes, find(bytes, 'BTHD'), BTHD_BYTES, 6, 4, MAX_BTREE_NODE_BYTES + 1));
    expect(limit(r).evidence).toEqual({ limit: 'MAX_BTREE_NODE_BYTES', value: MAX_BTREE_NODE_BYTES + 1 });
  });

  it('refuses a name index whose record count disagrees with its nodes', async () => {
    const bytes = dense();
    expect(malformed(await scan(patch(bytes, find(bytes, 'BTHD'), BTHD_BYTES, 26, 8, 14)))).toMatch(/declares 14 records, its nodes hold 13/);
  });

  it('refuses a B-tree leaf whose checksum does not match', async () => {
    const bytes = dense();
    const leaf = find(bytes, 'BTLF') + 8;
    bytes[leaf] = bytes[leaf]! ^ 0xff;
    expect(malformed(await scan(bytes))).toMatch(/checksum of a node of the root group attribute name index/);
  });

  it('refuses a direct block that claims another place in the heap', async () => {
    const bytes = dense();
    bytes[find(bytes, 'FHDB') + 13] = 0x40; // its block offset (5 bytes for a 40-bit heap), no checksum on direct blocks here
    expect(malformed(await scan(bytes))).toMatch(/says it starts at heap offset \d+, where the doubling table puts 0/);
  });

  it('calls a heap with I/O filters unsupported, never clean', async () => {
    const bytes = dense();
    const start = find(bytes, 'FRHP');
    bytes[start + 7] = 16; // I/O filters' encoded length
    const r = await scan(bytes);
    expect(r.verdict).toBe('unsupported');
    expect(rules(r)).toEqual(['hdf5.unsupported-structure']);
  });
});
