// Reads a safetensors header from the JSON scanner's tape without building the
// whole value: for each top-level key its name and where its value is, and for
// a well-formed entry its dtype, shape and data_offsets as plain numbers. Any
// entry that is not plainly well-formed is only located; the header reader
// re-reads just that entry in full to say exactly what is wrong with it.
// `__metadata__` is built in full (a map of strings).
//
// Written for headers of hundreds of thousands of entries: numeric states, known
// dtype names matched in place, no garbage beyond what the tensor table keeps.
import { ValueBuilder } from '../../json/build-value.js';
import {
  decodeString, smallInteger, KIND_MASK, T_ARRAY, T_ARRAY_END, T_INT, T_KEY, T_OBJECT, T_OBJECT_END, T_STRING, F_ESCAPED, type TapeSink,
} from '../../json/tape.js';
import type { JsonValue } from '../../json/value.js';

export const METADATA_KEY = '__metadata__';

/** One top-level entry, in header order. Offsets are in the header text. */
export class HeaderEntry {
  constructor(
    /** The key token: its name is decoded only once the whole header has passed (an error makes it moot). */
    readonly keyStart: number,
    readonly keyEnd: number,
    readonly keyWord: number,
    /** Where its value starts and ends. */
    readonly start: number,
    readonly end: number,
    /**
     * Set when the value is an object whose three fields are of the plain kind (a string, a list of
     * small non-negative integers, two of them): then `begin` and `stop` are the data_offsets.
     */
    readonly dtype: string | undefined,
    readonly shape: number[] | undefined,
    readonly begin: number,
    readonly stop: number,
  ) {}
}

const OTHER = 0;
const DTYPE = 1;
const SHAPE = 2;
const DATA_OFFSETS = 3;
const FIELD_NAMES = ['', 'dtype', 'shape', 'data_offsets'];
const encoder = new TextEncoder();
/** The three field keys as they appear unescaped, quotes included. */
const FIELD_TOKENS = FIELD_NAMES.map((f) => encoder.encode(`"${f}"`));
const METADATA_TOKEN = [encoder.encode(`"${METADATA_KEY}"`)];

export class HeaderSink implements TapeSink {
  readonly entries: HeaderEntry[] = [];
  /** The `__metadata__` value and where it starts, with the number of entries before it. */
  metadata: { value: JsonValue; start: number; index: number } | undefined;
  /** Whether the top-level value is an object. */
  rootIsObject = false;

  private depth = 0;
  private keyStart = 0;
  private keyEnd = 0;
  private keyWord = 0;
  // the entry being read (depth ≥ 2)
  private start = 0;
  private plain = true;
  private dtype: string | undefined = undefined;
  private shape: number[] | undefined = undefined;
  private hasOffsets = false;
  private begin = 0;
  private stop = 0;
  private field = OTHER;
  private collecting = false; // inside shape or data_offsets (depth 3)
  private readonly list: number[] = []; // reused: copied out when the list closes
  private listLength = 0;
  // __metadata__ being built
  private meta: ValueBuilder | undefined = undefined;
  private metaStart = 0;
  private metaDepth = 0;

  constructor(
    private readonly bytes: Uint8Array,
    /** Strings the dtype is expected to be (matched without decoding). */
    private readonly dtypes: readonly string[],
  ) {
    this.dtypeTokens = dtypes.map((d) => encoder.encode(`"${d}"`));
  }
  private readonly dtypeTokens: Uint8Array[];

  take(tape: Uint32Array, count: number): void {
    const bytes = this.bytes;
    for (let i = 0; i < count * 3; i += 3) {
      const word = tape[i]!;
      const kind = word & KIND_MASK;
      const start = tape[i + 1]!;
      const end = tape[i + 2]!;
      if (this.meta !== undefined) {
        this.takeMetadata(tape, i, kind);
        continue;
      }
      if (kind === T_OBJECT_END || kind === T_ARRAY_END) {
        const depth = --this.depth;
        if (depth === 2 && this.collecting) {
          const n = this.listLength;
          if (this.field === SHAPE) {
            this.shape = this.list.slice(0, n);
          } else if (n === 2) {
            this.hasOffsets = true;
            this.begin = this.list[0]!;
            this.stop = this.list[1]!;
          } else {
            this.plain = false;
          }
          this.collecting = false;
        } else if (depth === 1) {
          this.finish(end);
        }
        continue;
      }
      const opens = kind === T_OBJECT || kind === T_ARRAY;
      const depth = this.depth;
      if (depth === 0) {
        this.rootIsObject = kind === T_OBJECT;
      } else if (depth === 1) {
        // the root object: a key, or the value of the last key
        if (kind === T_KEY) {
          this.keyStart = start;
          this.keyEnd = end;
          this.keyWord = word;
        } else if (this.isMetadataKey()) {
          this.meta = new ValueBuilder(bytes);
          this.metaStart = start;
          this.metaDepth = 0;
          this.takeMetadata(tape, i, kind);
          continue;
        } else {
          this.start = start;
          this.plain = kind === T_OBJECT;
          this.dtype = this.shape = undefined;
          this.hasOffsets = false;
          this.field = OTHER;
          if (!opens) this.finish(end);
        }
      } else if (depth === 2) {
        // inside an entry: a field name, or its value
        if (kind === T_KEY) this.field = fieldOf(bytes, start, end, word);
        else if (this.field === DTYPE) {
          if (kind === T_STRING) this.dtype = this.dtypeOf(start, end, word);
          else this.plain = false;
        } else if (this.field !== OTHER) {
          if (kind === T_ARRAY) {
            this.collecting = true;
            this.listLength = 0;
          } else this.plain = false;
        }
      } else if (this.collecting) {
        // inside shape or data_offsets: small non-negative integers only, not nested
        const n = depth === 3 && kind === T_INT ? smallInteger(bytes, start, end) : undefined;
        if (n === undefined) this.plain = false;
        else this.list[this.listLength++] = n;
      }
      if (opens) this.depth++;
    }
  }

  private dtypeOf(start: number, end: number, word: number): string {
    if (!(word & F_ESCAPED)) {
      const k = matchToken(this.bytes, start, end, this.dtypeTokens);
      if (k >= 0) return this.dtypes[k]!;
    }
    return decodeString(this.bytes, start, end, word);
  }

  private finish(end: number): void {
    const plain = this.plain && this.dtype !== undefined && this.shape !== undefined && this.hasOffsets;
    const { keyStart, keyEnd, keyWord } = this;
    this.entries.push(
      plain
        ? new HeaderEntry(keyStart, keyEnd, keyWord, this.start, end, this.dtype, this.shape, this.begin, this.stop)
        : new HeaderEntry(keyStart, keyEnd, keyWord, this.start, end, undefined, undefined, 0, 0),
    );
  }

  /** The name of an entry (decoded from the header text). */
  nameOf(e: HeaderEntry): string {
    return decodeString(this.bytes, e.keyStart, e.keyEnd, e.keyWord);
  }

  private isMetadataKey(): boolean {
    if (this.keyWord & F_ESCAPED) return decodeString(this.bytes, this.keyStart, this.keyEnd, this.keyWord) === METADATA_KEY;
    return matchToken(this.bytes, this.keyStart, this.keyEnd, METADATA_TOKEN) === 0;
  }

  private takeMetadata(tape: Uint32Array, i: number, kind: number): void {
    this.meta!.take(tape.subarray(i, i + 3), 1);
    if (kind === T_OBJECT || kind === T_ARRAY) this.metaDepth++;
    else if (kind === T_OBJECT_END || kind === T_ARRAY_END) this.metaDepth--;
    if (this.metaDepth === 0) {
      this.metadata = { value: this.meta!.value, start: this.metaStart, index: this.entries.length };
      this.meta = undefined;
    }
  }
}

/** Which of the three fields a key names; escaped spellings are decoded first. */
function fieldOf(bytes: Uint8Array, start: number, end: number, word: number): number {
  if (word & F_ESCAPED) return Math.max(0, FIELD_NAMES.indexOf(decodeString(bytes, start, end, word)));
  return Math.max(0, matchToken(bytes, start, end, FIELD_TOKENS));
}

/** Index of the token equal to bytes [start, end), or -1. */
function matchToken(bytes: Uint8Array, start: number, end: number, tokens: readonly Uint8Array[]): number {
  const length = end - start;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    if (token.length !== length) continue;
    let k = 1; // both start with a quote
    while (k < length && bytes[start + k] === token[k]) k++;
    if (k === length) return t;
  }
  return -1;
}
