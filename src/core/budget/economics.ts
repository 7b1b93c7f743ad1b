// When a request must be folded, how far to fold it: decided from list prices and the prompt cache.
//
// A fold changes the thread's system block, so the request is written to the cache again from there on:
// every token kept verbatim after the fold is written once (w × input price: 1.25 with the 5-minute
// cache, 2 with the 1-hour one) and then read on every later turn (r × input price, 0.1 for most models)
// until the next fold. A token folded instead is read once, uncached, by the summary call (the summary
// model's input price) and is gone from every later request. So, per token:
//
//   keep  ≈ p_answer × (w + r × H)      H = turns until the next fold
//   fold  ≈ p_summary
//
// With the summary model no dearer than the answer model (the defaults: Haiku summarising for Sonnet),
// folding is cheaper for every token (w alone exceeds 1), so the cheapest fold keeps nothing that may be
// folded: the opening post, the summary and the newest `keep_recent_turns` turns. Keeping more only costs
// more now (a bigger rewrite), costs more on every later turn (bigger reads) and brings the next fold
// sooner. Only when the summary model is dearer than that (say Opus summarising for Haiku) is a fold kept
// as small as it can be: just under the limit, with room for a few turns.
import { cacheReadMultiplierOf, cacheWriteMultiplier, priceOf } from "./pricing.js";

export interface FoldEconomics {
  answerModel: string;
  summaryModel: string;
  cacheTtl: "5m" | "1h";
  /** The request's limit in estimated tokens (the budget, or the window if smaller). */
  limitTokens: number;
  /** How much a turn adds to the request, on average (estimated tokens). */
  growthTokensPerTurn: number;
}

/** The `targetTokens` for planFold: 0 (fold all that may be folded) or just under the limit. */
export function foldTargetTokens(e: FoldEconomics): number {
  const answer = priceOf(e.answerModel);
  const summary = priceOf(e.summaryModel);
  // Unknown prices: the usual case (a summary model no dearer than the answer model) is the safe guess.
  if (answer === null || summary === null) return 0;
  const growth = Math.max(1, e.growthTokensPerTurn);
  const turnsToNextFold = Math.max(1, e.limitTokens / growth);
  const keep = answer.input * (cacheWriteMultiplier(e.cacheTtl) + cacheReadMultiplierOf(e.answerModel) * turnsToNextFold);
  if (summary.input <= keep) return 0;
  return Math.max(0, e.limitTokens - 3 * growth);
}
