// Runs one pickle stream through the symbolic machine and turns what it saw
// into findings and report content: every import judged by the policy, every
// call rendered as Python, writes into imports, frame damage, further pickles
// and trailing bytes. Used by every format that carries a pickle.
import type { ByteSource } from '../byte-source.js';
import { LimitError, MalformedError } from '../errors.js';
import type { AnalysisContext } from '../formats/driver.js';
import type { Location, RuleId } from '../report.js';
import { DEFAULT_IMPORT_POLICY, type ImportJudgement, type ImportPolicy } from '../policy/index.js';
import { MachineStatus, NODE_WORDS, WasmMemoryBudgetError, type PickleMachine } from '../wasm.js';
import { arrayLayout, WRAPPER } from './joblib-arrays.js';
import { fromNodes, Kind } from './nodes.js';
import { opcodeName } from './opcode-names.js';
import { globalName, renderPython } from './render.js';
import { StreamReader } from './stream-reader.js';
import { collectTensors, isRebuildCall, isTorchStorageId, type CheckpointTensor, type TensorTree } from './tensors.js';
import type { PickleStreamInput, PickleStreamResult, PyValue } from './types.js';

/** Imports and calls listed in order in the report (the decompiled view); the rest are counted. */
export const MAX_LISTED_EVENTS = 1000;
/** Largest stream: the machine's 48-bit value handles hold offsets below 2^41 (2 TiB). */
export const MAX_STREAM_BYTES = 2 ** 41;
/** Pickles in one stream; real files hold one (legacy torch: five). */
export const MAX_PICKLES = 1000;
/** Bytes searched for another pickle when junk follows a STOP. */
export const MAX_RESYNC_BYTES = 1 << 20;
/** Room left in a window for the unread tail of the one before (an opcode cut by its end) when the next bytes were read ahead. */
const READ_AHEAD_TAIL = 64 * 1024;
/** Tensors listed for one checkpoint (as every format's table); real ones hold up to tens of thousands. */
export const MAX_TENSORS_LISTED = 100_000;
/** Findings of one rule from one stream; past it they are counted in a last finding of that rule. */
export const MAX_FINDINGS_PER_RULE = 20;
/**
 * Value nodes read to size joblib arrays in one stream: a wrapper takes about 30, so this is
 * tens of thousands of arrays. Each BUILD of a wrapper is read again, so it bounds a file that
 * BUILDs one wrapper over and over (1 MB of that took 26 s before).
 */
export const MAX_JOBLIB_LAYOUT_NODES = 1_000_000;
/** Persistent ids kept for the caller (legacy torch sizes each storage from its id); past it the caller is told how many were dropped. */
export const MAX_PERSISTENT_IDS = 100_000;
// Rendering budgets: one call, the value a pickle returns, a checkpoint's whole tensor tree.
const CALL_VIEW = { nodes: 400, depth: 8, items: 16 };
const VALUE_VIEW = { nodes: 2000, depth: 12, items: 32 };
/** The tensor walk asks for node lists of nodesPerRequest (12 MiB) at a time, `nodes` in all. */
const TENSOR_VIEW = { nodesPerRequest: 262_144, nodes: 16_000_000, depth: 64, items: 1_000_000 };
/** Nodes a checkpoint's tensor tree needs: about 30 a tensor (name, rebuild call, storage id, shape, stride). */
const NODES_PER_REBUILD = 64;
const TENSOR_VIEW_BASE_NODES = 10_000;

const LIMIT_NAMES: Record<number, [string, string]> = {
  1: ['MAX_STACK', 'the unpickler stack grew past 4,194,304 values'],
  2: ['MAX_MARKS', 'MARKs nest deeper than 1,048,576'],
  3: ['MAX_MEMO', 'the memo grew past its 192 MiB budget (or past 65,536 keys above 2^26)'],
  4: ['MAX_RECORDS', 'more than 1,048,576 imports, calls and persistent ids'],
  5: ['MAX_LINE', 'a protocol-0 text argument is longer than 65,536 bytes'],
  6: ['MAX_NESTING', 'pickles nest more than 8 deep'],
};

export interface ListedEvent {
  kind: 'import' | 'call' | 'mutation';
  offset: number;
  opcodeIndex: number;
  /** The Python it amounts to. */
  python: string;
  via?: string;
  /** For imports and calls of an import: the policy tier. */
  tier?: ImportJudgement['tier'] | 'dynamic';
}

interface ImportSeen {
  module: string;
  name: string;
  judgement: ImportJudgement;
  count: number;
  calls: number;
  location: Location;
  via: string;
  firstCall?: string;
}

export async function analysePickleStream(ctx: AnalysisContext, input: PickleStreamInput): Promise<PickleStreamResult> {
  const run = new StreamRun(ctx, input);
  try {
    return await run.run();
  } catch (error) {
    ctx.wasm.noteFailure(error); // a trap leaves the instance untrustworthy for the members after this one
    throw error;
  } finally {
    run.finish();
  }
}

class StreamRun {
  private readonly source: ByteSource;
  private readonly reader: StreamReader;
  private readonly policy: ImportPolicy;
  private readonly base: number;
  private machine!: PickleMachine;
  private readonly imports = new Map<string, ImportSeen>();
  private readonly listed: ListedEvent[] = [];
  private eventsSeen = 0;
  private callsSeen = 0;
  private readonly protocols = new Set<number>();
  private readonly values: PyValue[] = [];
  private readonly persistentIds: PyValue[] = [];
  private persistentIdCount = 0;
  private persistentIdsDropped = 0;
  private foreignPersistentIds = 0;
  /** Persistent ids whose value was past the keep budget (MAX_KEPT_BYTES): neither torch's nor foreign as far as we can tell. */
  private undescribedPersistentIds = 0;
  private firstForeignPersid?: Location;
  private frameDamage = 0;
  private firstFrameDamage?: { location: Location; kind: number };
  private buffers = 0;
  private rebuildCalls = 0;
  /** The tensor walk met values that were not kept or too deep, or ran out of nodes. */
  private tensorTableIncomplete = false;
  /** The read of the bytes after the current window, started before the machine runs through it. */
  private readAhead?: { offset: number; bytes: Promise<Uint8Array> };
  /** The walk reached MAX_TENSORS_LISTED with more of the value to go. */
  private tensorTableCut = false;
  private tensors: CheckpointTensor[] = [];
  private pendingBuild?: { target: number; offset: number; depth: number };
  /** Callee handles known to be (or not be) joblib's NumpyArrayWrapper. */
  private readonly wrapperCallees = new Map<number, boolean>();
  private layoutNodes = 0;
  private pickles = 0;
  private end = 0;
  private complete = true;
  private readonly summary: Record<string, unknown>;
  private readonly perRule = new Map<RuleId, { count: number; first?: Location }>();
  private readonly callees = new Map<number, CalleeInfo>();
  /** Imports made quiet in the machine (no more call events): their calls are counted there. */
  private readonly quietCallees = new Map<number, { known: CalleeInfo; counted: number }>();

  constructor(
    private readonly ctx: AnalysisContext,
    private readonly input: PickleStreamInput,
  ) {
    this.source = input.source;
    this.reader = new StreamReader(input.source);
    this.policy = ctx.policy ?? DEFAULT_IMPORT_POLICY;
    this.base = input.baseOffset ?? 0;
    this.summary = { ...(input.member !== undefined ? { member: input.member } : {}), offset: this.base, size: this.source.size };
    const pickle = (ctx.content.pickle ??= { streams: [] }) as { streams: unknown[] };
    pickle.streams.push(this.summary);
  }

  private at(offset: number, opcodeIndex?: number): Location {
    return { ...(this.input.member !== undefined ? { member: this.input.member } : {}), offset: this.base + offset, ...(opcodeIndex !== undefined ? { opcodeIndex } : {}) };
  }

  async run(): Promise<PickleStreamResult> {
    const size = this.source.size;
    if (size === 0) throw new MalformedError('the pickle stream is empty: no opcode before the end', this.at(0));
    if (size > MAX_STREAM_BYTES) throw new LimitError('MAX_STREAM_BYTES', size, `a pickle stream of ${size} bytes is over the ${MAX_STREAM_BYTES}-byte limit`, this.at(0));
    this.machine = this.ctx.wasm.pickleMachine(0, size, this.input.layout === 'joblib');
    const capacity = this.ctx.wasm.inputCapacity;
    let windowStart = 0;
    let window = await this.source.read(0, capacity);
    for (;;) {
      const status = await this.feed(windowStart, window, windowStart + window.length >= size);
      await this.drain();
      const state = this.machine.state();
      if (status === MachineStatus.NeedMore || status === MachineStatus.Paused) {
        if (this.pendingBuild) {
          const ok = await this.joblibArray(this.pendingBuild);
          this.pendingBuild = undefined;
          if (!ok) break;
        }
        const position = this.machine.state().position;
        if (status === MachineStatus.NeedMore || position < windowStart || position >= windowStart + window.length) {
          window = await this.windowAt(position, windowStart, window, capacity);
          windowStart = position;
        }
        continue;
      }
      if (status === MachineStatus.Stopped) {
        this.pickles++;
        this.end = state.position;
        if (this.input.single || this.end >= size) break;
        const next = await this.findNextPickle(this.end);
        if (next === undefined) break;
        if (this.pickles >= MAX_PICKLES) {
          throw new LimitError('MAX_PICKLES', this.pickles, `more than ${MAX_PICKLES} pickles in one stream`, this.at(next));
        }
        this.machine.next(next);
        windowStart = next;
        window = await this.source.read(next, capacity);
        continue;
      }
      this.fail(status, state.position, state.lastOpcode, state.limit);
    }
    return { end: this.end, pickles: this.pickles, values: this.values, persistentIds: this.persistentIds, persistentIdsDropped: this.persistentIdsDropped, complete: this.complete };
  }

  /**
   * The window at `position`. Reading on through a big pickle, the bytes
   * after the current window were already asked for while the machine ran
   * (the read overlaps the work): the new window is the old one's unread tail
   * and those bytes. Any other position is read as asked.
   */
  private async windowAt(position: number, start: number, window: Uint8Array, capacity: number): Promise<Uint8Array> {
    const end = start + window.length;
    const ahead = this.readAhead;
    this.readAhead = undefined;
    let next: Uint8Array;
    if (ahead && ahead.offset === end && position >= start && position <= end && end - position <= READ_AHEAD_TAIL) {
      const more = await ahead.bytes;
      next = new Uint8Array(end - position + more.length);
      next.set(window.subarray(position - start));
      next.set(more, end - position);
    } else {
      next = await this.source.read(position, capacity);
    }
    // ask for what follows this window now: the machine works through it meanwhile
    const after = position + next.length;
    if (after < this.source.size && next.length >= capacity - READ_AHEAD_TAIL && this.input.layout !== 'joblib') {
      this.readAhead = { offset: after, bytes: this.source.read(after, capacity - READ_AHEAD_TAIL) };
      this.readAhead.bytes.catch(() => undefined); // a failed read-ahead is not used; the read is made again, and fails there
    }
    return next;
  }

  /**
   * One feed. When it spends the memory budget, what the machine saw in this
   * window before that is still drained (the trap leaves its event log intact):
   * an import in the same opcode as the blow-up (INST) is judged all the same.
   */
  private async feed(windowStart: number, window: Uint8Array, atEnd: boolean): Promise<MachineStatus> {
    try {
      return this.machine.feed(windowStart, window, atEnd);
    } catch (error) {
      if (error instanceof WasmMemoryBudgetError) {
        try {
          await this.drain();
        } catch {
          // the spent instance could not describe what it saw: the limit finding stands alone
        }
      }
      throw error;
    }
  }

  /** Turns an error status into the exception that stops the stream. */
  private fail(status: MachineStatus, position: number, opcode: number, limit: number): never {
    const where = this.at(position, this.machine.state().opcodes);
    const op = opcodeName(opcode);
    switch (status) {
      case MachineStatus.Limit: {
        const [name, why] = LIMIT_NAMES[limit] ?? ['MAX_PICKLE_LIMIT', 'a pickle limit was reached'];
        throw new LimitError(name, position, `pickle analysis stopped at ${op} (byte ${this.base + position}): ${why}`, where);
      }
      case MachineStatus.UnknownOpcode:
        throw new MalformedError(`byte 0x${opcode.toString(16).padStart(2, '0')} at offset ${this.base + position} is not a pickle opcode`, where);
      case MachineStatus.BadArgument:
        throw new MalformedError(`${op} at offset ${this.base + position} has an invalid argument`, where);
      case MachineStatus.StackUnderflow:
        throw new MalformedError(`${op} at offset ${this.base + position} needs more values than the stack holds above its mark (stack underflow)`, where);
      case MachineStatus.Truncated:
        throw new MalformedError(`the pickle ends at offset ${this.base + position}${opcode >= 0 ? `, inside or after ${op},` : ''} before its STOP opcode (truncated)`, where);
      case MachineStatus.LengthBeyondFile:
        throw new MalformedError(`${op} at offset ${this.base + position} declares a length that runs past the end of the stream`, where);
      case MachineStatus.MemoMiss:
        throw new MalformedError(`${op} at offset ${this.base + position} fetches a memo entry that was never stored`, where);
      case MachineStatus.BadUtf8:
        throw new MalformedError(`${op} at offset ${this.base + position} holds text that is not UTF-8: CPython's decoder refuses it, and the load stops there`, where);
      case MachineStatus.OddItems:
        throw new MalformedError(`${op} at offset ${this.base + position} pairs keys and values from an odd number of items`, where);
    }
    throw new MalformedError(`the pickle machine stopped with status ${status} at offset ${this.base + position}`, where);
  }

  /** After a STOP with bytes left: another pickle right there, one a little further (after junk), or trailing data. */
  private async findNextPickle(from: number): Promise<number | undefined> {
    const size = this.source.size;
    if (await this.pickleStartsAt(from)) {
      this.ctx.findings.add('pickle.extra-pickle', `another pickle starts right after the STOP at offset ${this.base + from}: pickle.load stops before it, other loaders read it`, this.at(from));
      return from;
    }
    const span = await this.source.read(from, Math.min(MAX_RESYNC_BYTES, size - from));
    for (let i = 1; i + 1 < span.length; i++) {
      if (span[i] === 0x80 && span[i + 1]! >= 2 && span[i + 1]! <= 5 && (await this.pickleStartsAt(from + i))) {
        this.ctx.findings.add('pickle.trailing-data', `${i} bytes after the STOP at offset ${this.base + from} that no loader reads`, { ...this.at(from), length: i });
        this.ctx.findings.add('pickle.extra-pickle', `a further pickle starts at offset ${this.base + from + i}, after ${i} bytes of junk: pickle.load stops before it`, this.at(from + i));
        return from + i;
      }
    }
    const searched = size - from > MAX_RESYNC_BYTES ? ` (the first ${MAX_RESYNC_BYTES} were searched for a further pickle)` : '';
    this.ctx.findings.add('pickle.trailing-data', `${size - from} bytes after the last STOP at offset ${this.base + from} that no pickle loader reads${searched}`, { ...this.at(from), length: size - from });
    return undefined;
  }

  /** A headed pickle (PROTO 2-5) that gets through a few opcodes, or a protocol 0/1 one that reaches STOP cleanly. */
  private async pickleStartsAt(offset: number): Promise<boolean> {
    const head = await this.source.read(offset, 4096);
    if (head.length < 2) return false;
    const probe = this.ctx.wasm.pickleProbe(offset, this.source.size);
    const status = probe.feed(offset, head, offset + head.length >= this.source.size);
    const s = probe.state();
    if (head[0] === 0x80) return s.protocol >= 2 && (status === 1 || s.opcodes >= 3);
    return status === 1 && s.items === 0 && s.marks === 0 && s.opcodes >= 2;
  }

  private async describe(handle: number, view: { nodes: number; depth: number; items: number }) {
    return fromNodes(this.machine.describe(handle, view.nodes, view.depth, view.items), this.reader);
  }

  /** Adds a per-occurrence finding, up to MAX_FINDINGS_PER_RULE of a rule. */
  private note(rule: RuleId, message: string, location: Location, evidence: Record<string, string | number> = {}): void {
    const seen = this.perRule.get(rule) ?? { count: 0 };
    seen.count++;
    this.perRule.set(rule, seen);
    if (seen.count <= MAX_FINDINGS_PER_RULE) this.ctx.findings.add(rule, message, location, evidence);
    else seen.first ??= location;
  }

  private list(event: ListedEvent): void {
    this.eventsSeen++;
    if (this.listed.length < MAX_LISTED_EVENTS) this.listed.push(event);
  }

  private async drain(): Promise<void> {
    const events = this.machine.drainEvents();
    for (let e = 0; e < events.length; e += 6) {
      const type = events[e]!;
      const offset = events[e + 1]!;
      const index = events[e + 2]!;
      const a = events[e + 3]!;
      const b = events[e + 4]!;
      const c = events[e + 5]!;
      switch (type) {
        case 1: await this.onImport(a, offset, index); break;
        case 2: await this.onCall(a, b, offset, index); break;
        case 3: await this.onMutation(a, b, c, offset, index); break;
        case 4: await this.onPersistentId(a, offset, index); break;
        case 5:
          this.frameDamage++;
          this.firstFrameDamage ??= { location: this.at(offset, index), kind: a };
          break;
        case 6: if (b === 0) await this.onStop(a); break;
        case 7: if (c === 0) this.pendingBuild = { target: a, offset, depth: 0 }; break;
        case 8: this.buffers++; break;
        case 9: this.protocols.add(a); break;
      }
    }
  }

  private judge(module: string, name: string): ImportJudgement {
    return this.policy.judge(module, name);
  }

  private async onImport(handle: number, offset: number, index: number): Promise<void> {
    const { value } = await this.describe(handle, { nodes: 64, depth: 4, items: 8 });
    if (value.type === 'dynamic-global') {
      const python = renderPython(value);
      if (!couldBeStr(value.module) || !couldBeStr(value.name)) {
        // CPython checks `type(x) is str` at load time: a constant of another type stops the load
        throw new MalformedError(`STACK_GLOBAL at offset ${this.base + offset} takes ${python.slice('find_class'.length)}: CPython refuses anything but two strings`, this.at(offset, index));
      }
      this.list({ kind: 'import', offset, opcodeIndex: index, python, via: 'STACK_GLOBAL', tier: 'dynamic' });
      this.note('pickle.dynamic-import', `STACK_GLOBAL at offset ${this.base + offset} imports a name that is not a constant string: ${python}`, this.at(offset, index), { import: python });
      return;
    }
    if (value.type !== 'global') return;
    if (value.invalidUtf8) {
      throw new MalformedError(`the import at offset ${this.base + offset} names ${value.module}.${value.name} in bytes that are not UTF-8: CPython fails to decode them, and the load stops there`, this.at(offset, index));
    }
    if (value.ext !== undefined) {
      this.list({ kind: 'import', offset, opcodeIndex: index, python: `copyreg extension ${value.ext}`, via: 'EXT', tier: 'dynamic' });
      this.note('pickle.ext-code', `an EXT opcode at offset ${this.base + offset} imports extension code ${value.ext} through the copyreg registry: what it names depends on the loading program`, this.at(offset, index), { code: value.ext });
      return;
    }
    const key = `${value.module}\u0000${value.name}`;
    let seen = this.imports.get(key);
    const via = opcodeName(Number(await this.opcodeAt(offset)));
    if (!seen) {
      seen = { module: value.module, name: value.name, judgement: this.judge(value.module, value.name), count: 0, calls: 0, location: this.at(offset, index), via };
      this.imports.set(key, seen);
    }
    seen.count++;
    this.list({ kind: 'import', offset, opcodeIndex: index, python: `from ${value.module} import ${value.name}`, via, tier: seen.judgement.tier });
  }

  private async opcodeAt(offset: number): Promise<number> {
    return (await this.reader.bytes(offset, 1))[0] ?? -1;
  }

  /**
   * Every call is judged by its callee; the first MAX_LISTED_EVENTS (and the
   * first of each callee that is not safe) are also rendered. Callees are
   * cached by handle, so millions of calls of the same class cost a lookup each.
   */
  private async onCall(handle: number, callee: number, offset: number, index: number): Promise<void> {
    this.callsSeen++;
    let known = this.callees.get(callee);
    if (!known && isCallResult(callee)) known = CALL_RESULT_CALLEE; // a new handle each time in a chain f()()()…: not described
    if (!known) {
      const { value } = await this.describe(callee, { nodes: 64, depth: 4, items: 8 });
      if (NOT_CALLABLE.has(value.type)) {
        // CPython raises TypeError here: nothing is called, and the load stops
        throw new MalformedError(`${opcodeName(await this.opcodeAt(offset))} at offset ${this.base + offset} calls ${renderPython(value, 80)}, a ${value.type} constant, which is not callable: loading fails here`, this.at(offset, index));
      }
      const name = value.type === 'global' && value.ext === undefined ? `${value.module}\u0000${value.name}` : undefined;
      known = { seen: name ? this.imports.get(name) : undefined, dynamic: value.type === 'dynamic-global', rebuild: isRebuildCall(globalName(value)) };
      this.callees.set(callee, known);
    }
    if (known.rebuild) this.rebuildCalls++;
    const seen = known.seen;
    if (seen) seen.calls++;
    const tier: ListedEvent['tier'] = seen ? seen.judgement.tier : known.dynamic ? 'dynamic' : undefined;
    const firstOfItsKind = seen !== undefined && seen.judgement.tier !== 'safe' && seen.firstCall === undefined;
    if (this.listed.length >= MAX_LISTED_EVENTS && !firstOfItsKind) {
      this.eventsSeen++;
      // Nothing more to list or render for this import: the machine counts its further calls.
      if (handleKind(callee) === Kind.Global && (seen === undefined || seen.judgement.tier === 'safe' || seen.firstCall !== undefined)) {
        this.machine.quiet(callee);
        this.quietCallees.set(callee, { known, counted: this.machine.callCount(callee) });
      }
      return;
    }
    const { value } = await this.describe(handle, CALL_VIEW);
    const python = value.type === 'call' ? renderPython(value) : await this.renderLiteCall(callee, offset);
    if (firstOfItsKind) seen.firstCall = python.length > 500 ? `${python.slice(0, 499)}…` : python;
    this.list({ kind: 'call', offset, opcodeIndex: index, python, via: opcodeName(Number(await this.opcodeAt(offset))), ...(tier ? { tier } : {}) });
  }

  /** A call whose record was not kept (budget spent): the callee, arguments not shown. */
  private async renderLiteCall(callee: number, offset: number): Promise<string> {
    const { value } = await this.describe(callee, { nodes: 64, depth: 4, items: 8 });
    void offset;
    return `${renderPython(value)}(…)`;
  }

  private async onMutation(target: number, what: number, opcode: number, offset: number, index: number): Promise<void> {
    const { value: t } = await this.describe(target, { nodes: 64, depth: 4, items: 8 });
    const { value: w } = await this.describe(what, CALL_VIEW);
    const name = globalName(t) ?? renderPython(t);
    const op = opcodeName(opcode);
    const python = op === 'BUILD' ? `${name}.__setstate__(${renderPython(w)})  # or ${name}.__dict__.update(…)` : op === 'SETITEM' || op === 'SETITEMS' ? `${name}[${renderPython(w)}] = …` : `${name}.append(${renderPython(w)})`;
    this.list({ kind: 'mutation', offset, opcodeIndex: index, python, via: op, tier: 'dangerous' });
    this.note('pickle.global-mutation', `${op} at offset ${this.base + offset} writes into the imported ${name}: ${python}`, this.at(offset, index), { global: name, python });
  }

  private async onPersistentId(handle: number, offset: number, index: number): Promise<void> {
    const { value } = await this.describe(handle, { nodes: 64, depth: 4, items: 8 });
    if (value.type !== 'persid') return;
    if (value.id.type === 'elided') {
      // Kept lite: a big checkpoint's storages past the budget. Not evidence of a foreign id.
      this.undescribedPersistentIds++;
      return;
    }
    this.persistentIdCount++;
    if (this.input.keepPersistentIds) {
      if (this.persistentIds.length < MAX_PERSISTENT_IDS) this.persistentIds.push(value.id);
      else this.persistentIdsDropped++;
    }
    if (!isTorchStorageId(value.id)) {
      this.foreignPersistentIds++;
      this.firstForeignPersid ??= this.at(offset, index);
    }
  }

  /** Adds the calls the machine counted for quiet imports since the last look. */
  private countQuietCalls(): void {
    for (const [callee, quiet] of this.quietCallees) {
      const total = this.machine.callCount(callee);
      const calls = total - quiet.counted;
      if (!(calls > 0)) continue;
      quiet.counted = total;
      this.callsSeen += calls;
      this.eventsSeen += calls;
      if (quiet.known.seen) quiet.known.seen.calls += calls;
      if (quiet.known.rebuild) this.rebuildCalls += calls;
    }
  }

  private async onStop(handle: number): Promise<void> {
    this.countQuietCalls();
    const { value } = await this.describe(handle, VALUE_VIEW);
    this.values.push(value);
    if (this.rebuildCalls > 0 && this.tensors.length < MAX_TENSORS_LISTED) {
      // sized by the rebuild calls seen, so a small pickle whose values share each other cannot make it huge
      const nodes = Math.min(TENSOR_VIEW.nodes, TENSOR_VIEW_BASE_NODES + NODES_PER_REBUILD * this.rebuildCalls);
      const tree: TensorTree = {
        describe: (h, firstItem) => this.machine.describe(h, TENSOR_VIEW.nodesPerRequest, TENSOR_VIEW.depth, TENSOR_VIEW.items, firstItem),
        reader: this.reader,
        nodesPerRequest: TENSOR_VIEW.nodesPerRequest,
        maxNodes: nodes,
      };
      const walk = await collectTensors(tree, handle, MAX_TENSORS_LISTED - this.tensors.length);
      for (const tensor of walk.tensors) this.tensors.push(tensor);
      if (walk.incomplete) this.tensorTableIncomplete = true;
      if (walk.cutAtLimit) this.tensorTableCut = true;
    }
  }

  /** joblib: step over the array bytes after a NumpyArrayWrapper BUILD. False when the stream cannot be followed. */
  private async joblibArray(build: { target: number; offset: number }): Promise<boolean> {
    if (!(await this.isArrayWrapper(build.target))) return true;
    const nodes = this.machine.describe(build.target, 400, 8, 64);
    this.layoutNodes += nodes.length / NODE_WORDS;
    if (this.layoutNodes > MAX_JOBLIB_LAYOUT_NODES) {
      throw new LimitError('MAX_JOBLIB_LAYOUT_NODES', this.layoutNodes, `joblib array wrappers built so often that reading them passed ${MAX_JOBLIB_LAYOUT_NODES} value nodes (BUILD at byte ${this.base + build.offset}); the rest of the pickle was not checked`, this.at(build.offset));
    }
    const { value } = await fromNodes(nodes, this.reader);
    const layout = arrayLayout(value);
    if (!layout) return true;
    const position = this.machine.state().position;
    if (layout.kind === 'pickle') {
      if (!this.machine.nest()) this.fail(MachineStatus.Limit, position, 0x62, this.machine.state().limit);
      return true;
    }
    if (layout.kind === 'unknown') {
      this.complete = false;
      this.ctx.findings.add('format.not-analysed', `joblib array at offset ${this.base + position}: ${layout.why}, so its bytes cannot be stepped over; the rest of the pickle was not checked`, this.at(position));
      return false;
    }
    let skip = layout.bytes;
    if (layout.padded) {
      const pad = (await this.source.read(position, 1))[0];
      if (pad === undefined) throw new MalformedError(`the joblib file ends at offset ${this.base + position} where an array's padding byte belongs`, this.at(position));
      skip += BigInt(1 + pad);
    }
    const after = BigInt(position) + skip;
    if (after > BigInt(this.source.size)) {
      throw new MalformedError(`a joblib array at offset ${this.base + position} declares ${layout.bytes} bytes, past the end of the file`, this.at(position));
    }
    this.machine.seek(Number(after));
    return true;
  }

  /** Whether a BUILD target is a NumpyArrayWrapper call; each callee is read once. */
  private async isArrayWrapper(target: number): Promise<boolean> {
    const callee = this.machine.calleeOf(target);
    if (callee < 0 || handleKind(callee) !== Kind.Global) return false;
    let known = this.wrapperCallees.get(callee);
    if (known === undefined) {
      const { value } = await this.describe(callee, { nodes: 8, depth: 2, items: 2 });
      known = value.type === 'global' && globalName(value) === WRAPPER;
      this.wrapperCallees.set(callee, known);
    }
    return known;
  }

  /** Adds the per-import findings and the report content; runs after success and failure alike. */
  finish(): void {
    if (this.machine) this.countQuietCalls();
    this.machine?.end();
    const byUser: string[] = [];
    for (const seen of this.imports.values()) {
      const full = `${seen.module}.${seen.name}`;
      const evidence = { global: full, reason: seen.judgement.reason, imports: seen.count, calls: seen.calls, ...(seen.firstCall ? { call: seen.firstCall } : {}) };
      const called = seen.firstCall ? `, called as ${seen.firstCall}` : '';
      if (seen.judgement.tier === 'dangerous') {
        this.ctx.findings.add('pickle.dangerous-import', `imports ${full}${called}: ${seen.judgement.reason}`, seen.location, evidence);
      } else if (seen.judgement.tier === 'unknown') {
        this.ctx.findings.add('pickle.unknown-import', `imports ${full}, which is not on the reviewed safe list${called}`, seen.location, evidence);
      } else if (seen.judgement.byUser) {
        byUser.push(full);
      }
    }
    for (const [rule, seen] of this.perRule) {
      if (seen.count > MAX_FINDINGS_PER_RULE && seen.first) {
        this.ctx.findings.add(rule, `${seen.count - MAX_FINDINGS_PER_RULE} more of these in this stream (only the first ${MAX_FINDINGS_PER_RULE} are listed)`, seen.first, { count: seen.count });
      }
    }
    if (byUser.length) {
      this.ctx.findings.add('pickle.user-allowlist', `judged safe by the user's allowlist, not the built-in list: ${byUser.join(', ')}`, this.at(0), { globals: byUser, entries: [...this.policy.userEntries] });
    }
    if (this.firstFrameDamage) {
      const what = this.firstFrameDamage.kind === 1 ? 'an opcode crosses the end of its FRAME' : 'a FRAME starts before the previous one ends';
      this.ctx.findings.add('pickle.frame-straddle', `${what} at offset ${this.firstFrameDamage.location.offset}${this.frameDamage > 1 ? ` (${this.frameDamage} places in all)` : ''}`, this.firstFrameDamage.location, { count: this.frameDamage });
    }
    if (this.tensorTableCut) {
      this.ctx.findings.add('pickle.render-budget', `the tensor table lists the first ${MAX_TENSORS_LISTED} tensors (MAX_TENSORS_LISTED); the rest of the value was not walked for more; every import and call was still judged`, this.at(0), { limit: 'MAX_TENSORS_LISTED', tensors: this.tensors.length });
    } else if (this.tensorTableIncomplete && this.undescribedPersistentIds === 0) {
      this.ctx.findings.add('pickle.render-budget', `the tensor table may be incomplete: parts of the value this pickle returns were not kept (MAX_KEPT_BYTES), nest deeper than ${TENSOR_VIEW.depth} levels, or take more than ${TENSOR_VIEW.nodes} nodes to walk; every import and call was still judged`, this.at(0), { tensors: this.tensors.length });
    }
    if (this.undescribedPersistentIds > 0) {
      this.ctx.findings.add('pickle.render-budget', `${this.undescribedPersistentIds} persistent id(s) came after the rendering budget was spent (MAX_KEPT_BYTES): the tensor table misses their tensors; every import and call was still judged`, this.at(0), { count: this.undescribedPersistentIds });
    }
    if (this.foreignPersistentIds > 0 && this.firstForeignPersid) {
      this.ctx.findings.add('pickle.persistent-id', `${this.foreignPersistentIds} persistent id(s) that are not PyTorch storages: the loading program's persistent_load decides what they become`, this.firstForeignPersid, { count: this.foreignPersistentIds });
    }
    const state = this.machine?.state();
    Object.assign(this.summary, {
      pickles: this.pickles,
      protocols: [...this.protocols],
      opcodes: state?.opcodes ?? 0,
      imports: [...this.imports.values()].map((s) => ({ module: s.module, name: s.name, tier: s.judgement.tier, reason: s.judgement.reason, count: s.count, calls: s.calls, offset: s.location.offset, via: s.via, ...(s.judgement.byUser ? { byUser: true } : {}) })),
      events: this.listed,
      eventsTotal: this.eventsSeen,
      calls: this.callsSeen,
      ...(this.buffers ? { outOfBandBuffers: this.buffers } : {}),
      ...(this.policy.userEntries.length ? { userAllowlist: [...this.policy.userEntries] } : {}),
      ...(this.persistentIdCount ? { persistentIds: this.persistentIdCount } : {}),
      ...(this.values.length ? { returns: this.values.map((v) => renderPython(v, 4000)) } : {}),
      ...(this.tensors.length ? { tensors: this.tensors, tensorTotals: totals(this.tensors) } : {}),
    });
  }
}

/** Constants CPython cannot call: REDUCE, NEWOBJ, OBJ on one of these fails with TypeError. */
/** The kind bits of a machine handle (assembly/pickle/values.ts: payload << 6 | kind). */
const handleKind = (handle: number): number => handle % 64;
/** A call's result or a persistent object (kept or not): callable, never an import. */
const isCallResult = (handle: number): boolean => [Kind.Call, Kind.Persid, Kind.Lite + Kind.Call].includes(handleKind(handle) as 15);
interface CalleeInfo {
  seen?: ImportSeen;
  dynamic: boolean;
  rebuild: boolean;
}
const CALL_RESULT_CALLEE: CalleeInfo = { seen: undefined, dynamic: false, rebuild: false };
const NOT_CALLABLE = new Set<PyValue['type']>(['none', 'bool', 'int', 'float', 'str', 'bytes', 'tuple', 'list', 'dict', 'set', 'frozenset', 'buffer']);

/** Whether a STACK_GLOBAL operand may be a str when loaded: a str constant, or anything computed. */
function couldBeStr(v: PyValue): boolean {
  return v.type === 'str' || v.type === 'call' || v.type === 'global' || v.type === 'dynamic-global' || v.type === 'persid' || (v.type === 'elided' && !/^(tuple|list|dict|set|frozenset)/.test(v.what));
}

function totals(tensors: CheckpointTensor[]): { tensors: number; parameters: number; bytes: number; byDtype: Record<string, { tensors: number; parameters: number }> } {
  const byDtype: Record<string, { tensors: number; parameters: number }> = {};
  let parameters = 0;
  let bytes = 0;
  for (const t of tensors) {
    parameters += t.parameters;
    bytes += t.bytes;
    const d = (byDtype[t.dtype] ??= { tensors: 0, parameters: 0 });
    d.tensors++;
    d.parameters += t.parameters;
  }
  return { tensors: tensors.length, parameters, bytes, byDtype };
}
