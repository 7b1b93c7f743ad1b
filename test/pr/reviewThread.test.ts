// A mention in a pull request review thread: the thread is the session, the answer is a reply in that
// thread (to its top-level comment), and the request holds the path, the hunk and this thread's turns only.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findContextBlocks, parseContextBlock, renderContextBlock } from "../../src/core/contextBlock/index.js";
import { emptyContextBlock } from "../../src/core/types.js";
import { FakePullRequests, type FakePullRequest, type FakeReviewThread } from "../helpers/fakePullRequests.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { reviewCommentEvent } from "../helpers/prPayloads.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const HUNK = "@@ -8,3 +8,5 @@ export function main() {\n   const x = 1;\n+  const y = x * 2;\n+  return y;\n }";

let h: Harness;
let prs: FakePullRequests;
let pr: FakePullRequest;
let other: FakeReviewThread;
let thread: FakeReviewThread;

const monalisa = { author: { login: "monalisa", type: "User" as const }, association: "MEMBER" };
const system = (i = 0) => JSON.stringify(h.anthropic.requests[i]!.body.system);
const messages = (i = 0) => JSON.stringify(h.anthropic.requests[i]!.body.messages);

beforeEach(async () => {
  h = await startHarness();
  for (const login of ["monalisa", "Codertocat"]) h.github.repo(OWNER, REPO).permissions.set(login, "write");
  prs = new FakePullRequests(h.github);
  pr = prs.add(OWNER, REPO, {
    number: 2,
    title: "Update the README with new information.",
    body: "This is a pretty simple change that we need to pull into master.",
    author: { login: "Codertocat", type: "User" },
    baseRefName: "master",
    headRefName: "changes",
    files: [{ filename: "src/app.ts", status: "modified", additions: 2, deletions: 0, patch: HUNK }],
  });
  h.github.addComment(pr.issue, { body: "CONVERSATION-ONLY: looks good to me overall." });
  other = prs.addThread(pr, { path: "README.md", line: 1, diffHunk: "@@ -1 +1 @@\n-# Hello-World\n+# Hello World", body: "OTHER-THREAD: typo here" });
  thread = prs.addThread(pr, { id: 7001, path: "src/app.ts", line: 12, startLine: 10, diffHunk: HUNK, body: "This doubles x; is that intended?", ...monalisa });
  prs.reply(thread, {
    id: 7002,
    body: `Yes: \`y\` is the doubled value.\n\n${renderContextBlock({ ...emptyContextBlock(), answered: ["6999"] })}`,
    author: { login: "threadbot", type: "Bot" },
    association: "NONE",
  });
});

afterEach(async () => {
  await h.close();
});

describe("a mention in a review thread", () => {
  it("replies in the same thread, to its top-level comment, with this thread's turns, path and hunk", async () => {
    prs.reply(thread, { id: 7003, body: "@claude please suggest a cleaner version", ...monalisa });
    h.anthropic.queue.push({ kind: "answer", text: "```suggestion\n  return x * 2;\n```" });
    const response = await h.deliver("pull_request_review_comment", reviewCommentEvent("@claude please suggest a cleaner version", 7003, { inReplyTo: 7001, login: "monalisa", association: "MEMBER" }));
    expect(response.status).toBe(200);
    await h.idle();

    // The reply: in the thread, addressed to the top-level comment (7001), not to the trigger (7003).
    expect(h.github.callsTo("POST", "/pulls/2/comments/7001/replies")).toHaveLength(1);
    expect(h.github.callsTo("POST", "/issues/2/comments")).toHaveLength(0);
    const reply = thread.comments.at(-1)!;
    expect(reply.author).toEqual({ login: "threadbot", type: "Bot" });
    expect(reply.body.startsWith("```suggestion\n  return x * 2;\n```")).toBe(true);
    const parsed = parseContextBlock(findContextBlocks(reply.body)[0]!.raw);
    expect(parsed.ok && parsed.block.answered).toEqual(["7003"]);
    expect(other.comments).toHaveLength(1);
    expect(pr.reactions).toEqual([{ content: "eyes", subject: "review_comment:7003" }]);

    // One GraphQL read (the thread, its hunk and the PR head); no file list is needed.
    expect(h.github.calls.filter((c) => c.path === "/graphql").map((c) => c.operation)).toEqual(["ThreadbotReviewThread"]);
    expect(h.github.callsTo("GET", "/pulls/2/files")).toHaveLength(0);

    // The request: path, line range, hunk and the suggestion rule in the system prompt …
    expect(system()).toContain('path=\\"src/app.ts\\" lines=\\"10–12\\" side=\\"RIGHT\\"');
    expect(system()).toContain("+  const y = x * 2;");
    expect(system()).toContain("replaces exactly lines 10–12 of `src/app.ts`");
    // … this thread's turns (PR description, root comment, the bot's earlier answer, the trigger) …
    const request = h.anthropic.requests[0]!.body;
    expect(request.messages.map((m: any) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(JSON.stringify(request.messages[0])).toContain("Update the README with new information.");
    expect(JSON.stringify(request.messages[0])).toContain("This doubles x; is that intended?");
    expect(JSON.stringify(request.messages[1])).toContain("`y` is the doubled value.");
    expect(JSON.stringify(request.messages[2])).toContain("please suggest a cleaner version");
    // … and nothing from other review threads or the PR conversation.
    expect(messages() + system()).not.toContain("OTHER-THREAD");
    expect(messages() + system()).not.toContain("CONVERSATION-ONLY");
    expect(system()).not.toContain("<pull-request");
  });

  it("answers a new thread whose top-level comment is the mention, in that thread", async () => {
    const fresh = prs.addThread(pr, { id: 7101, path: "README.md", line: 3, diffHunk: "@@ -1,3 +1,3 @@\n a\n b\n-c\n+C", body: "@claude is this change safe?", ...monalisa });
    await h.deliver("pull_request_review_comment", reviewCommentEvent("@claude is this change safe?", 7101, { login: "monalisa", association: "MEMBER" }));
    await h.idle();
    expect(h.github.callsTo("POST", "/pulls/2/comments/7101/replies")).toHaveLength(1);
    expect(fresh.comments.map((c) => c.author?.login)).toEqual(["monalisa", "threadbot"]);
    expect(system()).toContain('path=\\"README.md\\" lines=\\"3\\"');
    expect(messages()).not.toContain("This doubles x");
  });

  it("finds a thread past the newest 100 with one more page", async () => {
    for (let i = 0; i < 120; i++) prs.addThread(pr, { path: `f${i}.ts`, line: 1, diffHunk: "@@ -1 +1 @@\n-a\n+b", body: `filler ${i}` });
    prs.reply(thread, { id: 7003, body: "@claude still there?", ...monalisa });
    await h.deliver("pull_request_review_comment", reviewCommentEvent("@claude still there?", 7003, { inReplyTo: 7001, login: "monalisa", association: "MEMBER" }));
    await h.idle();
    expect(h.github.calls.filter((c) => c.path === "/graphql").map((c) => c.operation)).toEqual(["ThreadbotReviewThread", "ThreadbotReviewThread"]);
    expect(h.github.callsTo("POST", "/pulls/2/comments/7001/replies")).toHaveLength(1);
  });

  it("runs different review threads of one PR side by side, each in its own thread", async () => {
    prs.reply(thread, { id: 7003, body: "@claude first question", ...monalisa });
    prs.reply(other, { id: 7004, body: "@claude second question", ...monalisa });
    h.anthropic.fallback = () => ({ kind: "answer", text: "An answer.", delayMs: 400 });
    await h.deliver("pull_request_review_comment", reviewCommentEvent("@claude first question", 7003, { inReplyTo: 7001, login: "monalisa", association: "MEMBER" }));
    await h.deliver("pull_request_review_comment", reviewCommentEvent("@claude second question", 7004, { inReplyTo: other.comments[0]!.id, login: "monalisa", association: "MEMBER" }));
    // Different thread keys (…#2/review:7001, …#2/review:<other root>): both jobs run at once.
    let most = 0;
    for (let i = 0; i < 100 && most < 2; i++) {
      most = Math.max(most, (await h.threadbot.queue.stats()).running);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(most).toBe(2);
    await h.idle();
    expect(thread.comments.at(-1)!.author?.login).toBe("threadbot");
    expect(other.comments.at(-1)!.author?.login).toBe("threadbot");
  });

  it("answers an edit that adds the mention once; a second edit is not answered again", async () => {
    const c = prs.reply(thread, { id: 7003, body: "Looks odd.", ...monalisa });
    c.body = "Looks odd. @claude why?";
    const first = reviewCommentEvent(c.body, 7003, { inReplyTo: 7001, from: "Looks odd.", login: "monalisa", association: "MEMBER" });
    await h.deliver("pull_request_review_comment", first);
    await h.idle();
    c.body = "Looks odd. @claude why is this needed?";
    await h.deliver("pull_request_review_comment", reviewCommentEvent(c.body, 7003, { inReplyTo: 7001, from: "Looks odd. @claude why?", login: "monalisa", association: "MEMBER" }));
    await h.idle();
    expect(h.anthropic.requests).toHaveLength(1);
    expect(thread.comments.filter((x) => x.author?.type === "Bot")).toHaveLength(2); // the earlier answer + this one
  });
});
