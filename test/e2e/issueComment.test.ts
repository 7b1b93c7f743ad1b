// The spine, end to end: a signed issue_comment webhook through the real Probot server, GitHub and
// Anthropic mocked at the HTTP boundary, the real Octokit and Anthropic SDK in between.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findContextBlocks, parseContextBlock } from "../../src/core/contextBlock/index.js";
import { renderContextBlock } from "../../src/core/contextBlock/index.js";
import { emptyContextBlock } from "../../src/core/types.js";
import type { FakeIssue } from "../helpers/fakeGitHub.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { issueCommentCreated } from "../helpers/payloads.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const TRIGGER_ID = 492700400;

let h: Harness;
let issue: FakeIssue;

beforeEach(async () => {
  h = await startHarness();
  issue = h.github.addIssue(OWNER, REPO, {
    number: 1,
    title: "Spelling error in the README file",
    body: "It looks like you accidently spelled 'commit' with a single 't'.",
    author: { login: "Codertocat", type: "User" },
    association: "OWNER",
  });
  h.github.addComment(issue, { body: "I can reproduce this on main.", author: { login: "monalisa", type: "User" }, association: "MEMBER" });
  h.github.addComment(issue, {
    body: `Earlier answer from the bot.\n\n${renderContextBlock({ ...emptyContextBlock(), answered: ["1"] })}`,
    author: { login: "threadbot", type: "Bot" },
    association: "NONE",
  });
});

afterEach(async () => {
  await h.close();
});

describe("an @claude mention on an issue", () => {
  it("acknowledges at once, then posts exactly one reply with Claude's text and a context block", async () => {
    h.anthropic.queue.push({ kind: "answer", text: "The fix is to spell it `commit`.", delayMs: 400, usage: { input_tokens: 321, output_tokens: 12 } });
    h.github.addComment(issue, { id: TRIGGER_ID, body: "@claude how should this be fixed?", author: { login: "Codertocat", type: "User" } });

    const response = await h.deliver("issue_comment", issueCommentCreated("@claude how should this be fixed?", { id: TRIGGER_ID }));
    const answeredAt = Date.now();
    expect(response.status).toBe(200);
    await h.idle();

    // The webhook was answered before Claude had finished.
    expect(h.anthropic.requests).toHaveLength(1);
    expect(answeredAt).toBeLessThan(h.anthropic.requests[0]!.completedAt!);

    // 👀 on the trigger comment.
    expect(issue.reactions).toEqual([{ content: "eyes", commentId: TRIGGER_ID }]);

    // Exactly one new reply, after the trigger.
    const replies = h.github.botComments(issue);
    expect(replies).toHaveLength(2);
    const reply = replies[1]!;
    expect(issue.comments.at(-1)).toBe(reply);
    expect(reply.body.startsWith("The fix is to spell it `commit`.")).toBe(true);
    const blocks = findContextBlocks(reply.body);
    expect(blocks).toHaveLength(1);
    const parsed = parseContextBlock(blocks[0]!.raw);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.block.answered).toEqual([String(TRIGGER_ID)]);
      expect(parsed.block.usage.input).toBe(321);
      expect(parsed.block.usage.output).toBe(12);
    }

    // The request: opening post and earlier comments as attributed user/assistant turns.
    const request = h.anthropic.requests[0]!.body;
    expect(request.stream).toBe(true);
    expect(request.messages.map((m: any) => m.role)).toEqual(["user", "assistant", "user"]);
    const first = JSON.stringify(request.messages[0].content);
    expect(first).toContain("accidently spelled");
    expect(first).toContain("I can reproduce this on main.");
    expect(first).toMatch(/author=\\"monalisa\\" association=\\"MEMBER\\"/);
    expect(JSON.stringify(request.messages[1].content)).toContain("Earlier answer from the bot.");
    expect(JSON.stringify(request.messages[1].content)).not.toContain("threadbot:context");
    const last = JSON.stringify(request.messages[2].content);
    expect(last).toContain("how should this be fixed?");
    expect(last).toMatch(/author=\\"Codertocat\\" association=\\"OWNER\\"/);
    expect(h.anthropic.requests[0]!.headers["x-api-key"] ?? h.anthropic.requests[0]!.headers["authorization"]).toBeTruthy();
  });

  it("reads a thread of more than 100 comments across GraphQL pages", async () => {
    for (let i = 0; i < 230; i++) {
      h.github.addComment(issue, { body: `comment number ${i}`, author: { login: `user${i % 7}`, type: "User" }, association: "CONTRIBUTOR" });
    }
    h.github.addComment(issue, { id: TRIGGER_ID, body: "@claude summarise please" });
    await h.deliver("issue_comment", issueCommentCreated("@claude summarise please", { id: TRIGGER_ID }));
    await h.idle();

    const pages = h.github.calls.filter((c) => c.path === "/graphql");
    expect(pages.map((c) => c.operation)).toEqual(["ThreadbotThread", "ThreadbotThreadComments", "ThreadbotThreadComments"]);
    const request = JSON.stringify(h.anthropic.requests[0]!.body.messages);
    expect(request).toContain("comment number 0");
    expect(request).toContain("comment number 229");
    expect(h.github.botComments(issue)).toHaveLength(2);
  });

  it("never answers a comment written by a bot, or by this app itself", async () => {
    h.github.addComment(issue, { id: 7001, body: "@claude loop?", author: { login: "dependabot", type: "Bot" } });
    h.github.addComment(issue, { id: 7002, body: "@claude me again", author: { login: "threadbot", type: "Bot" } });
    const r1 = await h.deliver("issue_comment", issueCommentCreated("@claude loop?", { id: 7001, login: "dependabot[bot]", userType: "Bot" }));
    const r2 = await h.deliver("issue_comment", issueCommentCreated("@claude me again", { id: 7002, login: "threadbot[bot]", userType: "Bot" }));
    expect([r1.status, r2.status]).toEqual([200, 200]);
    await h.idle();
    expect(h.anthropic.requests).toHaveLength(0);
    expect(h.github.calls.filter((c) => c.method !== "GET" && c.path !== "/graphql")).toHaveLength(0);
  });

  it("refuses a delivery with a bad signature and enqueues nothing", async () => {
    const payload = issueCommentCreated("@claude hello", { id: TRIGGER_ID });
    const response = await h.deliver("issue_comment", payload, { signature: "sha256=" + "0".repeat(64) });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await h.threadbot.queue.stats()).toEqual({ waiting: 0, running: 0 });
    // Probot answers only after the handlers finish, so a verified delivery would be counted by now; and a
    // valid delivery after it is counted once, which shows the counter works.
    expect((await h.threadbot.metrics.deliveries.get()).values).toEqual([]);
    await h.deliver("issue_comment", issueCommentCreated("no mention here", { id: TRIGGER_ID + 1 }));
    expect((await h.threadbot.metrics.deliveries.get()).values.map((v) => v.value)).toEqual([1]);
    await h.idle();
    expect(h.github.calls).toHaveLength(0);
    expect(h.anthropic.requests).toHaveLength(0);
  });

  it("drops a redelivery of the same webhook", async () => {
    h.github.addComment(issue, { id: TRIGGER_ID, body: "@claude once" });
    const payload = issueCommentCreated("@claude once", { id: TRIGGER_ID });
    for (let i = 0; i < 3; i++) await h.deliver("issue_comment", payload, { id: "same-delivery" });
    await h.idle();
    expect(h.anthropic.requests).toHaveLength(1);
    expect(h.github.botComments(issue)).toHaveLength(2);
  });
});
