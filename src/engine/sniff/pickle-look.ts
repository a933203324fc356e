// Is this stream a pickle? Protocol 2+ starts with PROTO; protocols 0 and 1
// have no header, so the opcode walk (in wasm) must hold up for a while, or to
// STOP. Used on a file's head, an archive member's, an inflated stream's.
import { ProbeStatus, type WeightlensWasm } from '../wasm.js';

/** Opcodes a headerless (protocol 0/1) stream must get through before we believe it. */
const MIN_OPCODES_WITHOUT_HEADER = 16;
/**
 * Valid opcodes (PROTO included) before a headed stream counts as a pickle that
 * then fails: PROTO 2-5 and one sound opcode. A damaged pickle is reported as
 * such, with the imports before the damage, rather than as unknown bytes.
 */
const MIN_OPCODES_WITH_HEADER = 2;
/** First opcodes seen in real protocol 0/1 pickles: MARK, empty containers, GLOBAL, PERSID, scalars. */
const HEADERLESS_STARTS = new Set(Array.from('(}])cNIJKLMFGPSTUVX', (c) => c.charCodeAt(0)));

export interface PickleLook {
  protocol: number;
  /** The stream reached STOP inside the sniff window. */
  stopped: boolean;
  opcodes: number;
  /** Offset just after STOP, when stopped. */
  end?: number;
  /** Why the walk stopped early (a headed stream may still be a damaged or joblib pickle). */
  probeError?: { status: number; offset: number; opcode: number };
}

/** Walks the opcodes in the first bytes of a stream of `size` bytes; undefined when they are not a pickle. */
export function lookAtPickleBytes(wasm: WeightlensWasm, head: Uint8Array, size: number): PickleLook | undefined {
  if (head.length === 0) return undefined;
  const headed = head[0] === 0x80;
  if (!headed && !HEADERLESS_STARTS.has(head[0]!)) return undefined;
  const probe = wasm.pickleProbe(0, size);
  const status = probe.feed(0, head.subarray(0, wasm.inputCapacity), head.length >= size);
  const state = probe.state();
  const protocol = state.protocol >= 0 ? state.protocol : 0;
  if (headed && state.protocol < 2) return undefined; // PROTO itself was invalid
  if (status === ProbeStatus.Stopped) {
    // A headerless stream must leave exactly the one result on the stack.
    if (!headed && (state.items !== 0 || state.marks !== 0)) return undefined;
    return { protocol, stopped: true, opcodes: state.opcodes, end: state.position };
  }
  if (status === ProbeStatus.NeedMore) {
    if (!headed && state.opcodes < MIN_OPCODES_WITHOUT_HEADER) return undefined;
    return { protocol, stopped: false, opcodes: state.opcodes };
  }
  if (!headed || state.opcodes < MIN_OPCODES_WITH_HEADER) return undefined;
  return { protocol, stopped: false, opcodes: state.opcodes, probeError: { status, offset: state.position, opcode: state.lastOpcode } };
}

/** Whether a stream starting with this byte may be a pickle (PROTO, or a protocol 0/1 opening opcode). */
export function mayStartPickle(byte: number): boolean {
  return byte === 0x80 || HEADERLESS_STARTS.has(byte);
}
