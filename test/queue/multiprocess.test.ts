// Two replica processes (test/replica/worker.ts) on one Redis: every job runs once, each thread in order
// and without overlap; and when a replica is killed mid-job (kill -9), the other one finishes the job.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisQueue } from "../../src/queue/redis.js";
import { job, waitFor } from "./contract.js";
import { redisAvailable, startRedis, type RedisServer } from "./redisServer.js";

interface Event {
  phase: "start" | "done";
  jobId: string;
  pid: number;
  start: number;
  end?: number;
  thread?: string;
  trigger?: number;
}

const root = fileURLToPath(new URL("../..", import.meta.url));
const EVENTS = "test:events";

/** What each replica wrote to stderr. */
const stderrOf = new Map<number, string>();

function spawnReplica(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/replica/worker.ts"], {
    cwd: root,
    env: { ...process.env, REDIS_URL: url, EVENTS_KEY: EVENTS, CONCURRENCY: "2", LOCK_MS: "1500" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stderr!.on("data", (d: Buffer) => {
    stderrOf.set(child.pid!, (stderrOf.get(child.pid!) ?? "") + d.toString());
    process.stderr.write(d);
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`replica exited early (${code})`)));
    createInterface({ input: child.stdout! }).on("line", (line) => line === "ready" && resolve(child));
  });
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Checks each job ran to the end exactly once, and each thread in trigger order without overlap. */
function checkRuns(done: Event[], expectedIds: string[]): void {
  expect(done.map((e) => e.jobId).sort()).toEqual([...expectedIds].sort());
  const threads = new Set(done.map((e) => e.thread!));
  for (const thread of threads) {
    const mine = done.filter((e) => e.thread === thread).sort((a, b) => a.start - b.start);
    expect(mine.map((e) => e.trigger)).toEqual(mine.map((e) => e.trigger).sort((a, b) => a! - b!));
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.start).toBeGreaterThanOrEqual(mine[i - 1]!.end!);
  }
}

describe.skipIf(!redisAvailable())("RedisQueue across processes", () => {
  let server: RedisServer;
  let redis: Redis;
  let producer: RedisQueue;
  let replicas: ChildProcess[] = [];
  const events = async () => (await redis.lrange(EVENTS, 0, -1)).map((line) => JSON.parse(line) as Event);

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    producer = new RedisQueue({ url: server.url, concurrency: 1 }); // enqueues only, never started
    replicas = await Promise.all([spawnReplica(server.url), spawnReplica(server.url)]);
    for (const r of replicas) r.removeAllListeners("exit");
  });

  afterAll(async () => {
    const alive = replicas.filter((r) => r.exitCode === null && r.signalCode === null);
    await Promise.all(alive.map((r) => new Promise((ok) => r.once("exit", ok).kill("SIGTERM"))));
    await producer?.close(0);
    await redis?.quit();
    await server?.stop();
  });

  it("runs 100 jobs over 10 threads exactly once, in order per thread, without overlap", async () => {
    const jobs = shuffle(Array.from({ length: 100 }, (_, i) => job(`t${i % 10}`, 1 + Math.floor(i / 10))));
    for (const j of jobs) expect(await producer.enqueue(j)).toBe("queued");
    for (const r of replicas) r.stdin!.write("go\n"); // both start together, with all jobs out of order
    await waitFor(async () => (await events()).filter((e) => e.phase === "done").length >= 100, "100 jobs", 30_000);
    const all = await events();
    checkRuns(all.filter((e) => e.phase === "done"), jobs.map((j) => j.id));
    expect(all.filter((e) => e.phase === "start")).toHaveLength(100);
    expect(new Set(all.map((e) => e.pid)).size).toBe(2); // both replicas took part
    await redis.del(EVENTS);
  }, 40_000);

  it("finishes the job of a replica killed mid-job on the other replica, and runs nothing twice", async () => {
    const quick = Array.from({ length: 10 }, (_, i) => job(`q${i % 5}`, 1 + Math.floor(i / 5)));
    const before = [job("slow", 1), job("slow", 2), ...quick];
    for (const j of before) await producer.enqueue(j);
    const slowStart = async () => (await events()).find((e) => e.phase === "start" && e.jobId === "slow:1");
    await waitFor(async () => (await slowStart()) !== undefined, "the slow job to start");
    await waitFor(async () => (await events()).filter((e) => e.phase === "done").length >= 10, "the quick jobs");
    const victimPid = (await slowStart())!.pid;
    const victim = replicas.find((r) => r.pid === victimPid)!;
    const survivor = replicas.find((r) => r !== victim)!;
    victim.kill("SIGKILL");

    const after = Array.from({ length: 10 }, (_, i) => job(`r${i % 5}`, 1 + Math.floor(i / 5)));
    for (const j of after) await producer.enqueue(j);
    await waitFor(async () => (await events()).filter((e) => e.phase === "done").length >= 22, "all jobs", 30_000);
    // Would any job run a second time? One more job on every thread: a thread runs its jobs one at a time
    // in order, so once each of these is done (and the queue is empty) nothing earlier can still be running
    // or waiting to run again.
    const sentinels = [...new Set([...before, ...after].map((j) => j.threadKey))].map((key) => job(key, 3));
    for (const j of sentinels) await producer.enqueue(j);
    const sentinelsDone = async () => (await events()).filter((e) => e.phase === "done" && sentinels.some((j) => j.id === e.jobId)).length;
    await waitFor(async () => (await sentinelsDone()) === sentinels.length, "one more job on every thread", 30_000);
    await waitFor(async () => {
      const stats = await producer.stats();
      return stats.waiting === 0 && stats.running === 0;
    }, "the queue to be empty");

    const all = await events();
    const done = all.filter((e) => e.phase === "done");
    checkRuns(done, [...before, ...after, ...sentinels].map((j) => j.id));
    expect(done.find((e) => e.jobId === "slow:1")!.pid).toBe(survivor.pid);
    const starts = all.filter((e) => e.phase === "start");
    expect(starts.filter((e) => e.jobId === "slow:1").map((e) => e.pid)).toEqual([victim.pid, survivor.pid]);
    expect(starts.filter((e) => e.jobId !== "slow:1")).toHaveLength(21 + sentinels.length); // everything else started once
  }, 45_000);

  it("a replica stopped with SIGTERM mid-job hands the job back cleanly (no stack traces), and the other one finishes it", async () => {
    const survivor = replicas.find((r) => r.exitCode === null && r.signalCode === null)!;
    const fresh = await spawnReplica(server.url);
    fresh.removeAllListeners("exit");
    replicas.push(fresh);
    fresh.stdin!.write("go\n");
    await redis.del(EVENTS);
    // Two slow jobs on two threads: each replica (concurrency 2) may take either; the one that ran the
    // first is stopped while it runs (3 s job, 2 s grace: it is handed back).
    for (const j of [job("slowA", 1), job("slowB", 1)]) await producer.enqueue(j);
    const started = async () => (await events()).filter((e) => e.phase === "start");
    await waitFor(async () => (await started()).length >= 2, "both slow jobs to start");
    const victimPid = (await started()).find((e) => e.pid === fresh.pid) ? fresh.pid! : survivor.pid!;
    const victim = victimPid === fresh.pid ? fresh : survivor;
    const other = victim === fresh ? survivor : fresh;
    const handedBack = (await started()).filter((e) => e.pid === victimPid).map((e) => e.jobId);
    await new Promise((ok) => victim.once("exit", ok).kill("SIGTERM"));
    await waitFor(async () => (await events()).filter((e) => e.phase === "done" && handedBack.includes(e.jobId)).length === handedBack.length, "the handed-back jobs", 30_000);
    const done = (await events()).filter((e) => e.phase === "done" && handedBack.includes(e.jobId));
    expect(done.every((e) => e.pid === other.pid)).toBe(true);
    const log = stderrOf.get(victimPid) ?? "";
    expect(log).not.toMatch(/could not renew lock/);
    expect(log).not.toMatch(/^\s+at /m);
  }, 60_000);
});
