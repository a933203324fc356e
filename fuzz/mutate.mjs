// Deterministic mutations: input i of a run is a pure function of (seed, i, corpus),
// so any failing input can be rebuilt from its index alone, and saved as a fixture.

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed) {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) >>> 0;
  };
}

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x2e, 0x28, 0x0a, 0x95, 0x50, 0x4b];
const BIG = [0xffffffffn, 0x7fffffffn, 0x100000000n, 0xffffffffffffffffn, 0x7fffffffffffffffn, 0x1000000000n];
/** Largest input a mutation may build: keeps one input's cost bounded. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

export const STRATEGIES = ['bitflip', 'interesting', 'truncate', 'inflate-length', 'splice', 'repeat', 'delete', 'insert'];

/** Mutates a copy of `bytes`; `other` is a second corpus file for splices. */
export function mutate(bytes, other, rnd) {
  const strategy = STRATEGIES[rnd(STRATEGIES.length)];
  let b = bytes.slice();
  const len = b.length;
  const at = () => (len ? rnd(len) : 0);
  switch (strategy) {
    case 'bitflip':
      for (let k = 1 + rnd(8); k > 0 && len; k--) b[at()] ^= 1 << rnd(8);
      break;
    case 'interesting':
      for (let k = 1 + rnd(4); k > 0 && len; k--) b[at()] = INTERESTING[rnd(INTERESTING.length)];
      break;
    case 'truncate':
      b = b.slice(0, at());
      break;
    case 'inflate-length': {
      // a length field made huge: u16, u32 or u64 little-endian (big-endian too: numpy, BINFLOAT)
      if (len < 9) break;
      const o = rnd(len - 8);
      const v = BIG[rnd(BIG.length)];
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const w = rnd(4);
      if (w === 0) view.setUint16(o, Number(v & 0xffffn), true);
      else if (w === 1) view.setUint32(o, Number(v & 0xffffffffn), true);
      else if (w === 2) view.setBigUint64(o, v, true);
      else view.setUint32(o, Number(v & 0xffffffffn), false);
      break;
    }
    case 'splice': {
      const cut = at();
      const from = other.length ? rnd(other.length) : 0;
      b = concat(b.subarray(0, cut), other.subarray(from));
      break;
    }
    case 'repeat': {
      const s = at();
      const l = 1 + rnd(64);
      const region = b.subarray(s, s + l);
      const times = 1 + rnd(rnd(2) ? 8 : 4096);
      const parts = [b.subarray(0, s)];
      for (let r = 0; r < times; r++) parts.push(region);
      parts.push(b.subarray(s));
      b = concat(...parts);
      break;
    }
    case 'delete': {
      const s = at();
      b = concat(b.subarray(0, s), b.subarray(s + 1 + rnd(32)));
      break;
    }
    case 'insert': {
      const s = at();
      const extra = new Uint8Array(1 + rnd(16)).map(() => rnd(256));
      b = concat(b.subarray(0, s), extra, b.subarray(s));
      break;
    }
  }
  if (b.length > MAX_INPUT_BYTES) b = b.slice(0, MAX_INPUT_BYTES);
  return { bytes: b, strategy };
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Input `index` of a run: which seed file, and the mutated bytes (1–3 stacked mutations). */
export function inputAt(corpus, seed, index) {
  const rnd = prng((seed * 0x9e3779b1) ^ (index * 0x85ebca6b));
  const base = corpus[rnd(corpus.length)];
  const other = corpus[rnd(corpus.length)];
  let bytes = base.bytes;
  const strategies = [];
  for (let k = 1 + rnd(3); k > 0; k--) {
    const m = mutate(bytes, other.bytes, rnd);
    bytes = m.bytes;
    strategies.push(m.strategy);
  }
  return { seedFile: base, bytes, strategies };
}
