// Composes what the bot posts: the answer, a collapsed footer people can read, and the hidden context
// block that carries the thread's state forward. Pure: the worker supplies the figures.
import { FOOTER_MARKER, neutraliseContextBlocks, renderContextBlock } from "./contextBlock.js";
import type { ContextBlock, Usage } from "./types.js";

export interface FooterFacts {
  model: string;
  /** This answer's usage (the block carries the running total). */
  usage: Usage;
  /** Estimated cost of this answer in USD, or null when the model's prices are unknown. */
  costUsd: number | null;
  elapsedMs: number;
  /** Notes for maintainers (e.g. a context block that could not be read). */
  warnings: string[];
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    cache_read: a.cache_read + b.cache_read,
    cache_write: a.cache_write + b.cache_write,
    output: a.output + b.output,
  };
}

const number = new Intl.NumberFormat("en-US");

export function renderFooter(facts: FooterFacts): string {
  const u = facts.usage;
  const cost = facts.costUsd === null ? "unknown" : `$${facts.costUsd.toFixed(4)}`;
  const lines = [
    FOOTER_MARKER,
    "<details><summary>threadbot</summary>",
    "",
    `model \`${facts.model}\` · ${(facts.elapsedMs / 1000).toFixed(1)} s · est. cost ${cost}`,
    "",
    "| input | cache read | cache write | output |",
    "| ---: | ---: | ---: | ---: |",
    `| ${number.format(u.input)} | ${number.format(u.cache_read)} | ${number.format(u.cache_write)} | ${number.format(u.output)} |`,
  ];
  for (const warning of facts.warnings) lines.push("", `> [!WARNING]`, `> ${warning.replace(/\s*\n\s*/g, " ")}`);
  lines.push("", "</details>");
  return lines.join("\n");
}

/**
 * The full comment body. The model's text is neutralised first, so a block or footer marker that Claude
 * wrote can never be mistaken for ours; ours always comes last.
 */
export function composeReply(answerText: string, footer: FooterFacts | null, block: ContextBlock): string {
  const answer = neutraliseContextBlocks(answerText.trim() === "" ? "_(Claude returned an empty answer.)_" : answerText);
  const parts = [answer.trimEnd()];
  if (footer) parts.push(renderFooter(footer));
  parts.push(renderContextBlock(block));
  return parts.join("\n\n") + "\n";
}
