// Which scanned file a Git LFS pointer stands for, decided by paths only (the
// front doors hand over whatever was scanned or dropped together):
//
// - the file has the pointer's name (a pointer is stored under the name of the
//   file it replaces) and is not itself a pointer;
// - among several, the one whose path shares the most trailing folders with the
//   pointer's wins (`lfs/sub/model.bin` pins `real/sub/model.bin` over
//   `real/model.bin`); a tie pins none of them, and the pointer says so;
// - none: the pointer's report keeps `lfs.pointer-without-file`.
import type { Finding, Report } from '../report.js';
import { RULES } from '../rules.js';
import { applyExpectedHashes, type ExpectedHash } from './expected-hash.js';
import type { LfsPointer } from './lfs-pointer.js';

export function lfsPointerAloneMessage(pointer: LfsPointer): string {
  return `a Git LFS pointer: a placeholder for a ${pointer.size}-byte file with SHA-256 ${pointer.sha256}; the real file is not here, so nothing of it was checked`;
}

/** The pointer a scan found in this report (engine-made `content.lfsPointer`), if any. */
export function lfsPointerOf(report: Report): LfsPointer | null {
  const p = report.content.lfsPointer as Partial<LfsPointer> | undefined;
  return p && typeof p.sha256 === 'string' && /^[0-9a-f]{64}$/.test(p.sha256) && Number.isSafeInteger(p.size) ? { sha256: p.sha256, size: p.size! } : null;
}

function components(path: string): string[] {
  return path.split(/[\\/]+/).filter((c) => c !== '' && c !== '.');
}

function sharedTail(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

export interface LfsPairing {
  /** The reports, pointers' findings updated (same order). */
  reports: Report[];
  /** Expected hashes by index in `reports`, to merge with other pins before applyExpectedHashes. */
  pins: Map<number, ExpectedHash[]>;
}

export function pairLfsPointers(reports: readonly Report[]): LfsPairing {
  const paths = reports.map((r) => components(r.file.path));
  const pointers = reports.map(lfsPointerOf);
  const pins = new Map<number, ExpectedHash[]>();
  const out = reports.map((report, i) => {
    const pointer = pointers[i];
    if (!pointer) return report;
    const name = paths[i]!.at(-1);
    let best: number[] = [];
    let bestScore = 0;
    reports.forEach((_, j) => {
      if (pointers[j] || paths[j]!.at(-1) !== name) return;
      const score = sharedTail(paths[i]!, paths[j]!);
      if (score > bestScore) [best, bestScore] = [[j], score];
      else if (score === bestScore) best.push(j);
    });
    if (best.length === 0) return report;
    const evidence = { sha256: pointer.sha256, size: pointer.size };
    let note: Finding;
    if (best.length > 1) {
      const names = best.map((j) => reports[j]!.file.path);
      note = { rule: 'lfs.pointer', severity: 'medium', message: `a Git LFS pointer that fits several scanned files equally (${names.join(', ')}): it pins none of them`, location: {}, evidence: { ...evidence, candidates: names } };
    } else {
      const target = reports[best[0]!]!;
      if (target.file.sha256 === null) {
        note = { rule: 'lfs.pointer', severity: RULES['lfs.pointer'].severity, message: `a Git LFS pointer for ${target.file.path}, which was not hashed: not compared`, location: {}, evidence: { ...evidence, file: target.file.path } };
      } else {
        note = { rule: 'lfs.pointer', severity: RULES['lfs.pointer'].severity, message: `a Git LFS pointer for ${target.file.path}: its SHA-256 and size were checked against that file`, location: {}, evidence: { ...evidence, file: target.file.path } };
        const list = pins.get(best[0]!) ?? [];
        list.push({ sha256: pointer.sha256, size: pointer.size, source: `Git LFS pointer ${report.file.path}` });
        pins.set(best[0]!, list);
      }
    }
    return { ...report, findings: [...report.findings.filter((f) => f.rule !== 'lfs.pointer-without-file'), note] };
  });
  return { reports: out, pins };
}

/** Applies every pin to its report (index → expected hashes); reports without one are returned as they are. */
export function applyPins(reports: readonly Report[], pins: ReadonlyMap<number, readonly ExpectedHash[]>): Report[] {
  return reports.map((r, i) => applyExpectedHashes(r, pins.get(i) ?? []));
}

/** The app's one call for files dropped together: pointers paired with their files, and those files pinned. */
export function resolveLfsPointers(reports: readonly Report[]): Report[] {
  const { reports: paired, pins } = pairLfsPointers(reports);
  return applyPins(paired, pins);
}
