// Retries of Claude calls: 408/409/429/5xx/529, connection errors, timeouts, and a stream cut or an SSE
// `error` event after a 200 (which the SDK never retries). Exponential backoff with full jitter, Anthropic's
// `retry-after` respected, every attempt and every wait inside one total deadline.
//
// The SDK's own retries are off (maxRetries 0, see app.ts): with both, a status error would be tried
// (SDK retries + 1) × (our attempts) times and the SDK's waits would not know our deadline. One loop
// means `attempts` is the true number of requests and the deadline holds (give or take one attempt's
// abort). Each attempt also has its own timeout (a stream that stalls after its 200 is aborted).

import { ClaudeAttemptTimeoutError, ClaudeUnavailableError, classifyError, type ClaudeFailureKind as FailureKind } from "../core/errors.js";
// The error a given-up call ends in, and its wording, are the shared taxonomy's (read by the notices too).
export { ClaudeUnavailableError, elapsedText, type ClaudeFailureKind as FailureKind } from "../core/errors.js";

// The policy is a setting (read in src/config/env.ts); it lives in config so settings never import this loop.
import type { RetryPolicy } from "../config/retryPolicy.js";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../config/retryPolicy.js";

export interface Classified {
  retry: boolean;
  kind: FailureKind;
  status?: number;
  /** From a `retry-after` header, in ms. */
  retryAfterMs?: number;
}

/**
 * How the retry loop reads a failure: the app's one error classifier (src/core/errors.ts), taking an
 * unrecognised error with a status as Anthropic's (everything this loop runs is a Claude call).
 */
export function classify(error: unknown): Classified {
  const f = classifyError(error, { assume: "anthropic" });
  const status = f.status === undefined ? {} : { status: f.status };
  const wait = f.retryAfterMs === undefined ? {} : { retryAfterMs: f.retryAfterMs };
  switch (f.kind) {
    case "timeout":
      return { retry: true, kind: "timeout" };
    case "overloaded":
    case "rate-limited":
    case "server-error":
      return { retry: true, kind: f.kind, ...status, ...wait };
    case "rejected":
      return { retry: false, kind: "rejected", ...status };
    case "aborted":
      return { retry: false, kind: "interrupted" };
    default:
      // A cut connection, an SSE `error` event after a 200, a parse error of a truncated stream.
      return { retry: true, kind: "interrupted" };
  }
}

export interface RetryHooks {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; failure: Classified; error: unknown }) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt(signal, n)` until it succeeds, fails for good, or the policy is used up. The signal aborts
 * an attempt at its timeout or at the deadline. Throws ClaudeUnavailableError when giving up on a retryable
 * failure, the original error otherwise.
 */
export async function withRetries<T>(
  attempt: (signal: AbortSignal, n: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const now = hooks.now ?? Date.now;
  const sleep = hooks.sleep ?? defaultSleep;
  const random = hooks.random ?? Math.random;
  const started = now();
  const deadline = started + policy.deadlineMs;
  for (let n = 1; ; n++) {
    const controller = new AbortController();
    const budget = Math.max(1, Math.min(policy.attemptTimeoutMs, deadline - now()));
    const timer = setTimeout(() => controller.abort(new ClaudeAttemptTimeoutError("attempt timed out")), budget);
    let failure: Classified;
    let error: unknown;
    try {
      return await attempt(controller.signal, n);
    } catch (caught) {
      error = controller.signal.aborted ? new ClaudeAttemptTimeoutError("attempt timed out") : caught;
      failure = classify(error);
    } finally {
      clearTimeout(timer);
    }
    const elapsed = now() - started;
    if (!failure.retry) throw error;
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
    const delay = Math.max(failure.retryAfterMs ?? 0, Math.round(random() * ceiling));
    // Give up when out of attempts, or when the wait would leave no time for another attempt.
    if (n >= policy.attempts || now() + delay >= deadline - 100) {
      throw new ClaudeUnavailableError(failure.kind, failure.status, n, elapsed, error);
    }
    hooks.onRetry?.({ attempt: n, delayMs: delay, failure, error });
    await sleep(delay);
  }
}
