// One reading of every error the app meets, for everything that must decide from it: whether to retry
// (the Claude retry loop, GitHub reads and writes), what to count (`threadbot_errors_total`) and what to
// tell people (failure notices). Pure: errors are told apart by duck-typing their `name`, `status`,
// `headers` and `cause` (the Anthropic SDK's and Octokit's classes are not imported), and by the app's own
// error classes defined here.

/** A Claude attempt ran past its own time limit (src/claude/retry.ts aborts it). */
export class ClaudeAttemptTimeoutError extends Error {
  override name = "ClaudeAttemptTimeoutError";
}

/** A GitHub request got no complete answer within its per-attempt time limit (src/github/octokit.ts). */
export class GitHubTimeoutError extends Error {
  override name = "GitHubTimeoutError";
  constructor(
    readonly method: string,
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`GitHub did not answer ${method} ${url} within ${timeoutMs} ms`);
  }
}

export type Service = "anthropic" | "github" | "internal";

export type FailureKind =
  /** No answer in time. */
  | "timeout"
  /** The connection failed or was cut (reset, refused, closed mid-body). */
  | "connection"
  | "rate-limited"
  | "overloaded"
  /** 5xx (and 408/409 for Anthropic). */
  | "server-error"
  /** A 4xx that retrying will not change. */
  | "rejected"
  /** A Claude stream that broke off after its 200 (no status). */
  | "interrupted"
  /** The caller aborted. */
  | "aborted"
  /** GitHub's GraphQL answered with errors. */
  | "graphql"
  | "internal";

export interface Failure {
  service: Service;
  kind: FailureKind;
  status?: number;
  /** Another attempt may succeed. */
  retryable: boolean;
  /**
   * The server may have acted although the app saw a failure: a 5xx, a timeout or a dropped connection.
   * A non-idempotent write (creating a comment) must be looked for before it is repeated.
   */
  ambiguous: boolean;
  /** From a `retry-after` header, in ms. */
  retryAfterMs?: number;
  /** Short, low-cardinality label for metrics: anthropic_timeout, github_502, github_connection, … */
  label: string;
  /** GitHub's own rate-limit words ("secondary rate limit") or `x-ratelimit-remaining: 0`. */
  rateLimit?: "primary" | "secondary";
}

/**
 * A `retry-after` value (seconds, or an HTTP date) in milliseconds from `now`; undefined when absent or
 * unreadable. Shared by the Claude retries and the GitHub read and write retries.
 */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value).trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.max(0, Math.round(Number(text) * 1000));
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

type Loose = {
  name?: unknown;
  status?: unknown;
  message?: unknown;
  cause?: unknown;
  headers?: unknown;
  error?: { error?: { type?: string }; type?: string };
  request?: unknown;
  response?: { headers?: Record<string, string | undefined>; data?: unknown } | undefined;
  errors?: { type?: string; message?: string }[];
};

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === "function") return (get as (n: string) => string | null).call(headers, name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

const CONNECTION_WORDS = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|other side closed|fetch failed|terminated|UND_ERR|network/i;
const TRANSIENT_GRAPHQL = /Something went wrong while executing your query/i;

function causeChain(error: unknown): Loose[] {
  const chain: Loose[] = [];
  let e: unknown = error;
  for (let i = 0; i < 5 && e && typeof e === "object"; i++) {
    chain.push(e as Loose);
    e = (e as Loose).cause;
  }
  return chain;
}

function isAnthropicName(name: string): boolean {
  return /^(API\w*Error|AnthropicError|BadRequestError|AuthenticationError|PermissionDeniedError|NotFoundError|ConflictError|UnprocessableEntityError|RateLimitError|InternalServerError|OverloadedError|ServiceUnavailableError|GatewayTimeoutError|RequestTimeoutError|ContentTooLargeError|PaymentRequiredError)$/.test(
    name,
  );
}

function failure(service: Service, kind: FailureKind, extra: Partial<Failure> = {}): Failure {
  const retryable = extra.retryable ?? ["timeout", "connection", "rate-limited", "overloaded", "server-error", "interrupted"].includes(kind);
  const ambiguous = extra.ambiguous ?? (kind === "timeout" || kind === "connection" || kind === "server-error");
  const label =
    extra.label ??
    (service === "internal"
      ? "internal"
      : extra.status !== undefined && kind !== "timeout" && kind !== "connection"
        ? `${service}_${extra.status}`
        : `${service}_${kind === "interrupted" ? "stream" : kind}`);
  return { service, kind, retryable, ambiguous, label, ...extra };
}

function classifyGitHub(e: Loose, status: number | undefined): Failure {
  const chain = causeChain(e);
  if (chain.some((c) => c.name === "GitHubTimeoutError")) return failure("github", "timeout");
  const headers = e.response?.headers;
  const retryAfterMs = parseRetryAfter(header(headers, "retry-after"));
  const withWait = retryAfterMs === undefined ? {} : { retryAfterMs };
  // @octokit/request reports a request that got no response at all (reset, refused) as status 500.
  if (status === 500 && e.response === undefined) return failure("github", "connection");
  if (status === undefined) return failure("github", "connection");
  const message = String(e.message ?? "");
  if ((status === 403 || status === 429) && /secondary rate limit/i.test(message)) {
    return failure("github", "rate-limited", { status, rateLimit: "secondary", ambiguous: false, ...withWait });
  }
  if ((status === 403 || status === 429) && (header(headers, "x-ratelimit-remaining") === "0" || retryAfterMs !== undefined)) {
    const reset = Number(header(headers, "x-ratelimit-reset"));
    const untilReset = Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) + 1000 : undefined;
    const wait = retryAfterMs ?? untilReset;
    return failure("github", "rate-limited", { status, rateLimit: "primary", ambiguous: false, ...(wait === undefined ? {} : { retryAfterMs: wait }) });
  }
  if (status >= 500) return failure("github", "server-error", { status, ...withWait });
  return failure("github", "rejected", { status, retryable: false, ambiguous: false });
}

function classifyAnthropic(e: Loose, name: string, status: number | undefined): Failure {
  const type = e.error?.error?.type ?? e.error?.type;
  const retryAfterMs = parseRetryAfter(header(e.headers, "retry-after"));
  const withWait = retryAfterMs === undefined ? {} : { retryAfterMs };
  const s = status === undefined ? {} : { status };
  if (name === "APIConnectionTimeoutError") return failure("anthropic", "timeout");
  if (name === "APIUserAbortError") return failure("anthropic", "aborted", { retryable: false, ambiguous: false, label: "anthropic_aborted" });
  if (name === "APIConnectionError") return failure("anthropic", "connection");
  if (status === 529 || type === "overloaded_error") return failure("anthropic", "overloaded", { ...s, ...withWait });
  if (status === 429) return failure("anthropic", "rate-limited", { status, ...withWait });
  if (status === 408 || status === 409 || (status !== undefined && status >= 500)) return failure("anthropic", "server-error", { status, ...withWait });
  if (status !== undefined) return failure("anthropic", "rejected", { status, retryable: false, ambiguous: false });
  // No status: an SSE `error` event after a 200, a cut stream, a truncated body.
  if (type === "rate_limit_error") return failure("anthropic", "rate-limited", { label: "anthropic_stream" });
  if (type === "api_error") return failure("anthropic", "server-error", { label: "anthropic_stream" });
  return failure("anthropic", "interrupted", { label: "anthropic_stream" });
}

/**
 * What an error is, whoever raised it. `assume` names the service an unrecognised error with a status
 * came from (a retry loop knows whom it called).
 */
export function classifyError(error: unknown, options: { assume?: "anthropic" | "github" } = {}): Failure {
  if (!error || typeof error !== "object") return failure("internal", "internal", { retryable: false, ambiguous: false });
  const e = error as Loose;
  const name = String(e.name ?? "");
  const status = typeof e.status === "number" ? e.status : undefined;

  // The app's own wrappers first: their cause is what happened.
  if (name === "ClaudeUnavailableError") {
    const inner = classifyError(e.cause, { assume: "anthropic" });
    return { ...inner, service: "anthropic", retryable: false, label: inner.service === "anthropic" ? inner.label : "anthropic_stream" };
  }
  if (name === "ClaudeAttemptTimeoutError") return failure("anthropic", "timeout");
  if (name === "GitHubTimeoutError") return failure("github", "timeout");
  if (name === "ThreadLockLostError") return failure("internal", "internal", { retryable: false, ambiguous: false, label: "queue_lock_lost" });
  if (name === "ThreadNotFoundError") return failure("github", "rejected", { retryable: false, ambiguous: false, label: "thread_not_found" });

  if (name === "HttpError") return classifyGitHub(e, status);
  if (name === "GraphqlResponseError") {
    const errors = e.errors ?? [];
    if (errors.some((x) => x?.type === "RATE_LIMITED")) return failure("github", "rate-limited", { ambiguous: false, label: "github_graphql" });
    const transient = errors.some((x) => TRANSIENT_GRAPHQL.test(String(x?.message ?? "")));
    return failure("github", "graphql", { retryable: transient, ambiguous: transient, label: "github_graphql" });
  }
  if (isAnthropicName(name)) return classifyAnthropic(e, name, status);
  if (options.assume === "anthropic" && (status !== undefined || e.error !== undefined || /^API/.test(name))) return classifyAnthropic(e, name, status);
  if (options.assume === "github" && status !== undefined) return classifyGitHub(e, status);

  // A bare fetch failure (the read client's own fetch, before Octokit wraps it).
  if (causeChain(e).some((c) => c.name === "GitHubTimeoutError")) return failure("github", "timeout");
  if (name === "TypeError" || name === "AbortError" || name === "TimeoutError") {
    const text = causeChain(e)
      .map((c) => `${String(c.message ?? "")} ${String((c as { code?: unknown }).code ?? "")}`)
      .join(" ");
    if (name === "TimeoutError") return failure("internal", "timeout", { label: "internal" });
    if (CONNECTION_WORDS.test(text)) return failure("internal", "connection", { label: "internal" });
  }
  return failure("internal", "internal", { retryable: false, ambiguous: false });
}

/** The metrics label of an error (`threadbot_errors_total{kind}`). */
export function errorLabel(error: unknown): string {
  return classifyError(error).label;
}

/** How a GitHub failure reads in a notice: true to what happened ("did not answer", not "answered 500"). */
export function describeGitHubFailure(f: Failure): string {
  if (f.kind === "timeout") return "GitHub did not answer in time";
  if (f.kind === "connection") return "the connection to GitHub broke off";
  if (f.kind === "rate-limited") return "GitHub is rate-limiting this app right now";
  if (f.kind === "graphql") return "GitHub could not run the query";
  if (f.status !== undefined) return `GitHub answered ${f.status}`;
  return "GitHub could not be reached";
}

/** How a given-up Claude call failed, as the retry loop and the notices name it. */
export type ClaudeFailureKind = "overloaded" | "rate-limited" | "server-error" | "timeout" | "interrupted" | "rejected";

/** Gave up: the last failure, how many attempts were made and for how long. */
export class ClaudeUnavailableError extends Error {
  override name = "ClaudeUnavailableError";
  constructor(
    readonly kind: ClaudeFailureKind,
    readonly status: number | undefined,
    readonly attempts: number,
    readonly elapsedMs: number,
    override readonly cause: unknown,
  ) {
    super(`Claude request failed after ${attempts} attempt(s) in ${elapsedText(elapsedMs)}: ${kind}${status ? ` (${status})` : ""}`);
  }
}

/** How long the attempts took, as the log and the failure notice both say it (one rounding for both). */
export function elapsedText(ms: number): string {
  if (ms < 950) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
}

