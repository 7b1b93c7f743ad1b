// GitHub faults, end to end through the app's real Octokit (src/github/octokit.ts) and the GraphQL reader
// (src/github/readRetry.ts): 502s are retried, secondary rate limits are waited out as `retry-after` asks,
// and the thread ends with exactly one comment from the bot.
import { afterEach, describe, expect, it } from "vitest";
import type { InjectedFault } from "../helpers/fakeGitHub.js";
import { finalState, mention, scene, type Scene } from "./support.js";

let s: Scene;
// With Probot's real throttling: its pacing and (src/github/octokit.ts) its rate-limit retries are under test.
afterEach(async () => {
  await s?.h.close();
});

const SECONDARY = { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." };

function expectOneAnswer(triggerId: number): void {
  const state = finalState(s, triggerId);
  expect(state.all).toHaveLength(1);
  expect(state.answers).toHaveLength(1);
  expect(state.notices).toHaveLength(0);
}

describe("GitHub faults", () => {
  const retried: [string, InjectedFault][] = [
    ["a 502 on the GraphQL thread read", { method: "POST", path: "/graphql", status: 502 }],
    ["two 503s on the GraphQL thread read", { method: "POST", path: "/graphql", status: 503, times: 2 }],
    ["a 502 on creating the reply", { method: "POST", path: "/issues/1/comments", status: 502 }],
    ["a 502 on the final edit", { method: "PATCH", path: "/issues/comments/", status: 502 }],
    ["a 502 on the 👀 reaction", { method: "POST", path: "/reactions", status: 502 }],
  ];
  it.each(retried)("%s is retried; one answer", async (_name, fault) => {
    s = await scene({}, {}, { throttle: true });
    const times = fault.times ?? 1;
    s.h.github.faults.push({ ...fault });
    const id = await mention(s, "@claude why do rows vanish?");
    expectOneAnswer(id);
    expect(s.h.github.calls.filter((c) => c.status >= 500).length).toBe(times);
  });

  it.each([
    ["403", "POST", "/issues/1/comments"],
    ["429", "POST", "/issues/1/comments"],
    ["403", "PATCH", "/issues/comments/"],
  ])("a secondary rate limit (%s on %s %s) is waited out for retry-after, then retried; one answer", async (status, method, path) => {
    s = await scene({}, {}, { throttle: true });
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
});
