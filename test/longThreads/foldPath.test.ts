// A fold through the worker at a 20k budget: where it lands, and how the reply shows and labels it.
import { afterEach, describe, expect, it } from "vitest";
import type { RecordedRequest } from "../helpers/anthropicMock.js";
import { blockOf, finalState, mention, scene, type Scene } from "../reliability/support.js";
import { growThread, isSummaryRequest } from "./support.js";

let s: Scene;
afterEach(async () => {
  await s?.h.close();
});

const n = (x: number) => x.toLocaleString("en-US");

describe("a fold made for an answer", () => {
  it("lands near the kept turns, is its own footer row on its own model, and stays out of the answer's usage", { timeout: 60_000 }, async () => {
    s = await scene();
    s.h.github.repo("Codertocat", "Hello-World").files.set(".github/claude.yml", "history:\n  input_token_budget: 20000\nprogress:\n  mode: final\n");
    growThread(s.h.github, s.issue, { rounds: 30, perRound: 2, chars: 1_000, replies: true });
    s.h.anthropic.fallback = (r: RecordedRequest) =>
      isSummaryRequest(r)
        ? { kind: "answer", text: "The thread so far: rows with trailing commas vanish; a fix in validate() is agreed.", usage: { input_tokens: r.inputTokens, output_tokens: 30 } }
        : { kind: "answer", text: "Here is the fix.", usage: { input_tokens: 1_000, cache_read_input_tokens: r.inputTokens - 1_000, output_tokens: 25 } };

    const trigger = await mention(s, "@claude what now?");
    const summaries = s.h.anthropic.requests.filter(isSummaryRequest);
    const answers = s.h.anthropic.requests.filter((r) => !isSummaryRequest(r));
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(answers).toHaveLength(1);
    for (const r of s.h.anthropic.requests) expect(r.inputTokens).toBeLessThanOrEqual(20_000);
    // Everything foldable was folded: the fold pays for itself fastest when it keeps least (README,
    // "Long threads"). It used to land at 54–67% of the budget, 3,000 tokens being kept for the summary.
    expect(answers[0]!.inputTokens).toBeLessThan(20_000 * 0.4);

    const state = finalState(s, trigger);
    expect(state.answers).toHaveLength(1);
    const body = state.answers[0]!.body;
    const answerInput = answers[0]!.inputTokens;
    const summaryInput = summaries.reduce((sum, r) => sum + r.inputTokens, 0);
    // "this answer" is the answer call alone; the summary calls are their own row, named by model.
    expect(body).toContain(`| this answer | 1,000 | ${n(answerInput - 1_000)} | 0 | 25 |`);
    expect(body).toContain(`| summary · claude-haiku-4-5 (${summaries.length === 1 ? "1 call" : `${summaries.length} calls`}) | ${n(summaryInput)} | 0 | 0 | ${n(30 * summaries.length)} |`);
    expect(body).toContain(`| summaries so far | ${n(summaryInput)} | 0 | 0 | ${n(30 * summaries.length)} |`);
    const folded = /_(\d+) older comments were folded into the summary/.exec(body);
    expect(Number(folded?.[1])).toBeGreaterThan(50);
    const block = blockOf(state.answers[0]!)!;
    expect(block.usage).toEqual({ input: 1_000, cache_read: answerInput - 1_000, cache_write: 0, output: 25 });
    expect(block.summary_usage).toEqual({ input: summaryInput, cache_read: 0, cache_write: 0, output: 30 * summaries.length });
  });
});
