// Error classes, so a caller can tell a malformed file from a limit that was hit
// from a read that failed. Drivers throw these; the scanner turns them into findings.
import type { Location, RuleId } from './report.js';

/** The bytes are not a valid instance of the format they claim to be. */
export class MalformedError extends Error {
  override name = 'MalformedError';
  constructor(
    message: string,
    readonly location: Location = {},
    readonly rule: RuleId = 'format.malformed',
  ) {
    super(message);
  }
}

/** A named resource limit stopped the analysis before the end of the file. */
export class LimitError extends Error {
  override name = 'LimitError';
  constructor(
    readonly limit: string,
    readonly value: number,
    message: string,
    readonly location: Location = {},
  ) {
    super(message);
  }
}

/** Reading the underlying file failed (permissions, vanished file, I/O error). */
export class ReadError extends Error {
  override name = 'ReadError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
