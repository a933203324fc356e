// Streaming SHA-256 of a file with Node's crypto: the one whole-file pass.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Chunk size of the hash pass; large chunks keep the stream overhead low. */
const HASH_CHUNK_BYTES = 4 * 1024 * 1024;

export async function sha256File(path: string, onProgress?: (bytesHashed: number) => void): Promise<string> {
  const hash = createHash('sha256');
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: HASH_CHUNK_BYTES })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onProgress?.(done);
  }
  return hash.digest('hex');
}
