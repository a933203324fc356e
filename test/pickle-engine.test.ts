// The pickle engine on real bytes: hand-assembled streams (test/pickle-asm.ts)
// and files the real libraries wrote (test/fixtures/make_engine_fixtures.py).
// The limits here are those of assembly/pickle/machine.ts, assembly/pickle/values.ts and
// assembly/pickle/memo.ts (MAX_MEMO_CHUNKS is the "MAX_MEMO" chunk budget below).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../src/engine/report.js';
import { fixtureBytes, joinBytes, scanBytes } from './helpers.js';
import { MAX_JOBLIB_LAYOUT_NODES, MAX_RESYNC_BYTES, MAX_TENSORS_LISTED } from '../src/engine/pickle/analyse-stream.js';
import { callPickle, P, pickle, repeat } from './pickle-asm.js';

const engineFixture = (name: string) => new Uint8Array(readFileSync(new URL(`fixtures/engine/${name}`, import.meta.url)));
const rules = (r: Report) => r.findings.map((f) => f.rule);
const find = (r: Report, rule: string): Finding => {
  const f = r.findings.find((x) => x.rule === rule);
  if (!f) throw new Error(`no ${rule} in ${JSON.stringify(r.findings)}`);
  return f;
};
interface Stream { pickles: number; opcodes: number; imports: { module: string; name: string; tier: string; calls: number }[]; events: { kind: string; python: string; offset: number }[]; returns?: string[]; tensors?: { name: string; dtype: string; shape: number[]; stride: number[]; storage: string; bytes: number }[] }
const stream = (r: Report, i = 0) => (r.content.pickle as { streams: Stream[] }).streams[i]!;

describe('pickle engine: what loading would do', () => {
  it('reads the plain pickles of every protocol as clean, with their one import and value', async () => {
    for (const p of [0, 1, 2, 3, 4, 5]) {
      const r = await scanBytes(fixtureBytes(`pickle-p${p}.pkl`));
      expect(r.verdict, `protocol ${p}`).toBe('clean');
      expect(stream(r).imports.map((i) => `${i.module}.${i.name}`)).toEqual(['collections.OrderedDict']);
      expect(stream(r).returns![0]).toContain("'text': 'weightlens fixture'");
      expect(stream(r).returns![0]).toContain("'nested': (1, ('two', (3.0, None)))");
    }
  });

  it('renders a GLOBAL + REDUCE call as the Python it runs, at the GLOBAL offset', async () => {
    const r = await scanBytes(callPickle('os', 'system', 'echo hi'));
    expect(r.verdict).toBe('malicious');
    const f = find(r, 'pickle.dangerous-import');
    expect(f.severity).toBe('critical');
    expect(f.location.offset).toBe(2);
    expect(f.evidence.global).toBe('os.system');
    expect(f.evidence.call).toBe("os.system('echo hi')");
    expect(stream(r).events.map((e) => e.python)).toEqual(['from os import system', "os.system('echo hi')"]);
  });

  it('follows STACK_GLOBAL operands fetched from the memo', async () => {
    const bytes = pickle(P.proto(4), P.str('posix'), P.MEMOIZE, P.str('system'), P.MEMOIZE, P.POP, P.POP, P.binget(0), P.binget(1), P.STACK_GLOBAL, P.str('echo hi'), P.TUPLE1, P.REDUCE, P.STOP);
    const r = await scanBytes(bytes);
    expect(find(r, 'pickle.dangerous-import').evidence.call).toBe("posix.system('echo hi')");
    expect(rules(r)).not.toContain('pickle.dynamic-import');
  });

  it('calls an import whose name is computed by a call a dynamic import', async () => {
    // module = str.join('', ['o', 's']) : not a constant string
    const bytes = pickle(P.proto(4), P.global('mylib', 'joiner'), P.str('o'), P.str('s'), P.TUPLE2, P.REDUCE, P.str('system'), P.STACK_GLOBAL, P.str('echo hi'), P.TUPLE1, P.REDUCE, P.STOP);
    const r = await scanBytes(bytes);
    expect(r.verdict).toBe('malicious');
    const f = find(r, 'pickle.dynamic-import');
    expect(f.severity).toBe('critical');
    expect(f.evidence.import).toBe("find_class(mylib.joiner('o', 's'), 'system')");
    expect(stream(r).events.at(-1)!.python).toBe("find_class(mylib.joiner('o', 's'), 'system')('echo hi')");
  });

  it('sees INST and OBJ calls that need no REDUCE', async () => {
    const inst = await scanBytes(pickle(P.MARK, P.string('echo hi'), P.inst('os', 'system'), P.STOP));
    expect(inst.verdict).toBe('malicious');
    expect(find(inst, 'pickle.dangerous-import').evidence.call).toBe("os.system('echo hi')");
    const obj = await scanBytes(pickle(P.MARK, P.global('os', 'system'), P.string('echo hi'), P.OBJ, P.STOP));
    expect(find(obj, 'pickle.dangerous-import').evidence.call).toBe("os.system('echo hi')");
  });

  it('renders a getattr chain the way it would run', async () => {
    const bytes = pickle(P.proto(2), P.global('builtins', 'getattr'), P.global('builtins', '__import__'), P.str('os'), P.TUPLE1, P.REDUCE, P.str('system'), P.TUPLE2, P.REDUCE, P.str('echo hi'), P.TUPLE1, P.REDUCE, P.STOP);
    const r = await scanBytes(bytes);
    expect(r.verdict).toBe('malicious');
    expect(stream(r).events.at(-1)!.python).toBe("builtins.getattr(builtins.__import__('os'), 'system')('echo hi')");
  });

  it('analyses a second pickle after STOP and reports it', async () => {
    const benign = pickle(P.proto(2), P.NONE, P.STOP);
    const r = await scanBytes(pickle(benign, callPickle('os', 'system', 'echo hi')));
    expect(r.verdict).toBe('malicious');
    expect(rules(r)).toEqual(expect.arrayContaining(['pickle.extra-pickle', 'pickle.dangerous-import']));
    expect(find(r, 'pickle.extra-pickle').location.offset).toBe(benign.length);
    expect(stream(r).pickles).toBe(2);
  });

  it('finds a pickle hidden after junk, and reports junk with no pickle as trailing data', async () => {
    const junk = new Uint8Array(100).fill(0xaa);
    const hidden = await scanBytes(pickle(P.proto(2), P.NONE, P.STOP, junk, callPickle('os', 'system', 'echo hi')));
    expect(hidden.verdict).toBe('malicious');
    expect(find(hidden, 'pickle.trailing-data').location.length).toBe(100);
    const trailing = await scanBytes(pickle(P.proto(2), P.NONE, P.STOP, junk));
    expect(trailing.verdict).toBe('suspicious');
    expect(find(trailing, 'pickle.trailing-data').location).toMatchObject({ offset: 4, length: 100 });
  });

  it('reports an opcode that crosses its FRAME', async () => {
    const body = pickle(P.str('abc'), P.STOP);
    const r = await scanBytes(pickle(P.proto(4), P.frame(2), body));
    expect(find(r, 'pickle.frame-straddle').location.offset).toBe(11);
  });

  it('flags EXT codes, writes into imports and persistent ids outside torch', async () => {
    const ext = await scanBytes(pickle(P.proto(2), P.ext1(7), P.EMPTY_TUPLE, P.REDUCE, P.STOP));
    expect(find(ext, 'pickle.ext-code').evidence.code).toBe(7);
    expect(ext.verdict).toBe('suspicious');
    const write = await scanBytes(pickle(P.proto(2), P.global('os', 'path'), P.EMPTY_DICT, P.str('sep'), P.str('x'), P.SETITEM, P.BUILD, P.STOP));
    expect(find(write, 'pickle.global-mutation').severity).toBe('critical');
    const persid = await scanBytes(pickle(P.persid('anything'), P.STOP));
    expect(find(persid, 'pickle.persistent-id').severity).toBe('low');
  });

  it('never calls an import off the safe list clean', async () => {
    const r = await scanBytes(callPickle('mypackage.models', 'Thing', 'x'));
    expect(r.verdict).toBe('suspicious');
    expect(find(r, 'pickle.unknown-import').evidence.global).toBe('mypackage.models.Thing');
  });
});

describe('pickle engine: real checkpoints and joblib files', () => {
  it('rebuilds the tensor table of a torch state dict from its pickle', async () => {
    const r = await scanBytes(engineFixture('torch-state-dict.pkl'));
    expect(stream(r).tensors!.map(({ name, dtype, shape, storage, bytes }) => ({ name, dtype, shape, storage, bytes }))).toEqual([
      { name: 'layer.weight', dtype: 'float32', shape: [4, 3], storage: '0', bytes: 48 },
      { name: 'layer.bias', dtype: 'float16', shape: [4], storage: '1', bytes: 8 },
      { name: 'embed.weight', dtype: 'bfloat16', shape: [10, 2], storage: '2', bytes: 40 },
      { name: 'steps', dtype: 'int64', shape: [], storage: '3', bytes: 8 },
    ]);
    expect(rules(r)).not.toContain('pickle.persistent-id');
  });

  it('names the tensors of a whole nn.Module by their module path', async () => {
    const r = await scanBytes(engineFixture('torch-module.pkl'));
    expect(stream(r).tensors!.map((t) => t.name)).toEqual(['0.weight', '0.bias']);
  });

  it('steps over joblib array bytes and reads an object array as a nested pickle', async () => {
    const r = await scanBytes(engineFixture('arrays.joblib'));
    expect(r.format).toBe('joblib');
    expect(rules(r)).not.toContain('format.malformed');
    expect(stream(r).pickles).toBe(1);
    // the object array's own pickle (protocol 2, numpy's reconstruction) was read too
    expect(stream(r).imports.map((i) => `${i.module}.${i.name}`)).toContain('numpy.core.multiarray._reconstruct');
  });
});

describe('pickle engine: bad input', () => {
  const malformedAt = (r: Report) => {
    expect(r.verdict).toBe('malformed');
    return find(r, 'format.malformed');
  };

  it('keeps the imports seen before a truncation', async () => {
    const full = callPickle('os', 'system', 'echo hi');
    const r = await scanBytes(full.subarray(0, full.length - 3));
    expect(rules(r)).toContain('pickle.dangerous-import');
    expect(r.verdict).toBe('malicious');
    expect(malformedAt({ ...r, verdict: 'malformed' }).message).toMatch(/truncated/);
  });

  it('names the offset and opcode of each kind of damage', async () => {
    // a few sound opcodes first, so the bytes are recognised as a pickle at all
    const lead = pickle(P.proto(2), P.NONE, P.POP, P.NONE, P.POP);
    const cases: [Uint8Array, number, RegExp][] = [
      [pickle(lead, P.NONE, [0xff], P.STOP), 7, /0xff .* not a pickle opcode/],
      [pickle(lead, P.REDUCE, P.STOP), 6, /REDUCE .*stack underflow/],
      [pickle(lead, P.binget(5), P.STOP), 6, /BINGET .* never stored/],
      [pickle(lead, P.MARK, P.STOP), 7, /STOP .*stack underflow/],
      [pickle(lead, P.binbytes(1000), 'abc'), 6, /BINBYTES .* past the end/],
      [pickle(lead, P.binunicode8Header(2 ** 40), 'abc'), 6, /BINUNICODE8 .* past the end/],
      [pickle(lead, P.MARK, P.NONE, P.NONE, P.NONE, P.DICT, P.STOP), 10, /DICT .* odd number/],
    ];
    for (const [bytes, offset, message] of cases) {
      const f = malformedAt(await scanBytes(bytes));
      expect(f.location.offset, message.source).toBe(offset);
      expect(f.location.opcodeIndex, message.source).toBeGreaterThan(0);
      expect(f.message).toMatch(message);
    }
  });

  it('follows 100,000-deep nesting without trouble, and reports it unterminated', async () => {
    const depth = 100_000;
    const deep = pickle(P.proto(2), new Uint8Array(depth).fill(0x28), P.NONE, new Uint8Array(depth).fill(0x6c), P.STOP);
    expect((await scanBytes(deep)).verdict).toBe('clean');
    const open = pickle(P.proto(2), new Uint8Array(depth).fill(0x28), P.NONE);
    expect(malformedAt(await scanBytes(open)).message).toMatch(/truncated/);
  });
});

describe('pickle engine: limits', () => {
  const limit = (r: Report) => find(r, 'scan.limit-reached');

  it('stops at MAX_MARKS with a finding, never clean', async () => {
    const r = await scanBytes(pickle(P.proto(2), new Uint8Array((1 << 20) + 1).fill(0x28), P.NONE, P.STOP));
    expect(limit(r).evidence.limit).toBe('MAX_MARKS');
    expect(r.verdict).toBe('suspicious');
  });

  it('stops at MAX_STACK', async () => {
    const r = await scanBytes(pickle(P.proto(2), new Uint8Array((1 << 22) + 1).fill(0x4e), P.STOP));
    expect(limit(r).evidence.limit).toBe('MAX_STACK');
  });

  it('stops at MAX_LINE', async () => {
    const r = await scanBytes(pickle(P.proto(2), P.NONE, P.POP, P.NONE, P.POP, P.global('os', 'x'.repeat(70_000)), P.STOP));
    expect(limit(r).evidence.limit).toBe('MAX_LINE');
  });

  it('stops at the sparse memo limit', async () => {
    const puts = new Uint8Array(5 * 65537);
    for (let i = 0; i <= 65536; i++) puts.set(P.longBinput(0x8000_0000 + i), 5 * i);
    const r = await scanBytes(pickle(P.proto(2), P.NONE, puts, P.STOP));
    expect(limit(r).evidence.limit).toBe('MAX_MEMO');
  });
});

describe('pickle engine: STACK_GLOBAL operands that are not strings', () => {
  it('calls constants of another type malformed (CPython refuses them), not a dynamic import', async () => {
    const bytes = pickle(P.proto(4), P.NONE, P.POP, P.NONE, P.POP, [0x43, 2], 'os', P.str('system'), P.STACK_GLOBAL, P.STOP);
    const r = await scanBytes(bytes);
    expect(r.verdict).toBe('malformed');
    expect(rules(r)).not.toContain('pickle.dynamic-import');
    expect(find(r, 'format.malformed').message).toMatch(/STACK_GLOBAL .* two strings/);
  });
});

describe('PyTorch checkpoints: tensors against their storages', () => {
  // {'w': _rebuild_tensor_v2(persistent_load(('storage', FloatStorage, '0', 'cpu', 9)), 0, (3, 3), (3, 1), False, OrderedDict())}
  const checkpointPickle = pickle(
    P.proto(2), P.EMPTY_DICT, P.str('w'), P.global('torch._utils', '_rebuild_tensor_v2'),
    P.MARK, P.MARK, P.str('storage'), P.global('torch', 'FloatStorage'), P.str('0'), P.str('cpu'), P.int(9), P.TUPLE, P.BINPERSID,
    P.int(0), P.int(3), P.int(3), P.TUPLE2, P.int(3), P.int(1), P.TUPLE2, P.FALSE, P.global('collections', 'OrderedDict'), P.EMPTY_TUPLE, P.REDUCE, P.TUPLE,
    P.REDUCE, P.SETITEM, P.STOP,
  );
  const scanZip = async (members: { name: string; head: Uint8Array }[]) => {
    const { buildZip } = await import('./zip-builder.js');
    const { scanSource } = await import('../src/engine/scan.js');
    const { wasm } = await import('./helpers.js');
    return scanSource(buildZip(members), { wasm: await wasm() });
  };

  it('lists the tensors at the top of the report when each fits its storage', async () => {
    const r = await scanZip([{ name: 'ckpt/data.pkl', head: checkpointPickle }, { name: 'ckpt/data/0', head: new Uint8Array(36) }, { name: 'ckpt/version', head: new TextEncoder().encode('3\n') }]);
    expect(r.verdict).toBe('clean');
    expect(r.content.tensors).toEqual([{ name: 'w', dtype: 'float32', shape: [3, 3], parameters: 9, bytes: 36, storage: '0', storageOffset: 0, stride: [3, 1] }]);
    expect(r.content.parameters).toBe(9);
  });

  /**
   * OrderedDict of `n` tensors as torch.save writes it (memoised globals, one rebuild call each):
   * tensor i is `layers.i.weight`, shape (2, 1 + i % 7), stride (1 + i % 7, 1), storage `i`.
   */
  const stateDict = (n: number): Uint8Array => {
    // items in batches of 1,000 (MARK … SETITEMS), as CPython's pickler writes them
    const parts: Uint8Array[] = [pickle(P.global('collections', 'OrderedDict'), P.binput(0), P.EMPTY_TUPLE, P.REDUCE)];
    for (let i = 0; i < n; i++) {
      const k = 1 + (i % 7);
      if (i % 1000 === 0) parts.push(pickle(i > 0 ? P.SETITEMS : [], P.MARK));
      parts.push(pickle(
        P.str(`layers.${i}.weight`),
        i === 0 ? pickle(P.global('torch._utils', '_rebuild_tensor_v2'), P.binput(1)) : P.binget(1),
        P.MARK, P.MARK, P.str('storage'), i === 0 ? pickle(P.global('torch', 'FloatStorage'), P.binput(2)) : P.binget(2),
        P.str(String(i)), P.str('cpu'), P.int(2 * k), P.TUPLE, P.BINPERSID,
        P.int(0), P.int(2), P.int(k), P.TUPLE2, P.int(k), P.int(1), P.TUPLE2, P.FALSE, P.binget(0), P.EMPTY_TUPLE, P.REDUCE, P.TUPLE, P.REDUCE,
      ));
    }
    parts.push(pickle(P.SETITEMS));
    return joinBytes(parts);
  };
  /** The arguments of one rebuild call (storage '0', shape (2, 2)), for tests that share them across many calls through the memo. */
  const rebuildArgs = pickle(P.MARK, P.MARK, P.str('storage'), P.global('torch', 'FloatStorage'), P.str('0'), P.str('cpu'), P.int(4), P.TUPLE, P.BINPERSID, P.int(0), P.int(2), P.int(2), P.TUPLE2, P.int(2), P.int(1), P.TUPLE2, P.FALSE, P.TUPLE);
  const expectTable = (tensors: { name: string; shape: number[]; stride: number[]; storage: string }[], n: number, prefix = '') => {
    expect(tensors.length).toBe(n);
    tensors.forEach((t, i) => {
      const k = 1 + (i % 7);
      expect({ name: t.name, shape: t.shape, stride: t.stride, storage: t.storage }).toEqual({ name: `${prefix}layers.${i}.weight`, shape: [2, k], stride: [k, 1], storage: String(i) });
    });
  };

  it('walks a state dict bigger than one node request (10,000 tensors) a request at a time, every tensor right', async () => {
    const n = 10_000; // about 340,000 nodes: the walk asks for 262,144 at a time, cutting tensors at the seams
    const flat = await scanBytes(pickle(P.proto(2), stateDict(n), P.STOP));
    expect(flat.findings.map((f) => f.rule)).toEqual([]);
    expectTable(stream(flat).tensors!, n);
    // one level down, beside other keys: {'model': OrderedDict(...), 'step': 7}
    const nested = await scanBytes(pickle(P.proto(2), P.EMPTY_DICT, P.MARK, P.str('model'), stateDict(n), P.str('step'), P.int(7), P.SETITEMS, P.STOP));
    expectTable(stream(nested).tensors!, n, 'model.');
  });

  it('MAX_EXACT_TUPLE (64, assembly/pickle/values.ts): tuples up to it are kept in one exact block, longer ones in blocks; every item is there either way', async () => {
    // a tuple of n tensors: each rebuild call shares one memoised argument tuple
    const tuple = (n: number) => pickle(P.proto(2), P.global('torch._utils', '_rebuild_tensor_v2'), P.binput(1), P.POP, rebuildArgs, P.binput(2), P.POP, P.MARK, repeat(n, P.binget(1), P.binget(2), P.REDUCE), P.TUPLE, P.STOP);
    for (const n of [64, 65]) {
      const r = await scanBytes(tuple(n));
      expect(stream(r).tensors!.map((t) => t.name)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
      expect(r.findings.map((f) => f.rule)).toEqual([]);
    }
  });

  it('lists every tensor the keep budget kept, across requests, when it ran out inside the state dict', async () => {
    // empty dicts (40 bytes kept each) leave about 5.2 MiB of the 48 MiB budget: room for some 9,000 of 10,000 tensors
    const spend = (48 - 5.2) * 2 ** 20 / 40;
    const r = await scanBytes(pickle(P.proto(2), repeat(Math.floor(spend), P.EMPTY_DICT, P.POP), stateDict(10_000), P.STOP));
    const tensors = stream(r).tensors!;
    expect(tensors.length).toBeGreaterThan(8_500); // more than one request's worth (~8,000)
    expect(tensors.length).toBeLessThan(10_000);
    expectTable(tensors, tensors.length);
    // the ids counted are those made after the budget ran out; the tensors before them whose dict slots found no room are missing too
    const missing = Number(find(r, 'pickle.render-budget').evidence.count);
    expect(missing).toBeGreaterThan(0);
    expect(missing).toBeLessThanOrEqual(10_000 - tensors.length);
    expect(r.verdict).toBe('clean');
  });

  it('says the tensor table may be incomplete when a tensor nests deeper than the walk goes (64 levels)', async () => {
    const nest = (levels: number) => pickle(P.proto(2), stateDict(1), ...Array.from({ length: levels }, () => P.TUPLE1), P.STOP);
    const shallow = await scanBytes(nest(50));
    expect(stream(shallow).tensors!.map((t) => t.name)).toEqual([`${'0.'.repeat(50)}layers.0.weight`]);
    expect(shallow.findings.map((f) => f.rule)).toEqual([]);
    const deep = await scanBytes(nest(70));
    expect(stream(deep).tensors ?? []).toEqual([]);
    expect(find(deep, 'pickle.render-budget').message).toMatch(/may be incomplete.*deeper than 64 levels/);
    expect(deep.verdict).toBe('clean');
  });

  it(`MAX_TENSORS_LISTED (${MAX_TENSORS_LISTED}): the table stops at the limit and says so`, async () => {
    // 100,001 rebuild calls sharing one memoised argument tuple, in a list
    const calls = repeat(MAX_TENSORS_LISTED + 1, P.binget(1), P.binget(2), P.REDUCE);
    const r = await scanBytes(pickle(P.proto(2), P.EMPTY_LIST, P.global('torch._utils', '_rebuild_tensor_v2'), P.binput(1), P.POP, rebuildArgs, P.binput(2), P.POP, P.MARK, calls, P.APPENDS, P.STOP));
    const tensors = stream(r).tensors!;
    expect(tensors.length).toBe(MAX_TENSORS_LISTED);
    expect(tensors.at(-1)).toMatchObject({ name: String(MAX_TENSORS_LISTED - 1), shape: [2, 2], storage: '0' });
    expect(find(r, 'pickle.render-budget').evidence).toMatchObject({ limit: 'MAX_TENSORS_LISTED', tensors: MAX_TENSORS_LISTED });
    expect(r.verdict).toBe('clean');
  });

  it('reads a zip of 10,000 small storages a run of members at a time, not one read each', async () => {
    const { buildZip } = await import('./zip-builder.js');
    const { scanSource } = await import('../src/engine/scan.js');
    const { wasm } = await import('./helpers.js');
    const n = 10_000;
    const members = [{ name: 'ckpt/data.pkl', head: pickle(P.proto(2), stateDict(n), P.STOP) }];
    for (let i = 0; i < n; i++) members.push({ name: `ckpt/data/${i}`, head: new Uint8Array(8 * (1 + (i % 7))).fill(i % 251) });
    const zip = buildZip(members);
    let reads = 0;
    const read = zip.read.bind(zip);
    zip.read = (offset, length) => {
      reads++;
      return read(offset, length);
    };
    const r = await scanSource(zip, { wasm: await wasm() });
    expect(r.verdict).toBe('clean');
    expectTable(r.content.tensors as { name: string; shape: number[]; stride: number[]; storage: string }[], n);
    expect(r.findings.map((f) => f.rule)).toEqual([]);
    // every member's CRC was checked (a wrong one is a finding; see zip tests), from about 700 reads, not 10,000+
    expect(reads).toBeLessThan(1500);
  });

  it('reports a tensor past the end of its storage, and a storage that is not there', async () => {
    const short = await scanZip([{ name: 'ckpt/data.pkl', head: checkpointPickle }, { name: 'ckpt/data/0', head: new Uint8Array(16) }]);
    expect(short.findings.map((f) => f.rule)).toContain('pytorch.tensor-past-storage');
    const missing = await scanZip([{ name: 'ckpt/data.pkl', head: checkpointPickle }]);
    expect(missing.findings.map((f) => f.rule)).toContain('pytorch.missing-storage');
  });
});

describe('pickle engine: the remaining named limits', () => {

  it('MAX_PICKLES: more than 1,000 pickles in one stream stops with a limit finding', async () => {
    const r = await scanBytes(pickle(P.proto(2), P.NONE, P.STOP, repeat(1001, P.proto(2), P.NONE, P.STOP)));
    expect(find(r, 'scan.limit-reached').evidence.limit).toBe('MAX_PICKLES');
    expect(stream(r).pickles).toBe(1000);
  });

  it('MAX_LISTED_EVENTS: the decompiled view lists the first 1,000 events and counts the rest', async () => {
    const r = await scanBytes(pickle(P.proto(2), P.EMPTY_LIST, P.MARK, repeat(1500, P.global('collections', 'OrderedDict'), P.EMPTY_TUPLE, P.REDUCE), P.APPENDS, P.STOP));
    const s = stream(r) as Stream & { eventsTotal: number };
    expect(s.events.length).toBe(1000);
    expect(s.eventsTotal).toBe(3000);
    expect(r.verdict).toBe('clean');
  });

  it('past the listed events, calls of an import already judged are counted in the machine (no event each), exactly', async () => {
    // OrderedDict (safe) memoised once and called 5,000 times; then an unknown class 3,000 times; then os.system once
    const bytes = pickle(
      P.proto(2), P.EMPTY_LIST, P.global('collections', 'OrderedDict'), P.binput(0), P.POP, P.MARK,
      repeat(5000, P.binget(0), P.EMPTY_TUPLE, P.REDUCE),
      P.global('mylib', 'Point'), P.binput(1), P.POP,
      repeat(3000, P.binget(1), P.EMPTY_TUPLE, P.REDUCE),
      P.global('os', 'system'), P.str('echo hi'), P.TUPLE1, P.REDUCE,
      P.APPENDS, P.STOP,
    );
    const r = await scanBytes(bytes);
    const s = stream(r) as Stream & { eventsTotal: number; calls: number };
    expect(s.calls).toBe(8001);
    expect(s.eventsTotal).toBe(3 + 8001);
    expect(Object.fromEntries(s.imports.map((i) => [i.name, i.calls]))).toEqual({ OrderedDict: 5000, Point: 3000, system: 1 });
    expect(find(r, 'pickle.unknown-import').evidence).toMatchObject({ global: 'mylib.Point', calls: 3000, call: 'mylib.Point()' });
    expect(find(r, 'pickle.dangerous-import').evidence).toMatchObject({ calls: 1, call: "os.system('echo hi')" });
    expect(r.verdict).toBe('malicious');
  });

  it('MAX_FINDINGS_PER_RULE: 20 findings of a rule, then one that counts the rest', async () => {
    const r = await scanBytes(pickle(P.proto(2), repeat(25, P.ext1(3), P.POP), P.NONE, P.STOP));
    const ext = r.findings.filter((f) => f.rule === 'pickle.ext-code');
    expect(ext.length).toBe(21);
    expect(ext[20]!.evidence.count).toBe(25);
  });

  it('MAX_KEPT_BYTES: past the keep budget values render as … but every call is still judged', async () => {
    // 1,800,000 empty dicts (40 bytes of record each: 72 MB) spend the 48 MiB budget
    const r = await scanBytes(pickle(P.proto(2), repeat(1_800_000, P.EMPTY_DICT, P.POP), callPickle('os', 'system', 'echo hi').subarray(2)));
    expect(r.verdict).toBe('malicious');
    const f = find(r, 'pickle.dangerous-import');
    expect(f.evidence.calls).toBe(1);
    expect(String(f.evidence.call)).toBe('os.system(…)');
  });

  it('MAX_KEPT_BYTES: a storage id past the keep budget is not called foreign; the table says it is incomplete', async () => {
    const storageId = pickle(P.MARK, P.str('storage'), P.global('torch', 'FloatStorage'), P.str('0'), P.str('cpu'), P.int(4), P.TUPLE, P.BINPERSID, P.POP);
    const r = await scanBytes(pickle(P.proto(2), repeat(1_800_000, P.EMPTY_DICT, P.POP), storageId, P.NONE, P.STOP));
    expect(r.findings.map((f) => f.rule)).not.toContain('pickle.persistent-id');
    expect(find(r, 'pickle.render-budget').evidence.count).toBe(1);
    expect(r.verdict).toBe('clean');
    // before the budget is spent the same id is a torch storage, and nothing is said
    const small = await scanBytes(pickle(P.proto(2), storageId, P.NONE, P.STOP));
    expect(small.findings.map((f) => f.rule)).toEqual([]);
  });

  it('MAX_VALIDATED_TEXT (65,536 bytes): text up to it is checked as CPython decodes it; longer text is not checked (loading would fail on it; nothing runs), so this limit is silent', async () => {
    const text = (n: number) => pickle(P.proto(2), P.binunicodeHeader(n), new Uint8Array(n).fill(0xff), P.STOP);
    expect((await scanBytes(text(65_536))).verdict).toBe('malformed');
    expect((await scanBytes(text(65_537))).verdict).toBe('clean');
  });

  it('MAX_RECORDS: past 1,048,576 imports and calls the walk stops with a limit finding, and the import before it is still judged', async () => {
    // os.system, then 1,048,576 persistent ids (NONE BINPERSID POP: 3 bytes a record)
    const ids = new Uint8Array(3 * (1 << 20));
    for (let i = 0; i < 1 << 20; i++) ids.set([0x4e, 0x51, 0x30], 3 * i);
    const r = await scanBytes(pickle(P.proto(2), P.global('os', 'system'), P.POP, ids, P.NONE, P.STOP));
    expect(find(r, 'scan.limit-reached').evidence.limit).toBe('MAX_RECORDS');
    expect(find(r, 'pickle.dangerous-import').evidence.global).toBe('os.system');
    expect(r.verdict).toBe('malicious');
    // the same count of safe calls: never clean, never malicious
    const safe = await scanBytes(pickle(P.proto(2), P.global('collections', 'OrderedDict'), P.POP, ids, P.NONE, P.STOP));
    expect(find(safe, 'scan.limit-reached').evidence.limit).toBe('MAX_RECORDS');
    expect(safe.verdict).toBe('suspicious');
  });

  it('MAX_MEMO (the chunk budget): keys scattered one chunk apart stop at 2,048 chunks, not at 192 MiB per file', async () => {
    // LONG_BINPUT of keys 0, 16384, 32768 …: each key forces a new 96 KiB chunk
    const puts = new Uint8Array(5 * 2049);
    for (let i = 0; i <= 2048; i++) puts.set(P.longBinput(i * 16384), 5 * i);
    const r = await scanBytes(pickle(P.proto(2), P.NONE, puts, P.STOP));
    expect(find(r, 'scan.limit-reached').evidence.limit).toBe('MAX_MEMO');
    expect(r.verdict).toBe('suspicious');
    // the chunks are given back: the next file's memo has its whole budget
    const after = await scanBytes(pickle(P.proto(2), P.NONE, puts.subarray(0, 5 * 2048), P.STOP));
    expect(after.verdict).toBe('clean');
  });

  // A NumpyArrayWrapper of dtype object is followed by a whole nested pickle (joblib's read_array),
  // which joblib reads with the plain pickle.load: no array bytes follow a wrapper inside it.
  const wrapper = (descr: string, shape?: number) => pickle(
    P.global('joblib.numpy_pickle', 'NumpyArrayWrapper'), P.EMPTY_TUPLE, P.NEWOBJ,
    P.EMPTY_DICT, P.str('dtype'), P.global('numpy', 'dtype'), P.str(descr), P.FALSE, P.TRUE, P.TUPLE3, P.REDUCE, P.SETITEM,
    ...(shape === undefined ? [] : [P.str('shape'), P.int(shape), P.TUPLE1, P.SETITEM]), P.BUILD,
  );

  it('reads a wrapper inside an object array\'s pickle as pickle.load does: the bytes after it are opcodes, not array data', async () => {
    const call = pickle(P.global('os', 'system'), P.str('echo hi'), P.TUPLE1, P.REDUCE, P.POP);
    const pad = [[], [0x4b, 0, 0x30], [0x4e, 0x30], [0x4b, 0, 0x30, 0x4e, 0x30]][call.length % 4]!; // BININT1 POP, NONE POP
    const payload = pickle(call, pad);
    const nested = pickle(P.proto(2), wrapper('<f4', payload.length / 4), payload, P.NONE, P.STOP); // the payload is exactly the 'array'
    expect(payload.length % 4).toBe(0);
    const r = await scanBytes(pickle(P.proto(2), wrapper('O8'), nested, P.STOP), 'hidden.joblib');
    expect(r.format).toBe('joblib');
    expect(find(r, 'pickle.dangerous-import').evidence.call).toBe("os.system('echo hi')");
    expect(r.verdict).toBe('malicious');
  });

  it(`MAX_JOBLIB_LAYOUT_NODES (${MAX_JOBLIB_LAYOUT_NODES}): a wrapper BUILT over and over (each BUILD is read again) stops with a limit finding`, async () => {
    // an object-array wrapper whose state (memo 1) also holds a 300-item list; each BUILD of it is followed by a nested pickle
    const state = pickle(P.EMPTY_DICT, P.str('dtype'), P.global('numpy', 'dtype'), P.str('O8'), P.FALSE, P.TRUE, P.TUPLE3, P.REDUCE, P.SETITEM,
      P.str('pad'), P.EMPTY_LIST, P.MARK, new Uint8Array(600).fill(0x4b).map((b, i) => (i % 2 ? 1 : b)), P.APPENDS, P.SETITEM, P.binput(1));
    const again = pickle(P.binget(1), P.BUILD, P.proto(2), P.NONE, P.STOP);
    const builds = 15_000; // about 80 nodes each (64 items of the list are read)
    const storm = new Uint8Array(again.length * builds);
    for (let i = 0; i < builds; i++) storm.set(again, i * again.length);
    const r = await scanBytes(pickle(P.proto(2), P.global('joblib.numpy_pickle', 'NumpyArrayWrapper'), P.EMPTY_TUPLE, P.NEWOBJ, state, P.BUILD, P.proto(2), P.NONE, P.STOP, storm, P.STOP), 'storm.joblib');
    expect(r.format).toBe('joblib');
    expect(find(r, 'scan.limit-reached').evidence.limit).toBe('MAX_JOBLIB_LAYOUT_NODES');
    expect(r.verdict).toBe('suspicious');
    // a few hundred BUILDs of the same wrapper are followed to the end
    const few = await scanBytes(pickle(P.proto(2), P.global('joblib.numpy_pickle', 'NumpyArrayWrapper'), P.EMPTY_TUPLE, P.NEWOBJ, state, P.BUILD, P.proto(2), P.NONE, P.STOP, storm.subarray(0, again.length * 300), P.STOP), 'few.joblib');
    expect(few.verdict).toBe('clean');
  });

  it('follows a chain of calls of call results f()()()… as loading would (each result is the next callee)', async () => {
    const chain = new Uint8Array(2 * 50_000);
    for (let i = 0; i < 50_000; i++) chain.set([0x29, 0x52], 2 * i); // EMPTY_TUPLE REDUCE
    const r = await scanBytes(pickle(P.proto(2), P.global('collections', 'OrderedDict'), chain, P.STOP));
    expect(r.verdict).toBe('clean');
    const evil = await scanBytes(pickle(P.proto(2), P.global('os', 'system'), P.str('echo hi'), P.TUPLE1, P.REDUCE, chain, P.STOP));
    expect(find(evil, 'pickle.dangerous-import').evidence.calls).toBe(1);
    expect(evil.verdict).toBe('malicious');
  });

  it('MAX_NESTING: the machine holds 8 nested pickles and refuses a ninth with its limit', async () => {
    // Only a top-level joblib array nests a pickle (see above), so files reach depth 1; the
    // limit bounds the machine's per-pickle context arrays, so it is tested on the machine itself.
    const { wasm } = await import('./helpers.js');
    const machine = (await wasm()).pickleMachine(0, 1000, true);
    for (let i = 1; i <= 8; i++) expect(machine.nest(), `nest ${i}`).toBe(true);
    expect(machine.nest()).toBe(false);
    expect(machine.state().limit).toBe(6); // L_NESTING, reported as MAX_NESTING
    machine.end();
  });

  it(`MAX_RESYNC_BYTES (${MAX_RESYNC_BYTES}): junk after a STOP is searched that far for another pickle, and is never clean`, async () => {
    const evil = callPickle('os', 'system', 'echo hi');
    const near = await scanBytes(pickle(P.proto(2), P.NONE, P.STOP, new Uint8Array(1000).fill(0x20), evil));
    expect(rules(near)).toEqual(expect.arrayContaining(['pickle.trailing-data', 'pickle.extra-pickle', 'pickle.dangerous-import']));
    expect(near.verdict).toBe('malicious');
    // past the search window: pickle.load never reaches it either, but the bytes are reported, and the file is not clean
    const far = await scanBytes(pickle(P.proto(2), P.NONE, P.STOP, new Uint8Array(MAX_RESYNC_BYTES + 10).fill(0x20), evil));
    const trailing = find(far, 'pickle.trailing-data');
    expect(trailing.message).toContain(`the first ${MAX_RESYNC_BYTES} were searched`);
    expect(far.verdict).toBe('suspicious');
  });

  it('MAX_TEXT_BYTES, MAX_LONG_BYTES, MAX_RENDER_CHARS: long strings, integers and renderings are cut for the report, the call still judged', async () => {
    const { MAX_TEXT_BYTES } = await import('../src/engine/pickle/scalars.js');
    const { MAX_RENDER_CHARS } = await import('../src/engine/pickle/render.js');
    const long4 = (n: number) => { const b = new Uint8Array(5 + n).fill(1); new DataView(b.buffer).setUint32(1, n, true); b[0] = 0x8b; return b; };
    const text = 'x'.repeat(MAX_TEXT_BYTES + 100);
    const r = await scanBytes(pickle(P.proto(2), P.global('os', 'system'), P.str(text), long4(1024), long4(1025), P.TUPLE3, P.REDUCE, P.STOP));
    expect(r.verdict).toBe('malicious');
    const call = String(find(r, 'pickle.dangerous-import').evidence.call);
    expect(call.startsWith(`os.system('${'x'.repeat(100)}`)).toBe(true);
    const listed = stream(r).events.find((e) => e.kind === 'call')!.python;
    expect(listed.length).toBeLessThanOrEqual(MAX_RENDER_CHARS + 1);
    expect(listed.endsWith('…')).toBe(true);
    // an integer of 1,024 bytes is decoded digit by digit (2,467 digits, so the rendering is cut); one of 1,025 is not
    const callOf = async (arg: Uint8Array) => stream(await scanBytes(pickle(P.proto(2), P.global('os', 'system'), arg, P.TUPLE1, P.REDUCE, P.STOP))).events.find((e) => e.kind === 'call')!.python;
    expect(await callOf(long4(1024))).toMatch(/^os\.system\(\d{1900,}…$/);
    expect(await callOf(long4(1025))).toBe('os.system(…)');
  });

  it('MAX_STREAM_BYTES: a stream past 2 TiB is refused before any read', async () => {
    const { analysePickleStream } = await import('../src/engine/pickle/analyse-stream.js');
    const { FindingList } = await import('../src/engine/formats/driver.js');
    const { LimitError } = await import('../src/engine/errors.js');
    const huge = { name: 'huge', size: 2 ** 41 + 1, bytesRead: 0, read: async () => { throw new Error('must not read'); } };
    const ctx = { source: huge, wasm: await (await import('./helpers.js')).wasm(), findings: new FindingList(), content: {} } as never;
    await expect(analysePickleStream(ctx, { source: huge })).rejects.toBeInstanceOf(LimitError);
  });
});

describe('pickle engine: text CPython cannot decode', () => {
  const lead = pickle(P.proto(4), P.NONE, P.POP);
  it('calls a str argument that is not UTF-8 malformed, at its opcode', async () => {
    for (const bad of [[0xff], [0xc0, 0x80], [0xe0, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x61, 0xe2, 0x82]]) {
      const r = await scanBytes(pickle(lead, [0x8c, bad.length], bad, P.STOP));
      expect(r.verdict, bad.join(',')).toBe('malformed');
      expect(find(r, 'format.malformed').message).toMatch(/SHORT_BINUNICODE at offset 4 holds text that is not UTF-8/);
    }
  });

  it('checks a str that crosses the end of the 1 MiB input window too (the machine reads on from its opcode)', async () => {
    // PROTO, (NONE, POP) up to 4 bytes before the window end, then a 10-byte str whose 0xff lies past it
    const at = (1 << 20) - 4;
    const filler = repeat((at - 2) / 2, P.NONE, P.POP);
    const text = (last: number) => pickle(P.proto(4), filler, [0x8c, 10], [0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, last], P.STOP);
    const bad = await scanBytes(text(0xff));
    expect(bad.verdict).toBe('malformed');
    expect(find(bad, 'format.malformed').message).toContain(`SHORT_BINUNICODE at offset ${at} holds text that is not UTF-8`);
    expect((await scanBytes(text(0x6a))).verdict).toBe('clean');
  });
  it('accepts encoded surrogates, as CPython\'s surrogatepass does, and all of Unicode', async () => {
    for (const good of [[0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98, 0x80], [0xe4, 0xb8, 0xad], [0xc3, 0xa9]]) {
      const r = await scanBytes(pickle(lead, [0x8c, good.length], good, P.STOP));
      expect(r.verdict, good.join(',')).toBe('clean');
    }
  });
});
