// The hashing progress line: on a terminal for big files, silent otherwise.
import { describe, expect, it, vi } from 'vitest';
import { hashProgress } from '../src/cli/progress.js';

const BIG = 1024 * 1024 * 1024;

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (text: string) => writes.push(text) };
}

describe('hash progress', () => {
  it('draws percent and speed on a terminal, then clears the line', () => {
    vi.useFakeTimers();
    const err = stream(true);
    const progress = hashProgress(err, 'big.pt', BIG);
    vi.advanceTimersByTime(500);
    progress.update(BIG / 4);
    progress.update(BIG / 2); // within the redraw interval: not drawn
    progress.end();
    vi.useRealTimers();
    expect(err.writes).toHaveLength(2);
    expect(err.writes[0]).toMatch(/^\r\x1b\[2Khashing big\.pt {2}25% {2}[\d.]+ [KMGT]?B\/s$/);
    expect(err.writes[1]).toBe('\r\x1b[2K');
  });

  it('writes nothing when stderr is not a terminal', () => {
    const err = stream(false);
    const progress = hashProgress(err, 'big.pt', BIG);
    progress.update(BIG);
    progress.end();
    expect(err.writes).toEqual([]);
  });

  it('writes nothing for small files', () => {
    const err = stream(true);
    const progress = hashProgress(err, 'small.pt', 1024);
    progress.update(1024);
    progress.end();
    expect(err.writes).toEqual([]);
  });
});
