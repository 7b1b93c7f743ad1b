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
