// 1. Critical path of one mention on a 50-comment issue: fake GitHub adding 50 ms to every request,
// Claude mock answering in a fixed 200 ms. threadbot (the real app in the real Probot server, through
// test/helpers/harness.ts) against the naive pipeline of bench/naive.ts, same fake, same mock.
//
// Every run uses a new installation id. Probot's Octokit throttling keeps its pacing per installation in
// module-wide state (writes ≥1 s apart, comment creation ≥3 s apart); back-to-back runs on one
// installation would measure the pause left over from the previous run, not one mention. So every run
// also fetches an installation token, which is why the token is counted on its own.
import type { ApplicationFunction } from "probot";
import type { ThreadComment } from "../src/core/types.js";
import { markdown, rng } from "../test/fixtures/threads.js";
import { startAnthropicMock, type AnthropicMock, type RecordedRequest } from "../test/helpers/anthropicMock.js";
import { FakeGitHub, type FakeComment, type FakeIssue, type RecordedCall } from "../test/helpers/fakeGitHub.js";
import { startHarness } from "../test/helpers/harness.js";
import { laneFor } from "../src/github/writeLane.js";
import { issueCommentCreated } from "../test/helpers/payloads.js";
import { signBody, startAppServer } from "./appServer.js";
import { median, quantile, round, sleep, type BenchResult, type Row } from "./lib.js";
import { NaiveGitHub, naiveApp } from "./naive.js";
import { workerShapedThread } from "./threads.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const NUMBER = 1;
export const LATENCY_MS = 50;
export const MODEL_DELAY_MS = 200;
const SLOW_MODEL_DELAY_MS = 2000;
/** `.github/claude.yml` of the "final" series: the reply is posted once, without the progress placeholder. */
const FINAL_MODE_CONFIG = "progress:\n  mode: final\n";

const isTokenCall = (c: RecordedCall) => c.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(c.path);
/** A write of the reply: creating a comment (the reply, or the progress placeholder) or editing one. */
const isReplyCall = (c: RecordedCall) =>
  (c.method === "POST" && c.path === `/repos/${OWNER}/${REPO}/issues/${NUMBER}/comments`) ||
  (c.method === "PATCH" && new RegExp(`^/repos/${OWNER}/${REPO}/issues/comments/\\d+$`).test(c.path));
const isReactionCall = (c: RecordedCall) => c.method === "POST" && c.path.endsWith("/reactions");

/**
 * Length of the longest chain of GitHub calls, each starting only after the previous one had ended
 * (`prev.end <= next.start`, from the fake's recorded times), among the calls that started at or after
 * `from` and had ended by `until`. Calls that overlap in time are in parallel and count once; a call still
 * in flight at `until` did not hold anything up. With `until` = the moment the Anthropic mock received
 * the request, this is the number of sequential GitHub round trips before the model call.
 */
export function sequentialChain(calls: readonly RecordedCall[], from: number, until: number, include: (c: RecordedCall) => boolean = () => true): number {
  const cs = calls.filter((c) => c.start >= from && c.end > 0 && c.end <= until && include(c)).sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  let best = 0;
  cs.forEach((c, i) => {
    let d = 1;
    for (let j = 0; j < i; j++) if (cs[j]!.end <= c.start) d = Math.max(d, depth[j]! + 1);
    depth.push(d);
    best = Math.max(best, d);
  });
  return best;
}

/** Length of the union of intervals, leaving out the part inside `exclude`. */
function unionMs(intervals: (readonly [number, number])[], exclude: readonly [number, number]): number {
  const cut: [number, number][] = [];
  for (const [a, b] of intervals) {
    if (b <= exclude[0] || a >= exclude[1]) cut.push([a, b]);
    else {
      if (a < exclude[0]) cut.push([a, exclude[0]]);
      if (b > exclude[1]) cut.push([exclude[1], b]);
    }
  }
  cut.sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of cut) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

interface RunSample {
  /** Longest chain of GitHub calls before the model request, the installation token excluded. */
  roundTripsAfterToken: number;
  /** Installation-token requests before the model request. */
  tokenCalls: number;
  /** Longest chain after the model answered, up to the reply (normally 1: the reply itself). */
  roundTripsAfterModel: number;
  /** Webhook sent → HTTP response of the webhook. */
  ackMs: number;
  /** Webhook sent → 👀 created (end of the reaction request). */
  eyesMs: number;
  /** Webhook sent → reply created (end of the reply request). */
  totalMs: number;
  /** Anthropic mock: request received → answer finished. */
  modelMs: number;
  /** totalMs − modelMs. */
  overheadMs: number;
  /**
   * overheadMs minus the time some GitHub request was in flight (union of the recorded call intervals,
   * outside the model call): what the bot itself adds. The fake's own work (e.g. executing GraphQL
   * against the real schema, in this process) counts as GitHub's.
   */
  beyondNetworkMs: number;
  /** overheadMs − 50 ms × sequential GitHub requests on the path (token and reply included). */
  beyondLatencyMs: number;
  /** Webhook sent → the Anthropic mock received the request. */
  modelStartMs: number;
  /** Model answer finished → last reply write started. */
  replyWaitMs: number;
  githubCalls: string[];
}

function analyse(calls: RecordedCall[], model: RecordedRequest, t0: number, ackAt: number): RunSample {
  // The reply is posted when its last write ends (with progress mode "edit": the final edit of the placeholder).
  const reply = calls.filter(isReplyCall).sort((a, b) => a.end - b.end).at(-1);
  const eyes = calls.find(isReactionCall);
  if (!reply || model.completedAt === undefined) throw new Error(`incomplete run: ${calls.map((c) => `${c.method} ${c.path}`).join(", ")}`);
  const before = sequentialChain(calls, t0, model.receivedAt);
  const afterToken = sequentialChain(calls, t0, model.receivedAt, (c) => !isTokenCall(c));
  const tokenCalls = calls.filter((c) => isTokenCall(c) && c.start >= t0 && c.end <= model.receivedAt).length;
  const afterModel = sequentialChain(calls, model.completedAt, reply.end);
  const totalMs = reply.end - t0;
  const modelMs = model.completedAt - model.receivedAt;
  const overheadMs = totalMs - modelMs;
  const githubBusyMs = unionMs(
    calls.filter((c) => c.start >= t0 && c.end > 0 && c.end <= reply.end).map((c) => [c.start, c.end] as const),
    [model.receivedAt, model.completedAt],
  );
  return {
    roundTripsAfterToken: afterToken,
    tokenCalls,
    roundTripsAfterModel: afterModel,
    ackMs: ackAt - t0,
    // No 👀 when the answer went first (the lane drops it then).
    eyesMs: eyes ? eyes.end - t0 : Number.NaN,
    totalMs,
    modelMs,
    overheadMs,
    beyondNetworkMs: overheadMs - githubBusyMs,
    beyondLatencyMs: overheadMs - LATENCY_MS * (before + afterModel),
    modelStartMs: model.receivedAt - t0,
    replyWaitMs: reply.start - model.completedAt,
    githubCalls: calls.map((c) => `${c.start - t0}-${c.end - t0} ${c.method} ${c.operation ?? c.path}`),
  };
}

/** The generated 50-comment thread, loaded into a fake GitHub issue (the trigger is added per run). */
function loadIssue(github: FakeGitHub): { issue: FakeIssue; base: FakeComment[]; trigger: ThreadComment; title: string; body: string } {
  const { thread, triggerId } = workerShapedThread({ comments: 50, seed: 8 });
  const issue = github.addIssue(OWNER, REPO, {
    number: NUMBER,
    title: thread.title,
    body: thread.opening.body,
    author: thread.opening.author ? { login: thread.opening.author.login, type: thread.opening.author.type as "User" } : null,
    association: thread.opening.association,
  });
  let trigger: ThreadComment | undefined;
  for (const c of thread.comments) {
    if (c.id === triggerId) {
      trigger = c;
      continue;
    }
    github.addComment(issue, {
      id: Number(c.id),
      body: c.body,
      author: c.author ? { login: c.author.login, type: c.author.type as "User" | "Bot" } : null,
      association: c.association,
      createdAt: c.createdAt,
      lastEditedAt: c.lastEditedAt,
      isMinimized: c.isMinimized,
    });
  }
  if (!trigger) throw new Error("generated thread has no trigger");
  github.repo(OWNER, REPO).permissions.set(trigger.author!.login, "admin");
  return { issue, base: [...issue.comments], trigger, title: thread.title, body: thread.opening.body };
}

const loadedIssues = new WeakMap<FakeGitHub, ReturnType<typeof loadIssue>>();

interface Target {
  github: FakeGitHub;
  anthropic: AnthropicMock;
  deliver(payload: unknown, deliveryId: string): Promise<Response>;
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface SeriesOptions {
  runs: number;
  /** Installation ids (and trigger comment ids) of the series start here: unique across series. */
  base: number;
  modelDelayMs?: number;
  /** Contents of the repository's `.github/claude.yml`; absent by default, as in most repositories. */
  config?: string;
  /** The installation wrote (through the app's write lane) this long before the webhook. */
  priorWriteMs?: number;
}

async function runSeries(target: Target, options: SeriesOptions): Promise<RunSample[]> {
  const { github, anthropic } = target;
  const { runs, base: installationBase, modelDelayMs = MODEL_DELAY_MS } = options;
  github.latencyMs = LATENCY_MS;
  const files = github.repo(OWNER, REPO).files;
  if (options.config === undefined) files.delete(".github/claude.yml");
  else files.set(".github/claude.yml", options.config);
  const answer = markdown(rng(3), "medium");
  anthropic.fallback = () => ({ kind: "answer", text: answer, delayMs: modelDelayMs, chunks: 4 });
  const loaded = loadedIssues.get(github) ?? loadIssue(github);
  loadedIssues.set(github, loaded);
  const samples: RunSample[] = [];
  // Run 0 warms up (module loading, JIT, the app learning its bot login) and is not counted.
  for (let run = 0; run <= runs; run++) {
    const triggerId = 3_000_000_000 + installationBase + run;
    loaded.issue.comments = [...loaded.base];
    loaded.issue.reactions = [];
    github.addComment(loaded.issue, { id: triggerId, body: loaded.trigger.body, author: { login: "alice", type: "User" }, association: "OWNER" });
    const payload = issueCommentCreated(loaded.trigger.body, { id: triggerId, login: "alice", association: "OWNER", installationId: installationBase + run });
    payload.issue.title = loaded.title;
    payload.issue.body = loaded.body;
    if (options.priorWriteMs !== undefined) {
      // A write of the installation (the thread's previous answer, a busy repository) just before the mention.
      void laneFor(installationBase + run).enqueue({ priority: "final", creates: true, run: async () => undefined });
      await sleep(options.priorWriteMs);
    }
    github.calls.length = 0;
    anthropic.requests.length = 0;
    const t0 = Date.now();
    const response = await target.deliver(payload, `bench-${installationBase}-${run}`);
    const ackAt = Date.now();
    await response.arrayBuffer();
    await target.idle();
    // A call's recorded end is set just before its response is written: let every call finish.
    const deadline = Date.now() + 10_000;
    while ((!github.calls.some(isReplyCall) || github.calls.some((c) => c.end === 0)) && Date.now() < deadline) await sleep(5);
    const model = anthropic.requests[0];
    if (!model) throw new Error(`no model request in run ${run}`);
    const sample = analyse(github.calls, model, t0, ackAt);
    if (run > 0) samples.push(sample);
  }
  return samples;
}

async function threadbotTarget(): Promise<Target> {
  // The write lane exactly as in production (the 👀 waits 1 s and is dropped when the answer is quicker).
  const h = await startHarness({}, {}, { productionPacing: true });
  return {
    github: h.github,
    anthropic: h.anthropic,
    deliver: (payload, id) => h.deliver("issue_comment", payload, { id }),
    idle: () => h.idle(30_000),
    close: () => h.close(),
  };
}

async function naiveTarget(): Promise<Target> {
  const github = await new FakeGitHub().start();
  const front = await new NaiveGitHub(github).start();
  const anthropic = await startAnthropicMock();
  const app: ApplicationFunction = naiveApp({ anthropicUrl: anthropic.url, model: "claude-sonnet-4-6" });
  const server = await startAppServer(app, { githubUrl: front.url });
  return {
    github,
    anthropic,
    deliver: (payload, id) => {
      const body = JSON.stringify(payload);
      return fetch(`${server.url}/api/github/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": "issue_comment", "x-github-delivery": id, "x-hub-signature-256": signBody(body) },
        body,
      });
    },
    // The naive handler is done when the webhook is answered.
    idle: async () => undefined,
    close: async () => {
      await server.close();
      await front.close();
      await github.close();
      await anthropic.close();
    },
  };
}

function summary(samples: RunSample[]) {
  const pick = (f: (s: RunSample) => number) => samples.map(f);
  return {
    roundTripsAfterToken: median(pick((s) => s.roundTripsAfterToken)),
    roundTripsAfterTokenMax: Math.max(...pick((s) => s.roundTripsAfterToken)),
    tokenCalls: median(pick((s) => s.tokenCalls)),
    overheadP50: median(pick((s) => s.overheadMs)),
    overheadP95: quantile(pick((s) => s.overheadMs), 0.95),
    beyondP50: median(pick((s) => s.beyondNetworkMs)),
    beyondP95: quantile(pick((s) => s.beyondNetworkMs), 0.95),
    beyondLatencyP95: quantile(pick((s) => s.beyondLatencyMs), 0.95),
    eyesP50: median(pick((s) => s.eyesMs).filter((v) => !Number.isNaN(v))),
    eyesWritten: pick((s) => s.eyesMs).filter((v) => !Number.isNaN(v)).length,
    ackP50: median(pick((s) => s.ackMs)),
    replyWaitP50: median(pick((s) => s.replyWaitMs)),
    modelP50: median(pick((s) => s.modelMs)),
    modelStartP50: median(pick((s) => s.modelStartMs)),
    modelStartP95: quantile(pick((s) => s.modelStartMs), 0.95),
  };
}

export async function criticalPath(options: { runs?: number; baselineRuns?: number; variantRuns?: number } = {}): Promise<BenchResult> {
  const runs = options.runs ?? 30;
  const baselineRuns = options.baselineRuns ?? 15;
  const variantRuns = options.variantRuns ?? 8;
  const bot = await threadbotTarget();
  let botSamples: RunSample[];
  let finalSamples: RunSample[];
  let slowSamples: RunSample[];
  let recentWriteSamples: RunSample[];
  try {
    botSamples = await runSeries(bot, { runs, base: 10_000 });
    // Variants: the reply posted once (no progress placeholder), and a model slower than Probot's write
    // pacing (👀 → placeholder → final edit, each ≥ 1 s after the previous write).
    finalSamples = await runSeries(bot, { runs: variantRuns, base: 30_000, config: FINAL_MODE_CONFIG });
    slowSamples = await runSeries(bot, { runs: variantRuns, base: 40_000, modelDelayMs: SLOW_MODEL_DELAY_MS });
    // The installation wrote 200 ms before the mention: nothing paced may stand in front of the model call.
    recentWriteSamples = await runSeries(bot, { runs: variantRuns, base: 50_000, priorWriteMs: 200 });
  } finally {
    await bot.close();
  }
  const naive = await naiveTarget();
  let naiveSamples: RunSample[];
  try {
    naiveSamples = await runSeries(naive, { runs: baselineRuns, base: 20_000 });
  } finally {
    await naive.close();
  }
  const b = summary(botSamples);
  const n = summary(naiveSamples);
  const slow = summary(slowSamples);
  const final = summary(finalSamples);
  const recent = summary(recentWriteSamples);
  const section = "1 critical path";
  const baselineLabel = "naive";
  const rows: Row[] = [
    {
      section,
      metric: "sequential GitHub round trips before model (after token)",
      value: b.roundTripsAfterToken,
      unit: "",
      baseline: n.roundTripsAfterToken,
      baselineLabel,
      goal: "≤ 1",
      met: b.roundTripsAfterTokenMax <= 1,
      note: `median of ${runs} (naive ${baselineRuns}); max ${b.roundTripsAfterTokenMax}; + ${b.tokenCalls} installation-token request; no .github/claude.yml`,
    },
    { section, metric: "bot overhead p50 (total − model)", value: round(b.overheadP50, 0), unit: "ms", baseline: round(n.overheadP50, 0), baselineLabel },
    { section, metric: "bot overhead p95 (total − model)", value: round(b.overheadP95, 0), unit: "ms", baseline: round(n.overheadP95, 0), baselineLabel },
    {
      section,
      metric: "overhead beyond simulated network p95",
      value: round(b.beyondP95, 0),
      unit: "ms",
      baseline: round(n.beyondP95, 0),
      baselineLabel,
      goal: "≤ 400 ms",
      met: b.beyondP95 <= 400,
      note: `default config (progress mode edit); p50 ${round(b.beyondP50, 0)} ms; overhead − 50 ms × sequential requests p95 ${round(b.beyondLatencyP95, 0)} ms; model done → final write p50 ${round(b.replyWaitP50, 0)} ms (naive ${round(n.replyWaitP50, 0)})`,
    },
    {
      section,
      metric: "  same, progress mode final (one reply write)",
      value: round(final.beyondP95, 0),
      unit: "ms",
      goal: "≤ 150 ms",
      met: final.beyondP95 <= 150,
      note: `${variantRuns} runs; p50 ${round(final.beyondP50, 0)} ms; overhead p50 ${round(final.overheadP50, 0)} ms; model done → reply write p50 ${round(final.replyWaitP50, 0)} ms; round trips before model ${final.roundTripsAfterToken} (claude.yml present)`,
    },
    {
      section,
      metric: `  same, progress mode edit, model ${SLOW_MODEL_DELAY_MS / 1000} s`,
      value: round(slow.beyondP95, 0),
      unit: "ms",
      goal: "≤ 150 ms",
      met: slow.beyondP95 <= 150,
      note: `${variantRuns} runs; p50 ${round(slow.beyondP50, 0)} ms; overhead p50 ${round(slow.overheadP50, 0)} ms; model done → final edit p50 ${round(slow.replyWaitP50, 0)} ms`,
    },
    {
      section,
      metric: "webhook → model request p95, installation wrote 200 ms earlier",
      value: round(recent.modelStartP95, 0),
      unit: "ms",
      baseline: round(b.modelStartP95, 0),
      baselineLabel: "no recent write",
      goal: "≤ baseline + 50 ms",
      met: recent.modelStartP95 <= b.modelStartP95 + 50,
      note: `${variantRuns} runs; p50 ${round(recent.modelStartP50, 0)} ms (no recent write p50 ${round(b.modelStartP50, 0)} ms)`,
    },
    { section, metric: "webhook → 👀 p50", value: round(b.eyesP50, 0), unit: "ms", baseline: round(n.eyesP50, 0), baselineLabel, note: `${b.eyesWritten} of ${runs} runs wrote a 👀 (it is dropped when the answer comes within 1 s)` },
    { section, metric: "webhook → HTTP ack p50 (mention)", value: round(b.ackP50, 0), unit: "ms", baseline: round(n.ackP50, 0), baselineLabel },
  ];
  return {
    rows,
    details: {
      setup: { githubLatencyMs: LATENCY_MS, modelDelayMs: MODEL_DELAY_MS, comments: 50, runs, baselineRuns, variantRuns },
      threadbot: { summary: b, runs: botSamples },
      threadbotProgressFinal: { config: FINAL_MODE_CONFIG, summary: final, runs: finalSamples },
      threadbotSlowModel: { modelDelayMs: SLOW_MODEL_DELAY_MS, summary: slow, runs: slowSamples },
      threadbotRecentWrite: { priorWriteMs: 200, summary: recent, runs: recentWriteSamples },
      naive: { summary: n, runs: naiveSamples },
    },
  };
}
