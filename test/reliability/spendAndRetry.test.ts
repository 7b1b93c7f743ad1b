// Units behind the end-to-end suites: the spend ledger (in memory, and on Redis shared by replicas, with
// expiring daily counters) and the retry loop's bounds (attempts, deadline, retry-after, what is final).
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Usage } from "../../src/core/types.js";
import { classify, ClaudeUnavailableError, withRetries, type RetryPolicy } from "../../src/claude/retry.js";
import { MemorySpendLedger, overBudget, RedisSpendLedger } from "../../src/worker/spend/ledger.js";
import { redisAvailable, startRedis, type RedisServer } from "../queue/redisServer.js";

const usage = (input: number, output = 0): Usage => ({ input, output, cache_read: 0, cache_write: 0 });

describe("spend ledger, in memory", () => {
  it("counts per repository and day, and says when the budget is spent", async () => {
    const ledger = new MemorySpendLedger();
    await ledger.record("o/r", usage(100, 50), 0.5);
    expect(await overBudget(ledger, "o/r", { daily_tokens: 200 })).toBeNull();
    await ledger.record("o/r", usage(60), 0.1);
    expect(await overBudget(ledger, "o/r", { daily_tokens: 200 })).toContain("210 of 200 tokens");
    expect(await overBudget(ledger, "o/other", { daily_tokens: 200 })).toBeNull();
    expect(await overBudget(ledger, "o/r", { daily_usd: 0.5 })).toContain("$0.60 of $0.50");
    expect(await overBudget(ledger, "o/r", {})).toBeNull();
  });

  it("lets the answer through when the ledger cannot be read", async () => {
    const broken = { spent: () => Promise.reject(new Error("down")), record: async () => undefined, close: async () => undefined };
    const errors: unknown[] = [];
    expect(await overBudget(broken, "o/r", { daily_tokens: 1 }, (e) => errors.push(e))).toBeNull();
    expect(errors).toHaveLength(1);
  });
});

(redisAvailable() ? describe : describe.skip)("spend ledger, on Redis", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("is shared by replicas, per UTC day, with counters that expire", async () => {
    let now = Date.parse("2026-03-01T23:59:00Z");
    const a = new RedisSpendLedger(server.url, "t1", () => now);
    const b = new RedisSpendLedger(server.url, "t1", () => now);
    await a.record("o/r", usage(100, 20), 0.25);
    await b.record("o/r", usage(30), 0.05);
    expect(await a.spent("o/r")).toEqual({ tokens: 150, usd: 0.3 });
    expect(await overBudget(b, "o/r", { daily_tokens: 150 })).toContain("150 of 150 tokens");
    const probe = new Redis(server.url);
    const keys = await probe.keys("t1:*");
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(await probe.ttl(key)).toBeGreaterThan(24 * 3600);
    await probe.quit();
    now += 2 * 60_000; // past midnight UTC: a new day
    expect(await a.spent("o/r")).toEqual({ tokens: 0, usd: 0 });
    await Promise.all([a.close(), b.close()]);
  });
});

describe("withRetries", () => {
  const policy: RetryPolicy = { attempts: 4, deadlineMs: 10_000, attemptTimeoutMs: 1_000, baseDelayMs: 100, maxDelayMs: 1_000 };
  const status = (s: number, headers?: Record<string, string>) =>
    Object.assign(new Error(`status ${s}`), { status: s, headers: { get: (k: string) => headers?.[k] ?? null } });

  function clock() {
    let t = 0;
    const waits: number[] = [];
    return { now: () => t, sleep: async (ms: number) => void (waits.push(ms), (t += ms)), random: () => 1, waits };
  }

  it("backs off exponentially with jitter and stops at the attempt limit", async () => {
    const c = clock();
    let calls = 0;
    const run = withRetries(async () => {
      calls++;
      throw status(529);
    }, policy, c);
    await expect(run).rejects.toBeInstanceOf(ClaudeUnavailableError);
    expect(calls).toBe(4);
    expect(c.waits).toEqual([100, 200, 400]);
  });

  it("honours retry-after, and gives up when it would pass the deadline", async () => {
    const c = clock();
    let calls = 0;
    const error = await withRetries(async () => {
      calls++;
      throw status(429, { "retry-after": calls === 1 ? "2" : "60" });
    }, policy, c).catch((e: unknown) => e);
    expect(c.waits).toEqual([2000]);
    expect(calls).toBe(2);
    expect(error).toMatchObject({ kind: "rate-limited", status: 429, attempts: 2 });
  });

  it("does not retry a final answer (400, 401) and passes the error through", async () => {
    const c = clock();
    let calls = 0;
    await expect(withRetries(async () => {
      calls++;
      throw status(400);
    }, policy, c)).rejects.toMatchObject({ status: 400 });
    expect(calls).toBe(1);
  });

  it("classifies what the SDK throws", () => {
    expect(classify({ name: "APIError", status: undefined, error: { type: "error", error: { type: "overloaded_error" } } })).toMatchObject({ retry: true, kind: "overloaded" });
    expect(classify({ name: "APIConnectionError" })).toMatchObject({ retry: true, kind: "interrupted" });
    expect(classify({ name: "APIConnectionTimeoutError" })).toMatchObject({ retry: true, kind: "timeout" });
    expect(classify({ name: "APIUserAbortError" })).toMatchObject({ retry: false });
    expect(classify({ status: 503 })).toMatchObject({ retry: true, kind: "server-error" });
    expect(classify({ status: 404 })).toMatchObject({ retry: false, kind: "rejected" });
  });
});
