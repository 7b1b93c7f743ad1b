// The model table: list prices in USD per million tokens (for the footer's estimate and the folding
// decision) and context windows (a hard limit on every request). Anthropic's published figures for
// standard requests on the Claude API; batch, fast-mode and data-residency rates are not modelled. Cache
// writes cost 1.25× input with the 5-minute TTL, 2× with the 1-hour TTL; cache reads 0.1× input unless the
// model says otherwise. A model not in the table gets no cost estimate rather than a wrong one ("est. cost
// unknown" in the footer) and the smallest current window, so an unknown id can never be sent more than
// it might hold.
import type { Usage } from "../types.js";

export interface Price {
  input: number;
  output: number;
}

export interface ModelInfo {
  /** USD per million tokens. */
  price: Price;
  /** Cache reads as a share of the input price. */
  cacheReadMultiplier: number;
  /**
   * Some models bill a request by its prompt length: above `aboveTokens` (input + cache reads + cache
   * writes) every token of the request, output included, is billed at `price`.
   */
  longPrompt?: { aboveTokens: number; price: Price };
  /** Input tokens plus `max_tokens` may not exceed it (the API answers 400 otherwise). */
  contextWindow: number;
}

/** The window of a model the table does not know: the smallest among current models. */
export const DEFAULT_CONTEXT_WINDOW = 200_000;

const K200 = 200_000;
const M1 = 1_000_000;
const model = (input: number, output: number, contextWindow: number, extra: Partial<ModelInfo> = {}): ModelInfo => ({
  price: { input, output },
  cacheReadMultiplier: 0.1,
  contextWindow,
  ...extra,
});

// Model family → figures. An id matches its family exactly, with a date suffix (`-20250929`), or with
// `-latest`; so `claude-opus-4` does not swallow `claude-opus-4-6`, whose price differs. Sonnet 4.5 and
// earlier reach 1M tokens only with a beta header the app does not send: their window here is 200k.
// Models whose prices are not published (claude-fable-5-2, claude-mythos-5-2, claude-mythos-preview)
// are left out on purpose.
const MODELS: ReadonlyMap<string, ModelInfo> = new Map([
  ["claude-fable-5-1", model(10, 50, M1, { cacheReadMultiplier: 0.025 })],
  ["claude-mythos-5-1", model(10, 50, M1, { cacheReadMultiplier: 0.025 })],
  ["claude-fable-5", model(10, 50, M1)],
  ["claude-mythos-5", model(10, 50, M1)],
  ["claude-opus-5-5", model(4, 20, M1, { cacheReadMultiplier: 0.05 })],
  ["claude-opus-5", model(5, 25, M1)],
  ["claude-opus-4-8", model(5, 25, M1)],
  ["claude-opus-4-7", model(5, 25, M1)],
  ["claude-opus-4-6", model(5, 25, M1)],
  ["claude-opus-4-5", model(5, 25, K200)],
  ["claude-opus-4-1", model(15, 75, K200)],
  ["claude-opus-4-0", model(15, 75, K200)],
  ["claude-opus-4", model(15, 75, K200)],
  ["claude-sonnet-5-5", model(2, 10, M1, { cacheReadMultiplier: 0.05 })],
  ["claude-sonnet-5", model(2, 10, M1)],
  ["claude-sonnet-4-6", model(3, 15, M1)],
  ["claude-sonnet-4-5", model(3, 15, K200)],
  ["claude-sonnet-4-0", model(3, 15, K200)],
  ["claude-sonnet-4", model(3, 15, K200)],
  ["claude-3-7-sonnet", model(3, 15, K200)],
  ["claude-haiku-5-5", model(0.1, 0.5, M1, { longPrompt: { aboveTokens: 100_000, price: { input: 0.5, output: 2.5 } } })],
  ["claude-haiku-4-5", model(1, 5, K200)],
  ["claude-3-5-haiku", model(0.8, 4, K200)],
  ["claude-3-haiku", model(0.25, 1.25, K200)],
]);

const SUFFIX = /^(.*?)(?:-\d{8}|-latest)?$/;

export function modelInfo(model: string): ModelInfo | null {
  const family = SUFFIX.exec(model.trim().toLowerCase())?.[1] ?? model;
  return MODELS.get(family) ?? null;
}

export function priceOf(model: string): Price | null {
  return modelInfo(model)?.price ?? null;
}

export function contextWindowOf(model: string): number {
  return modelInfo(model)?.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
}

/**
 * Tokens our estimate may give a request's input on `model` with `maxTokens` of output: the window less
 * the output, less a margin of 5% for what the estimate cannot see (the API's own framing; a tokenizer
 * that counts denser than 3 ASCII characters per token).
 */
export function inputLimitOf(model: string, maxTokens: number): number {
  const window = contextWindowOf(model);
  return Math.max(0, Math.floor(window * 0.95) - maxTokens);
}

export function cacheWriteMultiplier(ttl: "5m" | "1h" = "5m"): number {
  return ttl === "1h" ? 2 : 1.25;
}

export function cacheReadMultiplierOf(model: string): number {
  return modelInfo(model)?.cacheReadMultiplier ?? 0.1;
}

export function estimateCostUsd(model: string, usage: Usage, writeMultiplier = 1.25): number | null {
  const info = modelInfo(model);
  if (!info) return null;
  const prompt = usage.input + usage.cache_read + usage.cache_write;
  const price = info.longPrompt && prompt > info.longPrompt.aboveTokens ? info.longPrompt.price : info.price;
  const inputEquivalent = usage.input + usage.cache_read * info.cacheReadMultiplier + usage.cache_write * writeMultiplier;
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
