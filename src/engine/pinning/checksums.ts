// sha256sum's output format, read back as expected hashes: `HEX  path` (text
// mode) or `HEX *path` (binary mode), and its escaped form for names with a
// newline or backslash (`\HEX  a\nb`). Environment-free: the CLI reads the file.

/** A checksum file over this is not a list of model files (16 MiB is ~150,000 lines). */
export const MAX_CHECKSUM_FILE_BYTES = 16 * 1024 * 1024;

export interface ChecksumEntry {
  /** The path as written (unescaped): relative to the checksum file's folder unless absolute. */
  path: string;
  sha256: string;
  /** Line number, from 1. */
  line: number;
}

export interface ChecksumProblem {
  line: number;
  message: string;
}

export interface ParsedChecksums {
  entries: ChecksumEntry[];
  problems: ChecksumProblem[];
}

/** Reads every line; a line that is not `HEX  path` / `HEX *path` is a problem, never skipped in silence. Blank lines and `#` comments are ignored. */
export function parseChecksums(text: string): ParsedChecksums {
  const result: ParsedChecksums = { entries: [], problems: [] };
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('#')) return;
    const escaped = line.startsWith('\\');
    const body = escaped ? line.slice(1) : line;
    const match = /^([0-9a-fA-F]{64}) ([ *])(.+)$/.exec(body);
    if (!match) {
      result.problems.push({ line: i + 1, message: /^[0-9a-fA-F]+ /.test(body) && !/^[0-9a-fA-F]{64} /.test(body) ? 'not a SHA-256 (64 hex digits)' : 'not "HEX  path" or "HEX *path"' });
      return;
    }
    const path = escaped ? unescapeName(match[3]!) : match[3]!;
    if (path === null) {
      result.problems.push({ line: i + 1, message: 'a bad escape in the file name (only \\\\ and \\n are defined)' });
      return;
    }
    result.entries.push({ path, sha256: match[1]!.toLowerCase(), line: i + 1 });
  });
  return result;
}

/** sha256sum escapes `\` as `\\` and a newline as `\n` in names of escaped lines. */
function unescapeName(name: string): string | null {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = name[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else return null;
  }
  return out;
}
