// The spend ledger behind the daily budget (`budget` in `.github/claude.yml`), one interface, two backends:
// in memory (embedded deployments: one process) and Redis when REDIS_URL is set,
// so that every replica counts against the same total. Redis keeps one counter per repository, UTC day and
// unit (tokens, micro-dollars), each INCRBY with an expiry of two days, so nothing needs cleaning up.
//
// The check is a soft limit: concurrent answers in one repository may each pass it before any records its
// spend (at most the queue's concurrency per replica goes over). If Redis is unreachable the check lets the
// answer through (and logs): an outage of the ledger should not silence the bot.
import { Redis } from "ioredis";
import type { Usage } from "../../core/types.js";
import { budgetTokens, exceededMessage, type DailyBudget } from "./dailyBudget.js";

export interface Spent {
  tokens: number;
  usd: number;
}

export interface SpendLedger {
  spent(repo: string): Promise<Spent>;
  record(repo: string, usage: Usage, usd: number | null): Promise<void>;
  close(): Promise<void>;
}

/**
 * This process's count, per repository and UTC day. With several replicas each would count its own share
 * (the limit per replica), which is why replicas use Redis; the thread's own `usage` stays exact either way.
 */
export class MemorySpendLedger implements SpendLedger {
  readonly #today = new Map<string, Spent & { day: string }>();
  constructor(private readonly now: () => number = Date.now) {}

  #spentToday(repo: string): Spent & { day: string } {
    const day = new Date(this.now()).toISOString().slice(0, 10);
    let spent = this.#today.get(repo);
    if (spent === undefined || spent.day !== day) {
      spent = { day, tokens: 0, usd: 0 };
      this.#today.set(repo, spent);
    }
    return spent;
  }

  async spent(repo: string): Promise<Spent> {
    const { tokens, usd } = this.#spentToday(repo);
    return { tokens, usd };
  }

  async record(repo: string, usage: Usage, usd: number | null): Promise<void> {
    const spent = this.#spentToday(repo);
    spent.tokens += budgetTokens(usage);
    spent.usd += usd ?? 0;
  }

  async close(): Promise<void> {}
}

const DAY_SECONDS = 24 * 3600;

export class RedisSpendLedger implements SpendLedger {
  readonly #redis: Redis;
  constructor(
    url: string,
    private readonly prefix = "threadbot:spend",
    private readonly now: () => number = Date.now,
  ) {
    this.#redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
    this.#redis.on("error", () => undefined); // surfaced by the calls that fail
  }

  #keys(repo: string): [string, string] {
    const day = new Date(this.now()).toISOString().slice(0, 10);
    const base = `${this.prefix}:${encodeURIComponent(repo)}:${day}`;
    return [`${base}:tokens`, `${base}:micro_usd`];
  }

  async spent(repo: string): Promise<Spent> {
    const [tokens, micro] = await this.#redis.mget(...this.#keys(repo));
    return { tokens: Number(tokens ?? 0), usd: Number(micro ?? 0) / 1e6 };
  }

  async record(repo: string, usage: Usage, usd: number | null): Promise<void> {
    const [tokens, micro] = this.#keys(repo);
    await this.#redis
      .multi()
      .incrby(tokens, budgetTokens(usage))
      .expire(tokens, 2 * DAY_SECONDS)
      .incrby(micro, Math.round((usd ?? 0) * 1e6))
      .expire(micro, 2 * DAY_SECONDS)
      .exec();
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => undefined);
  }
}

/** One per app: Redis when a URL is configured, else this process's own count. */
export function createSpendLedger(redisUrl: string | undefined): SpendLedger {
  return redisUrl ? new RedisSpendLedger(redisUrl) : new MemorySpendLedger();
}

/** The over-budget notice, or null (also when the ledger cannot be read: see the note above). */
export async function overBudget(
  ledger: SpendLedger,
  repo: string,
  budget: DailyBudget,
  onError: (error: unknown) => void = () => undefined,
): Promise<string | null> {
  if (budget.daily_tokens === undefined && budget.daily_usd === undefined) return null;
  try {
    return exceededMessage(await ledger.spent(repo), budget);
  } catch (error) {
    onError(error);
    return null;
  }
}
