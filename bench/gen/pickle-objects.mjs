// big-objects.pkl: a raw protocol-4 pickle of millions of class instances,
//   [Point(x=i, y=float, label=f"p{i}"), ...]  with Point = weightlens_bench.Point
// written as CPython's C pickler writes a plain class instance at protocol 4
// (copyreg.__reduce_ex__ → NEWOBJ, then BUILD with the instance __dict__):
// STACK_GLOBAL once (memoized), then per object BINGET cls, EMPTY_TUPLE,
// NEWOBJ, MEMOIZE, EMPTY_DICT, MEMOIZE, MARK … SETITEMS, BUILD. Every object is
// a call, so this measures the call path where big-raw.pkl measures containers.
// The class is not on any safe list: the verdict is `suspicious` (unknown import).
import { BATCHSIZE, OP, Pickler4 } from './pickle-raw.mjs';

export const name = 'big-objects.pkl';
export const description = 'raw pickle, protocol 4, a list of 6.4 million class instances (about 300 MB)';

const CONFIGS = { full: { count: 6_400_000 }, small: { count: 20_000 } };

function emit(w, count) {
  const p = new Pickler4(w);
  w.write(Buffer.from([OP.PROTO, 4]));
  p.opcodes++;
  const interned = new Map();
  const shared = (s) => {
    p.boundary();
    const idx = interned.get(s);
    if (idx === undefined) interned.set(s, p.str(s));
    else p.get(idx);
  };
  p.boundary();
  p.op(OP.EMPTY_LIST);
  p.memoize();
  let cls;
  for (let start = 0; start < count; start += BATCHSIZE) {
    const end = Math.min(count, start + BATCHSIZE);
    if (end - start > 1) p.op(OP.MARK);
    for (let i = start; i < end; i++) {
      p.boundary();
      if (cls === undefined) {
        shared('weightlens_bench');
        shared('Point');
        p.op(0x93); // STACK_GLOBAL
        cls = p.memoize();
      } else {
        p.get(cls);
      }
      p.op(0x29); // EMPTY_TUPLE
      p.op(0x81); // NEWOBJ
      p.memoize();
      p.op(OP.EMPTY_DICT);
      p.memoize();
      p.op(OP.MARK);
      shared('x');
      p.boundary();
      p.int(i);
      shared('y');
      p.boundary();
      p.float(i / 7);
      shared('label');
      p.boundary();
      p.str(`p${i}`);
      p.op(OP.SETITEMS);
      p.op(0x62); // BUILD
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
  return { objects: count, opcodes: p.opcodes, frames: p.frames, memoEntries: p.memoNext };
}
