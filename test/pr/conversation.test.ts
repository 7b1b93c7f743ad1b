// Mentions in a pull request's conversation (comments, reviews) and in opening posts: answered as an
// issue comment, with the pull request's refs and patches in a system block of their own.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findContextBlocks, parseContextBlock } from "../../src/core/contextBlock/index.js";
import { validateRequest } from "../../src/core/request/request.js";
import { FakePullRequests, type FakePullRequest } from "../helpers/fakePullRequests.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { issueOpened, prCommentCreated, pullRequestOpened, reviewSubmitted } from "../helpers/prPayloads.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const README_PATCH = "@@ -1 +1 @@\n-# Hello-World\n+# Hello World";

let h: Harness;
let prs: FakePullRequests;
let pr: FakePullRequest;

const answeredIn = (body: string) => {
  const parsed = parseContextBlock(findContextBlocks(body)[0]!.raw);
  return parsed.ok ? parsed.block.answered : null;
};

beforeEach(async () => {
  h = await startHarness();
  for (const login of ["monalisa", "Codertocat"]) h.github.repo(OWNER, REPO).permissions.set(login, "write");
  prs = new FakePullRequests(h.github);
  pr = prs.add(OWNER, REPO, {
    number: 2,
    title: "Update the README with new information.",
    body: "This is a pretty simple change that we need to pull into master.",
    author: { login: "Codertocat", type: "User" },
    association: "OWNER",
    baseRefName: "master",
    headRefName: "changes",
    files: [
      { filename: "README.md", status: "modified", additions: 1, deletions: 1, patch: README_PATCH },
      { filename: "logo.png", status: "added", additions: 0, deletions: 0 },
      { filename: "package-lock.json", status: "modified", additions: 2, deletions: 1, patch: '@@ -1,3 +1,4 @@\n {\n-  "a": 1\n+  "a": 2,\n+  "b": 3\n }' },
    ],
  });
});

afterEach(async () => {
  await h.close();
});

describe("a mention in a pull request's conversation", () => {
  it("answers as an issue comment, with refs and patches in their own cached system block", async () => {
    h.github.latencyMs = 100;
    h.github.addComment(pr.issue, { body: "Earlier remark.", author: { login: "hubot", type: "User" }, association: "CONTRIBUTOR" });
    h.github.addComment(pr.issue, { id: 8001, body: "@claude does this break the docs build?", author: { login: "monalisa", type: "User" }, association: "MEMBER" });
    await h.deliver("issue_comment", prCommentCreated("@claude does this break the docs build?", 8001, { login: "monalisa", association: "MEMBER" }));
    await h.idle();

    const replies = h.github.botComments(pr.issue);
    expect(replies).toHaveLength(1);
    expect(answeredIn(replies[0]!.body)).toEqual(["8001"]);
    expect(h.github.callsTo("POST", "/pulls/")).toHaveLength(0);
    expect(pr.issue.reactions).toEqual([{ content: "eyes", commentId: 8001 }]);

    // The conversation read and the file list run side by side.
    const read = h.github.calls.find((c) => c.operation === "ThreadbotPullRequest")!;
    const files = h.github.callsTo("GET", "/pulls/2/files")[0]!;
    expect(files.start).toBeLessThan(read.end);
    expect(read.start).toBeLessThan(files.end);

    const request = h.anthropic.requests[0]!.body;
    expect(validateRequest(request as Parameters<typeof validateRequest>[0])).toEqual([]);
    expect(request.system).toHaveLength(4); // static prompt, code tools, pull request, thread
    const prBlock: string = request.system.at(-2).text;
    expect(request.system.at(-2).cache_control).toEqual({ type: "ephemeral" });
    expect(prBlock).toMatch(/^<pull-request number="2" base="master" head="changes" head-sha="ec26c3e57ca3a959ca5aad62de7213c562f8c821">/);
    expect(prBlock).toContain(`<file path="README.md" status="modified" additions="1" deletions="1">\n${README_PATCH}\n</file>`);
    expect(prBlock).toContain('<file path="package-lock.json"'); // small enough: a lockfile is cut only when over budget
    expect(prBlock).toContain("- logo.png (added, +0 −0): no content change");
    // Title and description are the opening post, not repeated in the block.
    expect(JSON.stringify(request.messages[0])).toContain("Update the README with new information.");
    expect(JSON.stringify(request.messages)).toContain("Earlier remark.");
  });

  it("sends the same pull-request block for the next mention while the head commit is the same", async () => {
    for (const id of [8001, 8002]) {
      h.github.addComment(pr.issue, { id, body: `@claude question ${id}` });
      await h.deliver("issue_comment", prCommentCreated(`@claude question ${id}`, id));
      await h.idle();
    }
    const [a, b] = h.anthropic.requests.map((r) => r.body.system.at(-2).text);
    expect(b).toBe(a);
    pr.headRefOid = "f".repeat(40); // a push: the block changes (and is written to the cache again)
    pr.files[0]!.patch = `${README_PATCH}\n+more`;
    h.github.addComment(pr.issue, { id: 8003, body: "@claude and now?" });
    await h.deliver("issue_comment", prCommentCreated("@claude and now?", 8003));
    await h.idle();
    expect(h.anthropic.requests[2]!.body.system.at(-2).text).not.toBe(a);
  });

  it("answers a review whose body mentions the bot in the conversation, with the review's line comments", async () => {
    h.github.addComment(pr.issue, { body: "A comment before the review." });
    const review = prs.addReview(pr, {
      id: 9001,
      body: "@claude can you double-check these two spots?",
      state: "CHANGES_REQUESTED",
      author: { login: "monalisa", type: "User" },
      lineComments: [
        { path: "README.md", line: 1, diffHunk: README_PATCH, body: "Should the hyphen stay?" },
        { path: "docs/index.md", line: 7, diffHunk: "@@ -5,3 +5,3 @@\n a\n-b\n+B", body: "Capitalised on purpose?" },
      ],
    });
    await h.deliver("pull_request_review", reviewSubmitted(review.body, 9001, { login: "monalisa", association: "MEMBER" }));
    await h.idle();

    const replies = h.github.botComments(pr.issue);
    expect(replies).toHaveLength(1);
    expect(answeredIn(replies[0]!.body)).toEqual(["9001"]);
    expect(pr.threads.every((t) => t.comments.length === 1)).toBe(true); // nothing posted into review threads
    expect(pr.reactions).toEqual([{ content: "eyes", subject: "review:PRR_9001" }]);
    const last = h.anthropic.requests[0]!.body.messages.at(-1);
    const text = JSON.stringify(last);
    expect(text).toContain("Review (changes requested)");
    expect(text).toContain("can you double-check these two spots?");
    expect(text).toContain("`README.md` line 1");
    expect(text).toContain("Should the hyphen stay?");
    expect(text).toContain("`docs/index.md` line 7");
    expect(text).toContain("+B");
  });

  it("answers a pull request opened with a mention: 👀 on the PR, answer in its conversation", async () => {
    pr.issue.body = "@claude please review this change.";
    await h.deliver("pull_request", pullRequestOpened(pr.issue.body, { login: "Codertocat", association: "OWNER" }));
    await h.idle();
    expect(pr.issue.reactions).toEqual([{ content: "eyes", commentId: null }]);
    const replies = h.github.botComments(pr.issue);
    expect(replies).toHaveLength(1);
    expect(answeredIn(replies[0]!.body)).toEqual(["opening"]);
    expect(h.anthropic.requests[0]!.body.system.at(-2).text).toContain('<file path="README.md"');
  });

  it("answers an issue opened with a mention, once; an opening post without one is left alone", async () => {
    const issue = h.github.addIssue(OWNER, REPO, { number: 1, title: "Spelling error in the README file", body: "@claude where is the typo?" });
    const payload = issueOpened("@claude where is the typo?", { login: "Codertocat", association: "OWNER" });
    await h.deliver("issues", payload);
    await h.deliver("issues", payload); // a redelivery
    await h.deliver("pull_request", pullRequestOpened("No mention here."));
    await h.idle();
    expect(issue.reactions).toEqual([{ content: "eyes", commentId: null }]);
    expect(h.github.botComments(issue)).toHaveLength(1);
    expect(h.github.botComments(pr.issue)).toHaveLength(0);
    expect(h.anthropic.requests).toHaveLength(1);
    expect(h.anthropic.requests[0]!.body.system).toHaveLength(2); // an issue: no pull-request block
  });
});
