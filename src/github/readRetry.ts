// Bounded retries for the GraphQL read client. Reads go through a plain `@octokit/graphql` client (not
// Probot's Octokit, see clients.ts), so they have no @octokit/plugin-retry: a 502/503/504 from GitHub, a
// dropped connection, an attempt that timed out (src/github/octokit.ts gives every attempt a time limit) or GitHub's transient "Something went wrong while executing your query" would fail
// the job. Reads are idempotent, so they are retried here: up to 3 attempts, 0.5 s then 1.5 s (± jitter),
// or after `retry-after` when GitHub sends one (capped at 10 s).
import { classifyError } from "../core/errors.js";
import type { GraphqlClient } from "./graphqlClient.js";

export interface ReadRetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Worth another attempt: a 502/503/504, a dropped connection, a timed-out attempt, GitHub's transient GraphQL error. */
export function isTransientReadError(error: unknown): boolean {
  const f = classifyError(error, { assume: "github" });
  if (f.kind === "timeout" || f.kind === "connection") return true;
  if (f.kind === "graphql") return f.retryable;
  return f.kind === "server-error" && (f.status === 502 || f.status === 503 || f.status === 504);
}

function retryAfterMs(error: unknown): number | undefined {
  const wait = classifyError(error, { assume: "github" }).retryAfterMs;
  return wait === undefined ? undefined : Math.min(wait, 10_000);
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
