// big-torch.pt: a PyTorch zip checkpoint laid out as torch.save writes it,
// holding the state dict of a GPT-2-like model (24 layers, hidden 1536; F32
// attention and embeddings, F16 MLP; about 2.1 GB):
//   archive/data.pkl               protocol-2 pickle of an OrderedDict of tensors
//   archive/byteorder              "little"
//   archive/data/<key>             one raw storage per key, in sorted (string) key order
//   archive/version                "3\n"
//   archive/.data/serialization_id 40 decimal digits
// Two things a loader must get right are in it on purpose: q/k/v weights of each
// layer are views into one fused storage (storage_offset 0, h*h, 2*h*h), and
// lm_head.weight is the same tensor as the token embedding (a memo BINGET).
import { TorchZipWriter } from './zip-torch.mjs';
import { CountingWriter, forEachPatternChunk, weightPattern } from './writer.mjs';

export const name = 'big-torch.pt';
export const description = 'PyTorch zip checkpoint (torch.save layout), GPT-2-like state dict, ~2.1 GB, 344 members';

const CONFIGS = {
  full: { layers: 24, hidden: 1536, ff: 6144, vocab: 50257, positions: 1024 },
  small: { layers: 2, hidden: 32, ff: 64, vocab: 100, positions: 16 },
};
const ARCHIVE = 'archive';
const STORAGE = { F32: { cls: 'FloatStorage', size: 4 }, F16: { cls: 'HalfStorage', size: 2 } };

/** The state dict: entries of [name, tensor]; tensors sharing a `storage` object share it in the file. */
function stateDict(c) {
  const h = c.hidden;
  const entries = [];
  const storage = (dtype, numel) => ({ dtype, numel });
  const tensor = (st, shape, offset = 0) => ({ storage: st, shape, offset });
  const plain = (dtype, shape) => tensor(storage(dtype, shape.reduce((a, b) => a * b, 1)), shape);
  const wte = plain('F32', [c.vocab, h]);
  entries.push(['transformer.wte.weight', wte]);
  entries.push(['transformer.wpe.weight', plain('F32', [c.positions, h])]);
  for (let i = 0; i < c.layers; i++) {
    const p = `transformer.h.${i}`;
    entries.push([`${p}.ln_1.weight`, plain('F32', [h])]);
    entries.push([`${p}.ln_1.bias`, plain('F32', [h])]);
    const qkv = storage('F32', 3 * h * h); // one fused storage, three views
    entries.push([`${p}.attn.q_proj.weight`, tensor(qkv, [h, h], 0)]);
    entries.push([`${p}.attn.q_proj.bias`, plain('F32', [h])]);
    entries.push([`${p}.attn.k_proj.weight`, tensor(qkv, [h, h], h * h)]);
    entries.push([`${p}.attn.k_proj.bias`, plain('F32', [h])]);
    entries.push([`${p}.attn.v_proj.weight`, tensor(qkv, [h, h], 2 * h * h)]);
    entries.push([`${p}.attn.v_proj.bias`, plain('F32', [h])]);
    entries.push([`${p}.attn.out_proj.weight`, plain('F32', [h, h])]);
    entries.push([`${p}.attn.out_proj.bias`, plain('F32', [h])]);
    entries.push([`${p}.ln_2.weight`, plain('F32', [h])]);
    entries.push([`${p}.ln_2.bias`, plain('F32', [h])]);
    entries.push([`${p}.mlp.fc_in.weight`, plain('F16', [c.ff, h])]);
    entries.push([`${p}.mlp.fc_in.bias`, plain('F16', [c.ff])]);
    entries.push([`${p}.mlp.fc_out.weight`, plain('F16', [h, c.ff])]);
    entries.push([`${p}.mlp.fc_out.bias`, plain('F16', [h])]);
  }
  entries.push(['transformer.ln_f.weight', plain('F32', [h])]);
  entries.push(['transformer.ln_f.bias', plain('F32', [h])]);
  entries.push(['lm_head.weight', wte]); // tied: the very same tensor object
  return entries;
}

// ---- protocol 2 pickler, reproducing what pickle.Pickler(protocol=2) emits for this object ----

class Pickler2 {
  constructor() {
    this.parts = [];
    this.memo = new Map(); // identity key -> memo index
    this.opcodes = 0;
  }
  raw(...bytes) {
    this.parts.push(Buffer.from(bytes));
  }
  op(code, payload) {
    this.opcodes++;
    this.parts.push(Buffer.from([code]));
    if (payload) this.parts.push(payload);
  }
  put(key) {
    const idx = this.memo.size;
    this.memo.set(key, idx);
    if (idx < 256) this.op(0x71, Buffer.from([idx])); // BINPUT
    else {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32LE(idx);
      this.op(0x72, b); // LONG_BINPUT
    }
  }
  /** Writes a memo GET and returns true when `key` was seen before. */
  get(key) {
    const idx = this.memo.get(key);
    if (idx === undefined) return false;
    if (idx < 256) this.op(0x68, Buffer.from([idx])); // BINGET
    else {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32LE(idx);
      this.op(0x6a, b); // LONG_BINGET
    }
    return true;
  }
  global(module, qualname) {
    const key = `global:${module}.${qualname}`;
    if (this.get(key)) return;
    this.op(0x63, Buffer.from(`${module}\n${qualname}\n`, 'utf8')); // GLOBAL
    this.put(key);
  }
  /** A str; `key` given = a shared (identical) object, memo-hit on later uses. */
  str(s, key) {
    if (key !== undefined && this.get(key)) return;
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32LE(b.length);
    this.op(0x58, Buffer.concat([len, b])); // BINUNICODE
    this.put(key ?? Symbol(s));
  }
  int(v) {
    if (v >= 0 && v <= 0xff) this.op(0x4b, Buffer.from([v])); // BININT1
    else if (v >= 0 && v <= 0xffff) {
      const b = Buffer.allocUnsafe(2);
      b.writeUInt16LE(v);
      this.op(0x4d, b); // BININT2
    } else if (v >= -(2 ** 31) && v < 2 ** 31) {
      const b = Buffer.allocUnsafe(4);
      b.writeInt32LE(v);
      this.op(0x4a, b); // BININT
    } else {
      // LONG1: little-endian two's complement, minimal length
      let n = BigInt(v);
      const bytes = [];
      while (true) {
        bytes.push(Number(n & 0xffn));
        n >>= 8n;
        if ((n === 0n && (bytes[bytes.length - 1] & 0x80) === 0) || (n === -1n && (bytes[bytes.length - 1] & 0x80) !== 0)) break;
      }
      this.op(0x8a, Buffer.from([bytes.length, ...bytes]));
    }
  }
  /** A new tuple of ints. */
  intTuple(values) {
    if (values.length === 0) return this.op(0x29); // EMPTY_TUPLE (never memoized)
    if (values.length > 3) this.op(0x28); // MARK
    for (const v of values) this.int(v);
    this.op(values.length > 3 ? 0x74 : [0, 0x85, 0x86, 0x87][values.length]); // TUPLE / TUPLE1..3
    this.put(Symbol('tuple'));
  }
  bytes() {
    return Buffer.concat(this.parts);
  }
}

function picklePlan(entries) {
  const p = new Pickler2();
  const keys = new Map(); // storage object -> key string
  const storages = [];
  const tensorMemo = new Map(); // tensor object -> memo key
  p.raw(0x80, 2); // PROTO 2
  p.opcodes++;
  p.global('collections', 'OrderedDict');
  p.op(0x29); // EMPTY_TUPLE
  p.op(0x52); // REDUCE
  p.put(Symbol('state_dict'));
  for (let start = 0; start < entries.length; start += 1000) {
    const batch = entries.slice(start, start + 1000);
    if (batch.length > 1) p.op(0x28); // MARK
    for (const [tname, t] of batch) {
      p.str(tname);
      if (tensorMemo.has(t)) {
        p.get(tensorMemo.get(t));
        continue;
      }
      p.global('torch._utils', '_rebuild_tensor_v2');
      p.op(0x28); // MARK: args of _rebuild_tensor_v2
      // persistent id ('storage', <storage class>, key, 'cpu', numel)
      p.op(0x28);
      p.str('storage', 'str:storage');
      p.global('torch', STORAGE[t.storage.dtype].cls);
      let key = keys.get(t.storage);
      if (key === undefined) {
        key = String(keys.size);
        keys.set(t.storage, key);
        storages.push({ key, ...t.storage });
      }
      p.str(key, `key:${key}`); // torch keeps one key string per storage: a memo hit for shared storages
      p.str('cpu', 'str:cpu');
      p.int(t.storage.numel);
      p.op(0x74); // TUPLE
      p.put(Symbol('pid'));
      p.op(0x51); // BINPERSID
      p.int(t.offset);
      p.intTuple(t.shape);
      const stride = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
      p.intTuple(stride);
      p.op(0x89); // NEWFALSE: requires_grad
      p.global('collections', 'OrderedDict'); // backward_hooks = OrderedDict()
      p.op(0x29);
      p.op(0x52);
      p.put(Symbol('hooks'));
      p.op(0x74); // TUPLE (the 6 args)
      p.put(Symbol('args'));
      p.op(0x52); // REDUCE
      const tkey = Symbol('tensor');
      tensorMemo.set(t, tkey);
      p.put(tkey);
    }
    p.op(batch.length > 1 ? 0x75 : 0x73); // SETITEMS / SETITEM
  }
  p.op(0x2e); // STOP
  return { pickle: p.bytes(), opcodes: p.opcodes, storages, tensors: entries.length };
}

/**
 * Everything that goes into the zip, in torch.save's order, for a state dict
 * given as [name, tensor] entries (tensor: { storage: { dtype, numel }, shape, offset }).
 */
export function checkpointMembers(entries) {
  const plan = picklePlan(entries);
  const list = [];
  const bytesMember = (mname, buf) => ({ name: `${ARCHIVE}/${mname}`, size: buf.length, fill: (emit) => emit(buf) });
  list.push(bytesMember('data.pkl', plan.pickle));
  list.push(bytesMember('byteorder', Buffer.from('little')));
  const sorted = [...plan.storages].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const s of sorted) {
    const size = s.numel * STORAGE[s.dtype].size;
    const pattern = weightPattern(s.dtype);
    list.push({ name: `${ARCHIVE}/data/${s.key}`, size, fill: (emit) => forEachPatternChunk(pattern, size, emit) });
  }
  list.push(bytesMember('version', Buffer.from('3\n')));
  // torch >= 2.1 writes a serialization id: 20 digits of a name hash, 20 of a CRC combination.
  list.push(bytesMember('.data/serialization_id', Buffer.from('1402904471392461315000004117420573212004')));
  return { plan, list };
}

export function expectedSize(scale = 'full') {
  return checkpointSize(stateDict(CONFIGS[scale]));
}

/** Bytes of the checkpoint of `entries`, worked out without writing it. */
export function checkpointSize(entries) {
  const z = new TorchZipWriter(new CountingWriter());
  for (const m of checkpointMembers(entries).list) z.add(m.name, m.size, null);
  return z.finish().size;
}

/** @param {import('./writer.mjs').FileWriter} w */
export function generate(w, scale = 'full') {
  return writeCheckpoint(w, stateDict(CONFIGS[scale]));
}

/** Writes the checkpoint of `entries`; returns what the generator log prints. */
export function writeCheckpoint(w, entries) {
  const { plan, list } = checkpointMembers(entries);
  const z = new TorchZipWriter(w);
  for (const m of list) z.add(m.name, m.size, m.fill);
  const end = z.finish();
  const dataPkl = z.entries[0];
  return {
    members: end.entries,
    storages: plan.storages.length,
    tensors: plan.tensors,
    dataPkl: `${dataPkl.size} bytes at ${dataPkl.dataOffset}, ${plan.opcodes} opcodes`,
    centralDirectory: `offset ${end.cdOffset}, ${end.cdSize} bytes`,
    zip64EndRecord: end.zip64Eocd,
    endRecord: end.eocdOffset,
  };
}
