// List prices in USD per million tokens, for the footer's estimate (Anthropic's published prices for
// standard requests; batch, long-context and data-residency rates are not modelled). Cache reads cost
// 0.1× input; cache writes 1.25× input with the 5-minute TTL, 2× with the 1-hour TTL. A model not in the
// table gets no estimate rather than a wrong one ("est. cost unknown" in the footer).
import type { Usage } from "../types.js";

export interface Price {
  input: number;
  output: number;
}

// Model family → price. An id matches its family exactly, with a date suffix (`-20250929`), or with
// `-latest`; so `claude-opus-4` does not swallow `claude-opus-4-6`, whose price differs.
const PRICES: ReadonlyMap<string, Price> = new Map([
  ["claude-opus-4-6", { input: 5, output: 25 }],
  ["claude-opus-4-5", { input: 5, output: 25 }],
  ["claude-opus-4-1", { input: 15, output: 75 }],
  ["claude-opus-4-0", { input: 15, output: 75 }],
  ["claude-opus-4", { input: 15, output: 75 }],
  ["claude-sonnet-4-6", { input: 3, output: 15 }],
  ["claude-sonnet-4-5", { input: 3, output: 15 }],
  ["claude-sonnet-4-0", { input: 3, output: 15 }],
  ["claude-sonnet-4", { input: 3, output: 15 }],
  ["claude-3-7-sonnet", { input: 3, output: 15 }],
  ["claude-haiku-4-5", { input: 1, output: 5 }],
  ["claude-3-5-haiku", { input: 0.8, output: 4 }],
  ["claude-3-haiku", { input: 0.25, output: 1.25 }],
]);

const SUFFIX = /^(.*?)(?:-\d{8}|-latest)?$/;

export function priceOf(model: string): Price | null {
  const family = SUFFIX.exec(model.trim().toLowerCase())?.[1] ?? model;
  return PRICES.get(family) ?? null;
}

export function cacheWriteMultiplier(ttl: "5m" | "1h" = "5m"): number {
  return ttl === "1h" ? 2 : 1.25;
}

export function estimateCostUsd(model: string, usage: Usage, writeMultiplier = 1.25): number | null {
  const price = priceOf(model);
  if (!price) return null;
  const inputEquivalent = usage.input + usage.cache_read * 0.1 + usage.cache_write * writeMultiplier;
  return (inputEquivalent * price.input + usage.output * price.output) / 1_000_000;
}

/** Sum of several calls' costs (e.g. the summary on a cheaper model plus the answer); null if any is unknown. */
export function totalCostUsd(parts: { model: string; usage: Usage }[], writeMultiplier = 1.25): number | null {
  let total = 0;
  for (const part of parts) {
    const cost = estimateCostUsd(part.model, part.usage, writeMultiplier);
    if (cost === null) return null;
    total += cost;
  }
  return total;
}
