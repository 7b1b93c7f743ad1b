// /metrics (prom-client, served through Probot's addHandler) moves with real traffic; /ping still answers.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeIssue } from "../helpers/fakeGitHub.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { issueCommentCreated } from "../helpers/payloads.js";

let h: Harness;
let issue: FakeIssue;

beforeEach(async () => {
  h = await startHarness();
  issue = h.github.addIssue("Codertocat", "Hello-World", { number: 1, title: "t", body: "b" });
});
afterEach(async () => {
  await h.close();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${h.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return response.text();
}

function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

async function mention(body: string): Promise<void> {
  const id = h.github.nextId();
  h.github.addComment(issue, { id, body });
  await h.deliver("issue_comment", issueCommentCreated(body, { id }));
  await h.idle();
}

describe("/metrics", () => {
  it("counts deliveries, triggers, answers and tokens, and observes the latencies after an answer", async () => {
    const before = await scrape();
    expect(value(before, 'threadbot_queue_jobs{state="waiting"}')).toBe(0);
    expect(value(before, "threadbot_answer_seconds_count")).toBe(0);

    h.anthropic.queue.push({
      kind: "answer",
      text: "Answer.",
      usage: { input_tokens: 200, output_tokens: 40, cache_read_input_tokens: 600, cache_creation_input_tokens: 200 },
    });
    await mention("@claude hello?");
    await h.deliver("issue_comment", issueCommentCreated("no mention here", { id: 5 }));

    const after = await scrape();
    expect(value(after, 'threadbot_webhook_deliveries_total{event="issue_comment"}')).toBe(2);
    expect(value(after, 'threadbot_triggers_total{result="enqueued"}')).toBe(1);
    expect(value(after, 'threadbot_jobs_total{outcome="answered"}')).toBe(1);
    expect(value(after, 'threadbot_answers_total{model="claude-sonnet-4-6"}')).toBe(1);
    expect(value(after, 'threadbot_tokens_total{kind="input",model="claude-sonnet-4-6"}')).toBe(200);
    expect(value(after, 'threadbot_tokens_total{kind="cache_read",model="claude-sonnet-4-6"}')).toBe(600);
    expect(value(after, 'threadbot_tokens_total{kind="cache_write",model="claude-sonnet-4-6"}')).toBe(200);
    expect(value(after, 'threadbot_tokens_total{kind="output",model="claude-sonnet-4-6"}')).toBe(40);
    for (const histogram of ["threadbot_ack_seconds", "threadbot_first_progress_seconds", "threadbot_answer_seconds", "threadbot_cache_read_ratio"]) {
      expect(value(after, `${histogram}_count`), histogram).toBe(1);
    }
    expect(value(after, "threadbot_cache_read_ratio_sum")).toBeCloseTo(0.6);
    expect(value(after, "threadbot_answer_seconds_sum")).toBeGreaterThan(0);
    expect(value(after, "threadbot_ack_seconds_sum")).toBeLessThan(value(after, "threadbot_answer_seconds_sum"));
    expect(value(after, 'threadbot_queue_jobs{state="running"}')).toBe(0);
  });

  it("counts errors by kind and commands by outcome", async () => {
    for (let i = 0; i < h.threadbot.settings.claudeRetry.attempts; i++) h.anthropic.queue.push({ kind: "status", status: 529, type: "overloaded_error" });
    await mention("@claude are you there?");
    await mention("@claude help");
    const text = await scrape();
    expect(value(text, 'threadbot_errors_total{kind="anthropic_529"}')).toBe(1);
    expect(value(text, 'threadbot_jobs_total{outcome="help"}')).toBe(1);
  });

  it("leaves Probot's /ping alone", async () => {
    const response = await fetch(`${h.url}/ping`);
    expect(await response.text()).toBe("PONG");
  });
});
