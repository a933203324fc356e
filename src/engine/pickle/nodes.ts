// Turns the machine's node list for a value (assembly/pickle/describe.ts)
// into a PyValue, reading scalar texts back from the stream.
import { decodeScalar, decodeTextSpan } from './scalars.js';
import type { StreamReader } from './stream-reader.js';
import { NODE_WORDS } from '../wasm.js';
import type { PyValue } from './types.js';

// Mirrors the K_* kinds in assembly/pickle/values.ts.
export const Kind = {
  Unset: 0, None: 1, Bool: 2, Int: 3, IntAt: 4, FloatAt: 5, StrAt: 6, BytesAt: 7, BytearrayAt: 8,
  Tuple: 9, List: 10, Dict: 11, Set: 12, Frozenset: 13, Global: 14, Call: 15, Persid: 16, Buffer: 17,
  Lite: 20, TextSpan: 40, Elided: 41,
} as const;

/** Opcode names for `via`: what made a call or an import. */
export const VIA: Record<number, string> = {
  0x52: 'REDUCE', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x6f: 'OBJ', 0x69: 'INST', 0x63: 'GLOBAL', 0x93: 'STACK_GLOBAL',
  0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4',
};

const CONTAINER: Record<number, 'tuple' | 'list' | 'dict' | 'set' | 'frozenset'> = {
  [Kind.Tuple]: 'tuple', [Kind.List]: 'list', [Kind.Dict]: 'dict', [Kind.Set]: 'set', [Kind.Frozenset]: 'frozenset',
};

/** A decoded node list, with where each node came from (for locations). */
export interface Described {
  value: PyValue;
  /** Stream offset of the opcode that made the top value (containers, calls, imports). */
  offset?: number;
  opcodeIndex?: number;
}

export async function fromNodes(nodes: Float64Array, reader: StreamReader): Promise<Described> {
  const cursor = new NodeCursor(nodes, reader);
  const offset = nodes.length >= NODE_WORDS && (nodes[0]! & 0xff) >= Kind.Tuple ? nodes[1]! : undefined;
  const opcodeIndex = nodes.length >= NODE_WORDS ? nodes[4]! : undefined;
  return { value: await cursor.value(), offset, opcodeIndex };
}

/**
 * Reads a node list one subtree at a time: `value()` decodes the subtree at
 * the cursor, `skip()` steps over it unread. A big value (a checkpoint's
 * whole state dict) can so be walked without building all of it. Scalars read
 * back from the stream are decoded once per offset: a memoised string fetched
 * a hundred thousand times is one object.
 */
export class NodeCursor {
  /** Index of the next node. */
  at = 0;
  private readonly scalars = new Map<number, PyValue>();

  constructor(
    readonly nodes: Float64Array,
    private readonly reader: StreamReader,
    /** The request's node budget was spent: the nodes on the way to the last one may be cut short. */
    readonly full = false,
  ) {}

  /** Whether the subtree at the cursor runs to the end of the list (so, when `full`, may be cut short). */
  reachesEnd(): boolean {
    const at = this.at;
    this.skip();
    const end = this.done;
    this.at = at;
    return end;
  }

  get done(): boolean {
    return this.at * NODE_WORDS >= this.nodes.length;
  }

  /** Kind of the node at the cursor (Kind.*). */
  kind(): number {
    return this.nodes[this.at * NODE_WORDS]! & 0xff;
  }

  /** The opcode that made the node at the cursor (calls, imports). */
  via(): number {
    return (this.nodes[this.at * NODE_WORDS]! >> 8) & 0xff;
  }

  /** Subtrees written under the node at the cursor. */
  children(): number {
    return this.nodes[this.at * NODE_WORDS + 3]!;
  }

  /** Items the value had (written or not). */
  count(): number {
    return this.nodes[this.at * NODE_WORDS + 2]!;
  }

  /** The node's payload: a scalar's offset, a container's or import's opcode offset. */
  payload(): number {
    return this.nodes[this.at * NODE_WORDS + 1]!;
  }

  /** The machine handle of a container or call node (0 for other nodes): to ask for the items a budget left out. */
  handle(): number {
    return this.nodes[this.at * NODE_WORDS + 5]!;
  }

  /** Node flags (bit 0: the machine dropped items past its keep budget). */
  flags(): number {
    return Math.floor(this.nodes[this.at * NODE_WORDS]! / 65536);
  }

  /** Steps over the subtree at the cursor. */
  skip(): void {
    let pending = 1;
    while (pending > 0 && !this.done) {
      pending += this.children() - 1;
      this.at++;
    }
  }

  /** Steps into the node at the cursor: its children follow. */
  enter(): number {
    const n = this.children();
    this.at++;
    return n;
  }

  async value(): Promise<PyValue> {
    const base = this.at * NODE_WORDS;
    const nodes = this.nodes;
    this.at++;
    const head = nodes[base]!;
    const kind = head & 0xff;
    const via = (head >> 8) & 0xff;
    const payload = nodes[base + 1]!;
    const count = nodes[base + 2]!;
    const children = nodes[base + 3]!;
    switch (kind) {
      case Kind.None: return { type: 'none' };
      case Kind.Bool: return { type: 'bool', value: payload !== 0 };
      case Kind.Int: return { type: 'int', value: BigInt(payload) };
      case Kind.IntAt: return this.scalar(kind, payload, () => decodeScalar(this.reader, 'int', payload));
      case Kind.FloatAt: return this.scalar(kind, payload, () => decodeScalar(this.reader, 'float', payload));
      case Kind.StrAt: return this.scalar(kind, payload, () => decodeScalar(this.reader, 'str', payload));
      case Kind.BytesAt: return this.scalar(kind, payload, () => decodeScalar(this.reader, 'bytes', payload));
      case Kind.BytearrayAt: return decodeScalar(this.reader, 'bytearray', payload); // mutable: never shared
      case Kind.Buffer: return { type: 'buffer' };
      case Kind.TextSpan: return this.scalar(kind, payload, async () => ({ type: 'str', ...(await decodeTextSpan(this.reader, payload, count)) }));
      case Kind.Elided: return { type: 'elided', what: CONTAINER[via] ?? (via === Kind.Call ? 'call' : 'value') };
      case Kind.Unset: return { type: 'elided', what: 'unset' };
    }
    if (kind >= Kind.Lite && kind < Kind.TextSpan) {
      const type = CONTAINER[kind - Kind.Lite] ?? 'value';
      return { type: 'elided', what: `${type} (not kept: rendering budget spent)` };
    }
    const kids: PyValue[] = [];
    for (let i = 0; i < children; i++) kids.push(await this.value());
    if (CONTAINER[kind]) {
      const type = CONTAINER[kind]!;
      if (type === 'dict') {
        const entries: Array<[PyValue, PyValue]> = [];
        for (let i = 0; i + 1 < kids.length; i += 2) entries.push([kids[i]!, kids[i + 1]!]);
        return { type, entries, length: count };
      }
      return { type, items: kids, length: count };
    }
    if (kind === Kind.Global) {
      if (kids.length === 1) {
        const code = kids[0]!;
        return { type: 'global', module: '', name: '', ext: code.type === 'int' ? Number(code.value) : -1 };
      }
      const [module, name] = kids as [PyValue, PyValue];
      if (module.type === 'str' && name.type === 'str' && !module.truncated && !name.truncated) {
        const invalid = module.invalidUtf8 || name.invalidUtf8;
        return { type: 'global', module: module.value, name: name.value, ...(invalid ? { invalidUtf8: true as const } : {}) };
      }
      return { type: 'dynamic-global', module, name };
    }
    if (kind === Kind.Call) {
      const [callee, args, kwargs, state, ...items] = kids as [PyValue, PyValue, PyValue, PyValue, ...PyValue[]];
      const call: PyValue = {
        type: 'call',
        callee,
        args: args.type === 'tuple' ? args.items : [args],
        via: VIA[via] ?? 'REDUCE',
        ...(isSet(kwargs) ? { kwargs } : {}),
        ...(isSet(state) ? { state } : {}),
        ...(items.length ? { items: pairs(items), itemCount: count } : {}),
        ...(args.type === 'tuple' && args.length > args.items.length ? { argsLength: args.length } : {}),
      };
      return call;
    }
    if (kind === Kind.Persid) return { type: 'persid', id: kids[0]! };
    return { type: 'elided', what: `kind ${kind}` };
  }

  /** Scalars are immutable once decoded: one object per (kind, offset). */
  private async scalar(kind: number, offset: number, decode: () => Promise<PyValue>): Promise<PyValue> {
    const key = offset * 64 + kind;
    let value = this.scalars.get(key);
    if (!value) {
      value = await decode();
      this.scalars.set(key, value);
    }
    return value;
  }
}

function isSet(v: PyValue): boolean {
  return !(v.type === 'elided' && v.what === 'unset');
}

function pairs(items: PyValue[]): Array<[PyValue | null, PyValue]> {
  const out: Array<[PyValue | null, PyValue]> = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([isSet(items[i]!) ? items[i]! : null, items[i + 1]!]);
  return out;
}
