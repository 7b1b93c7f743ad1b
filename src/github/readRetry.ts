// Bounded retries for the GraphQL read client. Reads go through a plain `@octokit/graphql` client (not
// Probot's Octokit, see clients.ts), so they have no @octokit/plugin-retry: a 502/503/504 from GitHub, a
// dropped connection or GitHub's transient "Something went wrong while executing your query" would fail
// the job. Reads are idempotent, so they are retried here: up to 3 attempts, 0.5 s then 1.5 s (± jitter),
// or after `retry-after` when GitHub sends one (capped at 10 s).
import type { GraphqlClient } from "./graphqlClient.js";

export interface ReadRetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const TRANSIENT_GRAPHQL = /Something went wrong while executing your query/i;

export function isTransientReadError(error: unknown): boolean {
  const e = error as { status?: unknown; name?: string; message?: string; errors?: { message?: string }[] } | null;
  const status = typeof e?.status === "number" ? e.status : undefined;
  if (status === 502 || status === 503 || status === 504) return true;
  if (status !== undefined) return false;
  if (e?.errors?.some((x) => TRANSIENT_GRAPHQL.test(String(x?.message ?? "")))) return true;
  // fetch failures (connection reset, socket closed) surface as TypeError / FetchError without a status.
  return /fetch failed|ECONNRESET|socket hang up|terminated|other side closed/i.test(String(e?.message ?? ""));
}

function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } } | null)?.response?.headers;
  const value = Number(headers?.["retry-after"]);
  return Number.isFinite(value) && value >= 0 ? Math.min(value * 1000, 10_000) : undefined;
}

export function withReadRetries(client: GraphqlClient, options: ReadRetryOptions = {}): GraphqlClient {
  const attempts = options.attempts ?? 3;
  const base = options.baseDelayMs ?? 500;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  return async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    for (let n = 1; ; n++) {
      try {
        return await client<T>(query, variables);
      } catch (error) {
        if (n >= attempts || !isTransientReadError(error)) throw error;
        const backoff = Math.min(options.maxDelayMs ?? 5_000, base * 3 ** (n - 1));
        await sleep(retryAfterMs(error) ?? Math.round(backoff * (0.75 + random() / 2)));
      }
    }
  };
}
