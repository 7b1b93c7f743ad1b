import { describe, expect, it } from "vitest";
import { EmbeddedQueue } from "../../src/queue/embedded.js";
import type { ThreadJob } from "../../src/queue/types.js";

function job(thread: string, trigger: number, delivery = `d-${thread}-${trigger}`): ThreadJob {
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("EmbeddedQueue", () => {
  it("runs one job per thread at a time, in comment order, and threads concurrently up to the bound", async () => {
    const queue = new EmbeddedQueue({ concurrency: 3 });
    const spans: { thread: string; trigger: number; start: number; end: number }[] = [];
    let running = 0;
    let maxRunning = 0;
    // Enqueue before starting, out of order within each thread.
    for (const t of ["a", "b", "c", "d"]) for (const n of [3, 1, 2]) await queue.enqueue(job(t, n));
    queue.start(async (j) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      const start = performance.now();
      await sleep(5 + Math.random() * 10);
      spans.push({ thread: j.threadKey, trigger: Number(j.trigger.id), start, end: performance.now() });
      running--;
    });
    await waitIdle(queue);
    expect(spans).toHaveLength(12);
    expect(maxRunning).toBe(3);
    for (const t of ["a", "b", "c", "d"]) {
      const mine = spans.filter((s) => s.thread === t);
      expect(mine.map((s) => s.trigger)).toEqual([1, 2, 3]);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.start).toBeGreaterThanOrEqual(mine[i - 1]!.end);
    }
  });

  it("drops a job seen before by id or by delivery id", async () => {
    const queue = new EmbeddedQueue({ concurrency: 1 });
    expect(await queue.enqueue(job("a", 1, "x"))).toBe("queued");
    expect(await queue.enqueue(job("a", 1, "y"))).toBe("duplicate");
    expect(await queue.enqueue(job("a", 2, "x"))).toBe("duplicate");
    expect(await queue.enqueue(job("a", 2, "z"))).toBe("queued");
    expect(await queue.stats()).toEqual({ waiting: 2, running: 0 });
  });

  it("keeps running after a job fails, and reports the failure", async () => {
    const failures: string[] = [];
    const queue = new EmbeddedQueue({ concurrency: 1, onError: (_e, j) => failures.push(j.id) });
    const done: string[] = [];
    queue.start(async (j) => {
      if (j.trigger.id === "1") throw new Error("boom");
      done.push(j.id);
    });
    await queue.enqueue(job("a", 1));
    await queue.enqueue(job("a", 2));
    await waitIdle(queue);
    expect(failures).toEqual(["a:1"]);
    expect(done).toEqual(["a:2"]);
  });

  it("on close, waits for jobs in flight within the grace period and hands back the rest", async () => {
    const queue = new EmbeddedQueue({ concurrency: 1 });
    const finished: string[] = [];
    queue.start(async (j) => {
      await sleep(j.threadKey === "slow" ? 500 : 30);
      finished.push(j.id);
    });
    await queue.enqueue(job("quick", 1));
    await queue.enqueue(job("quick", 2));
    const unfinished = await queue.close(1000);
    expect(finished).toEqual(["quick:1"]);
    expect(unfinished.map((j) => j.id)).toEqual(["quick:2"]);
    await expect(queue.enqueue(job("late", 1))).rejects.toThrow(/shutting down/);

    const slowQueue = new EmbeddedQueue({ concurrency: 1 });
    slowQueue.start(async () => {
      await sleep(500);
    });
    await slowQueue.enqueue(job("slow", 1));
    const left = await slowQueue.close(20);
    expect(left.map((j) => j.id)).toEqual(["slow:1"]);
  });
});

async function waitIdle(queue: EmbeddedQueue) {
  for (let i = 0; i < 500; i++) {
    const s = await queue.stats();
    if (s.waiting === 0 && s.running === 0) return;
    await sleep(10);
  }
  throw new Error("queue never went idle");
}
