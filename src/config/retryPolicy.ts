// How Claude calls are retried (the loop is src/claude/retry.ts): a setting, so it lives with the settings.

export interface RetryPolicy {
  /** Requests at most (first try included). */
  attempts: number;
  /** Total time for all attempts and waits, from the first request. */
  deadlineMs: number;
  /** Longest single attempt (a hung or stalled stream is aborted then). */
  attemptTimeoutMs: number;
  /** First backoff ceiling; doubles per retry, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  deadlineMs: 10 * 60_000,
  attemptTimeoutMs: 5 * 60_000,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
};
