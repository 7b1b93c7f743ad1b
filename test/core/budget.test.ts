import type { TextBlockParam } from "@anthropic-ai/sdk/resources/messages";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applySummary,
  BudgetError,
  buildSummaryRequest,
  cutMiddle,
  estimateRequestTokens,
  estimateTokens,
  fitToBudget,
  planFold,
  type FoldOptions,
} from "../../src/core/budget/fold.js";
import { buildConversation, type Conversation } from "../../src/core/conversation/conversation.js";
import { buildClaudeRequest, validateRequest } from "../../src/core/request/request.js";
import type { Thread } from "../../src/core/types.js";
import { BOT, generateThread, PEOPLE, PHRASE, ThreadBuilder } from "../fixtures/threads.js";

const REQUEST = { model: "claude-sonnet-4-5", maxTokens: 4096 };
const build = (thread: Thread, triggerCommentId: string) => buildConversation(thread, { bot: BOT, phrase: PHRASE, triggerCommentId });
const tokens = (conv: Conversation, thread: Thread) => estimateRequestTokens(buildClaudeRequest(conv, thread, REQUEST));

/** What the worker does: plan, summarise (here: a canned summary), apply, then guarantee the budget. */
function prepare(conv: Conversation, thread: Thread, options: FoldOptions, summary = "Summary of the earlier discussion.") {
  const plan = planFold(conv, thread, options);
  let next = conv;
  if (!plan.fits && plan.fold.length > 0) next = applySummary(conv, summary, plan.foldUntilId);
  return { plan, conv: fitToBudget(next, thread, options) };
}

describe("estimateTokens", () => {
  it("over-estimates: ASCII at 3 characters per token, other UTF-16 units as one token each", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("abc")).toBe(1);
    expect(estimateTokens("abcd")).toBe(2);
    expect(estimateTokens("設定ファイル")).toBe(6);
    expect(estimateTokens("🙂")).toBe(2);
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => estimateTokens(a + b) <= estimateTokens(a) + estimateTokens(b) + 1));
  });
});

describe("planFold / applySummary", () => {
  it("fits when under budget", () => {
    const { thread, triggerId } = generateThread({ comments: 20, seed: 2 });
    const conv = build(thread, triggerId);
    expect(planFold(conv, thread, { ...REQUEST, budgetTokens: 1_000_000 })).toMatchObject({ fits: true });
  });

  it("folds the oldest turns; the opening post and the newest turns stay verbatim; the request fits", () => {
    const { thread, triggerId } = generateThread({ comments: 300, seed: 11 });
    const conv = build(thread, triggerId);
    const full = tokens(conv, thread);
    const options: FoldOptions = { ...REQUEST, budgetTokens: Math.floor(full / 2), keepRecentTurns: 6 };
    const { plan, conv: fitted } = prepare(conv, thread, options);
    if (plan.fits) throw new Error("expected a fold");
    expect(plan.fold.length).toBeGreaterThan(0);
    expect(tokens(fitted, thread)).toBeLessThanOrEqual(options.budgetTokens);
    expect(tokens(fitted, thread)).toBeLessThanOrEqual(options.budgetTokens * 0.7 + 3100); // headroom for the next turns
    expect(fitted.warnings).toEqual([]); // folding was enough: nothing cut

    const opening = conv.turns[0]!.role === "user" ? conv.turns[0]!.comments[0] : undefined;
    expect(fitted.turns[0]!.role === "user" && fitted.turns[0]!.comments[0]).toEqual(opening);
    expect(fitted.turns.slice(-6)).toEqual(conv.turns.slice(-6));
    expect(fitted.context.summary_until).toBe(plan.foldUntilId);
    expect(validateRequest(buildClaudeRequest(fitted, thread, REQUEST))).toEqual([]);
    const system = (buildClaudeRequest(fitted, thread, REQUEST).system as TextBlockParam[])[1]!.text;
    expect(system).toContain(`comments up to id ${plan.foldUntilId}`);
    expect(system).toContain("Summary of the earlier discussion.");
  });

  it("the next build, reading the new block, reproduces the folded conversation exactly", () => {
    const { thread, triggerId, builder } = generateThread({ comments: 120, seed: 5 });
    const conv = build(thread, triggerId);
    const plan = planFold(conv, thread, { ...REQUEST, budgetTokens: Math.floor(tokens(conv, thread) / 2) });
    if (plan.fits) throw new Error("expected a fold");
    const folded = applySummary(conv, "S.", plan.foldUntilId);

    builder.reply("Here is where we are.", [triggerId], { summary: "S.", summary_until: plan.foldUntilId });
    const next = builder.mention("thanks", PEOPLE.owner);
    const rebuilt = build(builder.thread, next.id);
    expect(rebuilt.turns.slice(0, folded.turns.length)).toEqual(folded.turns);
    expect(rebuilt.omitted.summarised).toBe(folded.omitted.summarised);
  });

  it("never folds the opening post or the trigger's turn", () => {
    const b = new ThreadBuilder({ body: "x".repeat(30_000) });
    const t = b.mention("y".repeat(30_000));
    const conv = build(b.thread, t.id);
    const plan = planFold(conv, b.thread, { ...REQUEST, budgetTokens: 5000 });
    expect(plan).toMatchObject({ fits: false, fold: [], foldUntilId: "" });
  });
});

describe("fitToBudget", () => {
  it("cuts the middle of a single gigantic comment so the request fits", () => {
    const b = new ThreadBuilder();
    const t0 = b.mention("short question");
    b.reply("short answer", [t0.id]);
    const huge = `START ${"lorem ipsum dolor sit amet ".repeat(20_000)} END`;
    const t = b.mention(huge, PEOPLE.outsider);
    const conv = build(b.thread, t.id);
    const options = { ...REQUEST, budgetTokens: 20_000 };
    const { conv: fitted } = prepare(conv, b.thread, options);
    expect(tokens(fitted, b.thread)).toBeLessThanOrEqual(20_000);
    const trigger = fitted.turns.at(-1)!.role === "user" ? (fitted.turns.at(-1) as { comments: { text: string }[] }).comments.at(-1)! : undefined;
    expect(trigger!.text).toMatch(/^@claude START lorem/);
    expect(trigger!.text).toMatch(/END$/);
    expect(trigger!.text).toMatch(/\[… \d+ characters cut to fit the token budget …\]/);
    expect(fitted.warnings).toEqual(["1 text was shortened to fit the token budget."]);
    expect(validateRequest(buildClaudeRequest(fitted, b.thread, REQUEST))).toEqual([]);
  });

  it("is never over budget (property) and throws only when the fixed parts cannot fit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 2, max: 80 }), fc.integer({ min: 3_000, max: 40_000 }), (seed, n, budget) => {
        const { thread, triggerId } = generateThread({ comments: n, seed });
        const conv = build(thread, triggerId);
        const { conv: fitted } = prepare(conv, thread, { ...REQUEST, budgetTokens: budget, keepRecentTurns: 2 }, "S ".repeat(2000));
        expect(tokens(fitted, thread)).toBeLessThanOrEqual(budget);
        expect(validateRequest(buildClaudeRequest(fitted, thread, REQUEST))).toEqual([]);
      }),
      { numRuns: 30 },
    );
    const b = new ThreadBuilder();
    const t = b.mention("hi");
    expect(() => fitToBudget(build(b.thread, t.id), b.thread, { ...REQUEST, budgetTokens: 100 })).toThrow(BudgetError);
  });

  it("never cuts standing instructions (they are persisted as written)", () => {
    const b = new ThreadBuilder();
    const t0 = b.mention("q");
    b.reply("a", [t0.id], { instructions: "Be brief. ".repeat(3000) });
    const t = b.mention("x ".repeat(20_000));
    const conv = build(b.thread, t.id);
    const fitted = fitToBudget(conv, b.thread, { ...REQUEST, budgetTokens: 14_000 });
    expect(fitted.context.instructions).toBe(conv.context.instructions);
    expect(tokens(fitted, b.thread)).toBeLessThanOrEqual(14_000);
    expect(() => fitToBudget(conv, b.thread, { ...REQUEST, budgetTokens: 9_000 })).toThrow(BudgetError);
    expect(applySummary(conv, "ignored", "")).toBe(conv); // an empty plan folds nothing
  });

  it("cutMiddle keeps head and tail and never splits a surrogate pair", () => {
    expect(cutMiddle("abcdef", 10)).toBe("abcdef");
    expect(cutMiddle("aaaabbbbcccc", 4)).toBe("aa\n\n[… 8 characters cut to fit the token budget …]\n\ncc");
    const emoji = "🙂".repeat(10);
    const cut = cutMiddle(emoji, 5);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(cutMiddle("abc", 0)).toBe("[… 3 characters cut to fit the token budget …]");
  });
});

describe("buildSummaryRequest", () => {
  it("asks for a faithful summary of the previous summary plus the folded turns, within its budget", () => {
    const { thread, triggerId } = generateThread({ comments: 60, seed: 9 });
    const conv = build(thread, triggerId);
    const plan = planFold(conv, thread, { ...REQUEST, budgetTokens: Math.floor(tokens(conv, thread) / 2) });
    if (plan.fits) throw new Error("expected a fold");
    const params = buildSummaryRequest("Earlier: alice reported the crash.", plan.fold, { model: "claude-haiku-4-5", maxTokens: 1500 });
    expect(validateRequest(params)).toEqual([]);
    const text = JSON.stringify(params);
    expect(text).toContain("<previous-summary>\\nEarlier: alice reported the crash.\\n</previous-summary>");
    expect(text).toContain("<assistant-reply>");
    expect(params.system).toEqual([{ type: "text", text: expect.stringMatching(/decisions.*open questions.*code references.*who said what/s) }]);

    const small = buildSummaryRequest("", plan.fold, { model: "m", maxTokens: 100, budgetTokens: 4000 });
    expect(estimateRequestTokens(small)).toBeLessThanOrEqual(4000);
    expect(validateRequest(small)).toEqual([]);
  });
});
