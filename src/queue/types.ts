// One queue interface, two backends: the embedded in-process queue (default, no services) and Redis
// (BullMQ) for several replicas. Both keep the same promises: one job per thread at a time, in comment
// order; different threads concurrently up to a bound; duplicates dropped.
import type { AuthorAssociation, ThreadKind } from "../core/types.js";

/** Everything a worker needs to answer one mention; small and JSON-safe so Redis can carry it. */
export interface ThreadJob {
  /** Dedupe key: the thread plus the trigger comment (one answer per mention). */
  id: string;
  /** `X-GitHub-Delivery` of the webhook that brought it (a redelivery carries the same id). */
  deliveryId: string;
  /** Jobs with the same key run one at a time: `owner/repo#number` (or a review thread's key). */
  threadKey: string;
  installationId: number;
  owner: string;
  repo: string;
  number: number;
  kind: ThreadKind;
  trigger: {
    /** Comment id (decimal string), or "opening" when the opening post itself mentions the bot. */
    id: string;
    /** GraphQL node id, for the reaction. */
    nodeId: string;
    author: string;
    association: AuthorAssociation;
    /**
     * What the id names when it is not an issue comment (or "opening"): a pull request review (its
     * database id; the review is part of the PR conversation) or a review comment (in a review thread).
     */
    source?: "review" | "review_comment";
  };
  /** Review threads: database id of the thread's top-level comment; replies go to it. */
  reviewRootId?: string;
  /** Milliseconds since the epoch when the webhook arrived. */
  receivedAt: number;
  /**
   * Intake did not parse the body (too long to parse inside a webhook handler, src/intake/mentionCheck.ts):
   * the worker decides whether it is a mention, and reacts only then.
   */
  unverified?: boolean;
  /** The webhook's `repository.size` in KB, when it had one: the code tools choose tarball or API reads by it. */
  repositorySizeKb?: number;
}

export type EnqueueResult = "queued" | "duplicate";

export type JobHandler = (job: ThreadJob) => Promise<void>;

export interface QueueStats {
  waiting: number;
  running: number;
}

export interface JobQueue {
  /** Accepts a job unless its id or its delivery id was seen before. Fast: webhooks await it. */
  enqueue(job: ThreadJob): Promise<EnqueueResult>;
  /** Starts running jobs with the handler. Call once. */
  start(handler: JobHandler): void;
  stats(): Promise<QueueStats>;
  /**
   * Stops taking jobs and waits up to `graceMs` for jobs in flight. Returns the jobs that did not finish
   * (still waiting, or still running at the deadline) so the caller can log them.
   */
  close(graceMs: number): Promise<ThreadJob[]>;
}

/** Orders two decimal comment ids numerically; "opening" comes first. */
export function compareTriggerIds(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "opening") return -1;
  if (b === "opening") return 1;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
