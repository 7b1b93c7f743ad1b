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

// The shared behaviour (order, concurrency, dedupe, failures) is checked for both backends in
// contract.test.ts; this file keeps what only the embedded queue promises.
describe("EmbeddedQueue", () => {
  it("on close, spends the grace period on the jobs in flight and then on the waiting ones, in order", async () => {
    const queue = new EmbeddedQueue({ concurrency: 1 });
    const finished: string[] = [];
    queue.start(async (j) => {
      await sleep(j.threadKey === "slow" ? 500 : 30);
      finished.push(j.id);
    });
    await queue.enqueue(job("quick", 1));
    await queue.enqueue(job("quick", 2));
    await queue.enqueue(job("other", 1));
    const unfinished = await queue.close(1000);
    expect(finished).toEqual(["quick:1", "quick:2", "other:1"]);
    expect(unfinished).toEqual([]);
    await expect(queue.enqueue(job("late", 1))).rejects.toThrow(/shutting down/);

    // What the grace period could not cover is handed back: the job running and those still waiting.
    const short = new EmbeddedQueue({ concurrency: 1 });
    const done: string[] = [];
    short.start(async (j) => {
      await sleep(120);
      done.push(j.id);
    });
    for (const n of [1, 2, 3]) await short.enqueue(job("t", n));
    const rest = await short.close(180);
    expect(done).toEqual(["t:1"]);
    expect(rest.map((j) => j.id)).toEqual(["t:2", "t:3"]);

    const slowQueue = new EmbeddedQueue({ concurrency: 1 });
    slowQueue.start(async () => {
      await sleep(500);
    });
    await slowQueue.enqueue(job("slow", 1));
    const left = await slowQueue.close(20);
    expect(left.map((j) => j.id)).toEqual(["slow:1"]);
  });
});
