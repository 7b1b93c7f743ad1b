// Process-wide settings from the environment (see .env.example). Repository-level settings live in
// `.github/claude.yml` (src/config/repo.ts); these are the operator's.
import { z } from "zod";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retryPolicy.js";

export const DEFAULT_MODEL = "claude-sonnet-4-6";
export const DEFAULT_SUMMARY_MODEL = "claude-haiku-4-5";

const EnvSchema = z.object({
  ANTHROPIC_API_KEY: z.string().trim().min(1).optional(),
  /** Points the Anthropic SDK elsewhere (a proxy, or a local mock in tests). */
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  CLAUDE_MODEL: z.string().trim().min(1).default(DEFAULT_MODEL),
  CLAUDE_SUMMARY_MODEL: z.string().trim().min(1).default(DEFAULT_SUMMARY_MODEL),
  CLAUDE_MAX_OUTPUT_TOKENS: z.coerce.number().int().min(1).max(128_000).default(4096),
  /** Estimated input tokens a request may use before older turns are folded into a summary. */
  CLAUDE_INPUT_TOKEN_BUDGET: z.coerce.number().int().min(2_000).max(1_000_000).default(100_000),
  TRIGGER_PHRASE: z.string().trim().min(2).default("@claude"),
  /** The app's bot login (`<app-slug>[bot]`); read from GitHub at start-up when not set. */
  BOT_LOGIN: z.string().trim().min(1).optional(),
  /** Jobs answered at once across all threads (one thread is always one at a time). */
  QUEUE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** Seconds a shutdown waits for answers in flight. */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(25),
  REDIS_URL: z.string().trim().min(1).optional(),
  NODE_ENV: z.string().optional(),
  /** Claude calls: requests at most per answer, longest single request, total time for all of them. */
  CLAUDE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(DEFAULT_RETRY_POLICY.attempts),
  CLAUDE_ATTEMPT_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(DEFAULT_RETRY_POLICY.attemptTimeoutMs / 1000),
  CLAUDE_DEADLINE_SECONDS: z.coerce.number().min(1).max(7200).default(DEFAULT_RETRY_POLICY.deadlineMs / 1000),
  /** Bot logins (comma-separated, or `*`) whose mentions intake passes on; `access.bots` must list them too. */
  TRIGGER_ALLOWED_BOTS: z.string().default(""),
  /** Memory for repository snapshots kept between answers (MB), shared by every repository. */
  CODE_SNAPSHOT_CACHE_MB: z.coerce.number().int().min(1).max(65_536).default(256),
  /** Largest compressed tarball downloaded (MB); above it the code tools read through the API. */
  CODE_MAX_TARBALL_MB: z.coerce.number().int().min(1).max(4_096).default(64),
  /** Text kept from one snapshot (MB); past it the snapshot is marked incomplete. */
  CODE_MAX_SNAPSHOT_MB: z.coerce.number().int().min(1).max(16_384).default(64),
  /** GitHub Enterprise Server host (as Probot reads it): permalinks in answers point there. */
  GHE_HOST: z.string().trim().min(1).optional(),
});

export interface Settings {
  anthropicApiKey: string | undefined;
  anthropicBaseUrl: string | undefined;
  model: string;
  summaryModel: string;
  maxOutputTokens: number;
  inputTokenBudget: number;
  triggerPhrase: string;
  botLogin: string | undefined;
  queueConcurrency: number;
  shutdownGraceMs: number;
  redisUrl: string | undefined;
  production: boolean;
  /** Retries of Claude calls (src/claude/retry.ts). */
  claudeRetry: RetryPolicy;
  /** Lower-case bot logins without `[bot]`, or ["*"]: bots whose mentions intake does not drop. */
  allowedBots: string[];
  /** Repository snapshots for the code tools: cache size and download caps, in bytes. */
  code: { cacheBytes: number; maxCompressedBytes: number; maxTotalBytes: number };
  /** The web host of permalinks (`github.com`, or GHE_HOST). */
  webHost: string;
}

export class SettingsError extends Error {
  override name = "SettingsError";
}

/** Reads and validates settings; a bad value is a clear start-up error naming the variable. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  // An empty variable (as `.env.example` leaves them) means "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new SettingsError(`Invalid environment settings: ${problems}`);
  }
  const e = parsed.data;
  return {
    anthropicApiKey: e.ANTHROPIC_API_KEY,
    anthropicBaseUrl: e.ANTHROPIC_BASE_URL,
    model: e.CLAUDE_MODEL,
    summaryModel: e.CLAUDE_SUMMARY_MODEL,
    maxOutputTokens: e.CLAUDE_MAX_OUTPUT_TOKENS,
    inputTokenBudget: e.CLAUDE_INPUT_TOKEN_BUDGET,
    triggerPhrase: e.TRIGGER_PHRASE,
    botLogin: e.BOT_LOGIN,
    queueConcurrency: e.QUEUE_CONCURRENCY,
    shutdownGraceMs: Math.round(e.SHUTDOWN_GRACE_SECONDS * 1000),
    redisUrl: e.REDIS_URL,
    production: e.NODE_ENV === "production",
    claudeRetry: {
      ...DEFAULT_RETRY_POLICY,
      attempts: e.CLAUDE_MAX_ATTEMPTS,
      attemptTimeoutMs: Math.round(e.CLAUDE_ATTEMPT_TIMEOUT_SECONDS * 1000),
      deadlineMs: Math.round(e.CLAUDE_DEADLINE_SECONDS * 1000),
    },
    allowedBots: e.TRIGGER_ALLOWED_BOTS.split(",")
      .map((b) => b.trim().toLowerCase().replace(/\[bot\]$/, ""))
      .filter((b) => b !== ""),
    code: {
      cacheBytes: e.CODE_SNAPSHOT_CACHE_MB * 1024 * 1024,
      maxCompressedBytes: e.CODE_MAX_TARBALL_MB * 1024 * 1024,
      maxTotalBytes: e.CODE_MAX_SNAPSHOT_MB * 1024 * 1024,
    },
    webHost: webHostOf(e.GHE_HOST),
  };
}

/** `GHE_HOST` may be written with a scheme or a path (`https://ghe.example.com/`): the bare host is kept. */
export function webHostOf(gheHost: string | undefined): string {
  if (!gheHost) return "github.com";
  const bare = gheHost.replace(/^[a-z]+:\/\//i, "").split("/")[0]!.trim();
  return bare === "" ? "github.com" : bare.toLowerCase();
}

/** The secret values of the process, for redaction from logs, comments and prompts. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.ANTHROPIC_API_KEY, env.WEBHOOK_SECRET, env.PRIVATE_KEY, env.GITHUB_CLIENT_SECRET, env.GITHUB_TOKEN].filter(
    (v): v is string => typeof v === "string" && v.length >= 8,
  );
}

/**
 * Every variable the app (or Probot under it) reads from `.env`: a value that contains one of these
 * names followed by `=` is two lines glued together (see `repairGluedEnv`).
 */
export const KNOWN_VARIABLES = [
  ...Object.keys(EnvSchema.shape),
  "APP_ID",
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "WEBHOOK_PATH",
  "WEBHOOK_PROXY_URL",
  "GITHUB_CLIENT_ID",
  "GITHUB_CLIENT_SECRET",
  "GHE_PROTOCOL",
  "GH_ORG",
  "HOST",
  "PORT",
  "LOG_LEVEL",
  "LOG_FORMAT",
  "LOG_LEVEL_IN_STRING",
  "LOG_MESSAGE_KEY",
  "SENTRY_DSN",
].filter((name) => name !== "NODE_ENV");

export interface GluedRepair {
  /** The variables to set: the glued-on ones, and the ones they were glued onto, cut short. */
  env: Record<string, string>;
  /** One line per repair, naming the fix. */
  warnings: string[];
}

/**
 * Finds `KEY=` lines appended to a file that did not end with a newline: Probot writes `.env` without a
 * final newline, so `echo ANTHROPIC_API_KEY=… >> .env` gives `GITHUB_CLIENT_SECRET=abcANTHROPIC_API_KEY=…`.
 * Such a value is split back in two; a variable that is also set on its own line keeps that value.
 */
export function repairGluedEnv(env: NodeJS.ProcessEnv, names: readonly string[] = KNOWN_VARIABLES): GluedRepair {
  const out: Record<string, string> = {};
  const warnings: string[] = [];
  const pattern = new RegExp(`(${[...names].sort((a, b) => b.length - a.length).join("|")})=`);
  for (const [victim, value] of Object.entries(env)) {
    if (typeof value !== "string" || !names.includes(victim)) continue;
    let rest = value;
    let head: string | undefined;
    const found: [string, string][] = [];
    for (let m = pattern.exec(rest); m; m = pattern.exec(rest)) {
      head ??= rest.slice(0, m.index);
      const after = rest.slice(m.index + m[0].length);
      const next = pattern.exec(after);
      found.push([m[1]!, next ? after.slice(0, next.index) : after]);
      rest = next ? after.slice(next.index) : "";
      if (!next) break;
    }
    if (head === undefined) continue;
    out[victim] = head;
    for (const [name, glued] of found) {
      const own = env[name];
      if (own === undefined || own === "") out[name] = glued;
      warnings.push(
        `.env: ${name}= is glued onto the end of ${victim}'s line (the file did not end with a newline when it was appended); ` +
          `read as two variables for now. Fix the file: put ${name}=… on a line of its own.`,
      );
    }
  }
  return { env: out, warnings };
}
