// Editing a comment to add the mention triggers one answer; edits that keep an answered mention do not.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeComment, FakeIssue } from "../helpers/fakeGitHub.js";
import { FakePullRequests } from "../helpers/fakePullRequests.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { commentEdited } from "../helpers/prPayloads.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const ID = 8100;

let h: Harness;
let issue: FakeIssue;
let comment: FakeComment;

async function edit(to: string, harness = h, onPullRequest = false): Promise<void> {
  const from = comment.body;
  comment.body = to;
  comment.lastEditedAt = harness.github.tick();
  const response = await harness.deliver("issue_comment", commentEdited(to, from, ID, { login: "monalisa", association: "MEMBER", onPullRequest }));
  expect(response.status).toBe(200);
  await harness.idle();
}

beforeEach(async () => {
  h = await startHarness();
  h.github.repo(OWNER, REPO).permissions.set("monalisa", "write");
  issue = h.github.addIssue(OWNER, REPO, { number: 1, title: "Spelling error in the README file", body: "It says 'comit'." });
  comment = h.github.addComment(issue, { id: ID, body: "Thanks for the report.", author: { login: "monalisa", type: "User" }, association: "MEMBER" });
});

afterEach(async () => {
  await h.close();
});

describe("an edited comment", () => {
  it("is answered once when the edit adds the mention, and not again when a later edit keeps it", async () => {
    await edit("Thanks for the report. @claude can you find every misspelling?");
    expect(h.anthropic.requests).toHaveLength(1);
    expect(JSON.stringify(h.anthropic.requests[0]!.body.messages.at(-1))).toContain("can you find every misspelling?");
    expect(issue.reactions).toEqual([{ content: "eyes", commentId: ID }]);
    expect(h.github.botComments(issue)).toHaveLength(1);

    await edit("Thanks for the report. @claude can you find every misspelling, please?");
    expect(h.anthropic.requests).toHaveLength(1);
    expect(h.github.botComments(issue)).toHaveLength(1);
  });

  it("is not answered again when the mention is removed and added back (queue dedupe, then the thread itself)", async () => {
    await edit("Thanks. @claude summarise?");
    await edit("Thanks.");
    await edit("Thanks. @claude summarise?");
    expect(h.anthropic.requests).toHaveLength(1);

    // A fresh process (no queue memory) over the same GitHub state: the worker finds its own answer.
    const fresh = await startHarness();
    try {
      for (const [key, repo] of h.github.repos) fresh.github.repos.set(key, repo);
      await edit("Thanks.", fresh);
      await edit("Thanks. @claude summarise?", fresh);
      expect(fresh.anthropic.requests).toHaveLength(0);
      expect(h.github.botComments(issue)).toHaveLength(1);
      expect(fresh.logs.some((line) => line.includes("this mention was already answered"))).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it("ignores edits without a new mention, and edits by bots", async () => {
    await edit("Thanks for the report (edited).");
    const bot = commentEdited("@claude loop", "x", ID);
    bot.sender.type = "Bot";
    await h.deliver("issue_comment", bot);
    await h.idle();
    expect(h.anthropic.requests).toHaveLength(0);
  });

  it("on a pull request, answers in its conversation with the pull request's context", async () => {
    const prs = new FakePullRequests(h.github);
    const pr = prs.add(OWNER, REPO, { number: 2, files: [{ filename: "a.txt", status: "added", additions: 1, deletions: 0, patch: "@@ -0,0 +1 @@\n+a" }] });
    comment = h.github.addComment(pr.issue, { id: ID + 1, body: "Nice.", author: { login: "monalisa", type: "User" }, association: "MEMBER" });
    const from = comment.body;
    comment.body = "Nice. @claude anything missing?";
    await h.deliver("issue_comment", commentEdited(comment.body, from, ID + 1, { login: "monalisa", association: "MEMBER", onPullRequest: true }));
    await h.idle();
    expect(h.github.botComments(pr.issue)).toHaveLength(1);
    expect(h.anthropic.requests[0]!.body.system.at(-2).text).toContain('<file path="a.txt"');
  });
});
