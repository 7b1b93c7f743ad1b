// Threads of a million characters and more, through the real app: every request it sends, the summary
// steps and the answer, is under the configured budget and the model's window (the Anthropic mock refuses
// anything over the window with the API's 400 "prompt is too long"), the mention is answered, the next
// mention reuses the summary, and every comment before the trigger reaches Claude verbatim or inside a
// summary request.
import { afterEach, describe, expect, it } from "vitest";
import { inputLimitOf, contextWindowOf } from "../../src/core/budget/pricing.js";
import { SUMMARY_MAX_TOKENS } from "../../src/worker/prepare.js";
import type { RecordedRequest } from "../helpers/anthropicMock.js";
import { blockOf, finalState, mention, scene, type Scene } from "../reliability/support.js";
import { growThread, isSummaryRequest, markersOf, requestText } from "./support.js";

let s: Scene;
afterEach(async () => {
  await s?.h.close();
});

/** Summaries that say which step wrote them; answers that say which answer they are. */
function answerByKind(s: Scene): void {
  let steps = 0;
  let answers = 0;
  s.h.anthropic.fallback = (r: RecordedRequest) =>
    isSummaryRequest(r)
      ? { kind: "answer", text: `Summary written by step ${++steps}: people discussed trailing commas.`, usage: { input_tokens: r.inputTokens, output_tokens: 40 } }
      : { kind: "answer", text: `Answer number ${++answers}.`, usage: { input_tokens: r.inputTokens, output_tokens: 20 } };
}

function expectAllBounded(requests: RecordedRequest[], budget: number): void {
  expect(requests.length).toBeGreaterThan(0);
  for (const r of requests) {
    expect(r.tooLong, `a ${r.body.model} request of ${r.inputTokens} tokens`).toBe(false);
    expect(r.inputTokens).toBeLessThanOrEqual(budget);
    expect(r.inputTokens + r.body.max_tokens).toBeLessThanOrEqual(r.window);
  }
}

/** Every marker of every comment is in the answer request or in one of the summary requests. */
function expectNothingLost(tags: string[], requests: RecordedRequest[]): void {
  const texts = requests.map(requestText);
  const missing = tags.flatMap(markersOf).filter((m) => !texts.some((t) => t.includes(m)));
  expect(missing).toEqual([]);
}

const fold = (s: Scene) => s.h.github.repo("Codertocat", "Hello-World").files.set(".github/claude.yml", "progress:\n  mode: final\n");

describe("a thread of 400 comments of 3,000 characters (1.2 M characters)", () => {
  it("folds in steps that each fit, answers, and the next mention reuses the summary", { timeout: 120_000 }, async () => {
    s = await scene();
    fold(s);
    // 100 rounds: three people's comments (the last a mention) and the bot's answer, 3,000 characters each.
    const thread = growThread(s.h.github, s.issue, { rounds: 100, perRound: 3, chars: 3_000, replies: true });
    const chars = s.issue.comments.reduce((n, c) => n + c.body.length, 0);
    expect(chars).toBeGreaterThan(1_200_000);
    answerByKind(s);

    const trigger = await mention(s, "@claude so what is the fix?");
    const requests = [...s.h.anthropic.requests];
    const summaries = requests.filter(isSummaryRequest);
    const answers = requests.filter((r) => !isSummaryRequest(r));
    // The 100k default budget binds every request (both windows are larger).
    expectAllBounded(requests, 100_000);
    expect(summaries.length).toBeGreaterThan(1); // more than one step: the fold did not fit one request
    expect(answers).toHaveLength(1);
    expectNothingLost(thread.tags, requests);

    const state = finalState(s, trigger);
    expect(state.notices).toEqual([]);
    expect(state.answers).toHaveLength(1);
    const reply = state.answers[0]!;
    expect(reply.body.startsWith("Answer number 1.")).toBe(true);
    const block = blockOf(reply)!;
    expect(block.summary).toBe(`Summary written by step ${summaries.length}: people discussed trailing commas.`);
    expect(block.summary_until).not.toBeNull();
    // Each step carried the previous step's summary forward.
    for (let i = 1; i < summaries.length; i++) expect(requestText(summaries[i]!)).toContain(`Summary written by step ${i}:`);
    // The fold is visible, and the summary calls are their own row on their own model.
    expect(reply.body).toMatch(/_[\d,]+ older comments were folded into the summary \(claude-haiku-4-5, est\. \$[\d.]+ of this answer's cost\)\._/);
    expect(reply.body).toContain(`| summary · claude-haiku-4-5 (${summaries.length} calls) |`);
    // The block keeps the answer model's tokens and the summary model's apart.
    expect(block.usage.input).toBe(answers[0]!.inputTokens);
    expect(block.summary_usage?.input).toBe(summaries.reduce((n, r) => n + r.inputTokens, 0));

    // The next mention: no new fold, the summary from the block is in the request.
    s.h.github.addComment(s.issue, { body: "Thanks, trying it now.", author: { login: "monalisa", type: "User" }, association: "MEMBER" });
    const second = await mention(s, "@claude and for the Excel exports?");
    const after = s.h.anthropic.requests.slice(requests.length);
    expect(after).toHaveLength(1);
    expect(isSummaryRequest(after[0]!)).toBe(false);
    expectAllBounded(after, 100_000);
    expect(requestText(after[0]!)).toContain(block.summary);
    const next = finalState(s, second).answers;
    expect(next).toHaveLength(1);
    expect(next[0]!.body.startsWith("Answer number 2.")).toBe(true);
    expect(blockOf(next[0]!)!.summary_usage).toEqual(block.summary_usage); // carried, not added to
  });
});

describe("a thread of 2,500 comments and no answer yet (one user turn of 1.1 M characters)", () => {
  it("on a 200k-window model with the budget at its maximum, the window bounds every request", { timeout: 120_000 }, async () => {
    s = await scene({}, { CLAUDE_MODEL: "claude-haiku-4-5", CLAUDE_INPUT_TOKEN_BUDGET: "1000000" });
    fold(s);
    const thread = growThread(s.h.github, s.issue, { rounds: 1, perRound: 2_500, chars: 450, replies: false });
    expect(s.issue.comments.reduce((n, c) => n + c.body.length, 0)).toBeGreaterThan(1_100_000);
    answerByKind(s);

    const trigger = await mention(s, "@claude can someone sum this up?");
    const requests = s.h.anthropic.requests;
    // The budget allows 1M; the window of claude-haiku-4-5 (200k, less the output) is what binds.
    expect(contextWindowOf("claude-haiku-4-5")).toBe(200_000);
    expectAllBounded(requests, inputLimitOf("claude-haiku-4-5", SUMMARY_MAX_TOKENS));
    const answer = requests.filter((r) => !isSummaryRequest(r));
    expect(answer).toHaveLength(1);
    expect(answer[0]!.inputTokens).toBeLessThanOrEqual(inputLimitOf("claude-haiku-4-5", 4096));
    expect(requests.filter(isSummaryRequest).length).toBeGreaterThan(1);
    expectNothingLost(thread.tags, requests);
    const state = finalState(s, trigger);
    expect(state.notices).toEqual([]);
    expect(state.answers).toHaveLength(1);
  });
});
