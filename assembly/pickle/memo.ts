// The unpickler's memo, cheap enough for tens of millions of entries: keys
// below MAX_DENSE_KEY live in fixed chunks of handles (6 bytes an entry: every
// handle fits 48 bits, see values.ts; no object per entry); rarer big keys
// (PUT 99999999, LONG_BINPUT 0xffffffff) go to a small map. Handle 0 means "not set".

const CHUNK_SHIFT: i32 = 14;
const CHUNK_ENTRIES: i32 = 1 << CHUNK_SHIFT;
/** Dense keys; CPython numbers memo entries 0, 1, 2 … so real keys stay far below. */
export const MAX_DENSE_KEY: i64 = 1 << 26;
const ENTRY_BYTES: usize = 6;
const CHUNK_BYTES: usize = <usize>CHUNK_ENTRIES * ENTRY_BYTES;
/**
 * Chunks of 96 KiB allocated across all memos: 192 MiB, room for 33 million
 * entries (a 300 MB pickle of small objects needs 19 million). Bounds a file
 * that scatters keys to force a chunk per entry.
 */
export const MAX_MEMO_CHUNKS: i32 = 2048;

@inline function loadEntry(p: usize): i64 {
  const raw = <i64>load<u32>(p) | (<i64>load<u16>(p, 4) << 32);
  return (raw << 16) >> 16; // sign-extend from bit 47
}
@inline function storeEntry(p: usize, h: i64): void {
  store<u32>(p, <u32>h);
  store<u16>(p, <u16>(h >> 32), 4);
}
/** Keys at or past MAX_DENSE_KEY; CPython never writes them, so a few suffice. */
export const MAX_SPARSE_KEYS: i32 = 65536;

let chunksInUse: i32 = 0;

export class Memo {
  private table: StaticArray<usize> = new StaticArray<usize>(<i32>(MAX_DENSE_KEY >> CHUNK_SHIFT));
  private sparse: Map<i64, i64> = new Map<i64, i64>();
  /** Distinct keys set: MEMOIZE uses it as the next key, as CPython's len(memo). */
  size: i64 = 0;

  // get and set are inlined into the machine's loop (one of them runs for most
  // opcodes of a big pickle); rare keys and new chunks take the slow paths.
  @inline get(key: i64): i64 {
    if (<u64>key < <u64>MAX_DENSE_KEY) {
      const chunk = unchecked(this.table[<i32>(key >> CHUNK_SHIFT)]);
      if (chunk != 0) return loadEntry(chunk + <usize>(key & (CHUNK_ENTRIES - 1)) * ENTRY_BYTES);
    }
    return this.getSlow(key);
  }

  private getSlow(key: i64): i64 {
    if (key < MAX_DENSE_KEY) return 0; // negative, or a dense chunk never written
    return this.sparse.has(key) ? this.sparse.get(key) : 0;
  }

  /** False when a limit stops the write. */
  @inline set(key: i64, value: i64): bool {
    if (<u64>key < <u64>MAX_DENSE_KEY) {
      const chunk = unchecked(this.table[<i32>(key >> CHUNK_SHIFT)]);
      if (chunk != 0) {
        const slot = chunk + <usize>(key & (CHUNK_ENTRIES - 1)) * ENTRY_BYTES;
        if (loadEntry(slot) == 0) this.size++;
        storeEntry(slot, value);
        return true;
      }
    }
    return this.setSlow(key, value);
  }

  private setSlow(key: i64, value: i64): bool {
    if (key < 0) return false;
    if (key < MAX_DENSE_KEY) {
      const c = <i32>(key >> CHUNK_SHIFT);
      let chunk = unchecked(this.table[c]);
      if (chunk == 0) {
        if (chunksInUse >= MAX_MEMO_CHUNKS) return false;
        chunksInUse++;
        chunk = heap.alloc(CHUNK_BYTES);
        memory.fill(chunk, 0, CHUNK_BYTES);
        unchecked(this.table[c] = chunk);
      }
      const slot = chunk + <usize>(key & (CHUNK_ENTRIES - 1)) * ENTRY_BYTES;
      if (loadEntry(slot) == 0) this.size++;
      storeEntry(slot, value);
      return true;
    }
    if (!this.sparse.has(key)) {
      if (this.sparse.size >= MAX_SPARSE_KEYS) return false;
      this.size++;
    }
    this.sparse.set(key, value);
    return true;
  }

  /** Frees the chunks; the memo must not be used afterwards. */
  release(): void {
    for (let i = 0; i < this.table.length; i++) {
      const chunk = unchecked(this.table[i]);
      if (chunk != 0) {
        heap.free(chunk);
        chunksInUse--;
        unchecked(this.table[i] = 0);
      }
    }
    this.sparse.clear();
    this.size = 0;
  }
}
