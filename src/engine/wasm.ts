// The typed face of assembly/ (build/weightlens.wasm). Environment-free: the
// compiled WebAssembly.Module comes from a loader (src/worker or src/node).
import type { JsonScanExports, JsonScanner, JsonScanStatus } from './json/scanner-api.js';

interface Exports {
  memory: WebAssembly.Memory;
  inputPointer(): number;
  inputCapacity(): number;
  sha256Init(): void;
  sha256Update(length: number): void;
  sha256Final(): number;
  pickleOpcodeCount(): number;
  pickleProbeBegin(start: number, size: number): void;
  pickleProbeFeed(windowStart: number, length: number, atEnd: boolean): number;
  pickleProbePosition(): number;
  pickleProbeOpcodes(): number;
  pickleProbeProtocol(): number;
  pickleProbeItems(): number;
  pickleProbeMarks(): number;
  pickleProbeLastOpcode(): number;
  pickleDisasmBegin(start: number, size: number, lines: number): void;
  pickleDisasmLines(): number;
  pickleDisasmPointer(): number;
  pickleMachineBegin(start: number, size: number, joblib: boolean): void;
  pickleMachineNext(at: number): void;
  pickleMachineNest(): boolean;
  pickleMachineCalleeOf(handle: number): number;
  pickleMachineQuiet(handle: number): void;
  pickleMachineCallCount(handle: number): number;
  pickleMachineSeek(at: number): void;
  pickleMachineEnd(): void;
  pickleMachineFeed(windowStart: number, length: number, atEnd: boolean): number;
  pickleMachinePosition(): number;
  pickleMachineOpcodes(): number;
  pickleMachineProtocol(): number;
  pickleMachineLastOpcode(): number;
  pickleMachineLimit(): number;
  pickleMachineDepth(): number;
  pickleMachineMemoSize(): number;
  pickleMachineStackSize(): number;
  pickleMachineMarks(): number;
  pickleMachineRecords(): number;
  pickleEventCount(): number;
  pickleEventsPointer(): number;
  pickleEventsClear(): void;
  pickleDescribe(handle: number, maxNodes: number, maxDepth: number, maxItems: number, firstItem: number): number;
  pickleDescribePointer(): number;
  pickleDescribeRelease(): void;
}

/** f64 words of one node of a described value (assembly/pickle/describe.ts). */
export const NODE_WORDS = 6;

/** Raised when the module traps (an assertion or a bug in a decoder). */
export class WasmAbort extends Error {
  override name = 'WasmAbort';
}

/** Pages the module starts with (asconfig.json `initialMemory`: the import must offer at least that). */
const INITIAL_PAGES = 32;
const PAGE_BYTES = 65536;
/** The largest memory budget (asconfig.json `maximumMemory`, 16,384 pages): the import may not offer more. */
export const MAX_MEMORY_BUDGET_BYTES = 16384 * PAGE_BYTES;
/** The default: 512 MiB of wasm memory per instance, far above what any real model file needs (see bench/). */
export const DEFAULT_MEMORY_BUDGET_BYTES = 512 * 1024 * 1024;
/** Below this a budget cannot hold the decoders' fixed windows and tables. */
export const MIN_MEMORY_BUDGET_BYTES = 16 * 1024 * 1024;

/**
 * The decoder needed more memory than its budget. The module's allocator
 * executes `unreachable` when `memory.grow` fails — the only `unreachable`
 * not preceded by an abort() call in the build, besides a GC corruption
 * check — so that trap is read as the budget being spent.
 */
export class WasmMemoryBudgetError extends WasmAbort {
  override name = 'WasmMemoryBudgetError';
  constructor(readonly budgetBytes: number, readonly usedBytes: number) {
    super(`the decoder needed more than its memory budget of ${formatMiB(budgetBytes)} (${formatMiB(usedBytes)} in use)`);
  }
}

function formatMiB(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

export interface WasmOptions {
  /** The instance's wasm memory may not grow past this (rounded down to 64 KiB pages); default 512 MiB. */
  memoryBudgetBytes?: number;
}

/** A budget within MIN..MAX, in whole pages. */
export function clampMemoryBudget(bytes: number): number {
  const pages = Math.floor(Math.min(Math.max(bytes, MIN_MEMORY_BUDGET_BYTES), MAX_MEMORY_BUDGET_BYTES) / PAGE_BYTES);
  return pages * PAGE_BYTES;
}

export class WeightlensWasm {
  private current!: Exports;
  /** Set by a trap: the instance's state (heap, decoder globals) can no longer be trusted. */
  private trapped = false;
  /** Fresh instances made after traps (for tests and diagnostics). */
  resets = 0;

  /** The cap on this instance's wasm memory (each fresh instance after a trap gets the same). */
  readonly memoryBudgetBytes: number;

  private constructor(private readonly module: WebAssembly.Module, options: WasmOptions) {
    this.memoryBudgetBytes = clampMemoryBudget(options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES);
  }

  static async instantiate(module: WebAssembly.Module, options: WasmOptions = {}): Promise<WeightlensWasm> {
    const wasm = new WeightlensWasm(module, options);
    const instance = await WebAssembly.instantiate(module, wasm.imports());
    wasm.current = wasm.guard(instance.exports);
    return wasm;
  }

  /** Bytes of wasm memory the instance holds now (it never shrinks; a fresh instance starts small). */
  get memoryBytes(): number {
    return this.current.memory.buffer.byteLength;
  }

  /** The exports, each function turning a failed memory grow into WasmMemoryBudgetError. */
  private guard(raw: WebAssembly.Exports): Exports {
    const guarded: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(raw)) {
      if (typeof value !== 'function') {
        guarded[name] = value;
        continue;
      }
      const fn = value as (...args: unknown[]) => unknown;
      guarded[name] = (...args: unknown[]) => {
        try {
          return fn(...args);
        } catch (error) {
          if (error instanceof WebAssembly.RuntimeError && /unreachable/i.test(error.message)) {
            const used = (raw.memory as WebAssembly.Memory).buffer.byteLength;
            // replaced now, not on next use: the spent memory (up to the budget) is let go at once
            if (this.current?.memory === raw.memory) this.replace();
            throw new WasmMemoryBudgetError(this.memoryBudgetBytes, used);
          }
          throw error;
        }
      };
    }
    return guarded as unknown as Exports;
  }

  private imports(): WebAssembly.Imports {
    const readString = (pointer: number): string => {
      // AssemblyScript strings: UTF-16 code units, byte length stored just before.
      const memory = this.current?.memory;
      if (!memory || pointer === 0) return '';
      const bytes = new Uint32Array(memory.buffer, pointer - 4, 1)[0] ?? 0;
      return String.fromCharCode(...new Uint16Array(memory.buffer, pointer, Math.min(bytes >>> 1, 512)));
    };
    return {
      env: {
        memory: new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: this.memoryBudgetBytes / PAGE_BYTES }),
        abort: (message: number, file: number, line: number, column: number) => {
          this.trapped = true;
          throw new WasmAbort(`${readString(message)} (${readString(file)}:${line}:${column})`);
        },
      },
    };
  }

  /**
   * The instance's exports; after a trap, those of a fresh instance of the same
   * module: one hostile file must not break the scans after it.
   */
  private get exports(): Exports {
    if (this.trapped) this.replace();
    return this.current;
  }

  private replace(): void {
    this.trapped = false;
    this.current = this.guard(new WebAssembly.Instance(this.module, this.imports()).exports);
    this.resets++;
  }

  /** Marks the instance untrustworthy after a failure inside it (a RuntimeError: out of bounds, unreachable). */
  noteFailure(error: unknown): void {
    if (error instanceof WasmMemoryBudgetError) return; // its instance is already replaced
    if (error instanceof WasmAbort || error instanceof WebAssembly.RuntimeError) this.trapped = true;
  }

  /** Largest chunk one call can take. */
  get inputCapacity(): number {
    return this.exports.inputCapacity();
  }

  /** The window last copied in, and into which instance: a decoder resumed after a pause is fed the same one. */
  private loaded?: { bytes: Uint8Array; exports: Exports };

  /**
   * Copies bytes into the module's input window (views are re-made: memory may grow).
   * The window a paused decoder is fed again is still there (only load() writes it),
   * so it is not copied again: a file that pauses the decoder often must not cost a
   * megabyte of copying per pause.
   */
  private load(bytes: Uint8Array): void {
    if (bytes.length > this.inputCapacity) throw new RangeError('chunk larger than the wasm input window');
    const e = this.exports;
    if (this.loaded?.bytes === bytes && this.loaded.exports === e) return;
    new Uint8Array(e.memory.buffer, e.inputPointer(), bytes.length).set(bytes);
    this.loaded = { bytes, exports: e };
  }

  /** Streaming SHA-256; one hash at a time per module instance. */
  sha256(): Sha256 {
    this.exports.sha256Init();
    return {
      update: (bytes: Uint8Array) => {
        for (let at = 0; at < bytes.length; at += this.inputCapacity) {
          const chunk = bytes.subarray(at, at + this.inputCapacity);
          this.load(chunk);
          this.exports.sha256Update(chunk.length);
        }
      },
      digestHex: () => {
        const pointer = this.exports.sha256Final();
        const digest = new Uint8Array(this.exports.memory.buffer, pointer, 32);
        return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
      },
    };
  }

  get pickleOpcodeCount(): number {
    return this.exports.pickleOpcodeCount();
  }

  /**
   * The symbolic unpickler (assembly/pickle/machine.ts). One stream at a time
   * per module instance; `end()` frees its memory.
   */
  pickleMachine(start: number, size: number, joblib: boolean): PickleMachine {
    const e = this.exports;
    e.pickleMachineBegin(start, size, joblib);
    const words = (pointer: number, count: number) => new Float64Array(e.memory.buffer, pointer, count);
    return {
      feed: (windowStart, bytes, atEnd) => {
        this.load(bytes);
        return e.pickleMachineFeed(windowStart, bytes.length, atEnd) as MachineStatus;
      },
      drainEvents: () => {
        const count = e.pickleEventCount();
        const copy = words(e.pickleEventsPointer(), count * 6).slice();
        e.pickleEventsClear();
        return copy;
      },
      describe: (handle, maxNodes, maxDepth, maxItems, firstItem = 0) => {
        const count = e.pickleDescribe(handle, maxNodes, maxDepth, maxItems, firstItem);
        return words(e.pickleDescribePointer(), count * NODE_WORDS).slice();
      },
      next: (at) => e.pickleMachineNext(at),
      nest: () => Boolean(e.pickleMachineNest()),
      calleeOf: (handle) => e.pickleMachineCalleeOf(handle),
      quiet: (handle) => e.pickleMachineQuiet(handle),
      callCount: (handle) => e.pickleMachineCallCount(handle),
      seek: (at) => e.pickleMachineSeek(at),
      end: () => {
        e.pickleMachineEnd();
        e.pickleDescribeRelease();
      },
      state: () => ({
        position: e.pickleMachinePosition(),
        opcodes: e.pickleMachineOpcodes(),
        protocol: e.pickleMachineProtocol(),
        lastOpcode: e.pickleMachineLastOpcode(),
        limit: e.pickleMachineLimit(),
        depth: e.pickleMachineDepth(),
        memoSize: e.pickleMachineMemoSize(),
        stackSize: e.pickleMachineStackSize(),
        marks: e.pickleMachineMarks(),
        records: e.pickleMachineRecords(),
      }),
    };
  }

  /**
   * Opcode boundaries from `start` (an opcode start), up to `lines` of them:
   * the walk is the probe's, without stack accounting, so a page can start mid-stream.
   */
  pickleDisasm(start: number, size: number, lines: number): PickleDisasm {
    const e = this.exports;
    e.pickleDisasmBegin(start, size, lines);
    return {
      feed: (windowStart, bytes, atEnd) => {
        this.load(bytes);
        return e.pickleProbeFeed(windowStart, bytes.length, atEnd) as ProbeStatus;
      },
      lines: () => {
        const words = new Float64Array(e.memory.buffer, e.pickleDisasmPointer(), e.pickleDisasmLines() * 2);
        const out: { offset: number; opcode: number }[] = [];
        for (let i = 0; i < words.length; i += 2) out.push({ offset: words[i]!, opcode: words[i + 1]! });
        return out;
      },
      position: () => e.pickleProbePosition(),
      lastOpcode: () => e.pickleProbeLastOpcode(),
    };
  }

  /** Starts a validating pickle walk at `start` in a file of `size` bytes. */
  pickleProbe(start: number, size: number): PickleProbe {
    const e = this.exports;
    e.pickleProbeBegin(start, size);
    return {
      feed: (windowStart: number, bytes: Uint8Array, atEnd: boolean) => {
        this.load(bytes);
        return e.pickleProbeFeed(windowStart, bytes.length, atEnd) as ProbeStatus;
      },
      state: () => ({
        position: e.pickleProbePosition(),
        opcodes: e.pickleProbeOpcodes(),
        protocol: e.pickleProbeProtocol(),
        items: e.pickleProbeItems(),
        marks: e.pickleProbeMarks(),
        lastOpcode: e.pickleProbeLastOpcode(),
      }),
    };
  }

  /** The strict JSON scanner (assembly/json/scanner.ts): one scan at a time per instance, driven without awaiting. */
  jsonScanner(): JsonScanner {
    const e = this.exports as unknown as JsonScanExports;
    const u32 = (n: number) => n >>> 0;
    return {
      begin: (length, limits, seed, hashBits) => e.jsonScanBegin(length, limits.maxDepth, limits.maxObjectKeys, limits.maxOpenKeys, seed[0], seed[1], hashBits),
      feed: (windowStart, bytes) => {
        this.load(bytes);
        return e.jsonScanFeed(windowStart, bytes.length) as JsonScanStatus;
      },
      resume: () => e.jsonScanResume() as JsonScanStatus,
      reject: () => e.jsonScanReject(),
      end: () => e.jsonScanEnd(),
      tape: () => new Uint32Array(this.exports.memory.buffer, e.jsonScanTapePointer(), e.jsonScanTapeCount() * 3),
      clearTape: () => e.jsonScanTapeClear(),
      error: () => ({ reason: e.jsonScanErrorReason(), at: u32(e.jsonScanErrorAt()) }),
      candidate: () => ({ start: u32(e.jsonScanCandidateStart()), end: u32(e.jsonScanCandidateEnd()) }),
      key: () => ({ start: u32(e.jsonScanKeyStart()), end: u32(e.jsonScanKeyEnd()) }),
    };
  }

  /**
   * The ONNX protobuf walker (assembly/onnx/walker.ts) over a ModelProto of
   * `size` bytes. One walk at a time per module instance.
   */
  onnxWalker(size: number, limits: OnnxWalkLimits): OnnxWalker {
    const e = this.exports;
    e.onnxWalkBegin(size, limits.maxMessageDepth, limits.maxSubgraphDepth, limits.maxString);
    return {
      feed: (windowStart, bytes) => {
        this.load(bytes);
        return e.onnxWalkFeed(windowStart, bytes.length) as OnnxWalkStatus;
      },
      drainEvents: () => {
        const count = e.onnxEventCount();
        const copy = new Float64Array(e.memory.buffer, e.onnxEventsPointer(), count * 6).slice();
        e.onnxEventsClear();
        return copy;
      },
      position: () => e.onnxWalkPosition(),
      need: () => e.onnxWalkNeed(),
      error: () => ({ offset: e.onnxWalkErrorOffset(), field: e.onnxWalkErrorField(), wire: e.onnxWalkErrorWire(), messageType: e.onnxWalkErrorType() }),
    };
  }
}

export interface Sha256 {
  update(bytes: Uint8Array): void;
  digestHex(): string;
}

/** Mirrors the PROBE_* constants in assembly/pickle/probe.ts. */
export const ProbeStatus = {
  NeedMore: 0,
  Stopped: 1,
  RecordsFull: 2,
  UnknownOpcode: -1,
  BadArgument: -2,
  StackUnderflow: -3,
  Truncated: -4,
  LengthBeyondFile: -5,
  Limit: -6,
} as const;
export type ProbeStatus = (typeof ProbeStatus)[keyof typeof ProbeStatus];

export interface PickleProbeState {
  /** Offset of the next opcode (after STOP when stopped; the bad opcode on error). */
  position: number;
  opcodes: number;
  /** Protocol from a PROTO opcode, or -1. */
  protocol: number;
  /** Items above the topmost mark. */
  items: number;
  marks: number;
  lastOpcode: number;
}

export interface PickleProbe {
  feed(windowStart: number, bytes: Uint8Array, atEnd: boolean): ProbeStatus;
  state(): PickleProbeState;
}

/** Mirrors the M_* constants in assembly/pickle/machine.ts. */
export const MachineStatus = {
  NeedMore: 0,
  Stopped: 1,
  Paused: 2,
  UnknownOpcode: -1,
  BadArgument: -2,
  StackUnderflow: -3,
  Truncated: -4,
  LengthBeyondFile: -5,
  Limit: -6,
  MemoMiss: -7,
  OddItems: -8,
  BadUtf8: -9,
} as const;
export type MachineStatus = (typeof MachineStatus)[keyof typeof MachineStatus];

export interface PickleMachineState {
  /** Offset of the next opcode (the failing one after an error). */
  position: number;
  opcodes: number;
  protocol: number;
  lastOpcode: number;
  /** Which limit stopped it (L_* in machine.ts), 0 for none. */
  limit: number;
  depth: number;
  memoSize: number;
  stackSize: number;
  marks: number;
  records: number;
}

export interface PickleMachine {
  feed(windowStart: number, bytes: Uint8Array, atEnd: boolean): MachineStatus;
  /** Events since the last drain: six words each (see E_* in machine.ts). */
  drainEvents(): Float64Array;
  /**
   * A value's node list (NODE_WORDS words a node, see describe.ts); of a
   * container or call, its items from `firstItem` on (a dict's key and value count as two).
   */
  describe(handle: number, maxNodes: number, maxDepth: number, maxItems: number, firstItem?: number): Float64Array;
  next(at: number): void;
  nest(): boolean;
  /** The callee handle of a kept call, -1 for any other value. */
  calleeOf(handle: number): number;
  /** No more call events for this import (a global handle); its calls are still counted. */
  quiet(handle: number): void;
  /** Calls of an import (a global handle) so far, -1 for any other value. */
  callCount(handle: number): number;
  seek(at: number): void;
  end(): void;
  state(): PickleMachineState;
}

export interface PickleDisasm {
  feed(windowStart: number, bytes: Uint8Array, atEnd: boolean): ProbeStatus;
  /** Opcodes walked so far: offset and code of each. */
  lines(): { offset: number; opcode: number }[];
  position(): number;
  lastOpcode(): number;
}

// ---- ONNX walker (assembly/onnx/walker.ts) ----

interface Exports {
  onnxWalkBegin(size: number, maxMessageDepth: number, maxSubgraphDepth: number, maxString: number): void;
  onnxWalkFeed(windowStart: number, length: number): number;
  onnxWalkPosition(): number;
  onnxWalkNeed(): number;
  onnxWalkDepth(): number;
  onnxWalkErrorOffset(): number;
  onnxWalkErrorField(): number;
  onnxWalkErrorWire(): number;
  onnxWalkErrorType(): number;
  onnxEventCount(): number;
  onnxEventsPointer(): number;
  onnxEventsClear(): void;
}

/** Mirrors the W_* constants in assembly/onnx/walker.ts. */
export const OnnxWalkStatus = {
  NeedMore: 0,
  Done: 1,
  Paused: 2,
  BadVarint: -1,
  BadWire: -2,
  WrongWire: -3,
  BadTag: -4,
  PastParent: -5,
  Truncated: -6,
  Depth: -7,
  BadPacked: -8,
} as const;
export type OnnxWalkStatus = (typeof OnnxWalkStatus)[keyof typeof OnnxWalkStatus];

export interface OnnxWalkLimits {
  maxMessageDepth: number;
  maxSubgraphDepth: number;
  /** Bytes of a string handed over; longer strings are cut (and the cut is reported by length). */
  maxString: number;
}

export interface OnnxWalker {
  /** Walks the window; strings in the events that follow are read from these same bytes. */
  feed(windowStart: number, bytes: Uint8Array): OnnxWalkStatus;
  /** Events since the last drain: six words each (see E_* in walker.ts). */
  drainEvents(): Float64Array;
  position(): number;
  need(): number;
  /** The failing field after an error status: its tag offset, field number, wire type and the message type holding it. */
  error(): { offset: number; field: number; wire: number; messageType: number };
}
