// Token estimates without a tokenizer or a network call (re-exported by budget.ts).
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";

/**
 * Estimated tokens of a text. Claude's tokenizer is not public and counting via the API costs a round
 * trip, so this over-estimates on purpose: ASCII at 3 characters per token (English prose runs at about
 * 3.5–4.5, code and markdown punctuation nearer 3), every other UTF-16 unit as a whole token (CJK is
 * about one token per character; emoji and rare scripts take more per character, but two units each).
 * Over-estimating only folds a little early; under-estimating would fail the request.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x80) ascii++;
  return Math.ceil(ascii / 3) + (text.length - ascii);
}

/** Per-block and per-message framing the API adds around our text (role markers, separators). */
export const BLOCK_OVERHEAD = 4;
export const MESSAGE_OVERHEAD = 4;
export const REQUEST_OVERHEAD = 16;

export function estimateBlockTokens(text: string): number {
  return estimateTokens(text) + BLOCK_OVERHEAD;
}

/** Estimated input tokens of a request we built (text blocks only: we build nothing else). */
export function estimateRequestTokens(params: MessageCreateParamsNonStreaming): number {
  let total = REQUEST_OVERHEAD;
  if (typeof params.system === "string") total += estimateBlockTokens(params.system);
  else for (const block of params.system ?? []) total += estimateBlockTokens(block.text);
  for (const message of params.messages) {
    total += MESSAGE_OVERHEAD;
    if (typeof message.content === "string") total += estimateBlockTokens(message.content);
    else for (const block of message.content) if (block.type === "text") total += estimateBlockTokens(block.text);
  }
  return total;
}
