// A stand-in replica for test/queue/multiprocess.test.ts: a RedisQueue whose handler records each job's
// start and end in a Redis list. Prints "ready" once connected and starts taking jobs on "go" (stdin), so
// that both replicas start together. Jobs of threads named "slow…" take 3 s; others 5–30 ms.
// Run: node --import tsx test/replica/worker.ts (settings in the environment, see below).
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import { RedisQueue } from "../../src/queue/redis.js";

const url = process.env.REDIS_URL ?? "";
const eventsKey = process.env.EVENTS_KEY ?? "events";
const queue = new RedisQueue({
  url,
  concurrency: Number(process.env.CONCURRENCY ?? 2),
  lockMs: Number(process.env.LOCK_MS ?? 1500),
  onError: (error, job) => console.error(`job ${job.id} failed:`, error),
});
const log = new Redis(url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function record(event: Record<string, unknown>): Promise<void> {
  await log.rpush(eventsKey, JSON.stringify({ ...event, pid: process.pid }));
}

await log.ping();
console.log("ready");
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() !== "go") return;
  queue.start(async (job) => {
    const start = Date.now();
    await record({ phase: "start", jobId: job.id, start });
    await sleep(job.threadKey.startsWith("slow") ? 3000 : 5 + Math.random() * 25);
    const trigger = Number(job.trigger.id);
    await record({ phase: "done", jobId: job.id, thread: job.threadKey, trigger, start, end: Date.now() });
  });
});

process.once("SIGTERM", async () => {
  await queue.close(2000);
  await log.quit();
  process.exit(0);
});
