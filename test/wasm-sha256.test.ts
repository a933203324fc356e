import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { wasm } from './helpers.js';

const nodeSha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('wasm SHA-256', () => {
  it('matches the FIPS 180-4 test vectors', async () => {
    const w = await wasm();
    const hashOf = (text: string) => {
      const h = w.sha256();
      h.update(new TextEncoder().encode(text));
      return h.digestHex();
    };
    expect(hashOf('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashOf('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashOf('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto at every padding boundary', async () => {
    const w = await wasm();
    for (const length of [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) {
      const bytes = randomBytes(length);
      const h = w.sha256();
      h.update(bytes);
      expect(h.digestHex(), `length ${length}`).toBe(nodeSha256(bytes));
    }
  });

  it('gives the same digest however the input is split, including chunks over the input window', async () => {
    const w = await wasm();
    const bytes = randomBytes(w.inputCapacity * 2 + 12345);
    const expected = nodeSha256(bytes);
    for (const step of [1, 63, 64, 100_003, w.inputCapacity, w.inputCapacity + 1]) {
      const h = w.sha256();
      const cut = Math.min(step * 37, bytes.length); // a few small pieces, then the rest in one update
      for (let at = 0; at < cut; at += step) h.update(bytes.subarray(at, Math.min(at + step, cut)));
      h.update(bytes.subarray(cut));
      expect(h.digestHex(), `step ${step}`).toBe(expected);
    }
  });

  it('starts afresh for each new hash', async () => {
    const w = await wasm();
    const first = w.sha256();
    first.update(new Uint8Array([1, 2, 3]));
    first.digestHex();
    const second = w.sha256();
    expect(second.digestHex()).toBe(nodeSha256(new Uint8Array(0)));
  });
});
