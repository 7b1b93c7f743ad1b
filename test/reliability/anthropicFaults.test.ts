// Anthropic faults, end to end (real SDK against the mock): every fault is retried with backoff inside the
// deadline, and the thread ends with exactly one comment from the bot: the answer, or one clear notice.
import { afterEach, describe, expect, it } from "vitest";
import { NOTICE_MARKER } from "../../src/core/conversation/conversation.js";
import type { MockBehaviour } from "../helpers/anthropicMock.js";
import { finalState, mention, scene, type Scene } from "./support.js";

let s: Scene;
afterEach(async () => {
  await s?.h.close();
});

function failEvery(behaviour: MockBehaviour): void {
  for (let i = 0; i < s.h.threadbot.settings.claudeRetry.attempts; i++) s.h.anthropic.queue.push(behaviour);
}

function expectOneAnswer(triggerId: number): void {
  const state = finalState(s, triggerId);
  expect(state.all).toHaveLength(1);
  expect(state.answers).toHaveLength(1);
  expect(state.answers[0]!.body.startsWith("Hello from the mock.")).toBe(true);
  expect(state.notices).toHaveLength(0);
}

function expectOneNotice(triggerId: number, says: string): string {
  const state = finalState(s, triggerId);
  expect(state.all).toHaveLength(1);
  expect(state.answers).toHaveLength(0);
  expect(state.notices).toHaveLength(1);
  const body = state.notices[0]!.body;
  expect(body).toContain(says);
  expect(body).toContain("`@claude retry`");
  expect(body).not.toMatch(/\n\s+at |Error:|sk-ant-/); // no stack trace, no key
  return body;
}

describe("transient Anthropic faults are retried and the mention is answered once", () => {
  const transient: [string, MockBehaviour][] = [
    ["529 overloaded", { kind: "status", status: 529, type: "overloaded_error" }],
    ["500 server error", { kind: "status", status: 500 }],
    ["429 rate limit", { kind: "status", status: 429, type: "rate_limit_error" }],
    ["an SSE error event after the 200", { kind: "stream-error", partialText: "Half an ans" }],
    ["a connection cut mid-stream", { kind: "cut" }],
  ];
  it.each(transient)("%s, twice", async (_name, behaviour) => {
    s = await scene();
    // One comment at the end (no placeholder): a second less of GitHub write pacing per test.
    s.h.github.repo("Codertocat", "Hello-World").files.set(".github/claude.yml", "progress:\n  mode: final\n");
    s.h.anthropic.queue.push(behaviour, behaviour);
    const id = await mention(s, "@claude why do rows vanish?");
    expect(s.h.anthropic.requests).toHaveLength(3);
    expectOneAnswer(id);
  });

  it("a request that hangs is aborted at the attempt timeout and retried", async () => {
    s = await scene({ claudeRetry: { attempts: 3, deadlineMs: 10_000, attemptTimeoutMs: 300, baseDelayMs: 10, maxDelayMs: 50 } });
    s.h.anthropic.queue.push({ kind: "hang" });
    const id = await mention(s, "@claude why do rows vanish?");
    expect(s.h.anthropic.requests).toHaveLength(2);
    expectOneAnswer(id);
  });

  it("waits as long as retry-after says", async () => {
    s = await scene();
    s.h.anthropic.queue.push({ kind: "status", status: 429, type: "rate_limit_error", retryAfterSeconds: 1 });
    const id = await mention(s, "@claude why do rows vanish?");
    const [first, second] = s.h.anthropic.requests;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
    expectOneAnswer(id);
  });
});

describe("persistent Anthropic faults end in one actionable notice", () => {
  const persistent: [string, MockBehaviour, string][] = [
    ["529 overloaded", { kind: "status", status: 529, type: "overloaded_error" }, "Claude's API is overloaded right now (HTTP 529); I tried 3 times"],
    ["500 server errors", { kind: "status", status: 500 }, "kept answering with server errors (HTTP 500)"],
    ["429 rate limits", { kind: "status", status: 429 }, "rate-limiting this app"],
    ["SSE error events", { kind: "stream-error" }, "overloaded right now"],
    ["cut connections", { kind: "cut" }, "kept breaking off in the middle of the answer"],
  ];
  it.each(persistent)("%s on every attempt", async (_name, behaviour, says) => {
    s = await scene();
    failEvery(behaviour);
    const id = await mention(s, "@claude why do rows vanish?");
    expect(s.h.anthropic.requests).toHaveLength(3);
    expectOneNotice(id, says);
  });

  it("a hang on every attempt: the notice comes within the deadline", async () => {
    s = await scene({ claudeRetry: { attempts: 5, deadlineMs: 1_500, attemptTimeoutMs: 400, baseDelayMs: 10, maxDelayMs: 50 } });
    failEvery({ kind: "hang" });
    const started = Date.now();
    const id = await mention(s, "@claude why do rows vanish?");
    expect(Date.now() - started).toBeLessThan(8_000); // deadline + GitHub's write pacing
    expect(s.h.anthropic.requests.length).toBeLessThanOrEqual(4);
    expectOneNotice(id, "Claude did not answer in time");
  });

  it("gives up at once when retry-after is beyond the deadline", async () => {
    s = await scene({ claudeRetry: { attempts: 5, deadlineMs: 2_000, attemptTimeoutMs: 1_000, baseDelayMs: 10, maxDelayMs: 50 } });
    s.h.anthropic.queue.push({ kind: "status", status: 529, type: "overloaded_error", retryAfterSeconds: 60 });
    const id = await mention(s, "@claude why do rows vanish?");
    expect(s.h.anthropic.requests).toHaveLength(1);
    expectOneNotice(id, "overloaded right now (HTTP 529)");
  });

  it("does not retry a request Anthropic rejects (400)", async () => {
    s = await scene();
    s.h.anthropic.queue.push({ kind: "status", status: 400, type: "invalid_request_error" });
    const id = await mention(s, "@claude why do rows vanish?");
    expect(s.h.anthropic.requests).toHaveLength(1);
    expectOneNotice(id, "rejected the request (HTTP 400");
  });

  it("after the notice, `@claude retry` answers in the notice's comment, and a new mention is answered", async () => {
    s = await scene();
    failEvery({ kind: "status", status: 529, type: "overloaded_error" });
    const failed = await mention(s, "@claude why do rows vanish?");
    expectOneNotice(failed, "overloaded");
    const retry = await mention(s, "@claude retry");
    let state = finalState(s, failed);
    expect(state.all).toHaveLength(1); // the notice became the answer
    expect(state.answers).toHaveLength(1);
    expect(state.all[0]!.body.startsWith(NOTICE_MARKER)).toBe(false);
    expect(finalState(s, retry).answers).toHaveLength(1);
    const next = await mention(s, "@claude and what about empty lines?");
    state = finalState(s, next);
    expect(state.answers).toHaveLength(1);
    expect(state.all).toHaveLength(2);
  });
});
