// The worker pool's rules for retiring a worker, over real Comlink channels
// (a MessageChannel per "worker": the pool only needs postMessage, events and terminate).
import * as Comlink from 'comlink';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { spentMemoryBudget } from '../src/engine/memory-budget.js';
import type { Report } from '../src/engine/report.js';
import { JobError, WorkerPool, type EngineApi } from '../src/worker/worker-pool.js';

/** Workers whose api answers `scan` with a report carrying the given findings; counts spawns and terminations. */
function workers(findings: Report['findings']) {
  const made = { spawned: 0, terminated: 0 };
  const create = () => {
    const { port1, port2 } = new MessageChannel();
    const id = ++made.spawned;
    Comlink.expose({ ready: async () => undefined, scan: async () => ({ findings, worker: id }), slow: () => new Promise(() => undefined) }, port2 as never);
    return Object.assign(port1, {
      terminate: () => {
        made.terminated++;
        port1.close();
        port2.close();
      },
    }) as unknown as Worker;
  };
  return { made, create };
}

const scan = (api: EngineApi) => (api as unknown as { scan(): Promise<Report & { worker: number }> }).scan();
const budgetFinding = { rule: 'scan.limit-reached', severity: 'medium', message: 'analysis incomplete: …', location: {}, evidence: { limit: 'MEMORY_BUDGET', value: 16 << 20 } } as unknown as Report['findings'][number];

describe('WorkerPool (src/worker/worker-pool.ts)', () => {
  it('replaces the worker after a result that spent the memory budget, and only then', async () => {
    const spent = workers([budgetFinding]);
    const pool = new WorkerPool(spent.create, 1);
    const first = await pool.run(scan, { timeoutMs: 5000, retireIf: (r) => spentMemoryBudget(r as Report) });
    expect(first.worker).toBe(1);
    const second = await pool.run(scan, { timeoutMs: 5000, retireIf: (r) => spentMemoryBudget(r as Report) });
    expect(second.worker).toBe(2); // a fresh worker took the job
    expect(spent.made).toEqual({ spawned: 3, terminated: 2 });
    pool.dispose();

    const fine = workers([]);
    const steady = new WorkerPool(fine.create, 1);
    for (let i = 0; i < 3; i++) expect((await steady.run(scan, { timeoutMs: 5000, retireIf: (r) => spentMemoryBudget(r as Report) })).worker).toBe(1);
    expect(fine.made).toEqual({ spawned: 1, terminated: 0 });
    steady.dispose();
  });

  it('stops a job past its time with a clear message, terminates that worker, and the next job runs', async () => {
    const w = workers([]);
    const pool = new WorkerPool(w.create, 1);
    const slow = pool.run((api) => (api as unknown as { slow(): Promise<never> }).slow(), { timeoutMs: 50 });
    await expect(slow).rejects.toThrow(JobError);
    await expect(slow).rejects.toThrow(/stopped after 0 s: the analysis took too long/);
    expect((await pool.run(scan, { timeoutMs: 5000 })).worker).toBe(2);
    expect(w.made.terminated).toBe(1);
    pool.dispose();
  });
});
