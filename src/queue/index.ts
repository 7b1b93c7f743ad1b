// Picks the queue backend: Redis (BullMQ) when a Redis URL is configured, else the embedded default.
import { EmbeddedQueue } from "./embedded.js";
import { RedisQueue } from "./redis.js";
import type { JobQueue, ThreadJob } from "./types.js";

export interface CreateQueueOptions {
  /** `REDIS_URL`; empty or absent keeps the in-process queue. */
  redisUrl?: string | undefined;
  concurrency: number;
  onError?: (error: unknown, job: ThreadJob) => void;
  /** Redis only: connection and worker errors not tied to a job (default: console.warn). */
  onQueueError?: (error: unknown) => void;
}

export function createQueue(options: CreateQueueOptions): JobQueue {
  const { redisUrl, concurrency, onError, onQueueError } = options;
  if (redisUrl) return new RedisQueue({ url: redisUrl, concurrency, onError, onQueueError });
  return new EmbeddedQueue({ concurrency, onError });
}

/**
 * The same queue, calling `onQueued` for each job it accepted (not for duplicates), after the enqueue and
 * without waiting for it: intake uses it to queue the 👀 at once.
 */
export function withOnQueued(queue: JobQueue, onQueued: (job: ThreadJob) => void): JobQueue {
  return {
    enqueue: async (job) => {
      const result = await queue.enqueue(job);
      if (result === "queued") onQueued(job);
      return result;
    },
    start: (handler) => queue.start(handler),
    stats: () => queue.stats(),
    close: (graceMs) => queue.close(graceMs),
  };
}

export type { EnqueueResult, JobHandler, JobQueue, QueueStats, ThreadJob } from "./types.js";
