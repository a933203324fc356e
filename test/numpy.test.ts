// The .npy driver on fixture bytes and on hand-made headers that break each rule,
// and the limits of src/engine/formats/numpy/numpy.ts and numpy/numpy-header.ts.
import { describe, expect, it } from 'vitest';
import { concat, fixtureBytes, scanBytes } from './helpers.js';

/** A .npy v1 file with the given header text (padded like numpy) and data length. */
function npy(header: string, dataBytes: number, version = 1): Uint8Array {
  const lengthBytes = version === 1 ? 2 : 4;
  const unpadded = 8 + lengthBytes + header.length + 1;
  const padded = header + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const n = padded.length;
  const len = version === 1 ? [n & 0xff, n >> 8] : [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
  return concat([0x93], 'NUMPY', [version, 0], len, padded, new Uint8Array(dataBytes));
}

describe('numpy .npy', () => {
  it('reads a float32 array written by numpy and calls it clean', async () => {
    const r = await scanBytes(fixtureBytes('array.npy'));
    expect(r.verdict).toBe('clean');
    expect(r.content).toMatchObject({ dtype: '<f4', shape: [3, 4], fortranOrder: false, elements: 12, dataBytes: 48, dataOffset: 128 });
  });

  it('notes an object array (low) and analyses its pickle, whose findings decide the verdict', async () => {
    const r = await scanBytes(fixtureBytes('array-object.npy'));
    expect(r.findings[0]).toMatchObject({ rule: 'numpy.object-array', severity: 'low', location: { offset: 128 } });
    expect(r.content.pickle).toMatchObject({ streams: [{ offset: 128, pickles: 1 }] });
    expect(r.verdict).toBe('clean'); // numpy's own reconstruction helpers, a dict and a list
  });

  it('analyses an object field inside a structured dtype: its data must be a pickle', async () => {
    const r = await scanBytes(npy("{'descr': [('a', '<i4'), ('b', '|O')], 'fortran_order': False, 'shape': (2,), }", 24));
    expect(r.findings.map((f) => f.rule)).toEqual(['numpy.object-array', 'format.malformed']);
    expect(r.findings[1]!.location.offset).toBeGreaterThanOrEqual(64);
    expect(r.verdict).toBe('malformed');
  });

  it('sizes structured dtypes with sub-array fields and titles', async () => {
    const r = await scanBytes(npy("{'descr': [(('T', 'a'), '<f8', (2, 3)), ('b', [('x', '|u1'), ('y', '<U2')])], 'fortran_order': True, 'shape': (5,), }", 5 * (48 + 9)));
    expect(r.verdict).toBe('clean');
    expect(r.content.dataBytes).toBe(5 * (48 + 9));
  });

  it('reads version 2 and 3 headers', async () => {
    expect((await scanBytes(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", 32, 2))).verdict).toBe('clean');
    expect((await scanBytes(npy("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", 24, 3))).verdict).toBe('clean');
  });

  it('is malformed when the data is shorter than the shape says', async () => {
    const r = await scanBytes(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (10, 10), }", 100));
    expect(r.verdict).toBe('malformed');
    expect(r.findings[0]?.message).toMatch(/promises 400/);
  });

  it('flags bytes hidden after the array data', async () => {
    const r = await scanBytes(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8 + 1000));
    expect(r.verdict).toBe('suspicious');
    expect(r.findings[0]).toMatchObject({ rule: 'numpy.trailing-data', location: { length: 1000 } });
  });

  it.each([
    ["{'descr': '<f4', 'shape': (2,), }", /keys/],
    ["{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", /fortran_order/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", /shape/],
    ["{'descr': '<zz', 'fortran_order': False, 'shape': (2,), }", /unknown dtype/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'descr': '<f4'}", /duplicate key/],
    ["{'descr': __import__('os'), 'fortran_order': False, 'shape': (2,)}", /npy header/],
    ["[1, 2, 3]", /not a dict/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999999), }", /larger than any real file/],
  ])('is malformed for header %s', async (header, message) => {
    const r = await scanBytes(npy(header, 8));
    expect(r.verdict).toBe('malformed');
    expect(r.findings[0]?.message).toMatch(message);
  });

  it('MAX_LITERAL_DEPTH (values 32 levels below the dict): a header at it is read; one level more is a limit, not malformed', async () => {
    // the bound exactly: 32 nested lists under a key parse (the header is then refused for its extra key), 33 do not
    const lists = (n: number) => `{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': ${'['.repeat(n)}${']'.repeat(n)}}`;
    const at = await scanBytes(npy(lists(32), 8));
    expect(at.findings[0]?.message).toMatch(/header keys are \{descr,fortran_order,shape,x\}/);
    const over = await scanBytes(npy(lists(33), 8));
    expect(over.findings).toHaveLength(1);
    expect(over.findings[0]).toMatchObject({ rule: 'scan.limit-reached', evidence: { limit: 'MAX_LITERAL_DEPTH', value: 33 } });
    expect(over.findings[0]?.message).toMatch(/npy header nests deeper than 32 levels \(MAX_LITERAL_DEPTH\)/);
    expect(over.verdict).toBe('suspicious');
    // a structured dtype nested n deep, exactly as np.save writes it (each field adds a list and a tuple):
    // 15 is read to the end; 16 passes the bound. numpy 2.4 loads both (and 17; checked when this was
    // written: Python's parser nests to 200), so the file is not malformed, only not fully read.
    const nested = (n: number) => `{'descr': ${"[('f', ".repeat(n)}'<f4'${')]'.repeat(n)}, 'fortran_order': False, 'shape': (2,), }`;
    expect((await scanBytes(npy(nested(15), 8))).verdict).toBe('clean');
    expect((await scanBytes(npy(nested(16), 8))).findings[0]).toMatchObject({ rule: 'scan.limit-reached', evidence: { limit: 'MAX_LITERAL_DEPTH' } });
    // and brackets far past it: the same limit, never a crash
    const deep = await scanBytes(npy(`{'descr': ${'['.repeat(5000)}${']'.repeat(5000)}, 'fortran_order': False, 'shape': (1,)}`, 8));
    expect(deep.findings[0]).toMatchObject({ rule: 'scan.limit-reached', evidence: { limit: 'MAX_LITERAL_DEPTH' } });
  });

  it('stops at the header size limit', async () => {
    const bytes = concat([0x93], 'NUMPY', [2, 0], [0, 0, 0x20, 0], new Uint8Array(64)); // claims a 2 MiB header
    const r = await scanBytes(bytes);
    expect(r.verdict).toBe('suspicious');
    expect(r.findings[0]).toMatchObject({ rule: 'scan.limit-reached', evidence: { limit: 'MAX_NPY_HEADER_BYTES' } });
  });

  it('stops at the structured field limit', async () => {
    const fields = Array.from({ length: 10_001 }, (_, i) => `('f${i}', '|u1')`).join(', ');
    const r = await scanBytes(npy(`{'descr': [${fields}], 'fortran_order': False, 'shape': (1,), }`, 10_001, 2));
    expect(r.findings[0]).toMatchObject({ rule: 'scan.limit-reached', evidence: { limit: 'MAX_DTYPE_FIELDS' } });
  });

  it('is malformed when the header runs past the end of the file', async () => {
    const r = await scanBytes(fixtureBytes('array.npy').subarray(0, 60));
    expect(r.verdict).toBe('malformed');
  });
});
