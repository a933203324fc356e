// A raw pickle stream: protocol 2+ starts with PROTO; protocols 0 and 1 have no
// header, so the opcode walk (in wasm) must hold up for a while, or to STOP.
import { ProbeStatus } from '../wasm.js';
import type { SniffContext } from '../sniff/context.js';
import type { FormatDriver, SniffMatch } from './driver.js';

/** Opcodes a headerless (protocol 0/1) stream must get through before we believe it. */
const MIN_OPCODES_WITHOUT_HEADER = 16;
/** First opcodes seen in real protocol 0/1 pickles: MARK, empty containers, GLOBAL, scalars. */
const HEADERLESS_STARTS = new Set(Array.from('(}])cNIJKLMFGSTUVX', (c) => c.charCodeAt(0)));

export interface PickleLook {
  protocol: number;
  /** The stream reached STOP inside the sniff window. */
  stopped: boolean;
  opcodes: number;
  /** Offset just after STOP, when stopped. */
  end?: number;
}

/** Walks the opcodes in the sniff window; undefined when the bytes are not a pickle. */
export async function lookAtPickle(ctx: SniffContext, start = 0): Promise<PickleLook | undefined> {
  const head = await ctx.head();
  const window = head.subarray(start);
  if (window.length === 0) return undefined;
  const headed = window[0] === 0x80;
  if (!headed && !HEADERLESS_STARTS.has(window[0]!)) return undefined;
  const probe = ctx.wasm.pickleProbe(start, ctx.source.size);
  const atEnd = start + window.length >= ctx.source.size;
  const status = probe.feed(start, window.subarray(0, ctx.wasm.inputCapacity), atEnd);
  const state = probe.state();
  const protocol = state.protocol >= 0 ? state.protocol : 0;
  if (status === ProbeStatus.Stopped) {
    // A headerless stream must leave exactly the one result on the stack.
    if (!headed && (state.items !== 0 || state.marks !== 0)) return undefined;
    return { protocol, stopped: true, opcodes: state.opcodes, end: state.position };
  }
  if (status !== ProbeStatus.NeedMore) return undefined;
  if (!headed && state.opcodes < MIN_OPCODES_WITHOUT_HEADER) return undefined;
  return { protocol, stopped: false, opcodes: state.opcodes };
}

export const pickle: FormatDriver = {
  id: 'pickle',
  async sniff(ctx): Promise<SniffMatch | null> {
    const look = await lookAtPickle(ctx);
    if (!look) return null;
    return { label: `pickle (protocol ${look.protocol})`, details: { ...look } };
  },
};
