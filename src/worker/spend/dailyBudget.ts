// The repository's daily budget (`budget` in `.github/claude.yml`): what counts against it and the notice
// when it is used up. The counting is the spend ledger's (src/worker/spend/ledger.ts).
import type { Usage } from "../../core/types.js";

export interface DailyBudget {
  daily_tokens?: number;
  daily_usd?: number;
}

/** Tokens that count against `daily_tokens`: everything but cache reads (those bill at 0.1× and count in dollars). */
export function budgetTokens(usage: Usage): number {
  return usage.input + usage.cache_write + usage.output;
}

/** The notice for a repository whose spending today reached its budget, else null. */
export function exceededMessage(spent: { tokens: number; usd: number }, budget: DailyBudget): string | null {
  const over =
    budget.daily_tokens !== undefined && spent.tokens >= budget.daily_tokens
      ? `${spent.tokens.toLocaleString("en-US")} of ${budget.daily_tokens.toLocaleString("en-US")} tokens`
      : budget.daily_usd !== undefined && spent.usd >= budget.daily_usd
        ? `about $${spent.usd.toFixed(2)} of $${budget.daily_usd.toFixed(2)}`
        : null;
  if (over === null) return null;
  return `This repository has used today's budget for Claude (${over}, set in \`.github/claude.yml\` under \`budget\`). I can answer again after 00:00 UTC; maintainers can raise the budget.`;
}
