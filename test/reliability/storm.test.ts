// A storm: 200 mentions over 20 threads (20 installations), posted with random jitter. Every mention is
// answered exactly once; within a thread the answers come one at a time and in comment order (asserted
// from the Anthropic mock's receive/complete times); across threads they run concurrently, never more
// than QUEUE_CONCURRENCY at once.
//
// Probot's throttling (≥ 1 s between writes, 3 s between comments, per installation) would make this a
// 40 s test of GitHub pacing; it is off here (HarnessOptions.throttle, not app code): this suite is about
// the queue. Pacing and rate-limit retries are covered in githubFaults.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeIssue } from "../helpers/fakeGitHub.js";
import type { RecordedRequest } from "../helpers/anthropicMock.js";
import { blockOf, payloadFor, scene, OWNER, REPO, type Scene } from "./support.js";

const THREADS = 20;
const PER_THREAD = 10;
const CONCURRENCY = 8;

let s: Scene;
const issues: FakeIssue[] = [];
const triggers = new Map<number, number[]>(); // issue number → trigger ids in comment order
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  s = await scene({ queueConcurrency: CONCURRENCY });
  s.h.github.repo(OWNER, REPO).files.set(".github/claude.yml", "progress:\n  mode: final\n");
  // Maintainers: confirmed write access (the MEMBER association alone is not).
  for (let i = 0; i < 3; i++) s.h.github.repo(OWNER, REPO).permissions.set(`user${i}`, "write");
  s.h.anthropic.fallback = () => ({ kind: "answer", text: "Noted.", delayMs: 5 + Math.floor(Math.random() * 40) });
  for (let n = 1; n <= THREADS; n++) {
    issues.push(s.h.github.addIssue(OWNER, REPO, { number: 100 + n, title: `Storm thread ${100 + n}`, body: "Storm." }));
    triggers.set(100 + n, []);
  }
  const started = Date.now();
  await Promise.all(
    issues.map(async (issue, k) => {
      const scene = { ...s, installationId: s.installationId + k };
      for (let i = 0; i < PER_THREAD; i++) {
        await sleep(Math.floor(Math.random() * 30));
        const comment = s.h.github.addComment(issue, {
          id: s.h.github.nextId(),
          body: `@claude question ${i} in ${issue.number}`,
          author: { login: `user${i % 3}`, type: "User" },
          association: "MEMBER",
        });
        triggers.get(issue.number)!.push(comment.id);
        await s.h.deliver("issue_comment", payloadFor(scene, issue, comment));
      }
    }),
  );
  await s.h.idle(60_000);
  console.info(`storm: ${THREADS * PER_THREAD} mentions answered in ${Date.now() - started} ms`);
}, 90_000);

afterAll(async () => {
  await s?.h.close();
});

function threadOf(request: RecordedRequest): number {
  return Number(/Storm thread (\d+)/.exec(JSON.stringify(request.body.system))?.[1]);
}

describe(`${THREADS * PER_THREAD} mentions over ${THREADS} threads`, () => {
  it("answers every mention exactly once", () => {
    const answered: string[] = [];
    for (const issue of issues) {
      for (const c of s.h.github.botComments(issue)) answered.push(...(blockOf(c)?.answered ?? []));
    }
    expect(answered).toHaveLength(THREADS * PER_THREAD);
    expect(new Set(answered).size).toBe(THREADS * PER_THREAD);
    expect(s.h.anthropic.requests).toHaveLength(THREADS * PER_THREAD);
  });

  it("answers each thread in comment order", () => {
    for (const issue of issues) {
      const order = s.h.github.botComments(issue).map((c) => Number(blockOf(c)!.answered[0]));
      expect(order).toEqual(triggers.get(issue.number));
    }
  });

  it("never overlaps two model calls of one thread", () => {
    const byThread = new Map<number, RecordedRequest[]>();
    for (const r of s.h.anthropic.requests) byThread.set(threadOf(r), [...(byThread.get(threadOf(r)) ?? []), r]);
    expect(byThread.size).toBe(THREADS);
    for (const requests of byThread.values()) {
      requests.sort((a, b) => a.receivedAt - b.receivedAt);
      for (let i = 1; i < requests.length; i++) expect(requests[i]!.receivedAt).toBeGreaterThanOrEqual(requests[i - 1]!.completedAt!);
    }
  });

  it("runs threads concurrently, at most QUEUE_CONCURRENCY at once", () => {
    const events = s.h.anthropic.requests.flatMap((r) => [
      { at: r.receivedAt, delta: 1 },
      { at: r.completedAt!, delta: -1 },
    ]);
    events.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let running = 0;
    let peak = 0;
    for (const e of events) peak = Math.max(peak, (running += e.delta));
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(CONCURRENCY);
  });
});
