// Writes a value and what it is made of (depth- and size-bounded) as a flat
// preorder list of nodes TypeScript turns into a PyValue. Node: six f64
// words (every value fits 48 bits) [kind | via << 8 | flags << 16, payload, count, children, opcode index,
// handle]: with a container's handle TypeScript can ask for the items a node budget left out.
// A parent's child count is patched after its children are written, so the
// node budget is hard: past it, children are simply left out (count says how many there were).
import {
  K_INT, K_TUPLE, K_DICT, K_GLOBAL, K_CALL, K_PERSID, K_TEXT_SPAN, K_ELIDED,
  kindOf, payloadOf, word, isContainerKind, handle,
  R_OFFSET, R_COUNT, R_FIRST, R_FLAGS, F_TRUNCATED, R_INDEX, R_VIA, R_CALLEE, R_ARGS, R_KWARGS, R_STATE,
  G_INDEX, G_VIA, G_MODULE, G_MODULE_LEN, G_NAME, G_NAME_LEN, G_EXT, P_ID, P_TEXT_LEN,
} from "./values";

const NODE_WORDS: i32 = 6;
/** Largest node budget one request may ask for (48 bytes a node: 192 MiB). */
export const MAX_DESCRIBE_NODES: i32 = 4 << 20;
let buffer: usize = 0;
let capacity: i32 = 0;
let used: i32 = 0;
let budget: i32 = 0;
let itemLimit: i32 = 0;

@inline function nodeAt(i: i32): usize { return buffer + (<usize>(i * NODE_WORDS) << 3); }

/** Grows the buffer by doubling as nodes are written: a big budget costs only the nodes actually written. */
function ensureRoom(): void {
  if (used < capacity) return;
  const grown = max(capacity * 2, 1024);
  buffer = buffer == 0 ? heap.alloc(<usize>(grown * NODE_WORDS) << 3) : heap.realloc(buffer, <usize>(grown * NODE_WORDS) << 3);
  capacity = grown;
}

function node(kind: i64, via: i64, flags: i64, payload: i64, count: i64, index: i64, h: i64 = 0): i32 {
  ensureRoom();
  const i = used++;
  const n = nodeAt(i);
  store<f64>(n, <f64>h, 40);
  store<f64>(n, <f64>(kind | (via << 8) | (flags << 16)));
  store<f64>(n, <f64>payload, 8);
  store<f64>(n, <f64>count, 16);
  store<f64>(n, 0, 24);
  store<f64>(n, <f64>index, 32);
  return i;
}

@inline function setChildren(i: i32, n: i32): void {
  store<f64>(nodeAt(i), <f64>n, 24);
}

/** Writes up to the item limit of a record's items (pairs whole); returns how many were written. */
function items(record: usize, pairs: bool, depthLeft: i32): i32 {
  const step = pairs ? 2 : 1;
  const limit = itemLimit * step;
  let block = <usize>word(record, R_FIRST);
  let written = 0;
  let pending = 0; // the key of a pair waiting for its value
  // the root of a request for later items: step over the first ones
  let skip: i64 = 0;
  if (record == skipRecord) {
    skip = skipItems;
    skipRecord = 0;
  }
  while (block != 0) {
    const n = <i32>word(block, 1);
    if (skip >= <i64>n) {
      skip -= <i64>n;
      block = <usize>word(block, 0);
      continue;
    }
    for (let i = <i32>skip; i < n; i++) {
      // stop before an item the budget would elide: TypeScript asks for the rest by the container's handle
      if (pending == 0 && (written >= limit || used + 4 > budget)) return written;
      value(word(block, 2 + i), depthLeft);
      written++;
      pending = pairs ? 1 - pending : 0;
    }
    skip = 0;
    block = <usize>word(block, 0);
  }
  return written;
}

function value(h: i64, depthLeft: i32): void {
  const kind = kindOf(h);
  const payload = payloadOf(h);
  if (kind < K_TUPLE || kind > K_PERSID) {
    // scalars and lite containers: no children
    node(kind, 0, 0, payload, kind >= 20 ? -1 : 0, 0);
    return;
  }
  if (depthLeft <= 0 || used + 4 > budget || onPath(<usize>payload)) {
    // too deep, over budget, or a value that contains itself (a list appended to itself through the memo)
    node(K_ELIDED, kind, 0, 0, 0, 0, h);
    return;
  }
  const r = <usize>payload;
  path[pathDepth++] = r;
  expand(kind, r, depthLeft);
  pathDepth--;
}

/** The record whose first `skipItems` items a request leaves out (0: none). */
let skipRecord: usize = 0;
let skipItems: i64 = 0;

/** Records being expanded, outermost first: a value met again on its own path is a cycle. */
const MAX_PATH: i32 = 256;
const path = new StaticArray<usize>(MAX_PATH);
let pathDepth: i32 = 0;

function onPath(r: usize): bool {
  if (pathDepth >= MAX_PATH) return true;
  for (let i = 0; i < pathDepth; i++) if (unchecked(path[i]) == r) return true;
  return false;
}

function expand(kind: i64, r: usize, depthLeft: i32): void {
  if (isContainerKind(kind)) {
    const pairs = kind == K_DICT;
    const count = word(r, R_COUNT);
    const i = node(kind, 0, word(r, R_FLAGS) & F_TRUNCATED, word(r, R_OFFSET), pairs ? count >> 1 : count, 0, handle(kind, <i64>r));
    const n = items(r, pairs, depthLeft - 1);
    setChildren(i, n);
    return;
  }
  if (kind == K_GLOBAL) {
    const via = word(r, G_VIA);
    const moduleLength = word(r, G_MODULE_LEN);
    const i = node(K_GLOBAL, via, 0, word(r, R_OFFSET), 0, word(r, G_INDEX));
    if (moduleLength == -2) {
      node(K_INT, 0, 0, word(r, G_EXT), 0, 0);
      setChildren(i, 1);
    } else if (moduleLength >= 0) {
      node(K_TEXT_SPAN, 0, 0, word(r, G_MODULE), moduleLength, 0);
      node(K_TEXT_SPAN, 0, 0, word(r, G_NAME), word(r, G_NAME_LEN), 0);
      setChildren(i, 2);
    } else {
      value(word(r, G_MODULE), depthLeft - 1);
      value(word(r, G_NAME), depthLeft - 1);
      setChildren(i, 2);
    }
    return;
  }
  if (kind == K_CALL) {
    const i = node(K_CALL, word(r, R_VIA), word(r, R_FLAGS) & F_TRUNCATED, word(r, R_OFFSET), word(r, R_COUNT) >> 1, word(r, R_INDEX), handle(K_CALL, <i64>r));
    value(word(r, R_CALLEE), depthLeft - 1);
    value(word(r, R_ARGS), depthLeft - 1);
    value(word(r, R_KWARGS), depthLeft - 1);
    value(word(r, R_STATE), depthLeft - 1);
    const n = items(r, true, depthLeft - 1);
    setChildren(i, 4 + n);
    return;
  }
  // K_PERSID
  const textLength = word(r, P_TEXT_LEN);
  const i = node(K_PERSID, 0, 0, word(r, R_OFFSET), 0, word(r, G_INDEX));
  if (textLength >= 0) node(K_TEXT_SPAN, 0, 0, word(r, P_ID), textLength, 0);
  else value(word(r, P_ID), depthLeft - 1);
  setChildren(i, 1);
}

/**
 * Describes `h` with at most `maxNodes` nodes, `maxDepth` levels and
 * `maxItems` items per container (of a container or call `h` itself, the
 * items from `firstItem` on); returns the node count (nodes at
 * pickleDescribePointer()).
 */
export function pickleDescribe(handleValue: f64, maxNodes: i32, maxDepth: i32, maxItems: i32, firstItem: f64): i32 {
  const h = <i64>handleValue;
  // a container or call: its items from `firstItem` on (item handles: a dict's key and value are two)
  const kind = kindOf(h);
  skipRecord = firstItem > 0 && (isContainerKind(kind) || kind == K_CALL) ? <usize>payloadOf(h) : 0;
  skipItems = <i64>firstItem;
  const nodes = min(max(maxNodes, 8), MAX_DESCRIBE_NODES);
  used = 0;
  pathDepth = 0;
  budget = nodes;
  itemLimit = max(maxItems, 1);
  value(h, max(maxDepth, 1));
  return used;
}

export function pickleDescribePointer(): usize { return buffer; }

/** Frees the describe buffer (it grows to the largest request). */
export function pickleDescribeRelease(): void {
  if (buffer != 0) heap.free(buffer);
  buffer = 0;
  capacity = 0;
}
