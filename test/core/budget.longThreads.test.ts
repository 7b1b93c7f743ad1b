// Long threads in the core: the model table (prices and windows), summary steps that each fit and lose
// nothing, folds that land where the plan says, and the fold-depth rule from list prices.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldTargetTokens } from "../../src/core/budget/economics.js";
import {
  applySummary,
  buildSummaryStep,
  estimateRequestTokens,
  planFold,
  summaryPieces,
  SUMMARY_SYSTEM_PROMPT,
  type SummaryPieces,
} from "../../src/core/budget/fold.js";
import { contextWindowOf, estimateCostUsd, inputLimitOf, modelInfo } from "../../src/core/budget/pricing.js";
import { buildConversation, type Turn } from "../../src/core/conversation/conversation.js";
import { buildClaudeRequest, escapeText, validateRequest } from "../../src/core/request/request.js";
import { BOT, generateThread, PEOPLE, PHRASE, ThreadBuilder } from "../fixtures/threads.js";

const RUNS = Number(process.env.FC_RUNS ?? 200);
const REQUEST = { model: "claude-sonnet-4-6", maxTokens: 4096 };

describe("the model table", () => {
  it("has a context window next to each price, and the smallest current window for unknown ids", () => {
    expect(contextWindowOf("claude-sonnet-4-6")).toBe(1_000_000);
    expect(contextWindowOf("claude-opus-4-6")).toBe(1_000_000);
    expect(contextWindowOf("claude-haiku-4-5-20251001")).toBe(200_000);
    expect(contextWindowOf("claude-sonnet-4-5")).toBe(200_000); // 1M only with a beta header the app does not send
    expect(contextWindowOf("claude-opus-4-5-20251101")).toBe(200_000);
    expect(contextWindowOf("claude-haiku-5-5")).toBe(1_000_000);
    expect(contextWindowOf("no-such-model")).toBe(200_000);
    // The window holds input and max_tokens together; 5% is kept for what the estimate cannot see.
    expect(inputLimitOf("claude-haiku-4-5", 2048)).toBe(190_000 - 2048);
  });

  it("knows every model id of the SDK's list whose price is published", () => {
    for (const id of ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5", "claude-fable-5-1", "claude-opus-4-8", "claude-opus-4-7", "claude-sonnet-5"]) {
      expect(modelInfo(id), id).not.toBeNull();
    }
  });

  it("prices cache reads per model and long prompts at their own rate", () => {
    const reads = { input: 0, cache_read: 1_000_000, cache_write: 0, output: 0 };
    expect(estimateCostUsd("claude-sonnet-4-6", reads)).toBeCloseTo(0.3);
    expect(estimateCostUsd("claude-opus-5-5", reads)).toBeCloseTo(0.2); // 0.05× of $4
    const short = { input: 50_000, cache_read: 0, cache_write: 0, output: 1_000 };
    const long = { input: 150_000, cache_read: 0, cache_write: 0, output: 1_000 };
    expect(estimateCostUsd("claude-haiku-5-5", short)).toBeCloseTo(0.005 + 0.0005);
    expect(estimateCostUsd("claude-haiku-5-5", long)).toBeCloseTo(0.075 + 0.0025);
  });
});

/** The text of a rendered piece (between its opening and closing tag lines). */
const inner = (piece: string) => piece.slice(piece.indexOf("\n") + 1, piece.lastIndexOf("\n"));
/** Undoes escapeText's only change, so split-then-escaped parts compare with the original text. */
const norm = (t: string) => t.replace(/&lt;(\/?)(comment|opening-post|assistant-reply|previous-summary)/gi, "<$1$2");
const idOf = (piece: string) => /^<comment id="(\d+)"/.exec(piece)?.[1] ?? null;

function turnsOf(texts: string[]): Turn[] {
  return texts.map((text, i) =>
    i % 3 === 2
      ? { role: "assistant", text, commentIds: [String(10_000 + i)] }
      : { role: "user", comments: [{ id: String(i + 1), author: "alice", association: "MEMBER", createdAt: "2026-01-01T00:00:00Z", text, isOpening: false, edited: false, mentionsBot: false }] },
  ) as Turn[];
}

/** Every step's request for `plan`, carrying `carried` forward as the model would (a fixed stand-in). */
function runSteps(plan: SummaryPieces, carried: string) {
  const requests = [];
  for (let at = 0; at < plan.pieces.length; ) {
    const step = buildSummaryStep(carried, plan, at);
    expect(step.next).toBeGreaterThan(at);
    requests.push(step.request);
    at = step.next;
  }
  return requests;
}

describe("summary steps", () => {
  const piece = fc.oneof(fc.constantFrom("a", " ", "\n", "<comment", "</assistant-reply", "&lt;", "設", "🙂", "ok then ".repeat(40)), fc.string({ unit: "binary", maxLength: 4 }));
  const text = fc.array(piece, { maxLength: 700 }).map((parts) => parts.join(""));

  it("each fits its budget, and together they carry every character of every folded text (property)", () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 12 }), fc.integer({ min: 2_000, max: 12_000 }), fc.string({ maxLength: 30_000 }), (texts, budget, carried) => {
        const plan = summaryPieces(turnsOf(texts), { model: "claude-haiku-4-5", maxTokens: 512, budgetTokens: budget });
        const requests = runSteps(plan, carried);
        for (const r of requests) {
          expect(estimateRequestTokens(r)).toBeLessThanOrEqual(budget);
          expect(validateRequest(r)).toEqual([]);
          expect(r.system).toEqual([{ type: "text", text: SUMMARY_SYSTEM_PROMPT }]);
        }
        // Pieces in order, reassembled per text: exactly the original (escaped) text.
        const sent = requests.flatMap((r) => (r.messages[0]!.content as { text: string }[]).map((b) => b.text)).filter((t) => t.startsWith("<comment") || t.startsWith("<assistant-reply"));
        expect(sent).toEqual(plan.pieces);
        const byText: string[] = [];
        let index = -1;
        let lastId: string | null = null;
        for (const piece of plan.pieces) {
          const part = /^<[a-z-]+ ?[^>]*part="(\d+)\/(\d+)"/.exec(piece);
          const id = idOf(piece);
          if (!part || part[1] === "1" || id !== lastId) byText[++index] = "";
          byText[index] += inner(piece);
          lastId = id;
        }
        expect(byText.map(norm)).toEqual(texts.map((t, i) => norm(t.trim() === "" && i % 3 === 2 ? "(no answer text)" : t)));
      }),
      { numRuns: Math.min(RUNS, 200) },
    );
  });

  it("splits a comment too long for one step into parts that name it, and never splits a surrogate pair", () => {
    const long = "🙂".repeat(5000) + "x".repeat(30_000);
    const plan = summaryPieces(turnsOf([long]), { model: "m", maxTokens: 512, budgetTokens: 4_000 });
    expect(plan.pieces.length).toBeGreaterThan(3);
    plan.pieces.forEach((p, i) => expect(p).toMatch(new RegExp(`^<comment id="1" [^>]* part="${i + 1}/${plan.pieces.length}">\\n`)));
    for (const p of plan.pieces) expect(inner(p)).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(plan.pieces.map(inner).join("")).toBe(escapeText(long));
  });
});

describe("planFold", () => {
  const build = (b: ThreadBuilder, id: string) => buildConversation(b.thread, { bot: BOT, phrase: PHRASE, triggerCommentId: id });
  const tokens = (conv: ReturnType<typeof build>, b: ThreadBuilder) => estimateRequestTokens(buildClaudeRequest(conv, b.thread, REQUEST));

  it("lands where it planned: a typical summary is reserved, not 3,000 tokens (folds used to land at 54–67% of the budget)", () => {
    const b = new ThreadBuilder({ body: "Rows vanish." });
    let last = "";
    for (let i = 0; i < 60; i++) {
      b.human("x".repeat(1500), PEOPLE.member);
      last = b.mention(`question ${i} ${"y".repeat(600)}`, PEOPLE.owner).id;
      if (i < 59) b.reply(`answer ${i} ${"z".repeat(1500)}`, [last]);
    }
    const conv = build(b, last);
    const budget = Math.floor(tokens(conv, b) * 0.8);
    const plan = planFold(conv, b.thread, { ...REQUEST, budgetTokens: budget, keepRecentTurns: 4 });
    if (plan.fits) throw new Error("expected a fold");
    const summary = "A summary of a few hundred words. ".repeat(55); // ≈1,900 characters
    const after = tokens(applySummary(conv, summary, plan.foldUntilId), b);
    expect(Math.abs(after - plan.estimatedAfterTokens)).toBeLessThan(0.05 * after);
    // Everything that may be folded was: the newest four turns stay, nothing older.
    expect(applySummary(conv, summary, plan.foldUntilId).turns.length).toBe(1 + 4);
    expect(after).toBeLessThan(budget * 0.35);
  });

  it("still honours an explicit target (a share of the budget)", () => {
    const { thread, triggerId } = generateThread({ comments: 200, seed: 4 });
    const conv = buildConversation(thread, { bot: BOT, phrase: PHRASE, triggerCommentId: triggerId });
    const full = estimateRequestTokens(buildClaudeRequest(conv, thread, REQUEST));
    const plan = planFold(conv, thread, { ...REQUEST, budgetTokens: Math.floor(full / 2), targetRatio: 0.9 });
    if (plan.fits) throw new Error("expected a fold");
    expect(plan.estimatedAfterTokens).toBeLessThanOrEqual(Math.floor(full / 2) * 0.9);
    expect(plan.estimatedAfterTokens).toBeGreaterThan(Math.floor(full / 2) * 0.6);
  });

  it("plans the size the request has after the fold, whatever the thread (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 10, max: 120 }), fc.integer({ min: 3_000, max: 30_000 }), (seed, n, budget) => {
        const { thread, triggerId } = generateThread({ comments: n, seed });
        const conv = buildConversation(thread, { bot: BOT, phrase: PHRASE, triggerCommentId: triggerId });
        const plan = planFold(conv, thread, { ...REQUEST, budgetTokens: budget, keepRecentTurns: 2 });
        if (plan.fits || plan.fold.length === 0) return;
        const summary = "s".repeat(2000);
        const after = estimateRequestTokens(buildClaudeRequest(applySummary(conv, summary, plan.foldUntilId), thread, REQUEST));
        // A summary of the reserved size (≈700 tokens): the plan is the request, give or take 5%.
        expect(Math.abs(after - plan.estimatedAfterTokens)).toBeLessThanOrEqual(Math.max(150, 0.05 * after));
      }),
      { numRuns: Math.min(RUNS, 40) },
    );
  });
});

describe("how far to fold (foldTargetTokens)", () => {
  const base = { cacheTtl: "5m" as const, limitTokens: 100_000, growthTokensPerTurn: 900 };
  it("folds everything that may be folded when the summary model is no dearer than the answer model", () => {
    expect(foldTargetTokens({ ...base, answerModel: "claude-sonnet-4-6", summaryModel: "claude-haiku-4-5" })).toBe(0);
    expect(foldTargetTokens({ ...base, answerModel: "claude-haiku-4-5", summaryModel: "claude-haiku-4-5" })).toBe(0);
    expect(foldTargetTokens({ ...base, answerModel: "unknown", summaryModel: "claude-haiku-4-5" })).toBe(0);
  });
  it("folds as little as fits when summarising costs more per token than keeping it", () => {
    // Opus 4.1 at $15 summarising for Haiku 4.5 at $1: keeping a token costs $1 × (1.25 + 0.1 × 111).
    expect(foldTargetTokens({ ...base, answerModel: "claude-haiku-4-5", summaryModel: "claude-opus-4-1" })).toBe(100_000 - 3 * 900);
  });
});
