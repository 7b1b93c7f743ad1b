// `threadbot inspect` on a pull request: it reads the pull request the way the worker does (conversation,
// refs, changed files; or a review thread and its hunk), so it prints the same request, pull-request block
// included, live or replayed from a `--save-thread` file.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { FakePullRequests, type FakePullRequest, type FakeReviewThread } from "../helpers/fakePullRequests.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { prCommentCreated, reviewCommentEvent } from "../helpers/prPayloads.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const README_PATCH = "@@ -1 +1 @@\n-# Hello-World\n+# Hello World";
const HUNK = "@@ -8,3 +8,5 @@ export function main() {\n   const x = 1;\n+  const y = x * 2;\n+  return y;\n }";
const monalisa = { author: { login: "monalisa", type: "User" as const }, association: "MEMBER" };

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let out = "";
  let err = "";
  const code = await runCli(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), env });
  return { code, out, err };
}

let h: Harness;
let env: NodeJS.ProcessEnv;
let pr: FakePullRequest;
let thread: FakeReviewThread;
/** What the worker sent: for the conversation mention (8001), then for the review-thread mention (7003). */
let conversationRequest: Record<string, any>;
let reviewRequest: Record<string, any>;

function sent(i: number): Record<string, any> {
  const { stream, ...rest } = h.anthropic.requests[i]!.body;
  expect(stream).toBe(true);
  return rest;
}

beforeAll(async () => {
  h = await startHarness();
  env = { GITHUB_TOKEN: "ghp_test", GITHUB_API_URL: h.github.url };
  h.github.repo(OWNER, REPO).permissions.set("monalisa", "write");
  const prs = new FakePullRequests(h.github);
  pr = prs.add(OWNER, REPO, {
    number: 2,
    title: "Update the README with new information.",
    body: "This is a pretty simple change that we need to pull into master.",
    author: { login: "Codertocat", type: "User" },
    association: "OWNER",
    baseRefName: "master",
    headRefName: "changes",
    baseFiles: new Map([[".gitattributes", "generated/** linguist-generated\n"]]),
    files: [
      { filename: "README.md", status: "modified", additions: 1, deletions: 1, patch: README_PATCH },
      { filename: "src/app.ts", status: "modified", additions: 2, deletions: 0, patch: HUNK },
      { filename: "generated/api.ts", status: "modified", additions: 1, deletions: 1, patch: "@@ -1 +1 @@\n-a\n+b" },
    ],
  });
  h.github.addComment(pr.issue, { body: "Earlier remark.", author: { login: "hubot", type: "User" }, association: "CONTRIBUTOR" });
  prs.addReview(pr, { body: "Mostly fine; one question inline.", ...monalisa });
  h.github.addComment(pr.issue, { id: 8001, body: "@claude does this break the docs build?", ...monalisa });
  await h.deliver("issue_comment", prCommentCreated("@claude does this break the docs build?", 8001, { login: "monalisa", association: "MEMBER" }));
  await h.idle();

  thread = prs.addThread(pr, { id: 7001, path: "src/app.ts", line: 12, startLine: 10, diffHunk: HUNK, body: "This doubles x; is that intended?", ...monalisa });
  prs.reply(thread, { id: 7003, body: "@claude please suggest a cleaner version", ...monalisa });
  await h.deliver("pull_request_review_comment", reviewCommentEvent("@claude please suggest a cleaner version", 7003, { inReplyTo: 7001, login: "monalisa", association: "MEMBER" }));
  await h.idle();

  expect(h.anthropic.requests).toHaveLength(2);
  conversationRequest = sent(0);
  reviewRequest = sent(1);
  // The worker's requests carry the pull-request block (refs and patches; path and hunk).
  expect(conversationRequest.system.at(-2).text).toContain('<file path="README.md"');
  expect(reviewRequest.system.at(-2).text).toContain('path="src/app.ts" lines="10–12"');
});

afterAll(async () => {
  await h.close();
});

describe("threadbot inspect on a pull request", () => {
  it("reads the conversation, refs and changed files, and prints the request the worker sent; --save-thread replays it", async () => {
    const saved = join(await mkdtemp(join(tmpdir(), "threadbot-")), "pr.json");
    const run = await cli(["inspect", `${OWNER}/${REPO}#2`, "--comment", "8001", "--json", "--save-thread", saved], env);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.out);
    expect(printed.request).toEqual(conversationRequest);
    expect(printed.thread.kind).toBe("pull_request");

    const file = JSON.parse(await readFile(saved, "utf8"));
    expect(file.pullRequest).toMatchObject({ kind: "conversation", refs: { number: 2, baseRef: "master" }, gitattributes: expect.any(String) });
    expect(file.pullRequest.files).toHaveLength(3);
    const again = await cli(["inspect", "--thread-file", saved, "--comment", "8001", "--json"]);
    expect(again.err).toBe("");
    expect(JSON.parse(again.out).request).toEqual(conversationRequest);
  });

  it("prints the pull-request block in the readable output too", async () => {
    const run = await cli(["inspect", `${OWNER}/${REPO}#2`], env);
    expect(run.code).toBe(0);
    expect(run.out).toContain("Codertocat/Hello-World#2 (pull_request): Update the README with new information.");
    expect(run.out).toContain(JSON.stringify(conversationRequest, null, 2));
  });

  it("--review-comment reads that review thread (path, hunk, its own turns) and prints the request the worker sent there", async () => {
    const saved = join(await mkdtemp(join(tmpdir(), "threadbot-")), "review.json");
    // The thread's top-level comment: the thread's newest mention (7003) is the one answered.
    const run = await cli(["inspect", `${OWNER}/${REPO}#2`, "--review-comment", "7001", "--json", "--save-thread", saved], env);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.out);
    expect(printed.request).toEqual(reviewRequest);
    expect(printed).toMatchObject({ trigger: "7003", thread: { kind: "review_thread" } });

    const file = JSON.parse(await readFile(saved, "utf8"));
    expect(file).toMatchObject({ kind: "review_thread", pullRequest: { kind: "review_thread", thread: { path: "src/app.ts", diffHunk: HUNK } } });
    const again = await cli(["inspect", "--thread-file", saved, "--json"]);
    expect(again.err).toBe("");
    expect(JSON.parse(again.out).request).toEqual(reviewRequest);
  });

  it("--review-comment takes a reply too: GitHub's REST review comment names its thread's top-level comment", async () => {
    // The fake GitHub has no `GET /pulls/comments/{id}`: answer it here as GitHub does (`in_reply_to_id`).
    h.github.extensions.push({
      route: (method, _repo, rest) => {
        const m = /^\/pulls\/comments\/(\d+)$/.exec(rest);
        if (method !== "GET" || !m) return undefined;
        const found = [...pr.threads.flatMap((t) => t.comments)].find((c) => c.id === Number(m[1]));
        return found ? [200, { id: found.id, body: found.body, ...(found.replyTo !== null ? { in_reply_to_id: found.replyTo } : {}) }] : [404, { message: "Not Found" }];
      },
    });
    const run = await cli(["inspect", `${OWNER}/${REPO}#2`, "--review-comment", "7003", "--json"], env);
    expect(run.err).toBe("");
    expect(JSON.parse(run.out).request).toEqual(reviewRequest);

    const missing = await cli(["inspect", `${OWNER}/${REPO}#2`, "--review-comment", "9999"], env);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("review comment 9999 is not in a review thread of Codertocat/Hello-World#2");
    const offline = await cli(["inspect", "--thread-file", "examples/thread.json", "--review-comment", "7003"]);
    expect(offline.code).toBe(2);
  });

  it("rejects a thread file whose pull-request data is malformed", async () => {
    const saved = join(await mkdtemp(join(tmpdir(), "threadbot-")), "bad.json");
    await cli(["inspect", `${OWNER}/${REPO}#2`, "--comment", "8001", "--save-thread", saved], env);
    const file = JSON.parse(await readFile(saved, "utf8"));
    const { writeFile } = await import("node:fs/promises");
    await writeFile(saved, JSON.stringify({ ...file, pullRequest: { kind: "conversation", refs: file.pullRequest.refs } }));
    const bad = await cli(["inspect", "--thread-file", saved, "--comment", "8001"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("not a threadbot thread file: pullRequest.files");
  });
});
