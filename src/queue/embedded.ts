// The embedded queue: in-process, no services. Per thread a sorted list of waiting jobs and at most one
// running; across threads at most `concurrency` running. Dedupe memory is bounded (oldest ids forgotten
// first), which is enough: GitHub redelivers within minutes, and the worker also checks the thread itself.
import type { EnqueueResult, JobHandler, JobQueue, QueueStats, ThreadJob } from "./types.js";
import { compareTriggerIds } from "./types.js";

export interface EmbeddedQueueOptions {
  concurrency: number;
  /** How many job and delivery ids to remember for dedupe. */
  dedupeMemory?: number;
  onError?: (error: unknown, job: ThreadJob) => void;
}

class BoundedSet {
  readonly #items = new Set<string>();
  constructor(private readonly limit: number) {}
  has(key: string): boolean {
    return this.#items.has(key);
  }
  add(key: string): void {
    this.#items.add(key);
    if (this.#items.size > this.limit) {
      const oldest = this.#items.values().next().value;
      if (oldest !== undefined) this.#items.delete(oldest);
    }
  }
}

export class EmbeddedQueue implements JobQueue {
  readonly #waiting = new Map<string, ThreadJob[]>();
  readonly #runningThreads = new Map<string, ThreadJob>();
  readonly #seenJobs: BoundedSet;
  readonly #seenDeliveries: BoundedSet;
  readonly #idle = new Set<() => void>();
  #handler: JobHandler | undefined;
  #closed = false;
  /** Closed, but still running the accepted jobs within the grace period. */
  #draining = false;

  constructor(private readonly options: EmbeddedQueueOptions) {
    const memory = options.dedupeMemory ?? 50_000;
    this.#seenJobs = new BoundedSet(memory);
    this.#seenDeliveries = new BoundedSet(memory);
  }

  async enqueue(job: ThreadJob): Promise<EnqueueResult> {
    if (this.#closed) throw new Error("The queue is shutting down and takes no new jobs.");
    if (this.#seenJobs.has(job.id) || this.#seenDeliveries.has(job.deliveryId)) return "duplicate";
    this.#seenJobs.add(job.id);
    this.#seenDeliveries.add(job.deliveryId);
    const list = this.#waiting.get(job.threadKey) ?? [];
    // Webhooks can arrive out of order; a thread's jobs run in comment order.
    let at = list.length;
    while (at > 0 && compareTriggerIds(list[at - 1]!.trigger.id, job.trigger.id) > 0) at--;
    list.splice(at, 0, job);
    this.#waiting.set(job.threadKey, list);
    this.#pump();
    return "queued";
  }

  start(handler: JobHandler): void {
    if (this.#handler) throw new Error("The queue was already started.");
    this.#handler = handler;
    this.#pump();
  }

  async stats(): Promise<QueueStats> {
    let waiting = 0;
    for (const list of this.#waiting.values()) waiting += list.length;
    return { waiting, running: this.#runningThreads.size };
  }

  /**
   * Stops taking jobs and spends the grace period on the jobs already accepted: those running, then those
   * waiting, in order (per thread, one at a time, as always). Returns what is really left at the deadline.
   */
  async close(graceMs: number): Promise<ThreadJob[]> {
    this.#closed = true;
    this.#draining = true;
    this.#pump();
    if (!this.#isIdle()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, graceMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#idle.add(done);
      });
    }
    this.#draining = false;
    const left = [...this.#runningThreads.values(), ...[...this.#waiting.values()].flat()];
    this.#waiting.clear();
    return left;
  }

  #isIdle(): boolean {
    return this.#runningThreads.size === 0 && this.#waiting.size === 0;
  }

  #pump(): void {
    const handler = this.#handler;
    if (!handler || (this.#closed && !this.#draining)) return;
    // Map iteration order is insertion order: threads are served first come, first served.
    for (const [threadKey, list] of this.#waiting) {
      if (this.#runningThreads.size >= this.options.concurrency) return;
      if (this.#runningThreads.has(threadKey)) continue;
      const job = list.shift()!;
      if (list.length === 0) this.#waiting.delete(threadKey);
      this.#run(handler, job);
    }
  }

  #run(handler: JobHandler, job: ThreadJob): void {
    this.#runningThreads.set(job.threadKey, job);
    handler(job)
      .catch((error: unknown) => this.options.onError?.(error, job))
      .finally(() => {
        this.#runningThreads.delete(job.threadKey);
        this.#pump();
        if (this.#isIdle()) for (const wake of this.#idle) wake();
      });
  }
}
