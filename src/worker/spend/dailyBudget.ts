// The repository's daily budget (`budget` in `.github/claude.yml`): tokens and estimated dollars spent
// per repository per UTC day, counted in this process. With several replicas each counts its own share,
// so the limit is per replica; the thread's own `usage` stays exact whatever the deployment.
import type { Usage } from "../../core/types.js";

export interface DailyBudget {
  daily_tokens?: number;
  daily_usd?: number;
}

interface Spent {
  day: string;
  tokens: number;
  usd: number;
}

/** Tokens that count against `daily_tokens`: everything but cache reads (those bill at 0.1× and count in dollars). */
export function budgetTokens(usage: Usage): number {
  return usage.input + usage.cache_write + usage.output;
}

export class DailyLedger {
  readonly #spent = new Map<string, Spent>();
  constructor(private readonly now: () => number = Date.now) {}

  #today(repo: string): Spent {
    const day = new Date(this.now()).toISOString().slice(0, 10);
    let spent = this.#spent.get(repo);
    if (spent === undefined || spent.day !== day) {
      spent = { day, tokens: 0, usd: 0 };
      this.#spent.set(repo, spent);
    }
    return spent;
  }

  record(repo: string, usage: Usage, usd: number | null): void {
    const spent = this.#today(repo);
    spent.tokens += budgetTokens(usage);
    spent.usd += usd ?? 0;
  }

  spent(repo: string): { tokens: number; usd: number } {
    const { tokens, usd } = this.#today(repo);
    return { tokens, usd };
  }

  /** A message for people when today's budget is used up, else null. */
  exceeded(repo: string, budget: DailyBudget): string | null {
    return exceededMessage(this.#today(repo), budget);
  }
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

/** The process's ledger. */
export const dailyLedger = new DailyLedger();
