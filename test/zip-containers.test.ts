// Zip containers as PyTorch reads them: every member judged by content, every
// disagreement of the archive's records reported, one bad member never hiding
// the others. Fixtures from test/fixtures/make_container_fixtures.py; archives
// too big to commit are built in the test (zip-builder.ts).
import { describe, expect, it } from 'vitest';
import { MAX_ARCHIVE_DEPTH, MAX_CRC_REREAD_BYTES, MAX_FINDINGS_PER_RULE, MAX_MEMBERS_LISTED, type MemberListing } from '../src/engine/formats/archive-scan.js';
import { MAX_INFLATED_BYTES } from '../src/engine/containers/inflate.js';
import type { Finding, Report } from '../src/engine/report.js';
import { scanSource } from '../src/engine/scan.js';
import { concat, containerBytes, fixtureBytes, scanBytes, wasm } from './helpers.js';
import { buildZip, bytesPickle, type SegmentSource } from './zip-builder.js';

const scan = (name: string) => scanBytes(containerBytes(name), name);
const scanBuilt = async (source: SegmentSource) => scanSource(source, { wasm: await wasm() });
const rules = (r: Report) => r.findings.map((f) => f.rule);
const find = (r: Report, rule: string, member?: string): Finding | undefined => r.findings.find((f) => f.rule === rule && (member === undefined || f.location.member === member));
const members = (r: Report) => r.content.members as MemberListing[];
const BENIGN_PICKLE = fixtureBytes('pickle-p2.pkl');

describe('PyTorch zip checkpoints', () => {
  it('calls a torch.save checkpoint clean, lists every member and the storage sizes', async () => {
    const r = await scan('torch-benign.pt');
    expect(r.verdict).toBe('clean');
    expect(r.findings).toEqual([]);
    expect(r.content.archiveRoot).toBe('archive');
    expect(r.content.storages).toEqual({ '0': 16, '1': 8 });
    expect(members(r).find((m) => m.name === 'archive/data.pkl')).toMatchObject({ kind: 'pickle', method: 'stored', crc: 'ok' });
    expect(members(r).find((m) => m.name === 'archive/data/0')).toMatchObject({ kind: 'tensor data', size: 16 });
  });

  it('reads under 1% of a 2 GB checkpoint, and never reads tensor data for its CRC', async () => {
    const dataPkl = fixtureBytes('torch-zip.pt').subarray(64, 64 + 290); // torch-zip/data.pkl, stored
    const source = buildZip([
      { name: 'archive/data.pkl', head: dataPkl },
      { name: 'archive/data/0', zeros: 2 * 1024 ** 3 - 4096, crc: 0x12345678 },
      { name: 'archive/data/1', head: new Uint8Array(8) },
      { name: 'archive/version', head: new TextEncoder().encode('3\n') },
    ]);
    const r = await scanBuilt(source);
    expect(rules(r)).not.toContain('zip.crc-mismatch');
    expect(r.verdict).toBe('clean');
    expect(r.stats.bytesRead).toBeLessThan(source.size / 100);
    expect(members(r).find((m) => m.name === 'archive/data/0')?.crc).toBeUndefined();
    expect(members(r).find((m) => m.name === 'archive/version')?.crc).toBe('ok');
  });

  it('analyses a pickle in a member not named data.pkl', async () => {
    const r = await scan('torch-extra-payload.pt');
    expect(r.verdict).toBe('malicious');
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ severity: 'critical', location: { member: 'archive/extra/payload.bin', offset: 2 } });
  });

  it('reports a local header whose name differs from the central directory', async () => {
    const r = await scan('torch-local-name.pt');
    expect(find(r, 'zip.local-header-mismatch')).toMatchObject({ severity: 'high', location: { member: 'archive/data.pkl' }, evidence: { fields: ['name'], localHeaderOffset: 0 } });
    expect(find(r, 'zip.local-header-mismatch')!.message).toContain('archive/data.txt');
    expect(r.verdict).toBe('suspicious');
  });

  it('reports flag bits model writers never set', async () => {
    const r = await scan('torch-flag-bits.pt');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ rule: 'zip.flag-bits', severity: 'medium', location: { member: 'archive/data.pkl' }, evidence: { bits: [4] } });
    expect(r.verdict).toBe('suspicious');
  });

  it('reports a wrong CRC, and analyses the swapped-in pickle as PyTorch would read it', async () => {
    const r = await scan('torch-crc.pt');
    expect(find(r, 'zip.crc-mismatch')).toMatchObject({ severity: 'high', location: { member: 'archive/data.pkl' } });
    expect(find(r, 'pickle.dangerous-import', 'archive/data.pkl')).toBeDefined();
    expect(members(r).find((m) => m.name === 'archive/data.pkl')?.crc).toBe('mismatch');
  });

  it('reports bytes before the first local header', async () => {
    const r = await scanBytes(fixtureBytes('torch-zip-prefixed.bin'));
    expect(find(r, 'zip.prefix-data')).toMatchObject({ severity: 'high', location: { offset: 0, length: 300 }, evidence: { prefixBytes: 300 } });
  });

  it('is malformed when the first member names a folder without data.pkl, and scans the rest anyway', async () => {
    const r = await scanBuilt(buildZip([{ name: 'a/readme.txt', head: new TextEncoder().encode('hi') }, { name: 'b/data.pkl', head: BENIGN_PICKLE }, { name: 'b/extra.pkl', head: BENIGN_PICKLE }]));
    expect(r.format).toBe('pytorch-zip');
    expect(find(r, 'format.malformed')).toMatchObject({ location: { member: 'a/readme.txt' } });
    expect(members(r).find((m) => m.name === 'b/extra.pkl')?.kind).toBe('pickle');
    expect(r.verdict).toBe('malformed');
  });

  it('lists TorchScript source as such, and analyses data.pkl, constants.pkl and the debug pickles', async () => {
    const r = await scanBytes(fixtureBytes('torchscript.pt'));
    const kinds = Object.fromEntries(members(r).map((m) => [m.name, m.kind]));
    expect(kinds).toMatchObject({ 'torchscript/data.pkl': 'pickle', 'torchscript/constants.pkl': 'pickle', 'torchscript/code/__torch__.py': 'torchscript source', 'torchscript/code/__torch__.py.debug_pkl': 'pickle' });
    expect(r.content.code).toEqual(['torchscript/code/__torch__.py', 'torchscript/code/__torch__/torch/nn/modules/linear.py']);
    expect(r.findings.filter((f) => f.location.member?.endsWith('.py'))).toEqual([]);
    expect(rules(r).filter((id) => id.startsWith('zip.'))).toEqual([]);
  });
});

describe('hostile zips', () => {
  it('reports an encrypted member as unreadable: unchecked, so unsupported', async () => {
    const r = await scan('zip-encrypted.zip');
    expect(find(r, 'zip.flag-bits')).toMatchObject({ location: { member: 'payload.pkl' }, evidence: { bits: [0] } });
    expect(find(r, 'zip.unreadable-member')).toMatchObject({ severity: 'high', location: { member: 'payload.pkl' } });
    expect(r.verdict).toBe('unsupported');
  });

  it('reports members that share bytes, and analyses each', async () => {
    const r = await scan('zip-overlap.zip');
    expect(find(r, 'zip.overlapping-members')).toMatchObject({ location: { member: 'b.pkl' }, evidence: { other: 'a.pkl', start: 0, otherStart: 0 } });
    expect(find(r, 'zip.local-header-mismatch', 'b.pkl')).toBeDefined();
    expect(r.findings.filter((f) => f.rule === 'pickle.dangerous-import').map((f) => f.location.member)).toEqual(['a.pkl', 'b.pkl']);
  });

  it('reports a member that reaches into the central directory', async () => {
    const r = await scan('zip-into-directory.zip');
    expect(find(r, 'zip.overlapping-members')).toMatchObject({ location: { member: 'model.pkl' }, evidence: { other: 'central directory' } });
    expect(find(r, 'zip.crc-mismatch', 'model.pkl')).toBeDefined();
    expect(find(r, 'pickle.trailing-data', 'model.pkl')).toBeDefined(); // the directory's bytes after the pickle's STOP
  });

  it('reports two members of one name and checks both', async () => {
    const r = await scan('zip-duplicate.zip');
    expect(find(r, 'zip.duplicate-name')).toMatchObject({ severity: 'high', location: { member: 'model.pkl' }, evidence: { entries: [0, 1] } });
    expect(r.verdict).toBe('malicious');
  });

  it('scans nested archives, naming members by their path through them', async () => {
    const r = await scan('nested.zip');
    expect(r.findings.filter((f) => f.rule === 'zip.nested-archive').map((f) => f.location.member)).toEqual(['inner.zip', 'more/deep.zip']);
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { member: 'inner.zip!/payload.pkl', offset: 2 } });
    expect(members(r).map((m) => m.name)).toContain('more/deep.zip!/notes/readme.txt');
    expect(r.verdict).toBe('malicious');
  });

  it('reads the end record loaders read (the last), and reports one hidden in the comment of another', async () => {
    // directory A: a benign data.pkl; its end record's comment holds directory B (the payload) and B's end record
    const r = await scan('zip-shadowed-end-record.pt');
    expect(find(r, 'zip.shadowed-end-record')).toMatchObject({ severity: 'high', location: { offset: 386 }, evidence: { eocdOffset: 531, shadowingEnd: 386 } });
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { member: 'archive/data.pkl' } });
    expect(r.verdict).toBe('malicious');
  });

  it('reports a local header no directory entry lists (zip.unlisted-bytes), so a dropped payload is never clean', async () => {
    // the same file cut after directory A's end record: the payload member is listed nowhere now
    const r = await scanBytes(containerBytes('zip-shadowed-end-record.pt').subarray(0, 386 + 22), 'cut.pt');
    expect(find(r, 'zip.unlisted-bytes')).toMatchObject({ severity: 'medium', location: { member: 'archive/version' }, evidence: { offset: 162, length: 101, localHeader: true } });
    expect(rules(r)).not.toContain('pickle.dangerous-import'); // loaders never read it
    expect(r.verdict).toBe('suspicious');
    // torch.save's own layout (data descriptors after stored members) has no such bytes
    expect(rules(await scan('torch-benign.pt'))).not.toContain('zip.unlisted-bytes');
  });

  it(`stops at MAX_ARCHIVE_DEPTH (${MAX_ARCHIVE_DEPTH}) nested archives`, async () => {
    const r = await scan('nested-deep.zip');
    expect(find(r, 'scan.limit-reached')).toMatchObject({ location: { member: 'a.zip!/b.zip!/c.zip!/d.zip' }, evidence: { limit: 'MAX_ARCHIVE_DEPTH', value: MAX_ARCHIVE_DEPTH + 1 } });
    expect(r.verdict).toBe('suspicious');
  });

  it(`stops a member at MAX_INFLATED_BYTES (${MAX_INFLATED_BYTES})`, async () => {
    const r = await scan('zip-bomb-limit.zip');
    expect(find(r, 'scan.limit-reached')).toMatchObject({ location: { member: 'payload.pkl' }, evidence: { limit: 'MAX_INFLATED_BYTES' } });
    expect(r.verdict).toBe('suspicious');
    expect(r.stats.bytesRead).toBeLessThan(64 * 1024);
  });

  it('refuses a member that inflates past its declared size (a lying zip bomb)', async () => {
    const r = await scan('zip-bomb-lying.zip');
    expect(find(r, 'format.malformed')).toMatchObject({ location: { member: 'model.pkl' } });
    expect(find(r, 'format.malformed')!.message).toMatch(/inflates to more than the 69 bytes/);
    expect(r.verdict).toBe('malformed');
  });

  it('reports broken deflate data on its member and goes on to the next', async () => {
    const r = await scan('zip-deflate-broken.zip');
    expect(find(r, 'zip.unreadable-member')).toMatchObject({ location: { member: 'model.pkl' } });
    expect(find(r, 'pickle.dangerous-import', 'payload.pkl')).toBeDefined();
    expect(r.verdict).toBe('malicious');
  });

  it('records a truncated pickle member as malformed and still finds the payload beside it', async () => {
    const r = await scan('zip-truncated-and-payload.zip');
    expect(find(r, 'format.malformed')).toMatchObject({ location: { member: 'broken.pkl', offset: 54 } });
    expect(find(r, 'pickle.dangerous-import', 'payload.pkl')).toBeDefined();
    expect(r.verdict).toBe('malicious');
  });

  it('is malformed when one member is malformed and the rest are clean', async () => {
    const r = await scan('zip-truncated-and-benign.zip');
    expect(rules(r)).toEqual(['format.malformed']);
    expect(members(r).find((m) => m.name === 'model.pkl')).toMatchObject({ kind: 'pickle', crc: 'ok' });
    expect(r.verdict).toBe('malformed');
  });

  it('scans a plain zip that holds a pickle under a name that says nothing', async () => {
    const r = await scan('zip-pickle-member.zip');
    expect(r.format).toBe('zip');
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { member: 'weights/part-0001' } });
    expect(members(r).map((m) => m.kind)).toEqual(['data', 'pickle']);
  });

  it('leaves a zip of nothing it can check unsupported', async () => {
    const r = await scanBytes(fixtureBytes('plain.zip'));
    expect(r.verdict).toBe('unsupported');
    expect(rules(r)).toEqual(['format.not-analysed']);
  });

  it(`lists at most MAX_FINDINGS_PER_RULE (${MAX_FINDINGS_PER_RULE}) findings of one rule per archive, then counts the rest`, async () => {
    const r = await scan('zip-many-flags.zip');
    const flags = r.findings.filter((f) => f.rule === 'zip.flag-bits');
    expect(flags).toHaveLength(MAX_FINDINGS_PER_RULE + 1);
    expect(flags[0]!.location.member).toBe('part-000.txt');
    expect(flags.at(-1)).toMatchObject({ evidence: { limit: 'MAX_FINDINGS_PER_RULE', more: 5 } });
  });

  it(`lists at most MAX_MEMBERS_LISTED (${MAX_MEMBERS_LISTED}) members, and counts them all`, async () => {
    const many = Array.from({ length: MAX_MEMBERS_LISTED + 1 }, (_, i) => ({ name: `m${i}`, head: Uint8Array.of(i & 0x7f) }));
    const r = await scanBuilt(buildZip(many));
    expect(members(r)).toHaveLength(MAX_MEMBERS_LISTED);
    expect(r.content.membersTotal).toBe(MAX_MEMBERS_LISTED + 1);
  });

  it(`checks a stored pickle's CRC up to MAX_CRC_REREAD_BYTES (${MAX_CRC_REREAD_BYTES}) only`, async () => {
    const big = bytesPickle(MAX_CRC_REREAD_BYTES);
    const r = await scanBuilt(buildZip([{ name: 'big.pkl', ...big, crc: 0 }, { name: 'small.pkl', head: BENIGN_PICKLE }]));
    expect(members(r).map((m) => [m.name, m.kind, m.crc])).toEqual([
      ['big.pkl', 'pickle', undefined],
      ['small.pkl', 'pickle', 'ok'],
    ]);
    expect(rules(r)).not.toContain('zip.crc-mismatch');
  });
});

describe('polyglots', () => {
  it('analyses a pickle with a zip appended, and the zip', async () => {
    const r = await scan('pickle-then-zip.pt');
    expect(r.format).toBe('pickle');
    expect(find(r, 'zip.appended-to-pickle')).toMatchObject({ severity: 'high', location: { offset: 55, length: 1063 } });
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { offset: 2 } });
    expect(find(r, 'pickle.dangerous-import')!.location.member).toBeUndefined();
    expect(members(r).find((m) => m.name === 'archive/data.pkl')?.kind).toBe('pickle');
    expect((r.content.pickle as { streams: unknown[] }).streams).toHaveLength(2);
    expect(rules(r)).not.toContain('pickle.trailing-data');
  });

  it('sees the zip Python appends to a pickle file (offsets counted from the start of the file)', async () => {
    const r = await scan('pickle-zip-append-mode.bin');
    expect(find(r, 'zip.appended-to-pickle')).toMatchObject({ location: { offset: 55 } });
    expect(members(r).map((m) => m.name)).toEqual(['readme.txt']);
  });

  it('sees a zip appended to a joblib file, whose raw arrays the opcode walk cannot follow', async () => {
    const r = await scanBytes(concat(fixtureBytes('model.joblib'), containerBytes('zip-pickle-member.zip')));
    expect(r.format).toBe('joblib');
    expect(find(r, 'zip.appended-to-pickle')).toMatchObject({ location: { offset: 250 } });
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { member: 'weights/part-0001' } });
    expect(rules(r)).not.toContain('pickle.trailing-data');
  });

  it('does not take a zip inside a pickle (a bytes payload) for an appended one', async () => {
    const zipBytes = containerBytes('zip-pickle-member.zip');
    const header = Uint8Array.of(0x80, 0x04, 0x42, zipBytes.length & 0xff, zipBytes.length >> 8, 0, 0); // PROTO 4, BINBYTES
    const bytes = new Uint8Array(header.length + zipBytes.length + 1);
    bytes.set(header);
    bytes.set(zipBytes, header.length);
    bytes[bytes.length - 1] = 0x2e; // STOP
    const r = await scanBytes(bytes);
    expect(r.format).toBe('pickle');
    expect(rules(r)).not.toContain('zip.appended-to-pickle');
  });
});

describe('numpy .npz', () => {
  it('reads every .npy member as numpy does and analyses an object array pickle', async () => {
    const r = await scan('object.npz');
    expect(r.verdict).toBe('clean');
    expect(find(r, 'numpy.object-array')).toMatchObject({ severity: 'low', location: { member: 'objects.npy', offset: 128 } });
    expect(r.content.arrays).toMatchObject({ 'objects.npy': { dtype: '|O', pickleOffset: 128 }, 'ids.npy': { dtype: '<i8', shape: [3] } });
  });

  it("finds a payload in a compressed .npz member's object array, at its offset in the member", async () => {
    const r = await scan('object-payload.npz');
    expect(find(r, 'pickle.dangerous-import')).toMatchObject({ location: { member: 'objects.npy', offset: 130 } });
    expect(members(r).find((m) => m.name === 'objects.npy')).toMatchObject({ method: 'deflate', kind: 'npy', crc: 'ok' });
  });

  it('reads a compressed .npz by its headers only', async () => {
    const r = await scanBytes(fixtureBytes('arrays-compressed.npz'));
    expect(r.verdict).toBe('clean');
    expect(r.content.arrays).toMatchObject({ 'weights.npy': { dtype: '<f4', shape: [3, 4] } });
  });
});
