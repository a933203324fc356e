// Legacy PyTorch checkpoints read as torch.load reads them: the magic-number
// layout's five pickles and raw storages, and the old tar layout's members.
import { describe, expect, it } from 'vitest';
import { MAX_LEGACY_RECORDS, MAX_TAR_MEMBERS } from '../src/engine/formats/pytorch-legacy.js';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { scanSource } from '../src/engine/scan.js';
import type { Finding, Report } from '../src/engine/report.js';
import { containerBytes, fixtureBytes, joinBytes, scanBytes, wasm } from './helpers.js';
import { MAX_PERSISTENT_IDS } from '../src/engine/pickle/analyse-stream.js';
import { P, pickle, repeat } from './pickle-asm.js';

const scan = (name: string) => scanBytes(containerBytes(name), name);
const find = (r: Report, rule: string): Finding | undefined => r.findings.find((f) => f.rule === rule);
const rules = (r: Report) => r.findings.map((f) => f.rule);
/** Rules about the container, not the judgement of imports (the pickle engine's). */
const containerRules = (r: Report) => rules(r).filter((id) => !['pickle.unknown-import', 'pickle.persistent-id'].includes(id));

describe('legacy PyTorch (magic-number layout)', () => {
  it('walks the five pickles and steps over each storage by its element count and size', async () => {
    const bytes = fixtureBytes('torch-legacy.pt');
    const r = await scanBytes(bytes);
    expect(containerRules(r)).toEqual([]);
    expect(r.verdict).toBe('clean');
    expect(Object.values(r.content.storages as Record<string, number>).sort((a, b) => a - b)).toEqual([8, 16]); // bias: 2 floats, weight: 4
    expect(r.content.legacy).toMatchObject({ protocolVersion: '1001', objectOffset: 137, storagesOffset: 485, dataEnd: bytes.length });
    expect((r.content.pickle as { streams: unknown[] }).streams).toHaveLength(5);
  });

  it('finds a payload in sys_info, which torch.load unpickles first', async () => {
    const r = await scan('torch-legacy-sysinfo-payload.pt');
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { offset: 23 } }); // sys_info starts at 21
    expect(r.verdict).toBe('malicious');
  });

  it('reports bytes after the last storage, and analyses them when they are a pickle', async () => {
    const r = await scan('torch-legacy-trailing.pt');
    const end = (r.content.legacy as { dataEnd: number }).dataEnd;
    expect(find(r, 'pickle.trailing-data')).toMatchObject({ location: { offset: end, length: r.file.size - end } });
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { offset: end + 2 } });
  });

  it('scans a zip appended after the last storage', async () => {
    const r = await scan('torch-legacy-zip.pt');
    const end = (r.content.legacy as { dataEnd: number }).dataEnd;
    expect(find(r, 'zip.appended-to-pickle')).toMatchObject({ location: { offset: end } });
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { member: 'payload.pkl', offset: 2 } });
  });

  it('is malformed when the protocol version is not 1001 (torch.load refuses it)', async () => {
    const bytes = fixtureBytes('torch-legacy.pt').slice();
    expect(Array.from(bytes.subarray(15, 21))).toEqual([0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e]); // PROTO 2, BININT2 1001, STOP
    bytes[18] = 0xe8;
    const r = await scanBytes(bytes);
    expect(find(r, 'format.malformed')).toMatchObject({ location: { offset: 15 } });
    expect(find(r, 'format.malformed')!.message).toMatch(/protocol version is 1000/);
  });

  it('is malformed when a storage runs past the end of the file', async () => {
    const bytes = fixtureBytes('torch-legacy.pt');
    const r = await scanBytes(bytes.subarray(0, bytes.length - 4));
    expect(r.verdict).toBe('malformed');
    expect(find(r, 'format.malformed')!.message).toMatch(/past the end of the stream/);
  });
});

describe('legacy PyTorch (tar layout)', () => {
  it('walks the storages and tensors records as torch.load does: no stray pickles, no trailing data', async () => {
    const r = await scan('torch-legacy-tar-real.pt');
    expect(containerRules(r)).toEqual([]);
    expect((r.content.legacy as { members: { name: string }[] }).members.map((m) => m.name)).toEqual(['sys_info', 'pickle', 'storages', 'tensors']);
    // sys_info, pickle, storages (count, one record, views), tensors (count, one record)
    expect((r.content.pickle as { streams: { member: string }[] }).streams.map((s) => s.member)).toEqual(['sys_info', 'pickle', 'storages', 'storages', 'storages', 'tensors', 'tensors']);
  });

  it('finds a payload in the pickle member', async () => {
    const r = await scan('torch-legacy-tar-payload.pt');
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { member: 'pickle', offset: 2 } });
  });

  it('finds a payload hidden after the last storage record', async () => {
    const r = await scan('torch-legacy-tar-storage-payload.pt');
    expect(find(r, 'pickle.trailing-data')).toMatchObject({ location: { member: 'storages', offset: 81 } });
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { member: 'storages', offset: 83 } });
  });

  it(`stops at MAX_LEGACY_RECORDS (${MAX_LEGACY_RECORDS}) declared records`, async () => {
    const r = await scan('torch-legacy-tar-many.pt');
    expect(find(r, 'scan.limit-reached')).toMatchObject({ location: { member: 'storages' }, evidence: { limit: 'MAX_LEGACY_RECORDS', value: MAX_LEGACY_RECORDS + 1 } });
  });

  it('finds the layout and its payload behind 70 other members, as tarfile does', async () => {
    const r = await scan('torch-legacy-tar-behind-junk.pt');
    expect(r.format).toBe('pytorch-legacy');
    expect((r.content.legacy as { members: unknown[] }).members).toHaveLength(74);
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { member: 'pickle', offset: 2 } });
    expect(r.verdict).toBe('malicious');
  });

  it('names a member as a pax header (or GNU long name) renames it, as tarfile does', async () => {
    const r = await scan('torch-legacy-tar-pax-name.pt');
    expect(r.format).toBe('pytorch-legacy');
    expect((r.content.legacy as { members: { name: string }[] }).members.map((m) => m.name)).toEqual(['sys_info', '././@PaxHeader', 'pickle', 'storages', 'tensors']);
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { member: 'pickle', offset: 2 } });
    expect(r.verdict).toBe('malicious');
  });

  it(`stops walking the tar at MAX_TAR_MEMBERS (${MAX_TAR_MEMBERS}) members with a limit finding, never clean`, async () => {
    // the layout's pickle first, then one-byte members up to one past the limit, written as tarfile writes them
    const header = (name: string, size: number) => {
      const h = new Uint8Array(512);
      const put = (text: string, at: number) => h.set(new TextEncoder().encode(text), at);
      put(name, 0); put('0000644\0', 100); put('0000000\0', 108); put('0000000\0', 116);
      put(`${size.toString(8).padStart(11, '0')}\0`, 124); put('00000000000\0', 136); put('0', 156); put('ustar\x0000', 257);
      h.fill(0x20, 148, 156);
      put(`${h.reduce((a, b) => a + b, 0).toString(8).padStart(6, '0')}\0 `, 148);
      return h;
    };
    const member = (name: string, body: Uint8Array) => {
      const out = new Uint8Array(512 + Math.ceil(body.length / 512) * 512);
      out.set(header(name, body.length)); out.set(body, 512);
      return out;
    };
    const object = new Uint8Array([0x80, 0x02, 0x7d, 0x2e]); // {}
    const junk = member('junk', new Uint8Array([0x78]));
    const parts = [member('pickle', object), member('storages', object), member('tensors', object)];
    const bytes = new Uint8Array((parts.length + MAX_TAR_MEMBERS) * 1024 + 1024);
    parts.forEach((p, i) => bytes.set(p, i * 1024));
    for (let i = parts.length; i < parts.length + MAX_TAR_MEMBERS; i++) bytes.set(junk, i * 1024);
    const r = await scanSource(new MemoryByteSource(bytes, 'many-members.tar'), { wasm: await wasm() });
    expect(r.format).toBe('pytorch-legacy');
    expect(find(r, 'scan.limit-reached')).toMatchObject({ location: { offset: MAX_TAR_MEMBERS * 1024 }, evidence: { limit: 'MAX_TAR_MEMBERS', value: MAX_TAR_MEMBERS + 1 } });
    expect(r.verdict).not.toBe('clean');
  });

  it(`MAX_PERSISTENT_IDS (${MAX_PERSISTENT_IDS}): a saved object with more persistent ids stops with a limit finding, not a false "torch.load fails"`, async () => {
    // magic number, protocol 1001, sys_info {}, then a list of one id more than the limit, the key list ['0'], storage '0'
    const magic = new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
    const protocol = pickle(P.proto(2), [0x4d, 0xe9, 0x03], P.STOP);
    const sysInfo = pickle(P.proto(2), P.EMPTY_DICT, P.STOP);
    const id = pickle(P.MARK, P.str('storage'), P.global('torch', 'FloatStorage'), P.str('0'), P.str('cpu'), P.int(1), P.TUPLE);
    const one = pickle(P.binget(0), P.BINPERSID);
    const ids = repeat(MAX_PERSISTENT_IDS + 1, one);
    const object = pickle(P.proto(2), id, P.binput(0), P.POP, P.EMPTY_LIST, P.MARK, ids, P.APPENDS, P.STOP);
    const keys = pickle(P.proto(2), P.EMPTY_LIST, P.str('0'), P.APPEND, P.STOP);
    const storage = new Uint8Array(12);
    storage[0] = 1; // one element of 4 bytes
    const r = await scanBytes(pickle(magic, protocol, sysInfo, object, keys, storage));
    expect(r.format).toBe('pytorch-legacy');
    expect(find(r, 'scan.limit-reached')).toMatchObject({ evidence: { limit: 'MAX_PERSISTENT_IDS', value: MAX_PERSISTENT_IDS + 1 } });
    expect(rules(r)).not.toContain('format.malformed');
    expect(r.verdict).not.toBe('clean');
    // one id fewer: the storages are sized and stepped over
    const fits = await scanBytes(pickle(magic, protocol, sysInfo, pickle(P.proto(2), id, P.binput(0), P.POP, P.EMPTY_LIST, P.MARK, ids.subarray(one.length), P.APPENDS, P.STOP), keys, storage));
    expect(fits.findings.filter((f) => f.severity !== 'info' && f.rule !== 'pickle.unknown-import').map((f) => f.rule)).toEqual([]);
    expect(fits.content.storages).toEqual({ '0': 4 });
  });

  it('MAX_TAR_NAME_HEADER_BYTES (64 KiB, src/engine/formats/pytorch-legacy.ts): a GNU long name that long is read, a longer one stops the walk, never clean', async () => {
    const header = (name: string, size: number, type: string) => {
      const h = new Uint8Array(512);
      const put = (text: string, at: number) => h.set(new TextEncoder().encode(text), at);
      put(name, 0); put('0000644\0', 100); put('0000000\0', 108); put('0000000\0', 116);
      put(`${size.toString(8).padStart(11, '0')}\0`, 124); put('00000000000\0', 136); put(type, 156); put('ustar\x0000', 257);
      h.fill(0x20, 148, 156);
      put(`${h.reduce((a, b) => a + b, 0).toString(8).padStart(6, '0')}\0 `, 148);
      return h;
    };
    const member = (name: string, body: Uint8Array, type = '0') => {
      const out = new Uint8Array(512 + Math.ceil(body.length / 512) * 512);
      out.set(header(name, body.length, type)); out.set(body, 512);
      return out;
    };
    const object = new Uint8Array([0x80, 0x02, 0x7d, 0x2e]); // {}
    const tar = (nameBytes: number) => {
      const longName = new Uint8Array(nameBytes).fill(0x61); // 'aaa…': tarfile reads the whole body, then cuts at NUL
      return joinBytes([member('pickle', object), member('storages', object), member('tensors', object), member('././@LongLink', longName, 'L'), member('renamed', object), new Uint8Array(1024)]);
    };
    const names = (r: Report) => (r.content.legacy as { members: { name: string }[] }).members.map((m) => m.name);
    const at = await scanSource(new MemoryByteSource(tar(64 * 1024), 'long-name.tar'), { wasm: await wasm() });
    expect(at.format).toBe('pytorch-legacy');
    expect(names(at).at(-1)).toBe('a'.repeat(64 * 1024));
    expect(at.verdict).toBe('clean');
    const over = await scanSource(new MemoryByteSource(tar(64 * 1024 + 1), 'long-name.tar'), { wasm: await wasm() });
    expect(names(over)).not.toContain('renamed');
    expect(over.verdict).not.toBe('clean');
    // the walk stops at the long-name header with a limit finding (tarfile would read on)
    expect(find(over, 'scan.limit-reached')).toMatchObject({ location: { offset: 3072 }, evidence: { limit: 'MAX_TAR_NAME_HEADER_BYTES', value: 64 * 1024 + 1 } });
    expect(find(over, 'scan.limit-reached')?.message).toMatch(/GNU long name or pax header at offset 3072 is 65537 bytes.*tarfile reads it/);
    expect(rules(over)).not.toContain('pickle.trailing-data');
  });

  it('still reads the simplified tar fixture, whose members are plain pickles', async () => {
    const r = await scanBytes(fixtureBytes('torch-legacy-tar.pt'));
    expect(r.verdict).toBe('clean');
    expect((r.content.pickle as { streams: unknown[] }).streams).toHaveLength(4);
  });
});
