// List prices in USD per million tokens, for the footer's estimate. Cache writes cost 1.25× input
// (5-minute TTL), cache reads 0.1× input. Unknown models give no estimate rather than a wrong one.
import type { Usage } from "./types.js";

interface Price {
  input: number;
  output: number;
}

// Matched by prefix, most specific first.
const PRICES: ReadonlyArray<readonly [string, Price]> = [
  ["claude-opus-4-5", { input: 5, output: 25 }],
  ["claude-opus-4-6", { input: 5, output: 25 }],
  ["claude-opus-4-1", { input: 15, output: 75 }],
  ["claude-opus-4", { input: 15, output: 75 }],
  ["claude-sonnet", { input: 3, output: 15 }],
  ["claude-haiku-4", { input: 1, output: 5 }],
  ["claude-3-5-haiku", { input: 0.8, output: 4 }],
  ["claude-3-haiku", { input: 0.25, output: 1.25 }],
];

export function priceOf(model: string): Price | null {
  for (const [prefix, price] of PRICES) if (model.startsWith(prefix)) return price;
  return null;
}

export function estimateCostUsd(model: string, usage: Usage, cacheWriteMultiplier = 1.25): number | null {
  const price = priceOf(model);
  if (!price) return null;
  const inputEquivalent = usage.input + usage.cache_read * 0.1 + usage.cache_write * cacheWriteMultiplier;
  return (inputEquivalent * price.input + usage.output * price.output) / 1_000_000;
}
