// 6. A storm of mentions on one installation, with the app's real write pacing (the write lane: ≥ 1 s between
// writes, 👀 first, answers next, progress edits shed): N mentions over M issues, sent as a burst, a model
// answering in 300 ms. Measured from the fake GitHub's recorded calls: webhook → 👀 and webhook → answer
// (p50/p95), GitHub writes per answer, and whether every mention got exactly one answer. The goal: the k-th
// 👀 of the burst goes out within k × the write spacing + 2 s (acknowledgements never wait behind answers
// or progress edits), ≤ 2 writes per answer, every mention answered once.
// `runStorm` is also the in-suite storm test's runner (test/reliability/pacedStorm.test.ts, a smaller burst).
import { findContextBlocks, parseContextBlock } from "../src/core/contextBlock/index.js";
import { DEFAULT_WRITE_PACING } from "../src/github/writeLane.js";
import type { FakeIssue, RecordedCall } from "../test/helpers/fakeGitHub.js";
import { startHarness } from "../test/helpers/harness.js";
import { issueCommentCreated } from "../test/helpers/payloads.js";
import { median, quantile, round, sleep, type BenchResult, type Row } from "./lib.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";

export interface StormOptions {
  mentions: number;
  issues: number;
  modelMs: number;
  /** The burst is spread over this long (default 1 s). */
  spreadMs?: number;
  installationId?: number;
}

export interface StormResult {
  mentions: number;
  /** Trigger ids answered, one entry per answer found (duplicates show as repeats). */
  answered: string[];
  eyesMs: number[];
  answerMs: number[];
  /** Rank of each 👀 in the burst (1-based) and its time after the first webhook. */
  eyesByRank: { rank: number; ms: number }[];
  writes: number;
  writesPerAnswer: number;
  totalMs: number;
  calls: RecordedCall[];
  /** Trigger id → when its webhook was sent. */
  sentAt: Map<string, number>;
}

const isWrite = (c: RecordedCall) =>
  (c.method === "POST" || c.method === "PATCH") && c.path.startsWith("/repos/") && !c.path.endsWith("/access_tokens");

export async function runStorm(options: StormOptions): Promise<StormResult> {
  const h = await startHarness({ queueConcurrency: 8 }, {}, { throttle: true, productionPacing: true });
  try {
    const installationId = options.installationId ?? 900_000 + Math.floor(Math.random() * 100_000);
    h.anthropic.fallback = () => ({ kind: "answer", text: "Noted: the importer drops the row.", delayMs: options.modelMs, chunks: 3 });
    const issues: FakeIssue[] = [];
    for (let n = 1; n <= options.issues; n++) issues.push(h.github.addIssue(OWNER, REPO, { number: 100 + n, title: `Storm ${100 + n}`, body: "Rows vanish." }));
    const sentAt = new Map<string, number>();
    const spread = options.spreadMs ?? 1000;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: options.mentions }, async (_, i) => {
        await sleep(Math.floor((i / options.mentions) * spread));
        const issue = issues[i % issues.length]!;
        const comment = h.github.addComment(issue, {
          id: h.github.nextId(),
          body: `@claude question ${i}`,
          author: { login: "Codertocat", type: "User" },
          association: "OWNER",
        });
        const payload = issueCommentCreated(comment.body, { id: comment.id, installationId });
        payload.issue.number = issue.number;
        sentAt.set(String(comment.id), Date.now());
        await h.deliver("issue_comment", payload);
      }),
    );
    await h.idle(30 * 60_000);
    const totalMs = Date.now() - t0;
    const calls = [...h.github.calls];

    const answered: string[] = [];
    const answerEnd = new Map<string, number>();
    for (const issue of issues) {
      for (const c of h.github.botComments(issue)) {
        const raw = findContextBlocks(c.body).at(-1)?.raw;
        const parsed = raw === undefined ? null : parseContextBlock(raw);
        if (parsed?.ok) for (const id of parsed.block.answered) answered.push(id);
      }
    }
    // The answer's last write: the create or edit whose body carries the block answering the trigger.
    for (const c of calls.filter(isWrite)) {
      const body = typeof c.body?.body === "string" ? c.body.body : "";
      const raw = findContextBlocks(body).at(-1)?.raw;
      const parsed = raw === undefined ? null : parseContextBlock(raw);
      if (parsed?.ok) for (const id of parsed.block.answered) answerEnd.set(id, Math.max(answerEnd.get(id) ?? 0, c.end));
    }
    const eyes = calls.filter((c) => c.method === "POST" && /\/issues\/comments\/\d+\/reactions$/.test(c.path) && c.status < 300);
    const eyesMs = eyes.map((c) => c.end - sentAt.get(/comments\/(\d+)\//.exec(c.path)![1]!)!);
    const eyesByRank = eyes
      .map((c) => c.end - t0)
      .sort((a, b) => a - b)
      .map((ms, i) => ({ rank: i + 1, ms }));
    const answerMs = [...answerEnd].map(([id, end]) => end - sentAt.get(id)!);
    const writes = calls.filter(isWrite).length;
    return { mentions: options.mentions, answered, eyesMs, answerMs, eyesByRank, writes, writesPerAnswer: writes / Math.max(1, answered.length), totalMs, calls, sentAt };
  } finally {
    await h.close();
  }
}

/** The pacing floor: the k-th 👀 within k × spacing + 2 s of the first webhook. Returns the worst slack. */
export function eyesWithinFloor(result: StormResult, spacingMs = DEFAULT_WRITE_PACING.spacingMs): { met: boolean; worstRank: number; worstOverMs: number } {
  let worst = { met: true, worstRank: 0, worstOverMs: -Infinity };
  for (const { rank, ms } of result.eyesByRank) {
    const over = ms - (rank * spacingMs + 2000);
    if (over > worst.worstOverMs) worst = { met: worst.met && over <= 0, worstRank: rank, worstOverMs: over };
    else if (over > 0) worst.met = false;
  }
  return worst;
}

export async function storm(options: { mentions?: number; issues?: number; modelMs?: number } = {}): Promise<BenchResult> {
  const mentions = options.mentions ?? 100;
  const issues = options.issues ?? 20;
  const modelMs = options.modelMs ?? 300;
  const r = await runStorm({ mentions, issues, modelMs });
  const floor = eyesWithinFloor(r);
  const once = r.answered.length === mentions && new Set(r.answered).size === mentions;
  const section = "6 storm (one installation, real pacing)";
  const rows: Row[] = [
    {
      section,
      metric: `webhook → 👀 p50 (${mentions} mentions, ${issues} issues, ${modelMs} ms model)`,
      value: round(median(r.eyesMs) / 1000, 1),
      unit: "s",
      note: `p95 ${round(quantile(r.eyesMs, 0.95) / 1000, 1)} s; ${r.eyesMs.length} 👀 written (the others were dropped: their answer went first)`,
    },
    {
      section,
      metric: "k-th 👀 within k × 1 s + 2 s",
      value: floor.worstOverMs > -Infinity ? round(floor.worstOverMs / 1000, 1) : 0,
      unit: "s",
      goal: "≤ 0 s over the floor",
      met: floor.met,
      note: `worst at rank ${floor.worstRank} (value: seconds over the floor, negative = under)`,
    },
    {
      section,
      metric: "webhook → answer p50",
      value: round(median(r.answerMs) / 1000, 1),
      unit: "s",
      note: `p95 ${round(quantile(r.answerMs, 0.95) / 1000, 1)} s; storm over in ${round(r.totalMs / 1000, 0)} s`,
    },
    {
      section,
      metric: "GitHub writes per answer",
      value: round(r.writesPerAnswer, 2),
      unit: "",
      goal: "≤ 2",
      met: r.writesPerAnswer <= 2,
      note: `${r.writes} writes (👀, comments, edits) for ${r.answered.length} answers`,
    },
    { section, metric: "mentions answered exactly once", value: new Set(r.answered).size, unit: "", goal: `${mentions}`, met: once, note: `${r.answered.length} answers found` },
  ];
  return { rows, details: { mentions, issues, modelMs, eyesMs: r.eyesMs, answerMs: r.answerMs, eyesByRank: r.eyesByRank, totalMs: r.totalMs } };
}
