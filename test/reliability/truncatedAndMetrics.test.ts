// Two things nobody was told: an answer Claude cut at the output limit (`stop_reason: max_tokens`) was posted
// as if complete, and a Claude attempt that timed out was counted as an `internal` error.
import { afterEach, describe, expect, it } from "vitest";
import { TRUNCATED_ANSWER_WARNING } from "../../src/worker/answer.js";
import { finalState, mention, scene, type Scene } from "./support.js";

let s: Scene;
afterEach(async () => {
  await s?.h.close();
});

const metrics = async () => (await fetch(`${s.h.url}/metrics`)).text();

describe("a truncated answer", () => {
  it("says so in the answer and in the metrics", async () => {
    s = await scene();
    s.h.anthropic.fallback = () => ({ kind: "answer", text: "The first half of a long explanation", stopReason: "max_tokens" });
    const id = await mention(s, "@claude explain everything");
    const answer = finalState(s, id).answers[0]!;
    expect(answer.body.startsWith("The first half of a long explanation")).toBe(true);
    expect(answer.body).toContain(TRUNCATED_ANSWER_WARNING);
    expect(await metrics()).toMatch(/threadbot_answers_truncated_total\{model="[^"]+"\} 1/);
  });

  it("a complete answer carries no such note", async () => {
    s = await scene();
    const id = await mention(s, "@claude explain briefly");
    expect(finalState(s, id).answers[0]!.body).not.toContain(TRUNCATED_ANSWER_WARNING);
  });
});

describe("threadbot_errors_total", () => {
  it("counts a Claude attempt that timed out as anthropic_timeout", async () => {
    s = await scene({ claudeRetry: { attempts: 1, deadlineMs: 5_000, attemptTimeoutMs: 300, baseDelayMs: 10, maxDelayMs: 10 } });
    s.h.anthropic.fallback = () => ({ kind: "hang" });
    const id = await mention(s, "@claude will you answer?");
    expect(finalState(s, id).notices).toHaveLength(1);
    const text = await metrics();
    expect(text).toMatch(/threadbot_errors_total\{kind="anthropic_timeout"\} 1/);
    expect(text).not.toMatch(/threadbot_errors_total\{kind="internal"\}/);
  });
});
