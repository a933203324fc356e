// A one-line progress indicator on stderr for the long part (hashing big
// files); silent when stderr is not a terminal, so logs and pipes stay clean.
import { formatSize, printable } from './render-text.js';

/** Files smaller than this hash too fast to need a progress line. */
const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;
const REDRAW_MS = 100;

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export function hashProgress(stream: ProgressStream, name: string, size: number): { update(done: number): void; end(): void } {
  if (!stream.isTTY || size < PROGRESS_MIN_BYTES) return { update() {}, end() {} };
  const started = Date.now();
  let lastDraw = 0;
  return {
    update(done) {
      const now = Date.now();
      if (now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      const seconds = Math.max((now - started) / 1000, 0.001);
      const percent = Math.floor((done / size) * 100);
      stream.write(`\r\x1b[2Khashing ${printable(name)}  ${percent}%  ${formatSize(done / seconds)}/s`);
    },
    end() {
      stream.write('\r\x1b[2K');
    },
  };
}
