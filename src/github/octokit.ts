// The app's Octokit class: Probot's, with three changes.
// - Every attempt of every request has a time limit (undici would wait 300 s for headers). A JSON body is
//   read inside that limit too, so an answer cut off mid-body is a failed attempt, never an empty success.
// - Probot's throttling (@octokit/plugin-throttling) is off. It would hold every write (and every GraphQL
//   request) one at a time behind the installation's previous write in arrival order, and with REDIS_URL
//   it clusters through Redis, where a replica that leaves keeps its queued write until it expires (~30 s
//   for everyone). Writes instead go through the app's own lane (src/github/writeLane.ts): one per
//   installation, paced as GitHub asks, in priority order, with rate limits waited out there.
// - Writes are not retried blind by @octokit/plugin-retry (it retries a POST on any 5xx, and a dropped
//   connection arrives as a 500): the lane retries them, after looking for a comment the failed attempt may
//   have created. Reads keep plugin-retry (3 retries) and get the time limit per attempt.
// Passed as `Octokit` to Probot (src/server.ts; the test harness does the same). Also fixes the host of
// installation token requests on GitHub Enterprise (authOnSameHost).
import { ProbotOctokit } from "probot";
import { GitHubTimeoutError } from "../core/errors.js";
import { DEFAULT_WRITE_PACING, type WritePacing } from "./writeLane.js";

/** Per-attempt time limit of a GitHub request, in ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

export interface ThreadbotOctokitOptions {
  /** false: writes are not paced (tests of queue behaviour only). */
  throttle?: boolean;
  /** Per-attempt time limit of every request (default 15 s). */
  timeoutMs?: number;
  /** The write lane's pacing (default: 1 s between writes, 80 comments or reactions a minute, 500 an hour, 👀 after 1 s). */
  pacing?: Partial<WritePacing>;
}

type Fetch = typeof fetch;

/** Responses read whole inside the time limit; anything else (an archive) is handed over as a stream. */
const BUFFERED = /json|text\/|raw/i;

/**
 * A fetch whose every call ends within `timeoutMs`, with a GitHubTimeoutError when it does not. `base` is
 * looked up at each call (nock and tests replace the global fetch after this module loads).
 */
export function fetchWithTimeout(base: Fetch | undefined, timeoutMs: number): Fetch {
  return async (input, init = {}) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = init.method ?? "GET";
    const controller = new AbortController();
    const reason = new GitHubTimeoutError(method, url.replace(/\?.*$/, ""), timeoutMs);
    const timer = setTimeout(() => controller.abort(reason), timeoutMs);
    timer.unref?.();
    const signal = init.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    try {
      const response = await (base ?? globalThis.fetch)(input, { ...init, signal });
      if (!response.body || !BUFFERED.test(response.headers.get("content-type") ?? "")) return response;
      const body = await response.arrayBuffer();
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (error) {
      throw controller.signal.aborted ? reason : error;
    } finally {
      clearTimeout(timer);
    }
  };
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

/** Exposes the lane's pacing on each instance (`octokit.writePacing`), for src/github/writeLane.ts. */
function writePacingPlugin(_octokit: unknown, options: Record<string, any>): { writePacing: WritePacing } {
  return { writePacing: { ...DEFAULT_WRITE_PACING, ...(options.writePacing ?? {}) } };
}

export function threadbotOctokit(options: ThreadbotOctokitOptions = {}): typeof ProbotOctokit {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const writePacing: Partial<WritePacing> = {
    ...(options.throttle === false ? { spacingMs: 0, perMinute: Infinity, perHour: Infinity } : {}),
    ...options.pacing,
  };
  return (ProbotOctokit.plugin(writePacingPlugin) as typeof ProbotOctokit).defaults((given: Record<string, any>) => {
    const instance = authOnSameHost(given);
    return {
      ...instance,
      writePacing,
      request: { ...instance.request, fetch: fetchWithTimeout(instance.request?.fetch, timeoutMs) },
      throttle: { ...instance.throttle, enabled: false },
    };
  }) as typeof ProbotOctokit;
}

export const ThreadbotOctokit: typeof ProbotOctokit = threadbotOctokit();
