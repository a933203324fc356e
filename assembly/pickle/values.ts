// Symbolic values. A value is a 64-bit handle: a 6-bit kind and a payload.
// Every handle fits in 48 bits (offsets below 2^41, pointers below 2^32, inline
// ints within ±2^40), so the memo stores 6 bytes an entry.
// Scalars carry no record: their payload is the stream offset of the opcode
// that made them (TypeScript reads the text back when it must show it), or the
// value itself for small ints. Containers, imports, calls and persistent ids
// are records in an arena, so children and origins survive memo round trips.

export const K_UNSET: i64 = 0;
export const K_NONE: i64 = 1;
export const K_BOOL: i64 = 2; // payload 0 / 1
export const K_INT: i64 = 3; // payload: the value (signed)
export const K_INT_AT: i64 = 4; // payload: opcode offset (LONG, LONG1, LONG4, big INT)
export const K_FLOAT_AT: i64 = 5;
export const K_STR_AT: i64 = 6;
export const K_BYTES_AT: i64 = 7;
export const K_BYTEARRAY_AT: i64 = 8;
export const K_TUPLE: i64 = 9; // payload: record pointer
export const K_LIST: i64 = 10;
export const K_DICT: i64 = 11;
export const K_SET: i64 = 12;
export const K_FROZENSET: i64 = 13;
export const K_GLOBAL: i64 = 14;
export const K_CALL: i64 = 15;
export const K_PERSID: i64 = 16;
export const K_BUFFER: i64 = 17; // payload: opcode offset
/** A container made after the keep budget ran out: kind + LITE, payload = opcode offset. */
export const K_LITE: i64 = 20;
/** Describe output only: a span of text in the stream (GLOBAL / INST / PERSID lines). */
export const K_TEXT_SPAN: i64 = 40;
/** Describe output only: not expanded (depth or node budget). */
export const K_ELIDED: i64 = 41;

@inline export function handle(kind: i64, payload: i64): i64 { return (payload << 6) | kind; }
@inline export function kindOf(h: i64): i64 { return h & 63; }
@inline export function payloadOf(h: i64): i64 { return h >> 6; }
@inline export function isContainerKind(k: i64): bool { return k >= K_TUPLE && k <= K_FROZENSET; }
@inline export function hasItems(k: i64): bool { return isContainerKind(k) || k == K_CALL; }

// ---- arena: bump allocation in big chunks, freed all at once per stream ----

const CHUNK_BYTES: usize = 1 << 20;
let chunks = new Array<usize>();
let bump: usize = 0;
let bumpEnd: usize = 0;

/**
 * Bytes of container records and item blocks kept for rendering. Past it new
 * containers are kept "lite" (kind and offset only): imports and calls are
 * still all tracked, only their rendering loses detail. Sized so a pickle of
 * millions of small objects stays far below the memory budget.
 */
export const MAX_KEPT_BYTES: usize = 48 << 20;
let keptBytes: usize = 0;

export function arenaReset(): void {
  for (let i = 0; i < chunks.length; i++) heap.free(unchecked(chunks[i]));
  chunks = new Array<usize>();
  bump = 0;
  bumpEnd = 0;
  keptBytes = 0;
}

export function arenaBytes(): f64 { return <f64>(chunks.length) * <f64>CHUNK_BYTES; }

function alloc(words: i32): usize {
  const bytes = <usize>words << 3;
  if (bump + bytes > bumpEnd) {
    const chunk = heap.alloc(CHUNK_BYTES);
    chunks.push(chunk);
    bump = chunk;
    bumpEnd = chunk + CHUNK_BYTES;
  }
  const p = bump;
  bump += bytes;
  memory.fill(p, 0, bytes);
  return p;
}

@inline function canKeep(words: i32): bool { return keptBytes + (<usize>words << 3) <= MAX_KEPT_BYTES; }

// Container record: [0] offset, [1] count, [2] first block, [3] last block, [4] flags.
// Call record: the same five words (items set on the result), then [5] opcode index,
// [6] via opcode, [7] callee, [8] args, [9] kwargs, [10] state (last BUILD).
// Block: [0] next, [1] used, then BLOCK_SLOTS handles.
export const R_OFFSET: i32 = 0;
export const R_COUNT: i32 = 1;
export const R_FIRST: i32 = 2;
export const R_LAST: i32 = 3;
export const R_FLAGS: i32 = 4;
export const R_INDEX: i32 = 5;
export const R_VIA: i32 = 6;
export const R_CALLEE: i32 = 7;
export const R_ARGS: i32 = 8;
export const R_KWARGS: i32 = 9;
export const R_STATE: i32 = 10;
const CONTAINER_WORDS: i32 = 5;
const CALL_WORDS: i32 = 11;
export const BLOCK_SLOTS: i32 = 14;
const BLOCK_WORDS: i32 = 2 + BLOCK_SLOTS;
/** Flag: items were dropped (keep budget spent). */
export const F_TRUNCATED: i64 = 1;
/** Flag: a tuple made with all its items, in one block of exactly that many slots (bits 8 and up). */
const F_EXACT: i64 = 2;
/** Longest tuple made exact; longer ones (rare) grow in blocks like lists. */
const MAX_EXACT_TUPLE: i32 = 64;

@inline export function word(record: usize, i: i32): i64 { return load<i64>(record + (<usize>i << 3)); }
@inline export function setWord(record: usize, i: i32, v: i64): void { store<i64>(record + (<usize>i << 3), v); }

export function newContainer(kind: i64, offset: i64): i64 {
  if (!canKeep(CONTAINER_WORDS)) return handle(kind + K_LITE, offset);
  keptBytes += <usize>CONTAINER_WORDS << 3;
  const r = alloc(CONTAINER_WORDS);
  setWord(r, R_OFFSET, offset);
  return handle(kind, <i64>r);
}

// Global record: [0] offset, [1] opcode index, [2] via opcode, [3] module, [4] module
// length (-1: [3] is a handle), [5] name, [6] name length (-1: handle), [7] EXT code,
// [8] calls of it so far, [9] quiet: TypeScript has judged it and needs no more call events.
export const G_INDEX: i32 = 1;
export const G_VIA: i32 = 2;
export const G_MODULE: i32 = 3;
export const G_MODULE_LEN: i32 = 4;
export const G_NAME: i32 = 5;
export const G_NAME_LEN: i32 = 6;
export const G_EXT: i32 = 7;
export const G_CALLS: i32 = 8;
export const G_QUIET: i32 = 9;
const GLOBAL_WORDS: i32 = 10;

// Persistent id record: [0] offset, [1] opcode index, [2] id handle or text offset, [3] text length (-1: handle).
export const P_ID: i32 = 2;
export const P_TEXT_LEN: i32 = 3;
const PERSID_WORDS: i32 = 4;

/** Records of imports, calls and persistent ids: never dropped, so bounded by count. */
export const MAX_RECORDS: i32 = 1 << 20;
let records: i32 = 0;
export function recordsUsed(): i32 { return records; }
export function resetRecordCount(): void { records = 0; }

/** 0 when the record limit is reached (the caller reports the limit). */
export function newGlobal(offset: i64, index: i64, via: i64): usize {
  if (records >= MAX_RECORDS) return 0;
  records++;
  const r = alloc(GLOBAL_WORDS);
  setWord(r, R_OFFSET, offset);
  setWord(r, G_INDEX, index);
  setWord(r, G_VIA, via);
  return r;
}

/**
 * A call result's record while the keep budget lasts; past it 0 (the caller
 * makes a lite handle: the call is still an event, only its rendering and the
 * items set on it are lost) unless `mustKeep`, which draws on MAX_RECORDS.
 */
export function newCall(offset: i64, index: i64, via: i64, callee: i64, args: i64, kwargs: i64, mustKeep: bool): usize {
  if (canKeep(CALL_WORDS)) {
    keptBytes += <usize>CALL_WORDS << 3;
  } else {
    if (!mustKeep || records >= MAX_RECORDS) return 0;
    records++;
  }
  const r = alloc(CALL_WORDS);
  setWord(r, R_OFFSET, offset);
  setWord(r, R_INDEX, index);
  setWord(r, R_VIA, via);
  setWord(r, R_CALLEE, callee);
  setWord(r, R_ARGS, args);
  setWord(r, R_KWARGS, kwargs);
  return r;
}

export function newPersid(offset: i64, index: i64, id: i64, textLength: i64): usize {
  if (records >= MAX_RECORDS) return 0;
  records++;
  const r = alloc(PERSID_WORDS);
  setWord(r, R_OFFSET, offset);
  setWord(r, G_INDEX, index);
  setWord(r, P_ID, id);
  setWord(r, P_TEXT_LEN, textLength);
  return r;
}

/**
 * A tuple of `n` items known when it is made (EMPTY_TUPLE, TUPLE1-3, TUPLE,
 * the arguments of INST and OBJ): its items sit right after the record, so a
 * pair costs 72 bytes instead of 168, and a checkpoint's shapes, strides and
 * storage ids stretch the keep budget over many more tensors.
 */
export function newTuple(offset: i64, n: i32): i64 {
  if (n > MAX_EXACT_TUPLE) return newContainer(K_TUPLE, offset);
  const words = CONTAINER_WORDS + (n > 0 ? 2 + n : 0);
  if (!canKeep(words)) return handle(K_TUPLE + K_LITE, offset);
  keptBytes += <usize>words << 3;
  const r = alloc(words);
  setWord(r, R_OFFSET, offset);
  setWord(r, R_FLAGS, F_EXACT | (<i64>n << 8));
  if (n > 0) {
    const block = <i64>(r + (<usize>CONTAINER_WORDS << 3));
    setWord(r, R_FIRST, block);
    setWord(r, R_LAST, block);
  }
  return handle(K_TUPLE, <i64>r);
}

/** Appends one handle to a container's or call result's items (kept while the budget lasts). */
export function addItem(h: i64, item: i64): void {
  const kind = kindOf(h);
  if (!hasItems(kind)) return;
  const r = <usize>payloadOf(h);
  setWord(r, R_COUNT, word(r, R_COUNT) + 1);
  const flags = word(r, R_FLAGS);
  if (flags & F_TRUNCATED) return;
  if (flags & F_EXACT) {
    // a tuple's slots are all there; anything past them (an APPEND into a tuple, which CPython refuses) is dropped
    const exact = <usize>word(r, R_FIRST);
    const filled = exact == 0 ? 0 : word(exact, 1);
    if (filled >= flags >> 8) {
      setWord(r, R_FLAGS, flags | F_TRUNCATED);
      return;
    }
    setWord(exact, 2 + <i32>filled, item);
    setWord(exact, 1, filled + 1);
    return;
  }
  let block = <usize>word(r, R_LAST);
  if (block == 0 || word(block, 1) >= <i64>BLOCK_SLOTS) {
    if (!canKeep(BLOCK_WORDS)) {
      setWord(r, R_FLAGS, word(r, R_FLAGS) | F_TRUNCATED);
      return;
    }
    keptBytes += <usize>BLOCK_WORDS << 3;
    const next = alloc(BLOCK_WORDS);
    if (block == 0) setWord(r, R_FIRST, <i64>next);
    else setWord(block, 0, <i64>next);
    setWord(r, R_LAST, <i64>next);
    block = next;
  }
  const used = word(block, 1);
  setWord(block, 2 + <i32>used, item);
  setWord(block, 1, used + 1);
}
