// A tape sink that builds the whole value: Maps for objects (with the offset of
// each value), bigints for integers. For small documents (config.json, a model
// index); the safetensors header has its own sink that builds only what it needs.
import { decodeString, tokenText, KIND_MASK, T_ARRAY, T_ARRAY_END, T_FALSE, T_FLOAT, T_INT, T_KEY, T_NULL, T_OBJECT, T_OBJECT_END, T_STRING, T_TRUE, type TapeSink } from './tape.js';
import { JsonFloat, valueOffsets, type JsonObject, type JsonValue } from './value.js';

export class ValueBuilder implements TapeSink {
  private root: JsonValue | undefined;
  private done = false;
  private readonly open: (JsonObject | JsonValue[])[] = [];
  private key = '';

  /** `offset` is added to every recorded offset (when `bytes` is a slice of a larger text). */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly offset = 0,
  ) {}

  /** The value, once the tape has been taken to its end. */
  get value(): JsonValue {
    if (!this.done) throw new Error('the JSON value is not complete');
    return this.root!;
  }

  take(tape: Uint32Array, count: number): void {
    const bytes = this.bytes;
    for (let i = 0; i < count * 3; i += 3) {
      const word = tape[i]!;
      const start = tape[i + 1]!;
      const end = tape[i + 2]!;
      switch (word & KIND_MASK) {
        case T_OBJECT: {
          const map: JsonObject = new Map();
          valueOffsets.set(map, new Map());
          this.add(map, start);
          this.open.push(map);
          break;
        }
        case T_ARRAY: {
          const list: JsonValue[] = [];
          this.add(list, start);
          this.open.push(list);
          break;
        }
        case T_OBJECT_END:
        case T_ARRAY_END:
          this.open.pop();
          if (this.open.length === 0) this.done = true;
          break;
        case T_KEY:
          this.key = decodeString(bytes, start, end, word);
          break;
        case T_STRING:
          this.add(decodeString(bytes, start, end, word), start);
          break;
        case T_INT:
          this.add(BigInt(tokenText(bytes, start, end)), start);
          break;
        case T_FLOAT:
          this.add(new JsonFloat(tokenText(bytes, start, end)), start);
          break;
        case T_TRUE:
          this.add(true, start);
          break;
        case T_FALSE:
          this.add(false, start);
          break;
        case T_NULL:
          this.add(null, start);
          break;
      }
    }
  }

  private add(value: JsonValue, start: number): void {
    const top = this.open[this.open.length - 1];
    if (top === undefined) {
      this.root = value;
      if (!(value instanceof Map) && !Array.isArray(value)) this.done = true;
    } else if (Array.isArray(top)) {
      top.push(value);
    } else {
      top.set(this.key, value);
      valueOffsets.get(top)!.set(this.key, start + this.offset);
    }
  }
}
