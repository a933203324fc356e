// The queue the user sees: one job per file, from waiting to a verdict and
// then a hash. Verdicts never wait for hashes: scans run at a higher priority,
// and a file's hash starts only after its report is on screen.
import * as Comlink from 'comlink';
import { applyExpectedHashes, type ExpectedHash } from '../engine/pinning/expected-hash.js';
import { lfsPointerOf, pairLfsPointers } from '../engine/pinning/lfs-pairing.js';
import { spentMemoryBudget } from '../engine/memory-budget.js';
import type { Report } from '../engine/report.js';
import type { DroppedFile } from '../intake/dropped-files.js';
import { siblingsByFolder } from '../intake/folders.js';
import { JobError, type WorkerPool } from '../worker/worker-pool.js';

export type JobState = 'waiting' | 'analysing' | 'hashing' | 'done' | 'failed' | 'cancelled';

/** Hashing is bounded by size: a minute plus 20 MB/s, far below what the wasm SHA-256 does here. */
export const hashTimeLimitMs = (bytes: number) => 60_000 + bytes / 20_000;

const SCAN_PRIORITY = 1;
const HASH_PRIORITY = 0;

export interface Job {
  id: number;
  path: string;
  size: number;
  state: JobState;
  /** The File, while this page holds it (not for reports reopened from history or links). */
  file: File;
  /** The other files of its folder (external data, shards), as the scan was given them. */
  siblings?: [string, File][];
  /** Files handed over together (one drop, one pick): Git LFS pointers are paired within it. */
  batch: number;
  /** The report as scanned (and hashed); `report` is it with the pins applied. */
  scanned?: Report;
  report?: Report;
  /** Expected hashes: from a Git LFS pointer dropped alongside, and one the user pasted. */
  pins: ExpectedHash[];
  error?: string;
  /** Bytes hashed so far and the rate, while hashing. */
  hashed?: number;
  hashRate?: number;
  /** Why the hash is missing when the report is done without one. */
  hashNote?: string;
}

export interface JobsOptions {
  pool: WorkerPool;
  /** The user's extra safe pickle imports, read when each job starts. */
  allow: () => readonly string[];
  /** Wall-clock limit of one file's analysis (a setting), read when each job starts. */
  scanTimeLimitMs: () => number;
  /** Wasm memory one file's analysis may take (a setting), read when each job starts. */
  memoryBudgetBytes: () => number;
  /** Called on every change of any job (a new array each time, for Lit). */
  onChange: (jobs: readonly Job[]) => void;
  /** A report is ready (hash may follow through onHashed). */
  onReport?: (job: Job) => void;
  onHashed?: (job: Job) => void;
}

export class AnalysisJobs {
  private jobs: Job[] = [];
  private nextId = 1;
  private nextBatch = 1;
  private readonly controllers = new Map<number, AbortController>();

  constructor(private readonly options: JobsOptions) {}

  get all(): readonly Job[] {
    return this.jobs;
  }

  /** Queues every file; each is analysed with the other files of its folder beside it. */
  add(files: readonly DroppedFile[]): void {
    const siblings = siblingsByFolder(files);
    const batch = this.nextBatch++;
    const added = files.map((f) => ({ job: { id: this.nextId++, path: f.path, size: f.file.size, state: 'waiting' as JobState, file: f.file, siblings: siblings.get(f) ?? [], batch, pins: [] } as Job, siblings: siblings.get(f) ?? [] }));
    this.jobs = [...this.jobs, ...added.map((a) => a.job)];
    this.emit();
    for (const { job, siblings: beside } of added) void this.run(job.id, beside);
  }

  /** Pins a job's file to a hash the user pasted (undefined clears it): a mismatch is a finding. */
  pin(id: number, sha256: string | undefined): void {
    const job = this.jobs.find((j) => j.id === id);
    if (!job) return;
    const pins = job.pins.filter((p) => p.source !== PASTED);
    if (sha256) pins.push({ sha256, source: PASTED });
    this.update(id, { pins, report: withPins(job.scanned, pins) });
  }

  cancel(id: number): void {
    this.controllers.get(id)?.abort();
  }

  /** Forgets a finished job (the report stays in history if it was saved). */
  remove(id: number): void {
    this.cancel(id);
    this.jobs = this.jobs.filter((j) => j.id !== id);
    this.emit();
  }

  clear(): void {
    for (const job of this.jobs) this.cancel(job.id);
    this.jobs = [];
    this.emit();
  }

  private async run(id: number, siblings: [string, File][]): Promise<void> {
    const controller = new AbortController();
    this.controllers.set(id, controller);
    const { pool } = this.options;
    const job = () => this.jobs.find((j) => j.id === id);
    try {
      const file = job()?.file;
      if (!file) return;
      const report = await pool.run(
        async (api) => {
          this.update(id, { state: 'analysing' });
          return api.scan({ file, path: job()?.path ?? file.name, siblings, allow: [...this.options.allow()], memoryBudgetBytes: this.options.memoryBudgetBytes() });
        },
        { signal: controller.signal, timeoutMs: this.options.scanTimeLimitMs(), priority: SCAN_PRIORITY, retireIf: (r) => spentMemoryBudget(r as Report) },
      );
      this.update(id, { state: 'hashing', scanned: report, report, hashed: 0 });
      const done = job();
      if (done) this.options.onReport?.(done);
      await this.hash(id, file, controller.signal);
    } catch (error) {
      if (error instanceof JobError && error.reason === 'cancelled') {
        const current = job();
        // A job cancelled while hashing keeps its verdict.
        if (current?.report) this.update(id, { state: 'done', hashNote: 'hashing was cancelled', hashed: undefined, hashRate: undefined });
        else this.update(id, { state: 'cancelled' });
      } else {
        const current = job();
        if (current?.report) this.update(id, { state: 'done', hashNote: `the hash could not be computed: ${messageOf(error)}`, hashed: undefined, hashRate: undefined });
        else this.update(id, { state: 'failed', error: messageOf(error) });
      }
    } finally {
      this.controllers.delete(id);
      this.pairPointers(job()?.batch);
    }
  }

  /** Once every file of a batch is settled, Git LFS pointers in it pin the files they stand for. */
  private pairPointers(batch: number | undefined): void {
    const members = this.jobs.filter((j) => j.batch === batch);
    if (members.some((j) => j.state === 'waiting' || j.state === 'analysing' || j.state === 'hashing')) return;
    const withReports = members.filter((j) => j.scanned);
    if (!withReports.some((j) => lfsPointerOf(j.scanned!))) return;
    const { reports, pins } = pairLfsPointers(withReports.map((j) => j.scanned!));
    withReports.forEach((job, i) => {
      const fromPointer = pins.get(i) ?? [];
      const kept = job.pins.filter((p) => !p.source.startsWith('Git LFS pointer'));
      const all = [...fromPointer, ...kept];
      this.update(job.id, { scanned: reports[i], pins: all, report: withPins(reports[i], all) });
    });
    for (const job of this.jobs.filter((j) => j.batch === batch && j.report)) this.options.onHashed?.(job);
  }

  private async hash(id: number, file: File, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    let lastPaint = 0;
    const sha256 = await this.options.pool.run(
      (api) =>
        api.sha256(
          file,
          Comlink.proxy((hashed: number) => {
            const now = performance.now();
            if (now - lastPaint < 100 && hashed < file.size) return; // a few updates a second are enough
            lastPaint = now;
            const seconds = (now - started) / 1000;
            this.update(id, { hashed, hashRate: seconds > 0 ? hashed / 1e6 / seconds : undefined });
          }),
        ),
      { signal, timeoutMs: hashTimeLimitMs(file.size), priority: HASH_PRIORITY },
    );
    const current = this.jobs.find((j) => j.id === id);
    if (!current?.scanned) return;
    const scanned = { ...current.scanned, file: { ...current.scanned.file, sha256 } };
    this.update(id, { state: 'done', scanned, report: withPins(scanned, current.pins), hashed: undefined, hashRate: undefined });
    const done = this.jobs.find((j) => j.id === id);
    if (done) this.options.onHashed?.(done);
  }

  private update(id: number, patch: Partial<Job>): void {
    this.jobs = this.jobs.map((j) => (j.id === id ? { ...j, ...patch } : j));
    this.emit();
  }

  private emit(): void {
    this.options.onChange(this.jobs);
  }
}

const PASTED = 'the hash pasted in the app';

/** The report with its pins applied; unpinned until the file's SHA-256 is known. */
function withPins(scanned: Report | undefined, pins: readonly ExpectedHash[]): Report | undefined {
  if (!scanned || !pins.length || scanned.file.sha256 === null) return scanned;
  return applyExpectedHashes(scanned, pins);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
