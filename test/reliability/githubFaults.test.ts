// GitHub faults, end to end through the app's real Octokit (src/github/octokit.ts), its write lane
// (src/github/writeLane.ts) and the GraphQL reader (src/github/readRetry.ts), with faults injected at the
// fake GitHub's HTTP boundary: 5xx, secondary rate limits with `retry-after`, a request GitHub performed
// before answering 502 or dropping the connection, a dropped read, a read that never answers. Whatever
// fails, the mention ends with exactly one comment from the bot.
import { afterEach, describe, expect, it } from "vitest";
import type { InjectedFault } from "../helpers/fakeGitHub.js";
import { FakePullRequests } from "../helpers/fakePullRequests.js";
import { reviewCommentEvent } from "../helpers/prPayloads.js";
import { finalState, mention, OWNER, REPO, scene, type Scene } from "./support.js";

let s: Scene;
// With the app's real write pacing: the lane's pacing, its rate-limit waits and its retries are under test.
afterEach(async () => {
  await s?.h.close();
});

const SECONDARY = { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." };
const FINAL_MODE = "progress:\n  mode: final\n";
/** Progress edits every second; with a 2.5 s model the placeholder exists and the answer is an edit. */
const EDIT_MODE = "progress:\n  mode: edit\n  interval_seconds: 1\n";
const slowModel = (s: Scene) => (s.h.anthropic.fallback = () => ({ kind: "answer", text: "Rows vanish because of the trailing comma.", delayMs: 2500, chunks: 10 }));

function expectOneAnswer(triggerId: number): void {
  const state = finalState(s, triggerId);
  expect(state.all).toHaveLength(1);
  expect(state.answers).toHaveLength(1);
  expect(state.notices).toHaveLength(0);
}

const config = (s: Scene, text: string) => s.h.github.repo(OWNER, REPO).files.set(".github/claude.yml", text);

describe("GitHub faults", () => {
  const retried: [string, InjectedFault, boolean][] = [
    ["a 502 on the GraphQL thread read", { method: "POST", path: "/graphql", status: 502 }, false],
    ["two 503s on the GraphQL thread read", { method: "POST", path: "/graphql", status: 503, times: 2 }, false],
    ["a dropped connection on the GraphQL thread read", { method: "POST", path: "/graphql", operation: "ThreadbotThread", drop: true }, false],
    ["a 502 on creating the reply", { method: "POST", path: "/issues/1/comments", status: 502 }, false],
    ["a 502 on the final edit", { method: "PATCH", path: "/issues/comments/", status: 502 }, true],
    ["a 502 on the 👀 reaction", { method: "POST", path: "/reactions", status: 502 }, true],
  ];
  it.each(retried)("%s is retried; one answer", async (_name, fault, slow) => {
    s = await scene({}, {}, { throttle: true });
    if (slow) {
      config(s, EDIT_MODE);
      slowModel(s);
    }
    const times = fault.times ?? 1;
    s.h.github.faults.push({ ...fault });
    const id = await mention(s, "@claude why do rows vanish?");
    expectOneAnswer(id);
    expect(s.h.github.calls.filter((c) => c.status >= 500 || c.status === -2).length).toBe(times);
  });

  it.each([
    ["403", "POST", "/issues/1/comments"],
    ["429", "POST", "/issues/1/comments"],
    ["403", "PATCH", "/issues/comments/"],
  ])("a secondary rate limit (%s on %s %s) is waited out for retry-after, then retried; one answer", async (status, method, path) => {
    s = await scene({}, {}, { throttle: true });
    if (method === "PATCH") {
      config(s, EDIT_MODE);
      slowModel(s);
    }
    s.h.github.faults.push({ method, path, status: Number(status), headers: { "retry-after": "1" }, body: SECONDARY });
    const id = await mention(s, "@claude why do rows vanish?");
    expectOneAnswer(id);
    const attempts = s.h.github.calls.filter((c) => c.method === method && c.path.includes(path));
    const limited = attempts.findIndex((c) => c.status === Number(status));
    expect(limited).toBeGreaterThanOrEqual(0);
    const retry = attempts[limited + 1]!;
    expect(retry.status).toBeLessThan(300);
    expect(retry.start - attempts[limited]!.end).toBeGreaterThanOrEqual(950); // paced by retry-after
  });

  it("a thread that cannot be read even after retries gets one notice", async () => {
    s = await scene({}, {}, { throttle: true });
    s.h.github.faults.push({ method: "POST", path: "/graphql", status: 502, times: 10 });
    const id = await mention(s, "@claude why do rows vanish?");
    const state = finalState(s, id);
    expect(state.all).toHaveLength(1);
    expect(state.notices).toHaveLength(1);
    expect(state.notices[0]!.body).toContain("GitHub answered 502");
    expect(s.h.anthropic.requests).toHaveLength(0);
    // Bounded: three attempts at the read, no more.
    expect(s.h.github.calls.filter((c) => c.path === "/graphql")).toHaveLength(3);
  });

  it("a read whose connection keeps dropping gets a notice that says so, not 'GitHub answered 500'", async () => {
    s = await scene({}, {}, { throttle: true });
    s.h.github.faults.push({ method: "POST", path: "/graphql", operation: "ThreadbotThread", drop: true, times: 10 });
    const id = await mention(s, "@claude why do rows vanish?");
    const state = finalState(s, id);
    expect(state.notices).toHaveLength(1);
    expect(state.notices[0]!.body).toContain("the connection to GitHub broke off");
    expect(state.notices[0]!.body).not.toContain("500");
    expect(s.h.github.calls.filter((c) => c.operation === "ThreadbotThread")).toHaveLength(3);
  });
});

describe("a write GitHub performed, then answered 502 or dropped the connection", () => {
  const ambiguous: [string, Partial<InjectedFault>][] = [
    ["502", { status: 502 }],
    ["a dropped connection", { drop: true }],
  ];

  it.each(ambiguous)("progress mode final: the answer's creation (then %s) gives one comment", async (_name, how) => {
    s = await scene({}, {}, { throttle: true });
    config(s, FINAL_MODE);
    s.h.github.faults.push({ method: "POST", path: "/issues/1/comments", performed: true, ...how });
    const id = await mention(s, "@claude why do rows vanish?");
    expectOneAnswer(id);
    // The comment was looked for (a read), not created again.
    expect(s.h.github.callsTo("POST", "/issues/1/comments")).toHaveLength(1);
    expect(s.h.github.callsTo("GET", "/issues/1/comments").length).toBeGreaterThanOrEqual(1);
  });

  it.each(ambiguous)("progress mode edit: the placeholder's creation (then %s) gives one comment, the answer", async (_name, how) => {
    s = await scene({}, {}, { throttle: true });
    config(s, EDIT_MODE);
    slowModel(s);
    s.h.github.faults.push({ method: "POST", path: "/issues/1/comments", performed: true, ...how });
    const id = await mention(s, "@claude why do rows vanish?");
    expectOneAnswer(id);
    expect(s.h.github.callsTo("POST", "/issues/1/comments")).toHaveLength(1);
    expect(finalState(s, id).answers[0]!.body).not.toContain("Working on it");
  });

  it.each(ambiguous)("progress mode edit, a quick answer: its creation (then %s) gives one comment", async (_name, how) => {
    s = await scene({}, {}, { throttle: true });
    s.h.github.faults.push({ method: "POST", path: "/issues/1/comments", performed: true, ...how });
    const id = await mention(s, "@claude why do rows vanish?");
    expectOneAnswer(id);
  });

  it.each(ambiguous)("a failure notice whose creation (then %s) failed is posted once", async (_name, how) => {
    s = await scene({}, {}, { throttle: true });
    config(s, FINAL_MODE);
    s.h.anthropic.fallback = () => ({ kind: "status", status: 400, message: "messages: bad request" });
    s.h.github.faults.push({ method: "POST", path: "/issues/1/comments", performed: true, ...how });
    const id = await mention(s, "@claude why do rows vanish?");
    const state = finalState(s, id);
    expect(state.all).toHaveLength(1);
    expect(state.notices).toHaveLength(1);
    expect(state.notices[0]!.body).toContain("rejected the request");
  });

  it.each(ambiguous)("a review reply whose creation (then %s) failed is posted once", async (_name, how) => {
    s = await scene({}, {}, { throttle: true });
    s.h.github.repo(OWNER, REPO).permissions.set("monalisa", "write");
    const prs = new FakePullRequests(s.h.github);
    const pr = prs.add(OWNER, REPO, { number: 2, title: "Change", body: "A change.", author: { login: "Codertocat", type: "User" }, files: [] });
    const thread = prs.addThread(pr, { id: 7001, path: "src/app.ts", line: 3, diffHunk: "@@ -1 +1 @@\n-a\n+b", body: "Is this right?", author: { login: "monalisa", type: "User" }, association: "MEMBER" });
    prs.reply(thread, { id: 7003, body: "@claude is it?", author: { login: "monalisa", type: "User" }, association: "MEMBER" });
    s.h.github.faults.push({ method: "POST", path: "/pulls/2/comments/7001/replies", performed: true, ...how });
    const event = reviewCommentEvent("@claude is it?", 7003, { inReplyTo: 7001, login: "monalisa", association: "MEMBER" });
    event.installation.id = s.installationId;
    await s.h.deliver("pull_request_review_comment", event);
    await s.h.idle(30_000);
    const bot = thread.comments.filter((c) => c.author?.type === "Bot");
    expect(bot).toHaveLength(1);
    expect(s.h.github.callsTo("POST", "/pulls/2/comments/7001/replies")).toHaveLength(1);
  });
});

describe("bounded waits", () => {
  it("a thread read that never answers ends in a bounded time with a notice that says so; the thread's next mention is answered", async () => {
    s = await scene({}, {}, { throttle: true, octokit: { timeoutMs: 300 } });
    s.h.github.faults.push({ method: "POST", path: "/graphql", operation: "ThreadbotThread", hang: true, times: 3 });
    const started = Date.now();
    const first = await mention(s, "@claude why do rows vanish?");
    expect(Date.now() - started).toBeLessThan(15_000);
    const notice = finalState(s, first).notices;
    expect(notice).toHaveLength(1);
    expect(notice[0]!.body).toContain("GitHub did not answer in time");
    const second = await mention(s, "@claude and now?");
    expect(finalState(s, second).answers).toHaveLength(1);
  }, 30_000);
});

describe("nothing paced stands in front of the model call", () => {
  it("a slow 👀 (3 s) does not delay the model request", async () => {
    s = await scene({}, {}, { throttle: true, productionPacing: true });
    slowModel(s);
    s.h.github.faults.push({ method: "POST", path: "/reactions", delayMs: 3000 });
    await mention(s, "@claude why do rows vanish?");
    const reaction = s.h.github.callsTo("POST", "/reactions")[0]!;
    expect(reaction).toBeDefined();
    // The model request was sent while the 👀 was still on its way.
    expect(s.h.anthropic.requests[0]!.receivedAt).toBeLessThan(reaction.end);
  });

  it("a failing 👀 (502 every time) does not delay the model request, and the mention is answered", async () => {
    s = await scene({}, {}, { throttle: true, productionPacing: true });
    slowModel(s);
    s.h.github.faults.push({ method: "POST", path: "/reactions", status: 502, times: Infinity });
    const id = await mention(s, "@claude why do rows vanish?");
    const reactions = s.h.github.callsTo("POST", "/reactions");
    expect(reactions.length).toBeGreaterThanOrEqual(1);
    expect(s.h.anthropic.requests[0]!.receivedAt).toBeLessThan(reactions[0]!.end);
    expect(finalState(s, id).answers).toHaveLength(1);
  });

  it("a mention right after one of the installation's writes reaches the model before its 👀 and before the next write", async () => {
    s = await scene({}, {}, { throttle: true, productionPacing: true });
    await mention(s, "@claude first question");
    const lastWrite = s.h.github.calls.filter((c) => c.method !== "GET" && c.path !== "/graphql").at(-1)!;
    s.h.anthropic.requests.length = 0;
    const second = await mention(s, "@claude second question");
    const model = s.h.anthropic.requests[0]!;
    const writesAfter = s.h.github.calls.filter((c) => c.start > lastWrite.end && c.method === "POST" && c.path !== "/graphql" && !c.path.includes("access_tokens"));
    // The model request came before any write of the second mention: the lane holds writes, not the model.
    expect(writesAfter.length).toBeGreaterThanOrEqual(1);
    expect(model.receivedAt).toBeLessThan(writesAfter[0]!.start);
    expect(finalState(s, second).answers).toHaveLength(1);
  });
});
