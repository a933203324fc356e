import { describe, expect, it } from 'vitest';
import type { Severity } from '../src/engine/report.js';
import { verdictFor, worstFinding } from '../src/engine/verdict.js';

const f = (...severities: Severity[]) => severities.map((severity) => ({ severity }));

describe('verdictFor', () => {
  it('is clean for a complete analysis with nothing above low', () => {
    expect(verdictFor('complete', [])).toBe('clean');
    expect(verdictFor('complete', f('info', 'low'))).toBe('clean');
  });

  it('is suspicious on a high or medium finding', () => {
    expect(verdictFor('complete', f('medium'))).toBe('suspicious');
    expect(verdictFor('complete', f('low', 'high'))).toBe('suspicious');
  });

  it('is malicious on any critical finding, whatever else happened', () => {
    expect(verdictFor('complete', f('info', 'critical'))).toBe('malicious');
    expect(verdictFor('failed', f('critical'))).toBe('malicious');
    expect(verdictFor('unsupported', f('critical'))).toBe('malicious');
  });

  it('makes an unanalysed file with a pinned-hash mismatch suspicious, and only that rule', () => {
    expect(verdictFor('unsupported', [{ severity: 'high', rule: 'hash.mismatch' }])).toBe('suspicious');
    expect(verdictFor('unsupported', [{ severity: 'high', rule: 'zip.unreadable-member' }, { severity: 'medium', rule: 'lfs.pointer-without-file' }])).toBe('unsupported');
    expect(verdictFor('failed', [{ severity: 'high', rule: 'hash.mismatch' }])).toBe('malformed');
  });

  it('is malformed when parsing failed, never clean', () => {
    expect(verdictFor('failed', [])).toBe('malformed');
    expect(verdictFor('failed', f('high'))).toBe('malformed');
  });

  it('is unsupported when the contents were not analysed, never clean', () => {
    expect(verdictFor('unsupported', f('info'))).toBe('unsupported');
    expect(verdictFor('unsupported', f('medium'))).toBe('unsupported');
  });
});

describe('worstFinding', () => {
  it('picks the most severe, the first among equals', () => {
    const list = [{ severity: 'low', id: 1 }, { severity: 'high', id: 2 }, { severity: 'high', id: 3 }] as const;
    expect(worstFinding(list)?.id).toBe(2);
    expect(worstFinding([])).toBeUndefined();
  });
});
