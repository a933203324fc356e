// What strict JSON becomes in TypeScript, and how it fails. JSON.parse keeps the
// last of two equal keys and rounds big integers; a loader built on another
// parser may keep the first. Here objects are Maps (insertion order kept, no
// duplicates), integers are exact bigints, and errors carry byte offsets.

/** Objects become Maps, integers bigints, other numbers JsonFloat. */
export type JsonValue = null | boolean | bigint | JsonFloat | string | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

/** A number with a fraction or exponent (or -0), kept as written. */
export class JsonFloat {
  constructor(readonly text: string) {}
}

/** Where each value of an object starts, for messages: key → byte offset of its value. */
export const valueOffsets = new WeakMap<JsonObject, Map<string, number>>();

export type JsonErrorKind =
  | 'invalid-utf8'
  | 'syntax'
  | 'duplicate-key'
  | 'too-deep'
  /** More keys in one object than the caller allows. */
  | 'too-many-keys'
  /** More keys held for duplicate checks at once than JSON_MAX_OPEN_KEYS (a limit, not a fault of the text). */
  | 'too-many-open-keys';

export class JsonError extends Error {
  override name = 'JsonError';
  constructor(
    readonly kind: JsonErrorKind,
    message: string,
    /** Byte offset in the input. */
    readonly at: number,
  ) {
    super(message);
  }
}
