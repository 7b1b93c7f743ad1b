// The behaviour every JobQueue backend promises, as one suite run against each backend.
// `shared`: jobs live outside the process (Redis). Then close() hands back only this replica's jobs still
// running, waiting jobs stay for other replicas, and a second queue from makeQueue is "another replica".
import { afterEach, describe, expect, it } from "vitest";
import type { JobQueue, ThreadJob } from "../../src/queue/types.js";

export interface MakeQueueOptions {
  concurrency: number;
  onError?: (error: unknown, job: ThreadJob) => void;
}

export interface ContractTraits {
  shared?: boolean;
}

export function job(thread: string, trigger: number, delivery = `d-${thread}-${trigger}`): ThreadJob {
  return {
    id: `${thread}:${trigger}`,
    deliveryId: delivery,
    threadKey: thread,
    installationId: 1,
    owner: "o",
    repo: "r",
    number: 1,
    kind: "issue",
    trigger: { id: String(trigger), nodeId: "n", author: "a", association: "OWNER" },
    receivedAt: 0,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function idle(queue: JobQueue): Promise<boolean> {
  const s = await queue.stats();
  return s.waiting === 0 && s.running === 0;
}

interface Span {
  id: string;
  thread: string;
  trigger: number;
  start: number;
  end: number;
}

export function queueContract(
  name: string,
  makeQueue: (options: MakeQueueOptions) => Promise<JobQueue>,
  cleanup: () => Promise<void>,
  traits: ContractTraits = {},
): void {
  describe(`JobQueue contract: ${name}`, () => {
    const made: JobQueue[] = [];
    const make = async (options: MakeQueueOptions) => {
      const queue = await makeQueue(options);
      made.push(queue);
      return queue;
    };
    afterEach(async () => {
      await Promise.all(made.splice(0).map((q) => q.close(0)));
      await cleanup();
    });

    it("runs a thread's jobs one at a time in comment order, even when enqueued out of order", async () => {
      const queue = await make({ concurrency: 3 });
      const spans: Span[] = [];
      let running = 0;
      let maxRunning = 0;
      for (const t of ["a", "b", "c", "d"]) for (const n of [3, 1, 2]) await queue.enqueue(job(t, n));
      queue.start(async (j) => {
        maxRunning = Math.max(maxRunning, ++running);
        const start = performance.now();
        await sleep(5 + Math.random() * 10);
        spans.push({ id: j.id, thread: j.threadKey, trigger: Number(j.trigger.id), start, end: performance.now() });
        running--;
      });
      await waitFor(() => spans.length === 12, "12 jobs");
      await waitFor(() => idle(queue), "an idle queue");
      expect(maxRunning).toBeLessThanOrEqual(3);
      expect(new Set(spans.map((s) => s.id)).size).toBe(12);
      for (const t of ["a", "b", "c", "d"]) {
        const mine = spans.filter((s) => s.thread === t).sort((x, y) => x.start - y.start);
        expect(mine.map((s) => s.trigger)).toEqual([1, 2, 3]);
        for (let i = 1; i < mine.length; i++) expect(mine[i]!.start).toBeGreaterThanOrEqual(mine[i - 1]!.end);
      }
    });

    it("runs different threads concurrently, up to the bound and never beyond", async () => {
      const queue = await make({ concurrency: 3 });
      let running = 0;
      let maxRunning = 0;
      let done = 0;
      queue.start(async () => {
        maxRunning = Math.max(maxRunning, ++running);
        // Hold each job until the bound is reached (or give up), so the peak shows real concurrency.
        const deadline = Date.now() + 3000;
        while (maxRunning < 3 && Date.now() < deadline) await sleep(5);
        await sleep(20);
        running--;
        done++;
      });
      for (const t of ["a", "b", "c", "d", "e"]) await queue.enqueue(job(t, 1));
      await waitFor(() => done === 5, "5 jobs");
      expect(maxRunning).toBe(3);
    });

    it("drops a job seen before by id or by delivery id", async () => {
      const queue = await make({ concurrency: 1 });
      expect(await queue.enqueue(job("a", 1, "x"))).toBe("queued");
      expect(await queue.enqueue(job("a", 1, "y"))).toBe("duplicate");
      expect(await queue.enqueue(job("a", 2, "x"))).toBe("duplicate");
      expect(await queue.enqueue(job("a", 2, "z"))).toBe("queued");
      expect(await queue.stats()).toEqual({ waiting: 2, running: 0 });
    });

    it("keeps running after a job fails, and reports the failure once", async () => {
      const failures: string[] = [];
      const queue = await make({ concurrency: 1, onError: (_e, j) => failures.push(j.id) });
      const done: string[] = [];
      queue.start(async (j) => {
        if (j.trigger.id === "1") throw new Error("boom");
        done.push(j.id);
      });
      await queue.enqueue(job("a", 1));
      await queue.enqueue(job("a", 2));
      await waitFor(() => done.length === 1, "the second job");
      await waitFor(() => idle(queue), "an idle queue");
      expect(failures).toEqual(["a:1"]);
      expect(done).toEqual(["a:2"]);
    });

    it("on close, finishes jobs in flight within the grace period; waiting jobs are not lost (run in the grace, or left in Redis)", async () => {
      const queue = await make({ concurrency: 1 });
      const started: string[] = [];
      const finished: string[] = [];
      queue.start(async (j) => {
        started.push(j.id);
        await sleep(30);
        finished.push(j.id);
      });
      await queue.enqueue(job("quick", 1));
      await queue.enqueue(job("quick", 2));
      await waitFor(() => started.length === 1, "the first job to start");
      const unfinished = await queue.close(1000);
      await expect(queue.enqueue(job("late", 1))).rejects.toThrow(/shutting down/);
      if (!traits.shared) {
        // In-process: the grace period is used for the waiting job too.
        expect(finished).toEqual(["quick:1", "quick:2"]);
        expect(unfinished).toEqual([]);
        return;
      }
      expect(finished).toEqual(["quick:1"]);
      // Shared: quick:2 stayed in Redis, and another replica answers it.
      expect(unfinished).toEqual([]);
      const other = await make({ concurrency: 1 });
      expect(await other.stats()).toEqual({ waiting: 1, running: 0 });
      const byOther: string[] = [];
      other.start(async (j) => void byOther.push(j.id));
      await waitFor(() => byOther.length === 1, "another replica to take the waiting job");
      expect(byOther).toEqual(["quick:2"]);
    });

    it("on close, returns the jobs still running at the deadline", async () => {
      const queue = await make({ concurrency: 1 });
      const started: string[] = [];
      queue.start(async (j) => {
        started.push(j.id);
        await sleep(500);
      });
      await queue.enqueue(job("slow", 1));
      await waitFor(() => started.length === 1, "the job to start");
      const left = await queue.close(20);
      expect(left.map((j) => j.id)).toEqual(["slow:1"]);
      if (!traits.shared) return;
      // Shared: the abandoned job's locks lapse and another replica runs it again.
      const other = await make({ concurrency: 1 });
      const byOther: string[] = [];
      other.start(async (j) => void byOther.push(j.id));
      await waitFor(() => byOther.length === 1, "another replica to take over the abandoned job");
      expect(byOther).toEqual(["slow:1"]);
    });
  });
}
