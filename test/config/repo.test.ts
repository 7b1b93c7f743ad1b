// `.github/claude.yml`: every kind of bad value is named in a warning and falls back to its default;
// the rest of the file still counts. Loading: missing file = defaults, read failures = defaults + warning.
import { describe, expect, it, vi } from "vitest";
import type { ProbotOctokit } from "probot";
import { readSettings } from "../../src/config/env.js";
import { defaultRepoConfig, loadRepoConfig, mergeConfigs, triggerPhraseWarning, validateRepoConfig } from "../../src/config/repo.js";

const settings = readSettings({ CLAUDE_MODEL: "claude-sonnet-4-6", CLAUDE_MAX_OUTPUT_TOKENS: "4096", CLAUDE_INPUT_TOKEN_BUDGET: "100000" });

describe("validateRepoConfig", () => {
  it("takes defaults from the operator's settings", () => {
    const { config, warnings } = validateRepoConfig({}, settings);
    expect(warnings).toEqual([]);
    expect(config).toEqual(defaultRepoConfig(settings));
    expect(config).toMatchObject({
      trigger: null,
      models: { default: "claude-sonnet-4-6", allowed: ["claude-sonnet-4-6"] },
      max_output_tokens: 4096,
      access: { allow: "write", bots: [], notice: true, bot_answers_in_a_row: 3 },
      history: { input_token_budget: 100_000, keep_recent_turns: 4 },
      cache_ttl: "5m",
      budget: {},
      progress: { mode: "edit", interval_seconds: 3 },
    });
  });

  it("reads a full, valid file", () => {
    const { config, warnings } = validateRepoConfig(
      {
        trigger: "@claude",
        models: { default: "claude-haiku-4-5", allowed: ["claude-opus-4-6"] },
        max_output_tokens: 2000,
        instructions: "Answer in French.",
        access: { allow: "everyone", bots: ["renovate"], notice: false, bot_answers_in_a_row: 5 },
        history: { input_token_budget: 50_000, keep_recent_turns: 6 },
        pull_requests: { diff_budget_chars: 10_000 },
        cache_ttl: "1h",
        budget: { daily_tokens: 1_000_000, daily_usd: 5 },
        progress: { mode: "final", interval_seconds: 5 },
      },
      settings,
    );
    expect(warnings).toEqual([]);
    expect(config.models).toEqual({ default: "claude-haiku-4-5", allowed: ["claude-haiku-4-5", "claude-opus-4-6"] });
    expect(config).toMatchObject({ max_output_tokens: 2000, instructions: "Answer in French.", cache_ttl: "1h", budget: { daily_tokens: 1_000_000, daily_usd: 5 } });
    expect(config.access).toEqual({ allow: "everyone", bots: ["renovate"], notice: false, bot_answers_in_a_row: 5 });
    expect(config.progress).toEqual({ mode: "final", interval_seconds: 5 });
  });

  it.each([
    [{ models: { allowed: "claude-opus-4-6" } }, "`models.allowed` must be a list of model ids"],
    [{ models: { allowed: ["claude-opus-4-6", 7] } }, "`models.allowed` must be a list of model ids"],
    [{ models: { default: "not a model!" } }, "`models.default` must be a model id"],
    [{ models: "claude-opus-4-6" }, "`models` must be a mapping"],
    [{ max_output_tokens: 0 }, "`max_output_tokens` must be a whole number from 1 to 128000"],
    [{ max_output_tokens: "lots" }, "`max_output_tokens` must be a whole number from 1 to 128000"],
    [{ max_output_tokens: 1.5 }, "`max_output_tokens` must be a whole number"],
    [{ instructions: ["a", "b"] }, "`instructions` must be text"],
    [{ access: { allow: "admins" } }, '`access.allow` must be "write", "triage" or "everyone"'],
    [{ access: { bots: "renovate" } }, "`access.bots` must be a list of bot logins"],
    [{ access: { notice: "yes" } }, "`access.notice` must be true or false"],
    [{ access: { bot_answers_in_a_row: 0 } }, "`access.bot_answers_in_a_row` must be a whole number from 1 to 100"],
    [{ history: { input_token_budget: 10 } }, "`history.input_token_budget` must be a whole number from 2000 to 1000000"],
    [{ history: { keep_recent_turns: 0 } }, "`history.keep_recent_turns` must be a whole number from 1 to 100"],
    [{ pull_requests: { diff_budget_chars: -1 } }, "`pull_requests.diff_budget_chars` must be a whole number"],
    [{ cache_ttl: "10m" }, '`cache_ttl` must be "5m" or "1h"'],
    [{ budget: { daily_usd: -3 } }, "`budget.daily_usd` must be a positive number of US dollars"],
    [{ budget: { daily_tokens: "many" } }, "`budget.daily_tokens` must be a whole number"],
    [{ progress: { mode: "stream" } }, '`progress.mode` must be "edit" or "final"'],
    [{ progress: { interval_seconds: 0.2 } }, "`progress.interval_seconds` must be a number of seconds from 1 to 60"],
    [{ trigger: 5 }, "`trigger` must be the mention that calls the bot"],
    [{ modles: { default: "x" } }, "`modles` is not a known setting (a typo?); ignored."],
    [{ access: { allow: "write", admins: true } }, "`access.admins` is not a known setting"],
  ])("names the key and the problem: %j", (file, message) => {
    const { config, warnings } = validateRepoConfig(file, settings);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("`.github/claude.yml`");
    expect(warnings[0]).toContain(message);
    // The bad key falls back to its default.
    const defaults = defaultRepoConfig(settings);
    expect(config.cache_ttl).toBe(defaults.cache_ttl);
    expect(config.max_output_tokens).toBe(defaults.max_output_tokens);
  });

  it("keeps the valid keys of a file with a bad one", () => {
    const { config, warnings } = validateRepoConfig({ instructions: "Be brief.", models: { allowed: 3 }, cache_ttl: "1h", access: { allow: "everyone", notice: "no" } }, settings);
    expect(warnings).toHaveLength(2);
    expect(config.instructions).toBe("Be brief.");
    expect(config.cache_ttl).toBe("1h");
    expect(config.access).toEqual({ allow: "everyone", bots: [], notice: true, bot_answers_in_a_row: 3 });
    expect(config.models.allowed).toEqual(["claude-sonnet-4-6"]);
  });

  it("uses defaults for a file that is not a mapping", () => {
    const { config, warnings } = validateRepoConfig(["a", "b"], settings);
    expect(warnings).toEqual(["`.github/claude.yml` must be a YAML mapping of settings (key: value lines); using defaults for this answer."]);
    expect(config).toEqual(defaultRepoConfig(settings));
  });

  it("never echoes markup from a key name into a comment", () => {
    const { warnings } = validateRepoConfig({ "<!-- threadbot:context -->`x": 1 }, settings);
    expect(warnings[0]).not.toMatch(/<|>|`x/);
  });
});

describe("mergeConfigs (org fallback and _extends)", () => {
  it("merges mappings deeply and replaces lists and values; the nearest file wins", () => {
    const merged = mergeConfigs([
      { models: { default: "claude-haiku-4-5", allowed: ["a", "b"] }, access: { allow: "everyone" }, cache_ttl: "1h" },
      { models: { allowed: ["c"] }, access: { notice: false } },
    ]);
    expect(merged).toEqual({ models: { default: "claude-haiku-4-5", allowed: ["c"] }, access: { allow: "everyone", notice: false }, cache_ttl: "1h" });
  });
});

/** An Octokit whose contents reads answer from `files` (path "owner/repo/path" → YAML, or an error to throw). */
function fakeOctokit(files: Record<string, string | Error>): ProbotOctokit & { reads: string[] } {
  const reads: string[] = [];
  const endpoint = (o: Record<string, string>) => ({ url: `${o.owner}/${o.repo}/${o.path}` });
  const request = async (o: Record<string, string>) => {
    const { url } = endpoint(o);
    reads.push(url);
    // Both first reads must be under way before either answers (the fallback costs no round trip).
    await new Promise((resolve) => setImmediate(resolve));
    if (o.repo !== ".github" && o.owner === "acme" && reads.length === 1 && files["acme/.github/.github/claude.yml"] !== undefined) throw new Error("the fallback read did not start beside the first");
    const file = files[url];
    if (file === undefined) throw Object.assign(new Error("Not Found"), { status: 404 });
    if (file instanceof Error) throw file;
    return { data: file, headers: { "content-type": "application/vnd.github.raw" } };
  };
  return Object.assign({ request: Object.assign(request, { endpoint }) } as unknown as ProbotOctokit, { reads });
}

describe("loadRepoConfig", () => {
  it("falls back to the owner's .github repository, reading both at once", async () => {
    const octokit = fakeOctokit({ "acme/.github/.github/claude.yml": "cache_ttl: 1h\n" });
    const loaded = await loadRepoConfig(octokit, { owner: "acme", repo: "app" }, settings);
    expect(loaded).toMatchObject({ warnings: [], readError: null, sources: ["acme/.github:.github/claude.yml"] });
    expect(loaded.config.cache_ttl).toBe("1h");
    expect(octokit.reads).toEqual(["acme/app/.github/claude.yml", "acme/.github/.github/claude.yml"]);
  });

  it("prefers the repository's own file, and a failed fallback read does not matter then", async () => {
    const octokit = fakeOctokit({
      "acme/app/.github/claude.yml": "cache_ttl: 1h\n",
      "acme/.github/.github/claude.yml": Object.assign(new Error("Server Error"), { status: 502 }),
    });
    const loaded = await loadRepoConfig(octokit, { owner: "acme", repo: "app" }, settings);
    expect(loaded).toMatchObject({ readError: null, sources: ["acme/app:.github/claude.yml"] });
  });

  it("follows _extends; nearer files win key by key", async () => {
    const octokit = fakeOctokit({
      "acme/app/.github/claude.yml": "_extends: shared:configs/claude.yml\ncache_ttl: 1h\n",
      "acme/shared/configs/claude.yml": "cache_ttl: 5m\ninstructions: Be brief.\n",
    });
    const loaded = await loadRepoConfig(octokit, { owner: "acme", repo: "app" }, settings);
    expect(loaded.sources).toEqual(["acme/app:.github/claude.yml", "acme/shared:configs/claude.yml"]);
    expect(loaded.config).toMatchObject({ cache_ttl: "1h", instructions: "Be brief." });
    expect(loaded.warnings).toEqual([]);
  });

  it("stops an _extends loop with a warning", async () => {
    const octokit = fakeOctokit({ "acme/app/.github/claude.yml": "_extends: other\n", "acme/other/.github/claude.yml": "_extends: app\n" });
    const loaded = await loadRepoConfig(octokit, { owner: "acme", repo: "app" }, settings);
    expect(loaded.readError).toMatch(/Recursion detected/);
  });

  it("turns invalid YAML into defaults and a warning", async () => {
    const octokit = fakeOctokit({ "acme/app/.github/claude.yml": "a: b: c\n" });
    const loaded = await loadRepoConfig(octokit, { owner: "acme", repo: "app" }, settings);
    expect(loaded.config).toEqual(defaultRepoConfig(settings));
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toMatch(/^`\.github\/claude\.yml` could not be read \(Configuration could not be parsed .*invalid YAML.*: .+\); using defaults for this answer\.$/);
  });

  it("names GitHub's status when the read fails", async () => {
    const octokit = fakeOctokit({ "acme/app/.github/claude.yml": Object.assign(new Error("Server Error"), { status: 502 }) });
    const loaded = await loadRepoConfig(octokit, { owner: "acme", repo: "app" }, settings);
    expect(loaded.readError).toBe("GitHub answered 502: Server Error");
  });
});

describe("triggerPhraseWarning", () => {
  it("is silent when the file agrees with TRIGGER_PHRASE (case-insensitively) or says nothing", () => {
    expect(triggerPhraseWarning(validateRepoConfig({ trigger: "@Claude" }, settings).config, "@claude")).toBeNull();
    expect(triggerPhraseWarning(defaultRepoConfig(settings), "@claude")).toBeNull();
  });
  it("explains that a different phrase is ignored", () => {
    const warning = triggerPhraseWarning(validateRepoConfig({ trigger: "@helper" }, settings).config, "@claude");
    expect(warning).toContain('`trigger` is "@helper", but this app answers "@claude"');
  });
});

describe("examples/claude.yml", () => {
  it("is a valid file that sets every key", async () => {
    const { readFile } = await import("node:fs/promises");
    const { parse } = await import("yaml");
    const raw = parse(await readFile("examples/claude.yml", "utf8")) as Record<string, unknown>;
    const { config, warnings } = validateRepoConfig(raw, settings);
    expect(warnings).toEqual([]);
    expect(Object.keys(raw).sort()).toEqual(Object.keys(config).sort());
  });
});
