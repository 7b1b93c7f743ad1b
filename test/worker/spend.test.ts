// The in-memory spend ledger counts per repository and per UTC day.
import { describe, expect, it } from "vitest";
import { MemorySpendLedger, overBudget } from "../../src/worker/spend/ledger.js";

describe("spend ledger, in memory", () => {
  it("starts a new count at 00:00 UTC", async () => {
    let now = Date.parse("2026-03-01T23:59:00Z");
    const ledger = new MemorySpendLedger(() => now);
    await ledger.record("o/r", { input: 150, output: 100, cache_read: 10_000, cache_write: 0 }, 1);
    expect(await ledger.spent("o/r")).toEqual({ tokens: 250, usd: 1 });
    expect(await overBudget(ledger, "o/r", { daily_tokens: 200 })).toContain("250 of 200 tokens");
    now = Date.parse("2026-03-02T00:00:01Z");
    expect(await ledger.spent("o/r")).toEqual({ tokens: 0, usd: 0 });
    expect(await overBudget(ledger, "o/r", { daily_tokens: 200 })).toBeNull();
  });
});
