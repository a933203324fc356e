// The files beside the one being scanned: sharded models, ONNX external data and
// config.json live next to the file that names them. The CLI lists the file's
// folder; the app offers the files dropped together.
import { BlobByteSource, type ByteSource } from './byte-source.js';

export interface Siblings {
  /** Names (one path component, no folders) of the other files beside this one. */
  names(): Promise<readonly string[]>;
  /** Opens a sibling by name; undefined when there is no such file. Reads count toward nothing else. */
  open(name: string): Promise<ByteSource | undefined>;
}

export const NO_SIBLINGS: Siblings = {
  names: async () => [],
  open: async () => undefined,
};

/** Siblings from files the user handed over together (a drop, a folder pick). */
export class BlobSiblings implements Siblings {
  private readonly byName: ReadonlyMap<string, Blob>;

  constructor(files: Iterable<readonly [name: string, blob: Blob]>) {
    this.byName = new Map(files);
  }

  async names(): Promise<readonly string[]> {
    return [...this.byName.keys()];
  }

  async open(name: string): Promise<ByteSource | undefined> {
    const blob = this.byName.get(name);
    return blob ? new BlobByteSource(blob, name) : undefined;
  }
}

/**
 * Siblings whose reads are counted, so a report's bytesRead proves what the
 * whole scan cost: an index's shard headers and a config.json included.
 */
export class CountingSiblings implements Siblings {
  private readonly opened = new Set<ByteSource>();

  constructor(private readonly inner: Siblings) {}

  names(): Promise<readonly string[]> {
    return this.inner.names();
  }

  async open(name: string): Promise<ByteSource | undefined> {
    const source = await this.inner.open(name);
    if (source) this.opened.add(source);
    return source;
  }

  /** Bytes read so far from every sibling opened through this. */
  get bytesRead(): number {
    let n = 0;
    for (const s of this.opened) n += s.bytesRead;
    return n;
  }
}
