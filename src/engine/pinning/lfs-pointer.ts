// Git LFS pointer files: the few lines git stores in place of a large file
// (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). A repository
// cloned without LFS holds these instead of the model; they carry the real
// file's SHA-256 and size, which pin that file when it is scanned too.

/** git-lfs reads at most this much of a blob as a pointer (its blobSizeCutoff); a bigger file is not one. */
export const LFS_POINTER_MAX_BYTES = 1024;

const VERSIONS = ['https://git-lfs.github.com/spec/v1', 'https://hawser.github.com/spec/v1'];

export interface LfsPointer {
  /** Lowercase hex SHA-256 of the real file. */
  sha256: string;
  /** Size of the real file in bytes. */
  size: number;
}

/**
 * The pointer in `bytes`, or null when they are not one: `version` first, then
 * `key value` lines (one space), an `oid sha256:<64 hex>` and a decimal `size`,
 * each key once. Trailing CRs (a checkout with autocrlf) are tolerated.
 */
export function parseLfsPointer(bytes: Uint8Array): LfsPointer | null {
  if (bytes.length === 0 || bytes.length > LFS_POINTER_MAX_BYTES) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const fields = new Map<string, string>();
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const match = /^([a-z0-9.-]+) (\S+)$/.exec(line);
    if (!match || fields.has(match[1]!)) return null;
    fields.set(match[1]!, match[2]!);
  }
  if (lines.length === 0 || !VERSIONS.includes(fields.get('version') ?? '') || !lines[0]!.startsWith('version ')) return null;
  const oid = /^sha256:([0-9a-f]{64})$/.exec(fields.get('oid') ?? '');
  const size = fields.get('size') ?? '';
  if (!oid || !/^\d{1,16}$/.test(size) || !Number.isSafeInteger(Number(size))) return null;
  return { sha256: oid[1]!, size: Number(size) };
}
