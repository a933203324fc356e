// The queue the user sees: one job per file, from waiting to a verdict and
// then a hash. Verdicts never wait for hashes: scans run at a higher priority,
// and a file's hash starts only after its report is on screen.
import * as Comlink from 'comlink';
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
  report?: Report;
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
  /** Called on every change of any job (a new array each time, for Lit). */
  onChange: (jobs: readonly Job[]) => void;
  /** A report is ready (hash may follow through onHashed). */
  onReport?: (job: Job) => void;
  onHashed?: (job: Job) => void;
}

export class AnalysisJobs {
  private jobs: Job[] = [];
  private nextId = 1;
  private readonly controllers = new Map<number, AbortController>();

  constructor(private readonly options: JobsOptions) {}

  get all(): readonly Job[] {
    return this.jobs;
  }

  /** Queues every file; each is analysed with the other files of its folder beside it. */
  add(files: readonly DroppedFile[]): void {
    const siblings = siblingsByFolder(files);
    const added = files.map((f) => ({ job: { id: this.nextId++, path: f.path, size: f.file.size, state: 'waiting' as JobState, file: f.file }, siblings: siblings.get(f) ?? [] }));
    this.jobs = [...this.jobs, ...added.map((a) => a.job)];
    this.emit();
    for (const { job, siblings: beside } of added) void this.run(job.id, beside);
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
          return api.scan({ file, path: job()?.path ?? file.name, siblings, allow: [...this.options.allow()] });
        },
        { signal: controller.signal, timeoutMs: this.options.scanTimeLimitMs(), priority: SCAN_PRIORITY },
      );
      this.update(id, { state: 'hashing', report, hashed: 0 });
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
    }
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
    if (!current?.report) return;
    this.update(id, { state: 'done', report: { ...current.report, file: { ...current.report.file, sha256 } }, hashed: undefined, hashRate: undefined });
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
