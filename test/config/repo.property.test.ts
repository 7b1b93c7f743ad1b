// Properties of the repository config parser (validateRepoConfig, src/config/repo.ts) on arbitrary YAML
// values: it never throws, always yields a complete, valid config, keeps every valid key as written, and
// names each key it drops (in words that cannot inject markup into the reply footer).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { readSettings } from "../../src/config/env.js";
import { RepoConfigFileSchema, validateRepoConfig } from "../../src/config/repo.js";

const RUNS = Number(process.env.FC_RUNS ?? 1000);
const TIMEOUT = Math.max(30_000, RUNS * 10);
const settings = readSettings({});

// Values of the shapes a YAML file yields (what Probot's config plugin hands over).
const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, scalar, fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), tie("node"), { maxKeys: 4 })),
})).node;
// Keys the schema knows, with values that are often right and often wrong.
const known = fc.record(
  {
    trigger: fc.oneof(fc.constant("@claude"), value),
    models: fc.oneof(fc.record({ default: fc.constantFrom("claude-sonnet-4-6", "bad id!", 3) as fc.Arbitrary<unknown>, allowed: fc.oneof(fc.constant(["claude-opus-4-6"]), value) }, { requiredKeys: [] }), value),
    max_output_tokens: fc.oneof(fc.integer({ min: -10, max: 200_000 }), value),
    instructions: fc.oneof(fc.string({ maxLength: 50 }), value),
    access: fc.oneof(fc.record({ allow: fc.constantFrom("write", "triage", "everyone", "admins"), bots: fc.oneof(fc.constant(["renovate"]), value), notice: fc.oneof(fc.boolean(), value) }, { requiredKeys: [] }), value),
    history: fc.oneof(fc.record({ input_token_budget: fc.integer({ min: 0, max: 2_000_000 }), keep_recent_turns: fc.integer({ min: 0, max: 200 }) }, { requiredKeys: [] }), value),
    cache_ttl: fc.oneof(fc.constantFrom("5m", "1h", "2h"), value),
    budget: fc.oneof(fc.record({ daily_tokens: fc.integer({ min: -5, max: 10_000_000 }), daily_usd: fc.oneof(fc.double({ min: -1, max: 100, noNaN: true }), value) }, { requiredKeys: [] }), value),
    progress: fc.oneof(fc.record({ mode: fc.constantFrom("edit", "final", "live"), interval_seconds: fc.oneof(fc.integer({ min: 0, max: 100 }), value) }, { requiredKeys: [] }), value),
    "<b>typo</b>": value,
  },
  { requiredKeys: [] },
);

describe("validateRepoConfig properties", () => {
  it("never throws and always yields a complete config whose values the schema accepts", () => {
    fc.assert(
      fc.property(fc.oneof(known, value), (raw) => {
        const { config, warnings } = validateRepoConfig(raw, settings);
        expect(RepoConfigFileSchema.safeParse({
          models: config.models,
          max_output_tokens: config.max_output_tokens,
          instructions: config.instructions,
          access: config.access,
          history: config.history,
          pull_requests: config.pull_requests,
          cache_ttl: config.cache_ttl,
          budget: config.budget,
          progress: config.progress,
        }).success).toBe(true);
        for (const warning of warnings) expect(warning).not.toMatch(/<[a-z/]/i);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("keeps every valid key as written and warns about nothing else", () => {
    fc.assert(
      fc.property(known, (raw) => {
        const parsed = RepoConfigFileSchema.safeParse(raw);
        const { config, warnings } = validateRepoConfig(raw, settings);
        if (parsed.success) {
          expect(warnings).toEqual([]);
          if (parsed.data.max_output_tokens !== undefined) expect(config.max_output_tokens).toBe(parsed.data.max_output_tokens);
          if (parsed.data.access?.allow !== undefined) expect(config.access.allow).toBe(parsed.data.access.allow);
        } else expect(warnings.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("reads what YAML text yields, whatever the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        let raw: unknown;
        try {
          raw = parseYaml(text, { logLevel: "silent" });
        } catch {
          return; // the loader reports unparseable YAML itself
        }
        expect(() => validateRepoConfig(raw, settings)).not.toThrow();
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});
