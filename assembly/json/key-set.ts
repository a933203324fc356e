// The keys of every object still open, for duplicate detection: each key is a
// record (hash of its decoded text, where it is in the text). An object's
// records are contiguous and sit above its parent's, so closing an object drops
// them at once; an object past TABLE_THRESHOLD keys gets an open-addressing
// index, kept in an arena with the same stack discipline (only the innermost
// open object ever inserts, so its index is always the top of the arena).
//
// Equal hashes are only candidates: the caller compares the two keys' decoded
// text and says whether they are equal. The hash is keyed with a per-scan seed,
// so a header cannot be built offline to make many different keys collide.

/** Objects with more keys than this get a hash index; fewer are searched linearly. */
const TABLE_THRESHOLD: u32 = 16;
/** Initial record capacity; grows by doubling up to the caller's limit. */
const INITIAL_RECORDS: u32 = 1024;
/** Bytes per record: hash (u64), start (u32), end (u32). */
const RECORD_BYTES: usize = 16;

const K1: u64 = 0xa0761d6478bd642f;
const K2: u64 = 0xe7037ed1a0b428db;
const K3: u64 = 0x8ebc6af09c88c6e3;

/** Deepest nesting any caller may ask for; sizes the per-depth arrays. */
export const KEYSET_MAX_DEPTH: i32 = 1024;

const base = new StaticArray<u32>(KEYSET_MAX_DEPTH + 1); // first record of the object at depth d
const count = new StaticArray<u32>(KEYSET_MAX_DEPTH + 1); // its keys so far
const tableAt = new StaticArray<u32>(KEYSET_MAX_DEPTH + 1); // its index's first slot in the arena
const tableSize = new StaticArray<u32>(KEYSET_MAX_DEPTH + 1); // slots (a power of two), 0 = no index

let records: usize = 0;
let recordCap: u32 = 0;
let recordTop: u32 = 0;
let arena: usize = 0; // u32 slots holding record index + 1, 0 = empty
let arenaCap: u32 = 0;
let arenaTop: u32 = 0;
let maxOpen: u32 = 0;
let seedA: u64 = 0;
let seedB: u64 = 0;
let mask: u64 = 0;

// the probe in progress, so it can resume after a candidate turned out different
let probeAt: u32 = 0;

// the key being hashed
let h: u64 = 0;
let acc: u64 = 0;
let accBytes: u32 = 0;
let length: u64 = 0;

export function keySetReset(maxOpenKeys: u32, seedLo: u32, seedHi: u32, hashBits: i32): void {
  keySetFree();
  maxOpen = maxOpenKeys;
  seedA = (<u64>seedHi << 32) | <u64>seedLo;
  seedB = mum(seedA ^ K1, K2);
  mask = hashBits >= 64 ? 0xffffffffffffffff : (<u64>1 << <u64>hashBits) - 1;
  recordTop = 0;
  arenaTop = 0;
}

/** Gives the memory back to the allocator (the module keeps its pages). */
export function keySetFree(): void {
  if (records != 0) heap.free(records);
  if (arena != 0) heap.free(arena);
  records = 0;
  recordCap = 0;
  arena = 0;
  arenaCap = 0;
}

@inline function mum(a: u64, b: u64): u64 {
  // 64×64 → 128-bit product, folded: the wyhash mixing step
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  const low = (p00 & 0xffffffff) | (mid << 32);
  const high = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  return low ^ high;
}

// --- hashing the decoded text of a key, fed in pieces ---

export function hashBegin(): void {
  h = seedA;
  acc = 0;
  accBytes = 0;
  length = 0;
}

@inline function absorb(word: u64): void {
  h = mum(h ^ word ^ K3, seedB ^ K1);
}

export function hashByte(b: u32): void {
  acc |= <u64>b << (<u64>accBytes << 3);
  length++;
  if (++accBytes == 8) {
    absorb(acc);
    acc = 0;
    accBytes = 0;
  }
}

/** Raw bytes of the key (no escapes), `n` of them at `pointer`. */
export function hashRun(pointer: usize, n: u32): void {
  let i: u32 = 0;
  while (accBytes != 0 && i < n) {
    hashByte(<u32>load<u8>(pointer + <usize>i));
    i++;
  }
  while (i + 8 <= n) {
    absorb(load<u64>(pointer + <usize>i));
    length += 8;
    i += 8;
  }
  while (i < n) {
    hashByte(<u32>load<u8>(pointer + <usize>i));
    i++;
  }
}

/** The UTF-8 bytes of one code point from an escape. */
export function hashCodePoint(cp: u32): void {
  if (cp < 0x80) hashByte(cp);
  else if (cp < 0x800) {
    hashByte(0xc0 | (cp >> 6));
    hashByte(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    hashByte(0xe0 | (cp >> 12));
    hashByte(0x80 | ((cp >> 6) & 0x3f));
    hashByte(0x80 | (cp & 0x3f));
  } else {
    hashByte(0xf0 | (cp >> 18));
    hashByte(0x80 | ((cp >> 12) & 0x3f));
    hashByte(0x80 | ((cp >> 6) & 0x3f));
    hashByte(0x80 | (cp & 0x3f));
  }
}

export function hashEnd(): u64 {
  let x = mum(h ^ acc ^ seedB, length ^ K2);
  x ^= x >> 29;
  return x & mask;
}

// --- the records of open objects ---

export function objectOpen(depth: i32): void {
  unchecked(base[depth] = recordTop);
  unchecked(count[depth] = 0);
  unchecked(tableSize[depth] = 0);
}

export function objectClose(depth: i32): void {
  recordTop = unchecked(base[depth]);
  if (unchecked(tableSize[depth]) != 0) arenaTop = unchecked(tableAt[depth]);
}

export function objectKeys(depth: i32): u32 { return unchecked(count[depth]); }
export function openKeys(): u32 { return recordTop; }

@inline function recordHash(i: u32): u64 { return load<u64>(records + <usize>i * RECORD_BYTES); }
export function recordStart(i: u32): u32 { return load<u32>(records + <usize>i * RECORD_BYTES, 8); }
export function recordEnd(i: u32): u32 { return load<u32>(records + <usize>i * RECORD_BYTES, 12); }

@inline function homeSlot(hash: u64, size: u32): u32 {
  return <u32>((hash ^ (hash >> 32)) & <u64>(size - 1));
}

/** Starts looking for `hash` among the keys of the object at `depth`. */
export function probeBegin(depth: i32, hash: u64): void {
  const size = unchecked(tableSize[depth]);
  probeAt = size == 0 ? unchecked(base[depth]) : homeSlot(hash, size);
}

/**
 * The next key of the object at `depth` with this hash (a record index), or -1
 * when there is none; then probeInsert puts the new key where the probe stopped.
 */
export function probeNext(depth: i32, hash: u64): i64 {
  const size = unchecked(tableSize[depth]);
  if (size == 0) {
    const end = unchecked(base[depth]) + unchecked(count[depth]);
    while (probeAt < end) {
      const i = probeAt++;
      if (recordHash(i) == hash) return <i64>i;
    }
    return -1;
  }
  const slots = arena + <usize>unchecked(tableAt[depth]) * 4;
  const m = size - 1;
  while (true) {
    const e = load<u32>(slots + <usize>probeAt * 4);
    if (e == 0) return -1;
    probeAt = (probeAt + 1) & m;
    if (recordHash(e - 1) == hash) return <i64>(e - 1);
  }
}

/** Adds the key that probeNext found no equal of. False when maxOpenKeys records are held already. */
export function probeInsert(depth: i32, hash: u64, start: u32, end: u32): bool {
  if (recordTop >= maxOpen) return false;
  if (recordTop >= recordCap) growRecords();
  const i = recordTop++;
  const at = records + <usize>i * RECORD_BYTES;
  store<u64>(at, hash);
  store<u32>(at, start, 8);
  store<u32>(at, end, 12);
  const n = unchecked(count[depth]) + 1;
  unchecked(count[depth] = n);
  const size = unchecked(tableSize[depth]);
  if (size == 0) {
    if (n > TABLE_THRESHOLD) buildTable(depth, 64);
  } else if (n * 2 > size) {
    buildTable(depth, size * 2);
  } else {
    // probeNext stopped on an empty slot: the new key goes there
    store<u32>(arena + <usize>(unchecked(tableAt[depth]) + probeAt) * 4, i + 1);
  }
  return true;
}

function growRecords(): void {
  let cap = recordCap == 0 ? INITIAL_RECORDS : recordCap * 2;
  if (cap > maxOpen) cap = maxOpen;
  records = records == 0 ? heap.alloc(<usize>cap * RECORD_BYTES) : heap.realloc(records, <usize>cap * RECORD_BYTES);
  recordCap = cap;
}

/** (Re)builds the index of the innermost object with `size` slots, at its place on top of the arena. */
function buildTable(depth: i32, size: u32): void {
  const hadTable = unchecked(tableSize[depth]) != 0;
  const at = hadTable ? unchecked(tableAt[depth]) : arenaTop;
  // build above the current top, then move down over the old index
  const scratch = at + (hadTable ? unchecked(tableSize[depth]) : 0);
  const needed = scratch + size;
  if (needed > arenaCap) {
    let cap = arenaCap == 0 ? <u32>4096 : arenaCap;
    while (cap < needed) cap *= 2;
    arena = arena == 0 ? heap.alloc(<usize>cap * 4) : heap.realloc(arena, <usize>cap * 4);
    arenaCap = cap;
  }
  const slots = arena + <usize>scratch * 4;
  memory.fill(slots, 0, <usize>size * 4);
  const m = size - 1;
  const first = unchecked(base[depth]);
  const n = unchecked(count[depth]);
  for (let i = first; i < first + n; i++) {
    let s = homeSlot(recordHash(i), size);
    while (load<u32>(slots + <usize>s * 4) != 0) s = (s + 1) & m;
    store<u32>(slots + <usize>s * 4, i + 1);
  }
  if (scratch != at) memory.copy(arena + <usize>at * 4, slots, <usize>size * 4);
  unchecked(tableAt[depth] = at);
  unchecked(tableSize[depth] = size);
  arenaTop = at + size;
}
