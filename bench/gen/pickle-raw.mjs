// big-raw.pkl: a raw protocol-4 pickle of a list of millions of small dicts,
//   [{"id": i, "name": f"item-{i}", "score": float, "tags": (TAG_A[i % 5], TAG_B[i % 3])}, ...]
// written opcode by opcode exactly as CPython's C pickler (pickle.dumps(obj,
// protocol=4)) writes it: FRAME opcodes of about 64 KiB, MEMOIZE after every
// container and every new string, BINGET for repeated (interned) strings,
// APPENDS in batches of 1000, SETITEMS per dict. verify-generators.sh checks the
// small instance byte for byte against CPython.

export const name = 'big-raw.pkl';
export const description = 'raw pickle, protocol 4, a list of 6.4 million small dicts (about 300 MB)';

// small: enough objects for 13 frames, so framing is checked too
const CONFIGS = { full: { count: 6_400_000 }, small: { count: 20_000 } };
export const TAG_A = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
export const TAG_B = ['red', 'green', 'blue'];
/** The score of object i (written as a BINFLOAT double). */
export const score = (i) => ((i * 7919) % 100003) / 1000;

const FRAME_SIZE_TARGET = 64 * 1024;
export const BATCHSIZE = 1000;

export const OP = {
  PROTO: 0x80, FRAME: 0x95, STOP: 0x2e, MARK: 0x28, EMPTY_LIST: 0x5d, EMPTY_DICT: 0x7d,
  MEMOIZE: 0x94, BINGET: 0x68, LONG_BINGET: 0x6a, SHORT_BINUNICODE: 0x8c, BININT: 0x4a,
  BININT1: 0x4b, BININT2: 0x4d, BINFLOAT: 0x47, TUPLE2: 0x86, SETITEMS: 0x75, SETITEM: 0x73,
  APPENDS: 0x65, APPEND: 0x61,
};

/** A protocol-4 opcode emitter with CPython's framing and memo numbering. */
export class Pickler4 {
  constructor(w) {
    this.w = w;
    this.frame = Buffer.allocUnsafe(FRAME_SIZE_TARGET * 4);
    this.n = 0; // bytes in the current frame
    this.memoNext = 0;
    this.frames = 0;
    this.largestFrame = 0;
    this.smallestFrame = Infinity;
    this.opcodes = 0;
    this.head = Buffer.allocUnsafe(9);
  }
  /** CPython ends a frame at an object boundary once it holds >= 64 KiB. */
  boundary() {
    if (this.n >= FRAME_SIZE_TARGET) this.commit();
  }
  commit() {
    if (this.n === 0) return;
    this.head[0] = OP.FRAME;
    this.head.writeBigUInt64LE(BigInt(this.n), 1);
    this.w.write(this.head);
    this.w.write(this.frame.subarray(0, this.n));
    this.frames++;
    this.opcodes++;
    if (this.n > this.largestFrame) this.largestFrame = this.n;
    if (this.n < this.smallestFrame) this.smallestFrame = this.n;
    this.n = 0;
  }
  op(code) {
    this.frame[this.n++] = code;
    this.opcodes++;
  }
  memoize() {
    this.op(OP.MEMOIZE);
    return this.memoNext++;
  }
  get(idx) {
    if (idx < 256) {
      this.op(OP.BINGET);
      this.frame[this.n++] = idx;
    } else {
      this.op(OP.LONG_BINGET);
      this.frame.writeUInt32LE(idx, this.n);
      this.n += 4;
    }
  }
  /** A new str object (< 256 UTF-8 bytes): SHORT_BINUNICODE + MEMOIZE. Returns its memo index. */
  str(s) {
    this.op(OP.SHORT_BINUNICODE);
    const len = this.frame.write(s, this.n + 1, 'utf8');
    this.frame[this.n] = len;
    this.n += 1 + len;
    return this.memoize();
  }
  int(v) {
    if (v >= 0 && v <= 0xff) {
      this.op(OP.BININT1);
      this.frame[this.n++] = v;
    } else if (v >= 0 && v <= 0xffff) {
      this.op(OP.BININT2);
      this.frame.writeUInt16LE(v, this.n);
      this.n += 2;
    } else if (v >= -0x80000000 && v <= 0x7fffffff) {
      this.op(OP.BININT);
      this.frame.writeInt32LE(v, this.n);
      this.n += 4;
    } else {
      throw new Error('int out of BININT range');
    }
  }
  float(v) {
    this.op(OP.BINFLOAT);
    this.frame.writeDoubleBE(v, this.n);
    this.n += 8;
  }
}

/** @param {{write(b: Uint8Array): void}} w */
function emit(w, count) {
  const p = new Pickler4(w);
  w.write(Buffer.from([OP.PROTO, 4])); // PROTO sits before the first frame
  p.opcodes++;
  const interned = new Map(); // str -> memo index, for strings shared by identity
  const shared = (s) => {
    p.boundary();
    const idx = interned.get(s);
    if (idx === undefined) interned.set(s, p.str(s));
    else p.get(idx);
  };

  p.boundary(); // save(list)
  p.op(OP.EMPTY_LIST);
  p.memoize();
  for (let start = 0; start < count; start += BATCHSIZE) {
    const end = Math.min(count, start + BATCHSIZE);
    if (end - start > 1) p.op(OP.MARK);
    for (let i = start; i < end; i++) {
      p.boundary(); // save(dict)
      p.op(OP.EMPTY_DICT);
      p.memoize();
      p.op(OP.MARK);
      shared('id');
      p.boundary();
      p.int(i);
      shared('name');
      p.boundary();
      p.str(`item-${i}`);
      shared('score');
      p.boundary();
      p.float(score(i));
      shared('tags');
      p.boundary(); // save(tuple)
      shared(TAG_A[i % TAG_A.length]);
      shared(TAG_B[i % TAG_B.length]);
      p.op(OP.TUPLE2);
      p.memoize();
      p.op(OP.SETITEMS);
    }
    p.op(end - start > 1 ? OP.APPENDS : OP.APPEND);
  }
  p.op(OP.STOP);
  p.commit();
  return p;
}

export function expectedSize(scale = 'full') {
  let size = 0;
  emit({ write: (b) => (size += b.length) }, CONFIGS[scale].count);
  return size;
}

/** @param {import('./writer.mjs').FileWriter} w */
export function generate(w, scale = 'full') {
  const count = CONFIGS[scale].count;
  const p = emit(w, count);
  return {
    objects: count,
    opcodes: p.opcodes,
    frames: p.frames,
    frameBytes: `${p.smallestFrame}..${p.largestFrame}`,
    memoEntries: p.memoNext,
  };
}
