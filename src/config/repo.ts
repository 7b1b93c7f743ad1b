// Repository-level settings: `.github/claude.yml`, read as Probot's `context.config()` reads it (the
// repository's file, else the owner's `.github` repository's, and `_extends` chains), validated with zod.
// A bad value never stops an answer: that key falls back to its default for this answer, and the reply
// footer names the key and the problem. Defaults come from the operator's environment (src/config/env.ts).
import type { ProbotOctokit } from "probot";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { AccessPolicy } from "../core/decision/access.js";
import { DEFAULT_DIFF_BUDGET_CHARS } from "../core/pullRequest/diffBudget.js";
import type { Settings } from "./env.js";

export const REPO_CONFIG_PATH = ".github/claude.yml";

/** Answers to allowed bots in a row before the bot waits for a person (two bots must not talk forever). */
export const DEFAULT_BOT_ANSWERS_IN_A_ROW = 3;

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;

function int(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}
function modelId(error: string) {
  return z.string({ error }).trim().regex(MODEL_ID, { error });
}
function mapping<T extends z.core.$ZodLooseShape>(shape: T, what: string) {
  return z.strictObject(shape, { error: `must be a mapping (${what})` }).partial();
}

/** The file as written: every key optional. */
export const RepoConfigFileSchema = z.strictObject(
  {
    trigger: z.string({ error: 'must be the mention that calls the bot, like "@claude"' }).trim().min(2, {
      error: 'must be the mention that calls the bot, like "@claude"',
    }),
    models: mapping(
      {
        default: modelId("must be a model id, like claude-sonnet-4-6"),
        allowed: z.array(modelId("must be a list of model ids"), { error: "must be a list of model ids" }),
      },
      "`default` and `allowed`",
    ),
    max_output_tokens: int(1, 128_000),
    instructions: z.string({ error: "must be text (use a | block for several lines)" }).max(20_000, {
      error: "must be at most 20000 characters",
    }),
    access: mapping(
      {
        allow: z.enum(["write", "triage", "everyone"], { error: 'must be "write", "triage" or "everyone"' }),
        bots: z.array(z.string({ error: "must be a list of bot logins" }).trim().min(1), { error: "must be a list of bot logins" }),
        notice: z.boolean({ error: "must be true or false" }),
        bot_answers_in_a_row: int(1, 100),
      },
      "`allow`, `bots`, `notice`, `bot_answers_in_a_row`",
    ),
    history: mapping({ input_token_budget: int(2_000, 1_000_000), keep_recent_turns: int(1, 100) }, "`input_token_budget`, `keep_recent_turns`"),
    pull_requests: mapping({ diff_budget_chars: int(0, 1_000_000) }, "`diff_budget_chars`"),
    cache_ttl: z.enum(["5m", "1h"], { error: 'must be "5m" or "1h"' }),
    budget: mapping(
      {
        daily_tokens: int(1, 1_000_000_000_000),
        daily_usd: z.number({ error: "must be a positive number of US dollars" }).positive({ error: "must be a positive number of US dollars" }),
      },
      "`daily_tokens`, `daily_usd`",
    ),
    progress: mapping(
      {
        mode: z.enum(["edit", "final"], { error: 'must be "edit" or "final"' }),
        interval_seconds: z.number({ error: "must be a number of seconds from 1 to 60" }).min(1, {
          error: "must be a number of seconds from 1 to 60",
        }).max(60, { error: "must be a number of seconds from 1 to 60" }),
      },
      "`mode`, `interval_seconds`",
    ),
    code: mapping(
      {
        enabled: z.boolean({ error: "must be true or false" }),
        max_rounds: int(1, 20),
        exclude: z.array(z.string({ error: "must be a list of path globs" }).trim().min(1).max(200), { error: "must be a list of path globs" }).max(200, {
          error: "must be a list of at most 200 path globs",
        }),
      },
      "`enabled`, `max_rounds`, `exclude`",
    ),
  },
  { error: "must be a YAML mapping of settings (key: value lines)" },
).partial();

export type RepoConfigFile = z.infer<typeof RepoConfigFileSchema>;

/** Effective settings for one answer: the file's values over the operator's defaults. */
export interface RepoConfig {
  /** The `trigger` the file sets, or null. Intake listens for the operator's TRIGGER_PHRASE only. */
  trigger: string | null;
  models: { default: string; allowed: string[] };
  max_output_tokens: number;
  instructions: string;
  /** Who may call the bot (src/core/decision/access.ts). */
  access: AccessPolicy;
  history: { input_token_budget: number; keep_recent_turns: number };
  pull_requests: { diff_budget_chars: number };
  cache_ttl: "5m" | "1h";
  budget: { daily_tokens?: number; daily_usd?: number };
  progress: { mode: "edit" | "final"; interval_seconds: number };
  /** Code tools over a snapshot of the repository (src/worker/codeAnswer.ts). */
  code: { enabled: boolean; max_rounds: number; exclude: string[] };
}

export interface LoadedRepoConfig {
  config: RepoConfig;
  /** For the reply footer: each names the file, the key and the problem. */
  warnings: string[];
  /** Where the settings came from: "defaults", or the files read (owner/repo:path), nearest first. */
  sources: string[];
  /** Set when the file could not be read at all (not for a missing file). */
  readError: string | null;
}

// The diff budget is the core's (it applies it); the file's key only overrides it.
export { DEFAULT_DIFF_BUDGET_CHARS };
export const DEFAULT_KEEP_RECENT_TURNS = 4;
export const DEFAULT_PROGRESS_INTERVAL_SECONDS = 3;
export const DEFAULT_CODE_MAX_ROUNDS = 8;

export function defaultRepoConfig(settings: Settings): RepoConfig {
  return resolve({}, settings);
}

function resolve(file: RepoConfigFile, settings: Settings): RepoConfig {
  const model = file.models?.default ?? settings.model;
  const allowed = file.models?.allowed ?? [];
  return {
    trigger: file.trigger ?? null,
    // The default model is always allowed.
    models: { default: model, allowed: allowed.includes(model) ? allowed : [model, ...allowed] },
    max_output_tokens: file.max_output_tokens ?? settings.maxOutputTokens,
    instructions: file.instructions ?? "",
    access: {
      allow: file.access?.allow ?? "write",
      bots: file.access?.bots ?? [],
      notice: file.access?.notice ?? true,
      bot_answers_in_a_row: file.access?.bot_answers_in_a_row ?? DEFAULT_BOT_ANSWERS_IN_A_ROW,
    },
    history: {
      input_token_budget: file.history?.input_token_budget ?? settings.inputTokenBudget,
      keep_recent_turns: file.history?.keep_recent_turns ?? DEFAULT_KEEP_RECENT_TURNS,
    },
    pull_requests: { diff_budget_chars: file.pull_requests?.diff_budget_chars ?? DEFAULT_DIFF_BUDGET_CHARS },
    cache_ttl: file.cache_ttl ?? "5m",
    budget: {
      ...(file.budget?.daily_tokens !== undefined ? { daily_tokens: file.budget.daily_tokens } : {}),
      ...(file.budget?.daily_usd !== undefined ? { daily_usd: file.budget.daily_usd } : {}),
    },
    progress: {
      mode: file.progress?.mode ?? "edit",
      interval_seconds: file.progress?.interval_seconds ?? DEFAULT_PROGRESS_INTERVAL_SECONDS,
    },
    code: {
      enabled: file.code?.enabled ?? true,
      max_rounds: file.code?.max_rounds ?? DEFAULT_CODE_MAX_ROUNDS,
      exclude: file.code?.exclude ?? [],
    },
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates a parsed file. Each bad key is dropped (its default applies) and reported; the rest of the
 * file still counts. Pure: used by the worker and by the inspect CLI's `--config`.
 */
export function validateRepoConfig(raw: unknown, settings: Settings): { config: RepoConfig; warnings: string[] } {
  const warnings: string[] = [];
  const dropped = new Set<string>();
  let data: unknown = raw === null || raw === undefined ? {} : structuredClone(raw);
  for (let attempt = 0; attempt < 50; attempt++) {
    const parsed = RepoConfigFileSchema.safeParse(data);
    if (parsed.success) return { config: resolve(parsed.data, settings), warnings };
    for (const issue of parsed.error.issues) {
      // A bad list element drops the whole list: a half list is rarely what was meant.
      const at = issue.path.findIndex((p) => typeof p !== "string");
      const path = (at < 0 ? issue.path : issue.path.slice(0, at)).map(String);
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          warnings.push(`\`${REPO_CONFIG_PATH}\`: \`${safeKey([...path, key])}\` is not a known setting (a typo?); ignored.`);
          removeAt(data, [...path, key]);
        }
        continue;
      }
      const key = JSON.stringify(path);
      if (dropped.has(key)) continue;
      dropped.add(key);
      if (path.length === 0) {
        warnings.push(`\`${REPO_CONFIG_PATH}\` ${issue.message}; using defaults for this answer.`);
        data = {};
        break;
      }
      warnings.push(`\`${REPO_CONFIG_PATH}\`: \`${safeKey(path)}\` ${issue.message}; using the default for this answer.`);
      removeAt(data, path);
    }
  }
  // Not expected: every round removes at least one offending key.
  return { config: resolve({}, settings), warnings: [...warnings, `\`${REPO_CONFIG_PATH}\` could not be validated; using defaults for this answer.`] };
}

/** A key path as it may appear in a comment: the file's author chose the key names. */
function safeKey(path: string[]): string {
  const text = path.join(".").replace(/[^\w.\- ]/g, "?");
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function removeAt(data: unknown, path: string[]): void {
  let node = data;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node)) return;
    node = node[key];
  }
  if (isPlainObject(node)) delete node[path[path.length - 1]!];
}

/** Deep merge for `_extends` and the org fallback: mappings merge, lists and values are replaced. */
export function mergeConfigs(configs: unknown[]): unknown {
  let out: unknown = {};
  for (const config of configs) out = mergeTwo(out, config);
  return out;
}
function mergeTwo(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeTwo(base[k], v);
  return out;
}

/**
 * Reads and validates the config. A missing file means defaults; any other failure (GitHub error,
 * invalid YAML, a directory in its place) means defaults and a warning. Never throws.
 */
export async function loadRepoConfig(octokit: ProbotOctokit, repo: { owner: string; repo: string }, settings: Settings): Promise<LoadedRepoConfig> {
  try {
    const files = await readConfigFiles(octokit, repo);
    const found = files.filter((f) => f.config !== null);
    const config = mergeConfigs(found.map((f) => f.config).reverse());
    const validated = validateRepoConfig(config, settings);
    return {
      ...validated,
      sources: found.length === 0 ? ["defaults"] : found.map((f) => `${f.owner}/${f.repo}:${f.path}`),
      readError: null,
    };
  } catch (error) {
    const reason = describeReadError(error);
    return {
      config: defaultRepoConfig(settings),
      warnings: [`\`${REPO_CONFIG_PATH}\` could not be read (${reason}); using defaults for this answer.`],
      sources: ["defaults"],
      readError: reason,
    };
  }
}

function describeReadError(error: unknown): string {
  const e = error as { status?: number; message?: string; cause?: { message?: string } };
  const message = String(e?.message ?? error);
  const cause = e?.cause?.message ? `: ${String(e.cause.message).split("\n")[0]}` : "";
  const status = typeof e?.status === "number" ? `GitHub answered ${e.status}: ` : "";
  return `${status}${message}${cause}`.replace(/\s+/g, " ").replace(/[<>`]/g, "?").slice(0, 300);
}

interface ConfigFile {
  owner: string;
  repo: string;
  path: string;
  url: string;
  /** null: no such file. */
  config: Record<string, unknown> | null;
}

/**
 * The files that make the config, nearest first, the way Probot's `context.config()` finds them: the
 * repository's own file, else the owner's `.github` repository's; then the `_extends` chain of the last
 * one. The two first reads start together (the fallback costs no extra round trip when it is needed,
 * and is dropped when the repository has its own file), beside the thread read.
 */
async function readConfigFiles(octokit: ProbotOctokit, repo: { owner: string; repo: string }): Promise<ConfigFile[]> {
  const own = readConfigFile(octokit, { owner: repo.owner, repo: repo.repo, path: REPO_CONFIG_PATH });
  const org = repo.repo === ".github" ? null : readConfigFile(octokit, { owner: repo.owner, repo: ".github", path: REPO_CONFIG_PATH });
  org?.catch(() => undefined); // not awaited when the repository has its own file
  const files = [await own];
  if (files[0]!.config === null && org !== null) files.push(await org);
  for (let last = files.at(-1)!; last.config !== null && last.config._extends !== undefined; last = files.at(-1)!) {
    const next = extendsTarget(last, last.config._extends);
    delete last.config._extends;
    const loaded = files.find((f) => f.owner === next.owner && f.repo === next.repo && f.path === next.path);
    if (loaded) throw new Error(`Recursion detected: "_extends" in ${last.url} names ${loaded.url}, already read`);
    files.push(await readConfigFile(octokit, next));
  }
  return files;
}

/** `_extends: repo`, `owner/repo` or `owner/repo:path/file.yml`, as Probot's config plugin reads it. */
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;

function extendsTarget(from: ConfigFile, value: unknown): { owner: string; repo: string; path: string } {
  const match = typeof value === "string" ? EXTENDS.exec(value) : null;
  if (match === null) throw new Error(`Invalid value ${JSON.stringify(value)} for _extends in ${from.url}`);
  return { owner: match[1] || from.owner, repo: match[2]!, path: match[3] || REPO_CONFIG_PATH };
}

async function readConfigFile(octokit: ProbotOctokit, where: { owner: string; repo: string; path: string }): Promise<ConfigFile> {
  const endpoint = { method: "GET", url: "/repos/{owner}/{repo}/contents/{path}", ...where, mediaType: { format: "raw" } } as const;
  const { url } = octokit.request.endpoint(endpoint);
  let response: { data: unknown; headers: Record<string, unknown> };
  try {
    response = await octokit.request(endpoint);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return { ...where, url, config: null };
    throw error;
  }
  // The raw media type answers a file's bytes; a directory or a submodule comes back as JSON.
  if (typeof response.data !== "string" || String(response.headers["content-type"] ?? "").startsWith("application/json")) {
    throw new Error(`${url} exists, but is either a directory or a submodule. Ignoring.`);
  }
  let config: unknown;
  try {
    config = parseYaml(response.data, { logLevel: "error" }) ?? {};
  } catch (error) {
    throw new Error(`Configuration could not be parsed from ${url} (invalid YAML)`, { cause: error });
  }
  if (!isPlainObject(config)) throw new Error(`Configuration could not be parsed from ${url} (YAML is not a mapping)`);
  return { ...where, url, config };
}

/**
 * Intake decides from the webhook alone, before any config is read, so it listens for the operator's
 * TRIGGER_PHRASE. A different `trigger` in the file cannot take effect: say so in the footer.
 */
export function triggerPhraseWarning(config: RepoConfig, phrase: string): string | null {
  if (config.trigger === null || config.trigger.toLowerCase() === phrase.toLowerCase()) return null;
  const wanted = config.trigger.replace(/[^\w@.\- ]/g, "?").slice(0, 40);
  return `\`${REPO_CONFIG_PATH}\`: \`trigger\` is "${wanted}", but this app answers "${phrase}" (its TRIGGER_PHRASE, which the operator sets); \`trigger\` is ignored.`;
}
