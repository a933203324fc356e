// What every export shares: who wrote it, the inputs that could not be scanned,
// paths as URIs, and a short stable hash for fingerprints.

export interface ToolInfo {
  name: string;
  version: string;
  informationUri?: string;
}

/** An input that could not be scanned at all (missing, unreadable): the CLI's `errors`. */
export interface ExportProblem {
  path: string;
  message: string;
}

export interface ExportOptions {
  /** The tool that wrote the reports; Weightlens and its version by default. */
  tool?: ToolInfo;
  /** Inputs that could not be scanned, so the document does not pass over them in silence. */
  problems?: readonly ExportProblem[];
}

/**
 * A path as given (`models/a b.pt`, `/abs/x.onnx`, `C:\\m\\x.bin`) as a URI
 * reference: relative paths stay relative (code scanning resolves them against
 * the repository), absolute ones become `file:` URIs; every segment is
 * percent-encoded, so `#`, `?`, `%` and spaces in names survive.
 */
export function artifactUri(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  const encode = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  const drive = /^([A-Za-z]):\//.exec(slashed);
  if (drive) return `file:///${drive[1]}:/${encode(slashed.slice(3))}`;
  if (slashed.startsWith('//')) return `file:${encode(slashed)}`;
  if (slashed.startsWith('/')) return `file://${encode(slashed)}`;
  return encode(slashed.replace(/^(\.\/)+/, ''));
}

/** 64-bit FNV-1a (two 32-bit lanes) as 16 hex digits: stable, cheap, and not a security hash. */
export function fingerprint(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c ^ (a >>> 16), 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Bytes for people, in decimal units: `512 B`, `1.2 MB`. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
