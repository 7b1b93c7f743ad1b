// Prometheus metrics on `/metrics` (prom-client, the app's own registry), served through Probot's
// `addHandler`. Counters and histograms are updated by intake and the worker; the queue gauge is read
// from the queue when scraped.
import type { IncomingMessage, ServerResponse } from "node:http";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { errorLabel } from "../core/errors.js";
import type { Usage } from "../core/types.js";

// All metrics read of a job and of the queue (observe comes before the queue in the pipeline).
type ThreadJob = { receivedAt: number };
type JobQueue = { stats(): Promise<{ waiting: number; running: number }> };

const LATENCY_BUCKETS = [0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 55, 90, 150, 300];
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** What the worker reports; optional in its dependencies so tests and tools can leave it out. */
export interface WorkerMetrics {
  /** How a job ended: answered, a command, or why nothing was posted. */
  outcome(outcome: string): void;
  /** People first see answer text (a progress edit, or the answer itself). */
  firstText(job: Pick<ThreadJob, "receivedAt">): void;
  /** An answer was posted: latency, tokens by kind, cache-read ratio. */
  answered(job: Pick<ThreadJob, "receivedAt">, calls: { model: string; usage: Usage }[]): void;
  /** Something went wrong; `kind` is a short label (errorKind, or e.g. "config_invalid"). */
  error(kind: string): void;
  /** An answer was cut at the output limit (`stop_reason: max_tokens`) and posted with a note saying so. */
  truncated?(model: string): void;
}

/** A short, low-cardinality label for an error: the app's one classifier decides (src/core/errors.ts). */
export function errorKind(error: unknown): string {
  return errorLabel(error);
}

export class Metrics implements WorkerMetrics {
  readonly registry = new Registry();
  readonly deliveries = new Counter({ name: "threadbot_webhook_deliveries_total", help: "Webhook deliveries received (signature verified), by event.", labelNames: ["event"], registers: [this.registry] });
  readonly triggers = new Counter({ name: "threadbot_triggers_total", help: "Comments that mention the bot, by what intake did: enqueued or duplicate.", labelNames: ["result"], registers: [this.registry] });
  readonly outcomes = new Counter({ name: "threadbot_jobs_total", help: "Jobs finished, by outcome (answered, help, status, reset, remember, already-answered, ...).", labelNames: ["outcome"], registers: [this.registry] });
  readonly answers = new Counter({ name: "threadbot_answers_total", help: "Answers from Claude posted.", labelNames: ["model"], registers: [this.registry] });
  readonly errors = new Counter({ name: "threadbot_errors_total", help: "Errors, by kind (anthropic_<status>, github_<status>, config_invalid, ...).", labelNames: ["kind"], registers: [this.registry] });
  readonly truncatedAnswers = new Counter({ name: "threadbot_answers_truncated_total", help: "Answers cut at the output limit (stop_reason max_tokens), posted with a note saying so.", labelNames: ["model"], registers: [this.registry] });
  readonly tokens = new Counter({ name: "threadbot_tokens_total", help: "Claude tokens, by kind (input, cache_read, cache_write, output) and model.", labelNames: ["kind", "model"], registers: [this.registry] });
  readonly ack = new Histogram({ name: "threadbot_ack_seconds", help: "Webhook handler start to job enqueued (what GitHub waits for).", buckets: ACK_BUCKETS, registers: [this.registry] });
  readonly firstProgress = new Histogram({ name: "threadbot_first_progress_seconds", help: "Webhook received to the first answer text people can see (progress edit or answer).", buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly answerLatency = new Histogram({ name: "threadbot_answer_seconds", help: "Webhook received to the final answer posted.", buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly cacheReadRatio = new Histogram({
    name: "threadbot_cache_read_ratio",
    help: "Per answer: cache-read input tokens / all input tokens (input + cache read + cache write).",
    buckets: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1],
    registers: [this.registry],
  });
  readonly #now: () => number;

  constructor(queue: Pick<JobQueue, "stats"> | null, options: { defaultMetrics?: boolean; now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    if (queue) {
      new Gauge({
        name: "threadbot_queue_jobs",
        help: "Jobs in the queue, by state (waiting, running); read when scraped.",
        labelNames: ["state"],
        registers: [this.registry],
        async collect() {
          try {
            const stats = await queue.stats();
            this.set({ state: "waiting" }, stats.waiting);
            this.set({ state: "running" }, stats.running);
          } catch {
            // A queue that cannot answer (Redis down) leaves the last values.
          }
        },
      });
    }
  }

  #since(receivedAt: number): number {
    return Math.max(0, (this.#now() - receivedAt) / 1000);
  }

  /** Intake's decision on one comment; `startedAt` is when the webhook handler started. */
  intake(decision: string, startedAt: number): void {
    if (decision !== "enqueued" && decision !== "duplicate") return;
    this.triggers.inc({ result: decision });
    if (decision === "enqueued") this.ack.observe(this.#since(startedAt));
  }

  outcome(outcome: string): void {
    this.outcomes.inc({ outcome });
  }

  firstText(job: Pick<ThreadJob, "receivedAt">): void {
    this.firstProgress.observe(this.#since(job.receivedAt));
  }

  answered(job: Pick<ThreadJob, "receivedAt">, calls: { model: string; usage: Usage }[]): void {
    this.answerLatency.observe(this.#since(job.receivedAt));
    const last = calls[calls.length - 1];
    if (last) this.answers.inc({ model: last.model });
    for (const { model, usage } of calls) {
      for (const kind of ["input", "cache_read", "cache_write", "output"] as const) {
        if (usage[kind] > 0) this.tokens.inc({ kind, model }, usage[kind]);
      }
    }
    if (last) {
      const u = last.usage;
      const all = u.input + u.cache_read + u.cache_write;
      if (all > 0) this.cacheReadRatio.observe(u.cache_read / all);
    }
  }

  error(kind: string): void {
    this.errors.inc({ kind });
  }

  truncated(model: string): void {
    this.truncatedAnswers.inc({ model });
  }

  /** A Probot server handler: answers `GET /metrics`, passes on everything else. */
  readonly handler = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) return false;
    const body = await this.registry.metrics();
    res.writeHead(200, { "content-type": this.registry.contentType });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
