// assembly/pickle/describe.ts's own limits, on the machine itself: the engine
// never asks past them (its largest view is 4,000,000 nodes and 64 levels), so
// a request that does is built here to show the module holds its bounds anyway.
import { describe, expect, it } from 'vitest';
import { NODE_WORDS, type PickleMachine } from '../src/engine/wasm.js';
import { wasm } from './helpers.js';
import { P, pickle } from './pickle-asm.js';

const E_STOP = 6; // machine.ts: a: the value
const K_NONE = 1;
const K_TUPLE = 9;
const K_LIST = 10;
const K_ELIDED = 41; // values.ts
/** describe.ts: MAX_DESCRIBE_NODES = 4 << 20 (40 bytes a node: 160 MiB), MAX_PATH = 256. */
const MAX_DESCRIBE_NODES = 4 << 20;
const MAX_PATH = 256;

/** Runs the machine over a whole pickle; returns it (still open) and the STOP value's handle. */
async function stopValue(bytes: Uint8Array): Promise<{ machine: PickleMachine; handle: number }> {
  const machine = (await wasm()).pickleMachine(0, bytes.length, false);
  expect(machine.feed(0, bytes, true)).toBeGreaterThanOrEqual(0);
  const events = machine.drainEvents();
  for (let i = 0; i < events.length; i += 6) if (events[i] === E_STOP) return { machine, handle: events[i + 3]! };
  throw new Error('no STOP event');
}

const kinds = (nodes: Float64Array) => Array.from({ length: nodes.length / NODE_WORDS }, (_, i) => nodes[NODE_WORDS * i]! % 256);

describe('pickle value description limits (assembly/pickle/describe.ts)', () => {
  it('MAX_DESCRIBE_NODES: a request for more nodes than 4,194,304 gets that many (less the few kept for one elided node), from a 170-byte pickle that shares its lists', async () => {
    // L0 = None; L(i) = [L(i-1), L(i-1)] through the memo, 24 levels: 2^25 - 1 nodes when written out
    const levels = [P.NONE, P.binput(0), P.POP];
    for (let i = 1; i <= 24; i++) levels.push(P.EMPTY_LIST, P.binget(i - 1), P.APPEND, P.binget(i - 1), P.APPEND, P.binput(i), P.POP);
    const { machine, handle } = await stopValue(pickle(P.proto(2), ...levels, P.binget(24), P.STOP));
    const small = machine.describe(handle, 1000, 64, 8);
    expect(small.length / NODE_WORDS).toBeLessThanOrEqual(1000);
    const over = machine.describe(handle, MAX_DESCRIBE_NODES + 100_000, 64, 8);
    // items stop where the next could only be elided (4 nodes of room): the walk asks for the rest by handle
    expect(over.length / NODE_WORDS).toBeLessThanOrEqual(MAX_DESCRIBE_NODES);
    expect(over.length / NODE_WORDS).toBeGreaterThan(MAX_DESCRIBE_NODES - 4);
    expect(over[2]).toBe(2); // the root still says how many items it has
    machine.end();
  }, 60_000);

  it('MAX_PATH: a value nested deeper than 256 containers is cut at 256 (elided), one at 256 levels is written whole', async () => {
    const nested = (depth: number) => pickle(P.proto(2), P.NONE, ...Array.from({ length: depth }, () => P.TUPLE1), P.STOP);
    const at = await stopValue(nested(MAX_PATH));
    const whole = kinds(at.machine.describe(at.handle, 10_000, 1000, 8));
    expect(whole).toEqual([...Array<number>(MAX_PATH).fill(K_TUPLE), K_NONE]);
    at.machine.end();
    const deeper = await stopValue(nested(MAX_PATH + 1));
    const cut = kinds(deeper.machine.describe(deeper.handle, 10_000, 1000, 8));
    expect(cut).toEqual([...Array<number>(MAX_PATH).fill(K_TUPLE), K_ELIDED]);
    deeper.machine.end();
  });

  it('a list that contains itself is elided where it recurs, not followed (the path check MAX_PATH bounds)', async () => {
    // L = []; L.append(L)
    const { machine, handle } = await stopValue(pickle(P.proto(2), P.EMPTY_LIST, P.binput(0), P.binget(0), P.APPEND, P.STOP));
    expect(kinds(machine.describe(handle, 100, 50, 8))).toEqual([K_LIST, K_ELIDED]);
    machine.end();
  });
});
