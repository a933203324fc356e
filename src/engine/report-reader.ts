// Reads a report that came from outside: a share link, a history entry, a
// dropped report file. Such a report is attacker-controlled, so it is checked
// as strictly as docs/report.schema.json says (plus size bounds the schema
// cannot state) and copied into fresh plain objects. Hand-written rather than
// ajv: the app's Content-Security-Policy has no 'unsafe-eval', which ajv's
// compiled validators need. test/report-reader.test.ts checks that it agrees
// with ajv and the schema.
import { FORMAT_IDS, SCHEMA_VERSION, SEVERITIES, VERDICTS, type Evidence, type Finding, type Location, type Report } from './report.js';

/** A report file or decoded link over this is not a report (the biggest real ones, 100,000 ONNX tensors, are ~30 MB). */
export const MAX_REPORT_TEXT_CHARS = 64 * 1024 * 1024;
/** Nesting inside `content`: real reports nest 6 deep; the bound keeps the walk's recursion shallow. */
export const MAX_CONTENT_DEPTH = 64;
/** Characters of one string in `content`, a location or evidence (a hostile tensor name can be megabytes; more is not a report). */
export const MAX_STRING_CHARS = 4 * 1024 * 1024;
/** Entries of one array or object (lists in reports are capped at 200,000). */
export const MAX_ENTRIES = 1_000_000;
/** Values in a whole report: bounds the work and memory of reading one. */
export const MAX_VALUES = 10_000_000;
/** Findings in one report (every rule caps its own per stream or member). */
export const MAX_FINDINGS = 1_000_000;

/** Why a value is not a report, with where: `findings[2].severity: must be one of …`. */
export class ReportReadError extends Error {
  override name = 'ReportReadError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path ? `${path}: ${reason}` : reason);
  }
}

/** The report is from another schema version (a newer Weightlens, most likely). */
export class ReportVersionError extends ReportReadError {
  override name = 'ReportVersionError';
}

type Plain = Record<string, unknown>;
/** Where a value is, built only when it is wrong (a report has millions of values). */
type Where = string | (() => string);
const at = (where: Where): string => (typeof where === 'string' ? where : where());

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const RULE_PATTERN = /^[a-z0-9]+(\.[a-z0-9-]+)+$/;
const VERSION_PATTERN = /^\d+\.\d+\.\d+/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;
const LOCATION_STRINGS = ['member', 'node', 'tensor'] as const;
const LOCATION_COUNTS = ['offset', 'length'] as const;

class Reader {
  private values = 0;

  fail(path: Where, reason: string): never {
    throw new ReportReadError(at(path), reason);
  }

  count(path: Where): void {
    if (++this.values > MAX_VALUES) this.fail(path, `more than ${MAX_VALUES} values (MAX_VALUES)`);
  }

  object(value: unknown, path: string, required: readonly string[], optional: readonly string[] = []): Plain {
    this.count(path);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'must be an object');
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) this.fail(path, 'must be a plain object');
    const keys = Object.keys(value);
    for (const key of required) if (!Object.hasOwn(value, key)) this.fail(path, `must have "${key}"`);
    const allowed = new Set([...required, ...optional]);
    for (const key of keys) if (!allowed.has(key)) this.fail(path, `has no field "${truncate(key)}"`);
    return value as Plain;
  }

  string(value: unknown, path: Where, max = MAX_STRING_CHARS): string {
    this.count(path);
    if (typeof value !== 'string') this.fail(path, 'must be a string');
    if (value.length > max) this.fail(path, `longer than ${max} characters`);
    return value;
  }

  byteCount(value: unknown, path: string): number {
    this.count(path);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SAFE) this.fail(path, 'must be an integer from 0 to 2^53 - 1');
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
    this.count(path);
    if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) this.fail(path, `must be one of ${options.join(', ')}`);
    return value as T;
  }

  finding(value: unknown, path: string): Finding {
    const f = this.object(value, path, ['rule', 'severity', 'message', 'location', 'evidence']);
    const rule = this.string(f.rule, `${path}.rule`, 256);
    if (!RULE_PATTERN.test(rule)) this.fail(`${path}.rule`, 'must be a rule id such as "pickle.dangerous-import"');
    return {
      // A rule this version does not know is kept: newer versions add rules without a new schema version.
      rule: rule as Finding['rule'],
      severity: this.oneOf(f.severity, `${path}.severity`, SEVERITIES),
      message: this.string(f.message, `${path}.message`, 65536),
      location: this.location(f.location, `${path}.location`),
      evidence: this.evidence(f.evidence, `${path}.evidence`),
    };
  }

  location(value: unknown, path: string): Location {
    const l = this.object(value, path, [], [...LOCATION_STRINGS, ...LOCATION_COUNTS, 'opcodeIndex']);
    const out: Location = {};
    for (const key of LOCATION_STRINGS) if (Object.hasOwn(l, key)) out[key] = this.string(l[key], `${path}.${key}`);
    for (const key of LOCATION_COUNTS) if (Object.hasOwn(l, key)) out[key] = this.byteCount(l[key], `${path}.${key}`);
    if (Object.hasOwn(l, 'opcodeIndex')) out.opcodeIndex = this.byteCount(l.opcodeIndex, `${path}.opcodeIndex`);
    return out;
  }

  evidence(value: unknown, path: string): Evidence {
    const e = this.object(value, path, [], Object.keys(typeof value === 'object' && value !== null ? value : {}));
    const entries = Object.keys(e);
    if (entries.length > MAX_ENTRIES) this.fail(path, `more than ${MAX_ENTRIES} entries`);
    return Object.fromEntries(entries.map((key) => [key, this.evidenceValue(e[key], `${path}.${key}`)]));
  }

  evidenceValue(value: unknown, path: string): Evidence[string] {
    if (typeof value === 'string') return this.string(value, path);
    if (typeof value === 'number') return this.number(value, path);
    if (typeof value === 'boolean') return (this.count(path), value);
    if (!Array.isArray(value)) this.fail(path, 'must be a string, number, boolean, or a list of strings or of numbers');
    this.count(path);
    if (value.length > MAX_ENTRIES) this.fail(path, `more than ${MAX_ENTRIES} items`);
    if (value.every((v) => typeof v === 'string')) return value.map((v, i) => this.string(v, () => `${path}[${i}]`));
    if (value.every((v) => typeof v === 'number')) return value.map((v, i) => this.number(v, () => `${path}[${i}]`));
    return this.fail(path, 'a list must hold only strings or only numbers');
  }

  number(value: unknown, path: Where): number {
    this.count(path);
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, 'must be a finite number');
    return value;
  }

  /** Any JSON value, bounded; copied into fresh objects (keys such as `__proto__` stay plain data). */
  json(value: unknown, path: Where, depth: number): unknown {
    this.count(path);
    switch (typeof value) {
      case 'boolean':
        return value;
      case 'number':
        if (!Number.isFinite(value)) this.fail(path, 'must be a finite number');
        return value;
      case 'string':
        if (value.length > MAX_STRING_CHARS) this.fail(path, `longer than ${MAX_STRING_CHARS} characters`);
        return value;
      case 'object':
        break;
      default:
        return this.fail(path, 'must be plain JSON data');
    }
    if (value === null) return null;
    if (depth >= MAX_CONTENT_DEPTH) this.fail(path, `nested deeper than ${MAX_CONTENT_DEPTH} levels (MAX_CONTENT_DEPTH)`);
    if (Array.isArray(value)) {
      if (value.length > MAX_ENTRIES) this.fail(path, `more than ${MAX_ENTRIES} items`);
      const out: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) out[i] = this.json(value[i], () => `${at(path)}[${i}]`, depth + 1);
      return out;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) this.fail(path, 'must be plain JSON data');
    const keys = Object.keys(value);
    if (keys.length > MAX_ENTRIES) this.fail(path, `more than ${MAX_ENTRIES} entries`);
    const out: Plain = {};
    for (const key of keys) {
      const item = this.json((value as Plain)[key], () => `${at(path)}.${truncate(key)}`, depth + 1);
      // An own "__proto__" key is data; assigning it would set the prototype instead.
      if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
      else out[key] = item;
    }
    return out;
  }

  report(value: unknown): Report {
    const r = this.object(value, '', ['schemaVersion', 'tool', 'file', 'format', 'formatLabel', 'verdict', 'findings', 'stats', 'content']);
    if (r.schemaVersion !== SCHEMA_VERSION) {
      throw new ReportVersionError('schemaVersion', `is ${truncate(JSON.stringify(r.schemaVersion) ?? String(r.schemaVersion))}; this version of Weightlens reads schema version ${SCHEMA_VERSION}`);
    }
    const tool = this.object(r.tool, 'tool', ['name', 'version']);
    if (tool.name !== 'weightlens') this.fail('tool.name', 'must be "weightlens"');
    const version = this.string(tool.version, 'tool.version', 64);
    if (!VERSION_PATTERN.test(version)) this.fail('tool.version', 'must be a version such as 1.2.3');
    const file = this.object(r.file, 'file', ['path', 'name', 'size', 'sha256']);
    let sha256: string | null = null;
    if (file.sha256 !== null) {
      sha256 = this.string(file.sha256, 'file.sha256', 64);
      if (!SHA256_PATTERN.test(sha256)) this.fail('file.sha256', 'must be 64 lowercase hex digits or null');
    }
    if (!Array.isArray(r.findings)) this.fail('findings', 'must be a list');
    if (r.findings.length > MAX_FINDINGS) this.fail('findings', `more than ${MAX_FINDINGS} findings (MAX_FINDINGS)`);
    const stats = this.object(r.stats, 'stats', ['bytesRead', 'elapsedMs']);
    const elapsedMs = this.number(stats.elapsedMs, 'stats.elapsedMs');
    if (elapsedMs < 0) this.fail('stats.elapsedMs', 'must not be negative');
    const content = this.object(r.content, 'content', [], Object.keys(typeof r.content === 'object' && r.content !== null ? r.content : {}));
    // The content fields the schema types (the rest is format-specific and read as plain data).
    if (Object.hasOwn(content, 'lfsPointer')) {
      const p = this.object(content.lfsPointer, 'content.lfsPointer', ['sha256', 'size']);
      if (!SHA256_PATTERN.test(this.string(p.sha256, 'content.lfsPointer.sha256', 64))) this.fail('content.lfsPointer.sha256', 'must be 64 lowercase hex digits');
      this.byteCount(p.size, 'content.lfsPointer.size');
    }
    if (Object.hasOwn(content, 'shareTrimmed')) {
      const list = content.shareTrimmed;
      if (!Array.isArray(list) || list.length > 10000) this.fail('content.shareTrimmed', 'must be a list of at most 10000 entries');
      list.forEach((entry, i) => {
        const e = this.object(entry, `content.shareTrimmed[${i}]`, ['path', 'items']);
        this.string(e.path, `content.shareTrimmed[${i}].path`, 4096);
        this.byteCount(e.items, `content.shareTrimmed[${i}].items`);
      });
    }
    return {
      schemaVersion: SCHEMA_VERSION,
      tool: { name: 'weightlens', version },
      file: {
        path: this.string(file.path, 'file.path', 4096),
        name: this.string(file.name, 'file.name', 1024),
        size: this.byteCount(file.size, 'file.size'),
        sha256,
      },
      format: this.oneOf(r.format, 'format', FORMAT_IDS),
      formatLabel: this.string(r.formatLabel, 'formatLabel', 256),
      verdict: this.oneOf(r.verdict, 'verdict', VERDICTS),
      findings: r.findings.map((f, i) => this.finding(f, `findings[${i}]`)),
      stats: { bytesRead: this.byteCount(stats.bytesRead, 'stats.bytesRead'), elapsedMs },
      content: this.json(r.content, 'content', 0) as Record<string, unknown>,
    };
  }
}

function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/** The report in `value`, checked and copied; throws ReportReadError (ReportVersionError for another schema version). */
export function readReport(value: unknown): Report {
  return new Reader().report(value);
}

/** A report from JSON text (a dropped report file); throws ReportReadError. */
export function parseReport(text: string): Report {
  if (text.length > MAX_REPORT_TEXT_CHARS) throw new ReportReadError('', `${text.length} characters is over the ${MAX_REPORT_TEXT_CHARS}-character limit for a report (MAX_REPORT_TEXT_CHARS)`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ReportReadError('', `not JSON: ${(error as Error).message}`);
  }
  return readReport(value);
}
