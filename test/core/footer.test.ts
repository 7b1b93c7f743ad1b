// The cost footer: list prices by model family, cache multipliers, and the rendered <details>.
import { describe, expect, it } from "vitest";
import { cacheWriteMultiplier, estimateCostUsd, priceOf, totalCostUsd } from "../../src/core/budget/pricing.js";
import { composeReply, formatCost, renderFooter } from "../../src/core/reply/compose.js";
import { emptyContextBlock } from "../../src/core/types.js";

describe("pricing", () => {
  it.each([
    ["claude-opus-4-6", 5, 25],
    ["claude-opus-4-5-20251101", 5, 25],
    ["claude-opus-4-1", 15, 75],
    ["claude-opus-4-20250514", 15, 75],
    ["claude-sonnet-4-6", 3, 15],
    ["claude-sonnet-4-5-20250929", 3, 15],
    ["claude-haiku-4-5", 1, 5],
    ["claude-3-5-haiku-latest", 0.8, 4],
  ])("%s costs $%s / $%s per million input / output tokens", (model, input, output) => {
    expect(priceOf(model)).toEqual({ input, output });
  });

  it("gives no estimate for a model it does not know rather than a wrong one", () => {
    expect(priceOf("claude-opus-3-9")).toBeNull();
    expect(priceOf("claude-fable-5-2")).toBeNull(); // in the SDK's list, price not published
    expect(estimateCostUsd("claude-mythos-preview", { input: 1, cache_read: 0, cache_write: 0, output: 1 })).toBeNull();
  });

  it("bills cache reads at 0.1× and cache writes at 1.25× (5 min) or 2× (1 h)", () => {
    const usage = { input: 1_000_000, cache_read: 1_000_000, cache_write: 1_000_000, output: 1_000_000 };
    expect(estimateCostUsd("claude-sonnet-4-6", usage)).toBeCloseTo(3 + 0.3 + 3.75 + 15);
    expect(estimateCostUsd("claude-sonnet-4-6", usage, cacheWriteMultiplier("1h"))).toBeCloseTo(3 + 0.3 + 6 + 15);
  });

  it("adds the summary call (on its own model) to the answer's cost", () => {
    const summary = { model: "claude-haiku-4-5", usage: { input: 10_000, cache_read: 0, cache_write: 0, output: 500 } };
    const answer = { model: "claude-sonnet-4-6", usage: { input: 2_000, cache_read: 0, cache_write: 0, output: 100 } };
    expect(totalCostUsd([summary, answer])).toBeCloseTo(0.01 + 0.0025 + 0.006 + 0.0015);
    expect(totalCostUsd([{ ...summary, model: "unknown" }, answer])).toBeNull();
  });
});

describe("renderFooter", () => {
  const facts = {
    model: "claude-sonnet-4-6",
    usage: { input: 5210, cache_read: 48_210, cache_write: 1303, output: 912 },
    costUsd: 0.04209,
    elapsedMs: 3140,
    warnings: ["`.github/claude.yml`: `cache_ttl` must be \"5m\" or \"1h\"; using the default for this answer."],
    threadUsage: { input: 9000, cache_read: 90_000, cache_write: 3000, output: 2000 },
  };

  it("collapses the figures under a one-line summary and keeps warnings visible below", () => {
    const footer = renderFooter(facts);
    expect(footer).toContain("<details><summary>threadbot · model claude-sonnet-4-6 · 3.1 s · est. cost $0.0421</summary>");
    expect(footer).toContain("| this answer | 5,210 | 48,210 | 1,303 | 912 |");
    expect(footer).toContain("| thread so far | 9,000 | 90,000 | 3,000 | 2,000 |");
    expect(footer.indexOf("</details>")).toBeLessThan(footer.indexOf("> [!WARNING]"));
    expect(footer).toContain("> `.github/claude.yml`: `cache_ttl` must be");
  });

  it("says 'unknown' when the price is unknown, and composes answer, footer, block in that order", () => {
    expect(formatCost(null)).toBe("unknown");
    expect(formatCost(12.5)).toBe("$12.50");
    const body = composeReply("Hi.", { ...facts, costUsd: null, warnings: [] }, emptyContextBlock());
    expect(body).toMatch(/^Hi\.\n\n<!-- threadbot:footer -->\n<details><summary>.*est\. cost unknown<\/summary>[\s\S]*<\/details>\n\n<!-- threadbot:context\n/);
  });
});
