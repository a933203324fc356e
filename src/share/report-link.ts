// Share links: a report (never file bytes) in a URL fragment, which browsers
// never send to a server. JSON → deflate-raw (CompressionStream) → base64url,
// after the prefix `r1.`. Decoding treats the link as hostile: its length is
// checked before any work, the inflated size is bounded while inflating (the
// stream is cancelled past the bound, a zip bomb is never inflated in full),
// then the report reader checks every field. Environment-free: the browser and
// Node 20 both have CompressionStream('deflate-raw').
import type { Finding, Report } from '../engine/report.js';
import { ReportReadError, ReportVersionError, readReport } from '../engine/report-reader.js';
import { SEVERITY_RANK } from '../engine/verdict.js';

/** Marks a Weightlens report link and its encoding version. */
export const LINK_PREFIX = 'r1.';
/** Default fragment budget: an 8 KB URL minus room for the page's own address. */
export const DEFAULT_LINK_CHARS = 8000;
/** Fragments longer than this are refused before decoding (eight times the default budget, for links made with a bigger one). */
export const MAX_FRAGMENT_CHARS = 64 * 1024;
/** Inflated bytes a link may expand to; inflating stops past it (a 64 KiB fragment could otherwise inflate to ~50 MB). */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;
/** Containers smaller than this (JSON characters) are not worth trimming from a link. */
const MIN_TRIM_CHARS = 256;
/**
 * JSON that is more than this many times the budget is taken not to fit without
 * compressing it (report JSON deflates 5–20×): a 15 MB tensor table is not
 * compressed a dozen times to find that out. Only a report of extreme
 * repetition could fit past it, and it then loses a little more than needed.
 */
const MAX_ASSUMED_RATIO = 64;

export type ShareLinkErrorCode =
  | 'too-long'
  | 'not-a-report-link'
  | 'bad-base64'
  | 'bad-compression'
  | 'too-big-inflated'
  | 'bad-text'
  | 'bad-json'
  | 'other-version'
  | 'invalid-report'
  | 'report-too-big';

export class ShareLinkError extends Error {
  override name = 'ShareLinkError';
  constructor(
    readonly code: ShareLinkErrorCode,
    message: string,
    /** For `too-big-inflated`: bytes inflated when inflating stopped. */
    readonly inflatedAtStop?: number,
  ) {
    super(message);
  }
}

/** What a trimmed link left out: a path in the report and how many entries it had. */
export interface ShareTrimmed {
  path: string;
  items: number;
}

export interface EncodedLink {
  /** `r1.` + base64url, to put after `#`. */
  fragment: string;
  /** What had to be left out to fit the budget (empty when nothing was). */
  trimmed: ShareTrimmed[];
}

// ---- base64url ----

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new ShareLinkError('bad-base64', 'the link is damaged: not base64url text');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  // One spelling per byte string: stray bits in the last character mean the link was altered.
  if (toBase64Url(bytes) !== text) throw new ShareLinkError('bad-base64', 'the link is damaged: not canonical base64url');
  return bytes;
}

// ---- deflate-raw ----

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Inflates at most `maxBytes`, reading chunk by chunk and cancelling the stream as soon as the bound is passed. */
export async function inflateBounded(bytes: Uint8Array, maxBytes = MAX_INFLATED_BYTES): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new ShareLinkError('too-big-inflated', `the link expands to more than ${maxBytes} bytes (MAX_INFLATED_BYTES): not a report link Weightlens makes`, total);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof ShareLinkError) throw error;
    throw new ShareLinkError('bad-compression', `the link is damaged: its compressed data is broken (${(error as Error).message})`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// ---- trimming ----

type Container = object;

interface Step {
  /** Containers to leave out; `findings` steps leave out one finding instead. */
  container?: Container;
  finding?: Finding;
  path: string;
  items: number;
}

function entries(value: Container): number {
  return Array.isArray(value) ? value.length : Object.keys(value).length;
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/**
 * The order things are left out of a link that is too big: first the bulkiest
 * listings inside `content` (tensor tables, members, events, graph layouts —
 * containers holding no other bulky container), then whole `content` keys,
 * then findings from the least severe. The verdict, the file facts and the
 * worst findings go last, so they stay.
 */
function trimSteps(report: Report): (Step & { size: number })[] {
  const leaves: (Step & { size: number })[] = [];
  // Sizes are JSON characters, summed bottom-up (strings' escapes aside): one pass, no stringify per container.
  const walk = (value: unknown, path: () => string, objectParent: boolean): { size: number; bulky: boolean } => {
    if (!isContainer(value)) return { size: typeof value === 'string' ? value.length + 2 : String(value).length, bulky: false };
    let size = 2;
    let bulkyInside = false;
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        const r = walk(v, () => `${path()}[${i}]`, false);
        size += r.size + 1;
        bulkyInside ||= r.bulky;
      });
    } else {
      for (const [k, v] of Object.entries(value)) {
        const r = walk(v, () => `${path()}.${k}`, true);
        size += r.size + k.length + 4;
        bulkyInside ||= r.bulky;
      }
    }
    if (bulkyInside) return { size, bulky: true };
    if (!objectParent || size < MIN_TRIM_CHARS) return { size, bulky: false };
    leaves.push({ container: value, path: path(), items: entries(value), size });
    return { size, bulky: true };
  };
  const keys = Object.entries(report.content).filter(([k]) => k !== 'shareTrimmed');
  const whole = keys.flatMap(([k, v]) => {
    const { size } = walk(v, () => `content.${k}`, true);
    return isContainer(v) ? [{ container: v, path: `content.${k}`, items: entries(v), size }] : [];
  });
  leaves.sort((a, b) => b.size - a.size);
  whole.sort((a, b) => b.size - a.size);
  const findings = report.findings
    .map((finding, i) => ({ finding, i }))
    .sort((a, b) => SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity] || b.i - a.i)
    .map(({ finding }) => ({ finding, path: 'findings', items: 1, size: JSON.stringify(finding).length }));
  return [...leaves, ...whole, ...findings];
}

/** The report's JSON with the first `k` steps applied and `content.shareTrimmed` saying what they left out. */
function trimmedJson(report: Report, steps: readonly Step[], k: number): string {
  const dropped = new Set<object>();
  const trimmed: ShareTrimmed[] = [];
  let findingsLeftOut = 0;
  for (const step of steps.slice(0, k)) {
    if (step.finding) {
      dropped.add(step.finding);
      findingsLeftOut++;
    } else {
      dropped.add(step.container!);
      // A whole key replaces what was recorded inside it.
      for (let i = trimmed.length - 1; i >= 0; i--) if (trimmed[i]!.path.startsWith(`${step.path}.`) || trimmed[i]!.path.startsWith(`${step.path}[`)) trimmed.splice(i, 1);
      trimmed.push({ path: step.path, items: step.items });
    }
  }
  if (findingsLeftOut) trimmed.push({ path: 'findings', items: findingsLeftOut });
  const previous = Array.isArray(report.content.shareTrimmed) ? (report.content.shareTrimmed as ShareTrimmed[]) : [];
  const shareTrimmed = [...previous, ...trimmed];
  const content = shareTrimmed.length ? { ...report.content, shareTrimmed } : report.content;
  return JSON.stringify({ ...report, findings: report.findings.filter((f) => !dropped.has(f)), content }, function (this: unknown, _key, value: unknown) {
    return isContainer(value) && dropped.has(value) && !Array.isArray(this) ? undefined : value;
  });
}

async function fragmentOf(json: string): Promise<string> {
  return LINK_PREFIX + toBase64Url(await deflate(new TextEncoder().encode(json)));
}

/**
 * The link fragment for a report, within `maxChars` (default 8,000): the whole
 * report when it fits, otherwise with bulky content left out first (the
 * decoded report's `content.shareTrimmed` lists it). Throws ShareLinkError
 * `report-too-big` when not even the verdict and file facts fit.
 */
export async function encodeReportLinkDetailed(report: Report, maxChars = DEFAULT_LINK_CHARS): Promise<EncodedLink> {
  const steps = trimSteps(report);
  // Estimated JSON size after k steps (an underestimate: nested steps are subtracted twice), for skipping hopeless attempts.
  let estimate = JSON.stringify(report).length;
  let hopeless = -1;
  for (let k = 0; k < steps.length && estimate > maxChars * MAX_ASSUMED_RATIO; k++) {
    hopeless = k;
    estimate -= steps[k]!.size;
  }
  const cache = new Map<number, string>();
  const attempt = async (k: number) => {
    if (!cache.has(k)) cache.set(k, await fragmentOf(trimmedJson(report, steps, k)));
    return cache.get(k)!;
  };
  const fits = async (k: number) => (await attempt(k)).length <= maxChars;
  if (hopeless < 0 && (await fits(0))) return { fragment: await attempt(0), trimmed: [] };
  if (!(await fits(steps.length))) throw new ShareLinkError('report-too-big', `even without its content and findings, the report does not fit in ${maxChars} characters`);
  // Binary search for the fewest steps that fit: leaving out more never makes the JSON bigger.
  let [lo, hi] = [Math.max(hopeless, 0), steps.length];
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (await fits(mid)) hi = mid;
    else lo = mid;
  }
  const fragment = await attempt(hi);
  const decoded = JSON.parse(trimmedJson(report, steps, hi)) as Report;
  const previous = Array.isArray(report.content.shareTrimmed) ? report.content.shareTrimmed.length : 0;
  return { fragment, trimmed: ((decoded.content.shareTrimmed as ShareTrimmed[] | undefined) ?? []).slice(previous) };
}

/** The link fragment (`r1.…`, without `#`) for a report; see encodeReportLinkDetailed. */
export async function encodeReportLink(report: Report, maxChars = DEFAULT_LINK_CHARS): Promise<string> {
  return (await encodeReportLinkDetailed(report, maxChars)).fragment;
}

/** The report a link fragment carries (with or without its `#`), checked field by field; throws ShareLinkError. */
export async function decodeReportLink(fragment: string): Promise<Report> {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (text.length > MAX_FRAGMENT_CHARS) throw new ShareLinkError('too-long', `the link is ${text.length} characters long, over the ${MAX_FRAGMENT_CHARS} a report link can be (MAX_FRAGMENT_CHARS)`);
  if (!text.startsWith(LINK_PREFIX)) throw new ShareLinkError('not-a-report-link', `not a Weightlens report link (it should start with #${LINK_PREFIX})`);
  const inflated = await inflateBounded(fromBase64Url(text.slice(LINK_PREFIX.length)));
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(inflated);
  } catch {
    throw new ShareLinkError('bad-text', 'the link is damaged: its report is not UTF-8 text');
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ShareLinkError('bad-json', `the link is damaged: its report is not JSON (${(error as Error).message})`);
  }
  try {
    return readReport(value);
  } catch (error) {
    if (error instanceof ReportVersionError) throw new ShareLinkError('other-version', `the link was made by another version of Weightlens: ${error.message}`);
    if (error instanceof ReportReadError) throw new ShareLinkError('invalid-report', `the link does not hold a valid report: ${error.message}`);
    throw error;
  }
}
