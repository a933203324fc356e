// A pool of engine workers (the Squoosh pattern): jobs queue for a free
// worker; cancelling a job, running past its time, the worker dying or a
// result that spent the memory budget terminates that worker — the only sure
// way to stop a runaway wasm loop or give back all its memory — and a fresh
// one takes its place. Other jobs never notice.
import * as Comlink from 'comlink';
import type { EngineWorkerApi } from './engine-worker.js';

export type EngineApi = Comlink.Remote<EngineWorkerApi>;

/** Why a job ended without a result; the message is shown on that file only. */
export class JobError extends Error {
  constructor(readonly reason: 'cancelled' | 'timeout' | 'worker-died', message: string) {
    super(message);
    this.name = 'JobError';
  }
}

export interface JobOptions {
  /** Aborting it cancels the job (queued or running). */
  signal?: AbortSignal;
  /** Wall-clock limit from the moment the job starts running. */
  timeoutMs: number;
  /** Higher runs first: verdicts before hashes. */
  priority?: number;
  /** A result after which the worker is replaced all the same (its analysis spent the memory budget). */
  retireIf?: (value: unknown) => boolean;
}

interface Slot {
  worker: Worker;
  api: EngineApi;
  busy: boolean;
  /** Rejects the running job when the worker reports an uncaught error. */
  onCrash?: (message: string) => void;
}

interface Pending {
  run: (slot: Slot) => void;
  priority: number;
  cancel: () => void;
}

/** About hardwareConcurrency − 1, at least 1, at most 4: leave a core for the page. */
export function defaultPoolSize(cores = globalThis.navigator?.hardwareConcurrency ?? 2): number {
  return Math.min(4, Math.max(1, cores - 1));
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private queue: Pending[] = [];

  constructor(
    private readonly createWorker: () => Worker,
    readonly size = defaultPoolSize(),
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Runs task on a free worker; rejects with JobError when cancelled, timed out or the worker dies. */
  run<T>(task: (api: EngineApi) => Promise<T>, options: JobOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) return reject(new JobError('cancelled', 'cancelled'));
      const pending: Pending = {
        priority: options.priority ?? 0,
        cancel: () => {
          this.queue = this.queue.filter((p) => p !== pending);
          reject(new JobError('cancelled', 'cancelled'));
        },
        run: (slot) => {
          signal?.removeEventListener('abort', pending.cancel);
          let settled = false;
          /** Ends the job once; `stop` means the worker must go (cancelled, too slow, dead). */
          const settle = (outcome: { value: T } | { error: unknown; stop: boolean }) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            slot.onCrash = undefined;
            if (('error' in outcome && outcome.stop) || ('value' in outcome && options.retireIf?.(outcome.value))) this.replace(slot);
            else slot.busy = false;
            if ('value' in outcome) resolve(outcome.value);
            else reject(outcome.error);
            this.pump();
          };
          const onAbort = () => settle({ error: new JobError('cancelled', 'cancelled'), stop: true });
          const timer = setTimeout(
            () => settle({ error: new JobError('timeout', `stopped after ${Math.round(options.timeoutMs / 1000)} s: the analysis took too long (the worker was terminated)`), stop: true }),
            options.timeoutMs,
          );
          signal?.addEventListener('abort', onAbort, { once: true });
          slot.onCrash = (message) => settle({ error: new JobError('worker-died', `the analyser stopped unexpectedly: ${message}`), stop: true });
          // A rejection from the worker is the task's own error: passed on, and the worker stays.
          task(slot.api).then(
            (value) => settle({ value }),
            (error: unknown) => settle({ error, stop: false }),
          );
        },
      };
      signal?.addEventListener('abort', pending.cancel, { once: true });
      // Stable priority order: after every job of the same or higher priority.
      const at = this.queue.findIndex((p) => p.priority < pending.priority);
      if (at < 0) this.queue.push(pending);
      else this.queue.splice(at, 0, pending);
      this.pump();
    });
  }

  /** Terminates every worker; pending jobs are cancelled. */
  dispose(): void {
    for (const pending of [...this.queue]) pending.cancel();
    for (const slot of this.slots) slot.worker.terminate();
    this.slots.length = 0;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!this.queue.length) return;
      if (slot.busy) continue;
      const next = this.queue.shift()!;
      slot.busy = true;
      next.run(slot);
    }
  }

  private spawn(): Slot {
    const worker = this.createWorker();
    const slot: Slot = { worker, api: Comlink.wrap<EngineWorkerApi>(worker), busy: false };
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      slot.onCrash?.(event.message || 'the worker failed');
    });
    worker.addEventListener('messageerror', () => slot.onCrash?.('a message could not be read'));
    // Compile the wasm now, once per worker, so the first file does not wait for it.
    slot.api.ready().catch(() => undefined); // a load failure surfaces on the job that needs it
    return slot;
  }

  private replace(slot: Slot): void {
    slot.worker.terminate();
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots[at] = this.spawn();
  }
}
