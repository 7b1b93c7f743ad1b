// The app's Octokit class: Probot's, with secondary rate limits retried. Probot's own throttle options only
// log a secondary limit (node_modules/probot/lib/octokit/get-octokit-throttle-options.js overrides the
// retrying handler of probot-octokit.js), so a comment refused with 403/429 "secondary rate limit" would be
// lost. Here both limits are retried after GitHub's `retry-after` (the throttling plugin waits it out),
// a bounded number of times. 5xx stay with @octokit/plugin-retry (3 retries, 1/4/9 s).
// Passed as `Octokit` to Probot (src/server.ts; the test harness does the same). Also fixes the host of
// installation token requests on GitHub Enterprise (authOnSameHost).
import { ProbotOctokit } from "probot";

/** Retries per request after a rate limit, primary or secondary. */
export const RATE_LIMIT_RETRIES = 2;

type Handler = (retryAfter: number, options: { method?: string; url?: string; request?: { retryCount?: number } }, octokit: { log: { warn: (msg: string) => void } }, retryCount?: number) => boolean;

function retrying(kind: string): Handler {
  return (retryAfter, options, octokit, retryCount) => {
    const count = retryCount ?? options.request?.retryCount ?? 0;
    const again = count < RATE_LIMIT_RETRIES;
    octokit.log.warn(`${kind} rate limit on ${options.method} ${options.url}: ${again ? `retrying in ${retryAfter} s` : "giving up"}`);
    return again;
  };
}

export interface ThreadbotOctokitOptions {
  /** false: no pacing and no rate-limit retries (tests of queue behaviour only). */
  throttle?: boolean;
}

/**
 * On GitHub Enterprise (GHE_HOST), Probot gives the auth strategy a `request` without the base URL, so an
 * installation Octokit's own token request (`octokit.auth({ type: "installation" })`, which the GraphQL
 * reader uses) would go to api.github.com. Point it at the same host as everything else.
 */
function authOnSameHost(instance: Record<string, any>): Record<string, any> {
  const request = instance.auth?.request;
  if (!instance.baseUrl || typeof request?.defaults !== "function") return instance;
  return { ...instance, auth: { ...instance.auth, request: request.defaults({ baseUrl: instance.baseUrl }) } };
}

export function threadbotOctokit(options: ThreadbotOctokitOptions = {}): typeof ProbotOctokit {
  return ProbotOctokit.defaults((given: Record<string, any>) => {
    const instance = authOnSameHost(given);
    if (options.throttle === false) return { ...instance, throttle: { ...instance.throttle, enabled: false } };
    return {
      ...instance,
      throttle: { ...instance.throttle, onSecondaryRateLimit: retrying("Secondary"), onRateLimit: retrying("Primary") },
    };
  }) as typeof ProbotOctokit;
}

export const ThreadbotOctokit: typeof ProbotOctokit = threadbotOctokit();
