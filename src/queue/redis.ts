// The scale-out queue: BullMQ on Redis, shared by every replica. BullMQ gives durable jobs, bounded
// concurrency per replica and crash recovery (a job whose worker stops renewing its lock is "stalled" and
// handed to another worker). The open-source edition has no per-group concurrency, so each job first
// passes a per-thread gate (see redisScripts.ts): it runs only when it is the thread's earliest pending
// job and it can take the thread's lock. A job that may not run yet is parked in BullMQ's delayed set
// and promoted by the job ahead of it when that one finishes. See docs/scale-out.md.
import { DelayedError, Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { bullJobId, keysFor, parseMember, pendingMember, threadScripts } from "./redisScripts.js";
import type { Gate, ThreadKeys, ThreadScripts } from "./redisScripts.js";
import type { EnqueueResult, JobHandler, JobQueue, QueueStats, ThreadJob } from "./types.js";

export interface RedisQueueOptions {
  url: string;
  /** Jobs this replica runs at once (other replicas add their own). */
  concurrency: number;
  /** Key prefix in Redis (default "threadbot"). */
  prefix?: string;
  queueName?: string;
  /** Lifetime of BullMQ's job lock and of the thread lock (default 30 s). A crashed replica's jobs are
   * taken over by another replica after about 2-3 times this. */
  lockMs?: number;
  /** How long delivery and job ids are remembered for dedupe (default 24 h). */
  dedupeTtlSeconds?: number;
  onError?: (error: unknown, job: ThreadJob) => void;
  /** Connection and worker errors not tied to a job (default: console.warn). */
  onQueueError?: (error: unknown) => void;
}

/** A job's thread lock expired while it ran (another replica may now run the thread): reported via onError. */
export class ThreadLockLostError extends Error {
  override name = "ThreadLockLostError";
}

/** A pending entry whose job is gone for this long is dropped, so a lost job cannot block its thread. */
const STALE_HEAD_MS = 60_000;

interface Running {
  job: ThreadJob;
  bull: Job<ThreadJob>;
  token: string | undefined;
  renew: NodeJS.Timeout;
}

export class RedisQueue implements JobQueue {
  readonly #client: Redis;
  readonly #workerClient: Redis;
  readonly #queue: Queue<ThreadJob>;
  readonly #scripts: ThreadScripts; // on the enqueue client
  readonly #gate: ThreadScripts; // on the worker client
  readonly #base: string;
  readonly #lockMs: number;
  readonly #prefix: string;
  readonly #onQueueError: (error: unknown) => void;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #running = new Set<Running>();
  readonly #reported = new WeakSet<object>();
  /** BullMQ ids of jobs this replica handed back at shutdown: BullMQ's complaints about their locks are expected. */
  readonly #handedBack = new Set<string>();
  #worker: Worker<ThreadJob> | undefined;
  #closing: Promise<ThreadJob[]> | undefined;

  constructor(private readonly options: RedisQueueOptions) {
    const prefix = (this.#prefix = options.prefix ?? "threadbot");
    const name = options.queueName ?? "jobs";
    this.#base = `${prefix}:${name}`;
    this.#lockMs = options.lockMs ?? 30_000;
    const onQueueError = options.onQueueError ?? ((e) => console.warn("threadbot queue (Redis):", e));
    this.#onQueueError = onQueueError;
    // Enqueue runs inside webhook handlers: its client fails fast. The worker's client waits out outages.
    this.#client = new Redis(options.url, { maxRetriesPerRequest: 3 });
    this.#workerClient = new Redis(options.url, { maxRetriesPerRequest: null });
    for (const c of [this.#client, this.#workerClient]) c.on("error", onQueueError);
    this.#scripts = threadScripts(this.#client);
    this.#gate = threadScripts(this.#workerClient);
    this.#queue = new Queue<ThreadJob>(name, {
      connection: this.#client,
      prefix,
      defaultJobOptions: {
        attempts: 1, // a failed answer is reported, not retried (as in the embedded queue)
        removeOnComplete: { age: 24 * 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
    this.#queue.on("error", onQueueError);
  }

  async enqueue(job: ThreadJob): Promise<EnqueueResult> {
    if (this.#closing) throw new Error("The queue is shutting down and takes no new jobs.");
    const member = pendingMember(job, Date.now());
    const seenJob = keysFor.seenJob(this.#base, job.id);
    const seenDelivery = keysFor.seenDelivery(this.#base, job.deliveryId);
    const pending = keysFor.thread(this.#base, job.threadKey).pending;
    const ttl = this.options.dedupeTtlSeconds ?? 24 * 3600;
    if ((await this.#scripts.enqueue(seenJob, seenDelivery, pending, ttl, member)) === 0) return "duplicate";
    try {
      // The member rides along as the job's name, so the worker knows its pending-set entry.
      await this.#queue.add(member, job, { jobId: bullJobId(job.id) });
    } catch (error) {
      await this.#client.multi().del(seenJob, seenDelivery).zrem(pending, member).exec().catch(() => undefined);
      throw error;
    }
    return "queued";
  }

  start(handler: JobHandler): void {
    if (this.#worker) throw new Error("The queue was already started.");
    if (this.#closing) throw new Error("The queue is shutting down.");
    const processor = (job: Job<ThreadJob>, token?: string) => this.#track(this.#process(handler, job, token));
    const worker = new Worker<ThreadJob>(this.#queue.name, processor, {
      connection: this.#workerClient,
      prefix: this.#prefix,
      concurrency: this.options.concurrency,
      lockDuration: this.#lockMs,
      stalledInterval: this.#lockMs,
      maxStalledCount: 2,
    });
    worker.on("error", (error) => this.#workerError(error));
    // Jobs that fail without our handler having run (e.g. stalled too often) still leave their thread.
    worker.on("failed", (bull, error) => {
      if (!bull || this.#reported.has(error)) return;
      this.options.onError?.(error, bull.data);
      const keys = keysFor.thread(this.#base, bull.data.threadKey);
      void this.#gate.release(keys, bull.name, "").then((next) => this.#promote(next), () => undefined);
    });
    this.#worker = worker;
  }

  /** A clean hand-back makes BullMQ's lock renewal fail for the jobs handed back: that is not an error. */
  #workerError(error: unknown): void {
    const message = String((error as { message?: unknown } | null)?.message ?? "");
    if (this.#closing && [...this.#handedBack].some((id) => message.includes(id))) return;
    this.#onQueueError(error);
  }

  async stats(): Promise<QueueStats> {
    // Queue-wide (all replicas): "waiting" includes jobs parked behind an earlier job of their thread.
    const c = await this.#queue.getJobCounts("wait", "delayed", "prioritized", "active");
    return { waiting: (c.wait ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0), running: c.active ?? 0 };
  }

  /**
   * Stops fetching jobs and waits up to `graceMs` for this replica's jobs in flight. Returns the ones still
   * running at the deadline. Nothing is lost: waiting jobs stay in Redis for the other replicas, and the
   * returned ones go back to waiting in Redis; another replica runs them again once this replica's thread
   * lock lapses (within lockMs), so the abandoned run and the new one never overlap.
   */
  close(graceMs: number): Promise<ThreadJob[]> {
    this.#closing ??= this.#shutdown(graceMs);
    return this.#closing;
  }

  async #shutdown(graceMs: number): Promise<ThreadJob[]> {
    let unfinished: ThreadJob[] = [];
    const worker = this.#worker;
    if (worker) {
      await worker.pause(true); // stop fetching; do not wait here
      const deadline = Date.now() + graceMs;
      while (this.#inFlight.size > 0 && Date.now() < deadline) {
        const timer = new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
        await Promise.race([Promise.allSettled([...this.#inFlight]), timer]);
      }
      unfinished = [...this.#running].map((r) => r.job);
      for (const r of this.#running) {
        if (r.bull.id) this.#handedBack.add(r.bull.id);
        clearInterval(r.renew); // the thread lock lapses within lockMs; until then it keeps the thread to us
        await r.bull.moveToWait(r.token).catch(() => undefined); // else BullMQ waits to call it stalled
      }
      await worker.close(this.#inFlight.size > 0).catch(() => undefined);
    }
    await this.#queue.close().catch(() => undefined);
    await Promise.all([this.#client.quit(), this.#workerClient.quit()].map((p) => p.catch(() => undefined)));
    return unfinished;
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    const forget = () => this.#inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  async #process(handler: JobHandler, bull: Job<ThreadJob>, token: string | undefined): Promise<void> {
    const job = bull.data;
    const member = bull.name;
    const keys = keysFor.thread(this.#base, job.threadKey);
    const gate = await this.#enterGate(keys, member, job.id);
    if (!gate.ok) return this.#park(bull, token, keys, gate);

    const renew = setInterval(() => this.#renew(keys, gate.lockValue, running), this.#lockMs / 3);
    const running: Running = { job, bull, token, renew };
    this.#running.add(running);
    try {
      await handler(job);
    } catch (error) {
      const reported = error instanceof Error ? error : new Error(String(error));
      this.#reported.add(reported);
      this.options.onError?.(error, job);
      throw reported; // BullMQ keeps it in the failed set for inspection; attempts: 1, so no retry
    } finally {
      clearInterval(running.renew);
      this.#running.delete(running);
      // After a forced close the client is gone; the lock then lapses and another replica re-runs the job.
      const next = await this.#gate.release(keys, member, gate.lockValue).catch(() => null);
      await this.#promote(next);
    }
  }

  /** Tries the gate; drops a pending head whose job finished or vanished without leaving the set. */
  async #enterGate(keys: ThreadKeys, member: string, jobId: string): Promise<Gate> {
    for (let tries = 0; ; tries++) {
      const gate = await this.#gate.acquire(keys, member, jobId, this.#lockMs);
      if (gate.ok || gate.reason === "lock" || tries === 2) return gate;
      const head = parseMember(gate.head);
      const state = await this.#queue.getJobState(bullJobId(head.jobId));
      const lost = state === "unknown" && Date.now() - head.enqueuedAt > STALE_HEAD_MS;
      if (state !== "completed" && state !== "failed" && !lost) return gate;
      await this.#workerClient.zrem(keys.pending, gate.head);
    }
  }

  /** Parks a job that may not run yet in the delayed set; whoever is ahead of it promotes it when done. */
  async #park(bull: Job<ThreadJob>, token: string | undefined, keys: ThreadKeys, gate: Gate): Promise<never> {
    // Waiting on a lock: retry when it lapses (covers a crashed holder). Waiting on order: the job ahead
    // promotes us; the timer is only a fallback.
    const lockLeft = !gate.ok && gate.reason === "lock" ? Math.max(gate.pttl, 0) + 50 : Infinity;
    const delay = Math.min(lockLeft, this.#lockMs);
    await bull.moveToDelayed(Date.now() + delay, token);
    // The job ahead may have finished between our check and the move, while we were not promotable.
    const again = await this.#gate.acquire(keys, bull.name, bull.data.id, this.#lockMs, true).catch(() => null);
    if (again?.ok) await bull.promote().catch(() => undefined);
    throw new DelayedError();
  }

  #renew(keys: ThreadKeys, lockValue: string, running: Running): void {
    this.#gate.renew(keys, lockValue, this.#lockMs).then(
      (renewed) => {
        if (renewed) return;
        clearInterval(running.renew);
        const lost = new ThreadLockLostError(`Lost the thread lock of ${running.job.threadKey} (stalled > ${this.#lockMs} ms?)`);
        this.options.onError?.(lost, running.job);
      },
      () => undefined, // Redis unreachable: try again at the next tick
    );
  }

  async #promote(next: string | null | undefined): Promise<void> {
    if (!next) return;
    const job = await Job.fromId(this.#queue, bullJobId(parseMember(next).jobId)).catch(() => undefined);
    // Not delayed (still waiting, or already running) is fine: then there is nothing to wake.
    await job?.promote().catch(() => undefined);
  }
}
