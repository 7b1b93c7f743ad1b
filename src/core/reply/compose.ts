// Composes what the bot posts: the answer, a collapsed footer people can read, and the hidden context
// block that carries the thread's state forward. Pure: the worker supplies the figures.
import { FOOTER_MARKER, neutraliseContextBlocks, renderContextBlock } from "../contextBlock/index.js";
import { redactSecrets } from "../redact/secrets.js";
import type { ContextBlock, Usage } from "../types.js";

export interface FooterFacts {
  model: string;
  /** This answer's usage: the answer call's only (a fold's summary calls are `fold`). */
  usage: Usage;
  /** Estimated cost of this answer in USD, summary calls included, or null when a model's prices are unknown. */
  costUsd: number | null;
  /** The fold made for this answer, if any: its summary calls (their own model) and what it folded. */
  fold?: FoldFacts | null;
  /** The thread's summary calls so far (the block's `summary_usage`), shown beside `threadUsage`. */
  threadSummaryUsage?: Usage | undefined;
  elapsedMs: number;
  /** Notes for maintainers (an unreadable context block, a bad `.github/claude.yml` key...). */
  warnings: string[];
  /** The thread's running total after this answer (the block's `usage`), shown for context. */
  threadUsage?: Usage;
  /**
   * Code-grounded answers: the commit, the sources and the limits (src/core/code/footer.ts), shown under the
   * summary line. Built by the app from its own strings and sanitised paths.
   */
  codeLines?: readonly string[];
}

export interface FoldFacts {
  model: string;
  usage: Usage;
  /** Summary calls made (a long fold takes several steps). */
  calls: number;
  /** Comments and replies the summary now covers that were sent verbatim before. */
  foldedComments: number;
  costUsd: number | null;
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

export function formatCost(costUsd: number | null): string {
  if (costUsd === null) return "unknown";
  return costUsd >= 1 ? `$${costUsd.toFixed(2)}` : `$${costUsd.toFixed(4)}`;
}

function plural(n: number, word: string): string {
  return `${number.format(n)} ${word}${n === 1 ? "" : "s"}`;
}

function usageRow(label: string, u: Usage): string {
  return `| ${label} | ${number.format(u.input)} | ${number.format(u.cache_read)} | ${number.format(u.cache_write)} | ${number.format(u.output)} |`;
}

/**
 * A collapsed `<details>` whose summary line gives model, time and estimated cost at a glance, with the
 * token figures inside. Warnings come after it, not collapsed: they ask a maintainer to act.
 */
export function renderFooter(facts: FooterFacts): string {
  const seconds = (facts.elapsedMs / 1000).toFixed(1);
  const lines = [
    FOOTER_MARKER,
    `<details><summary>threadbot · model ${facts.model} · ${seconds} s · est. cost ${formatCost(facts.costUsd)}</summary>`,
    "",
    ...(facts.codeLines?.length ? [...facts.codeLines.flatMap((line) => [line.replace(/\s*\n\s*/g, " "), ""])] : []),
    "| tokens | input | cache read | cache write | output |",
    "| --- | ---: | ---: | ---: | ---: |",
    usageRow("this answer", facts.usage),
  ];
  const fold = facts.fold;
  if (fold) lines.push(usageRow(`summary · ${fold.model} (${plural(fold.calls, "call")})`, fold.usage));
  if (facts.threadUsage) lines.push(usageRow("thread so far", facts.threadUsage));
  if (facts.threadSummaryUsage) lines.push(usageRow("summaries so far", facts.threadSummaryUsage));
  lines.push(
    "",
    "Rows are per model: answers on the model above, summaries on the summary model. Cost is estimated from list prices; cache reads bill at 0.1× input (less on some models), cache writes at 1.25× (2× for the 1-hour cache).",
    "",
    "</details>",
  );
  // Visible, not collapsed: the answer no longer saw these comments verbatim.
  if (fold && fold.foldedComments > 0) {
    lines.push(
      "",
      `_${plural(fold.foldedComments, "older comment")} ${fold.foldedComments === 1 ? "was" : "were"} folded into the summary ` +
        `(${fold.model}, est. ${formatCost(fold.costUsd)} of this answer's cost)._`,
    );
  }
  for (const warning of facts.warnings) lines.push("", "> [!WARNING]", `> ${warning.replace(/\s*\n\s*/g, " ")}`);
  return lines.join("\n");
}

/**
 * The model's text as it may leave in a comment: credentials redacted, then any block or footer marker
 * Claude wrote neutralised. Both happen here, on the answer alone, before the app adds its own footer and
 * block, so neither can ever cut or forge them. (Mentions are defused by the caller, which knows the
 * phrase: `defuseMentions`.)
 */
export function outgoingAnswerText(answerText: string): string {
  return neutraliseContextBlocks(redactSecrets(answerText));
}

/**
 * The full comment body: the answer made safe (`outgoingAnswerText`), then ours, always last.
 */
export function composeReply(answerText: string, footer: FooterFacts | null, block: ContextBlock): string {
  const answer = outgoingAnswerText(answerText.trim() === "" ? "_(Claude returned an empty answer.)_" : answerText);
  const parts = [answer.trimEnd()];
  if (footer) parts.push(renderFooter(footer));
  parts.push(renderContextBlock(block));
  return parts.join("\n\n") + "\n";
}
