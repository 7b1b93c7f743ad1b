// 2. Intake: the real Probot HTTP server with signature checks, loaded by autocannon from a child process
// (200 connections, each sending its next pre-signed delivery as soon as the previous one is answered).
// - non-trigger comments: the app decides from the payload that there is nothing to do;
// - triggers (`@claude …`, unique comment ids over 100 threads): the app enqueues a job into the real
//   embedded queue, whose worker is held at a gate (bench/appServer.ts GatedQueue), so no job reaches
//   GitHub or Claude during the measurement: the figure is webhook → verified → decided → enqueued → 200.
// Baseline: the same Probot server with an app whose issue_comment.created handler does nothing: the floor
// of any Probot app listening to this event (Probot builds a Context and an installation Octokit for every
// delivery that has a handler; with no handler at all it skips that, which no real app can).
import type { ApplicationFunction } from "probot";
import { createThreadbot } from "../src/app.js";
import { readSettings } from "../src/config/env.js";
import { GatedQueue, startAppServer } from "./appServer.js";
import { round, runChild, type BenchResult, type Row } from "./lib.js";

interface LoadResult {
  kind: string;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  perSecond: number;
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  bodyBytes: number;
}

// Nothing listens here: with the worker held, the app never calls GitHub or Claude.
const NOWHERE = "http://127.0.0.1:9";
const CONNECTIONS = 200;

function load(url: string, kind: "comment" | "mention", amount: number, idBase: number): Promise<LoadResult> {
  return runChild<LoadResult>("loadClient.ts", {
    env: { BENCH_LOAD: JSON.stringify({ url, kind, amount, warmup: Math.min(2000, amount), connections: CONNECTIONS, idBase }) },
    timeoutMs: 120_000,
  });
}

export async function intake(options: { amount?: number } = {}): Promise<BenchResult> {
  const amount = options.amount ?? 10_000;

  const noopApp: ApplicationFunction = (app) => {
    app.on("issue_comment.created", async () => undefined);
  };
  const bare = await startAppServer(noopApp, { githubUrl: NOWHERE });
  let bareComment: LoadResult;
  try {
    bareComment = await load(bare.url, "comment", amount, 1_000_000_000);
  } finally {
    await bare.close();
  }

  const settings = { ...readSettings({ ANTHROPIC_API_KEY: "sk-ant-bench-0000000000", BOT_LOGIN: "threadbot[bot]" }), anthropicBaseUrl: NOWHERE };
  const queue = new GatedQueue({ concurrency: settings.queueConcurrency });
  const threadbot = createThreadbot({ settings, queue });
  const server = await startAppServer(threadbot.app, { githubUrl: NOWHERE });
  let comment: LoadResult;
  let mention: LoadResult;
  let queued: { waiting: number; running: number };
  try {
    comment = await load(server.url, "comment", amount, 2_000_000_000);
    mention = await load(server.url, "mention", amount, 3_000_000_000);
    queued = await queue.stats();
  } finally {
    queue.release();
    await server.close();
    await threadbot.shutdown();
  }

  const section = "2 intake";
  const baselineLabel = "Probot no-op";
  const rows: Row[] = [
    {
      section,
      metric: "ack p50, 200 concurrent, non-trigger",
      value: comment.latency.p50,
      unit: "ms",
      baseline: bareComment.latency.p50,
      baselineLabel,
    },
    {
      section,
      metric: "ack p99, 200 concurrent, non-trigger",
      value: comment.latency.p99,
      unit: "ms",
      baseline: bareComment.latency.p99,
      baselineLabel,
      goal: "< 100 ms",
      met: comment.latency.p99 < 100,
    },
    { section, metric: "ack p50, 200 concurrent, trigger (enqueue)", value: mention.latency.p50, unit: "ms", baseline: bareComment.latency.p50, baselineLabel },
    {
      section,
      metric: "ack p99, 200 concurrent, trigger (enqueue)",
      value: mention.latency.p99,
      unit: "ms",
      baseline: bareComment.latency.p99,
      baselineLabel,
      goal: "< 100 ms",
      met: mention.latency.p99 < 100,
    },
    {
      section,
      metric: "non-trigger deliveries/s",
      value: round(comment.perSecond, 0),
      unit: "/s",
      baseline: round(bareComment.perSecond, 0),
      baselineLabel,
      goal: "≥ 2,000/s",
      met: comment.perSecond >= 2000,
      note: `${comment.ok} deliveries, ${comment.non2xx} non-2xx, ${comment.errors} errors; body ${comment.bodyBytes} B`,
    },
    {
      section,
      metric: "trigger deliveries/s (enqueued, worker held)",
      value: round(mention.perSecond, 0),
      unit: "/s",
      baseline: round(bareComment.perSecond, 0),
      baselineLabel,
      note: `${mention.ok} deliveries, ${mention.non2xx} non-2xx; jobs in queue afterwards ${queued.waiting + queued.running}`,
    },
  ];
  return { rows, details: { connections: CONNECTIONS, amount, bare: bareComment, nonTrigger: comment, trigger: mention, queueAfter: queued } };
}
