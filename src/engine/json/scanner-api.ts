// The typed face of the strict JSON scanner (assembly/json/scanner.ts); WeightlensWasm.jsonScanner()
// returns one. Kept apart from wasm.ts so each decoder's face is its own file.

/** Its exports, as the module has them. */
export interface JsonScanExports {
  jsonScanBegin(length: number, maxDepth: number, maxObjectKeys: number, maxOpenKeys: number, seedLo: number, seedHi: number, hashBits: number): void;
  jsonScanFeed(windowStart: number, length: number): number;
  jsonScanResume(): number;
  jsonScanReject(): void;
  jsonScanEnd(): void;
  jsonScanTapePointer(): number;
  jsonScanTapeCount(): number;
  jsonScanTapeClear(): void;
  jsonScanErrorReason(): number;
  jsonScanErrorAt(): number;
  jsonScanKeyStart(): number;
  jsonScanKeyEnd(): number;
  jsonScanCandidateStart(): number;
  jsonScanCandidateEnd(): number;
}

/** Mirrors the JSON_* statuses in assembly/json/scanner.ts. */
export const JsonScanStatus = {
  NeedMore: 0,
  Done: 1,
  TapeFull: 2,
  KeyCandidate: 3,
  Utf8: -1,
  Syntax: -2,
  Depth: -3,
  ObjectKeys: -4,
  OpenKeys: -5,
  Duplicate: -6,
} as const;
export type JsonScanStatus = (typeof JsonScanStatus)[keyof typeof JsonScanStatus];

export interface JsonScanLimits {
  maxDepth: number;
  maxObjectKeys: number;
  maxOpenKeys: number;
}

export interface JsonScanner {
  /** Starts a scan of a `length`-byte text; `seed` keys the duplicate-key hash, `hashBits` (64 normally) narrows it for tests. */
  begin(length: number, limits: JsonScanLimits, seed: readonly [number, number], hashBits: number): void;
  /** Copies the next window of the text in and scans it. */
  feed(windowStart: number, bytes: Uint8Array): JsonScanStatus;
  /** Goes on after TapeFull, or after a KeyCandidate that is not a duplicate. */
  resume(): JsonScanStatus;
  /** The KeyCandidate is a duplicate: the scan fails with Duplicate (later windows are still checked for UTF-8). */
  reject(): void;
  end(): void;
  /** Records so far, 3 words each (kind | flags, start, end); a view valid until the next call. */
  tape(): Uint32Array;
  clearTape(): void;
  /** Reason (for Syntax) and text offset of the error. */
  error(): { reason: number; at: number };
  /** The earlier key of the object with the current key's hash. */
  candidate(): { start: number; end: number };
  /** The current key (quotes included). */
  key(): { start: number; end: number };
}
