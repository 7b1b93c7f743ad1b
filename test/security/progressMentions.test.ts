// Progress edits page nobody. GitHub notifies every account a comment mentions, on creation and on each
// edit that adds the mention; the streamed progress bodies carried Claude's text raw, so `@claude` and
// `@octocat` in an answer pinged (and, for the phrase, could re-trigger) on every edit, where only the
// final edit was defused. Through the real server with a slow streaming answer and one-second edits.
import { afterEach, describe, expect, it } from "vitest";
import { finalState, mention, OWNER, REPO, scene, type Scene } from "../reliability/support.js";

let s: Scene;
afterEach(async () => {
  await s?.h.close();
});

const LIVE = /(?<![\w`])@(claude|octocat)\b/;

describe("mentions in streamed answers", () => {
  it("every progress edit and the final answer carry only defused mentions; code keeps them as written", async () => {
    s = await scene();
    s.h.github.repo(OWNER, REPO).files.set(".github/claude.yml", "progress:\n  interval_seconds: 1\n");
    const text = [
      "Thanks @octocat for the report. You can ask @claude again later,",
      "or write `@claude retry` to retry. ",
      "Padding words so that the stream lasts a few seconds and several edits are made. ".repeat(4),
      "Cc @octocat and @hubot.",
    ].join("\n");
    s.h.anthropic.queue.push({ kind: "answer", text, delayMs: 3_500, chunks: 14 });
    const id = await mention(s, "@claude who reported this?");

    const edits = s.h.github.callsTo("PATCH", "/issues/comments/").map((c) => String(c.body.body));
    const progress = edits.filter((body) => body.includes("still writing"));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.some((body) => body.includes("octocat"))).toBe(true);
    for (const body of progress) {
      expect(body.replace(/`[^`]*`/g, "")).not.toMatch(LIVE);
      expect(body).not.toMatch(/(?<![\w`])@hubot\b/);
    }
    const final = finalState(s, id).answers[0]!.body;
    expect(final.replace(/`[^`]*`/g, "")).not.toMatch(LIVE);
    expect(final).toContain("@\u2060octocat");
    expect(final).toContain("`@claude retry`"); // code is meant to be copied
  }, 30_000);
});
