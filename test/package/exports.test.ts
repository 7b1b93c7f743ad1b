// `threadbot/core` is a public entry point: the package's exports map must resolve to the built core,
// and the core must not pull in network or Probot modules.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as core from "../../src/core/index.js";

describe("threadbot/core", () => {
  it("exports the documented API", () => {
    for (const name of ["detectTrigger", "parseCommand", "parseContextBlock", "renderContextBlock", "findContextBlocks", "buildConversation", "buildClaudeRequest", "sanitizeUntrustedMarkdown", "redactSecrets"]) {
      expect(typeof (core as Record<string, unknown>)[name], name).toBe("function");
    }
  });

  it("is mapped in package.json exports", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(pkg.exports["./core"]).toBe("./dist/core/index.js");
  });

  it("imports nothing that does network or needs Probot", () => {
    const sources = execFileSync("grep", ["-rhoE", "from \"[^\".][^\"]*\"", new URL("../../src/core", import.meta.url).pathname], { encoding: "utf8" });
    const packages = new Set(sources.split("\n").filter(Boolean).map((l) => l.slice(6, -1)));
    for (const forbidden of ["probot", "@octokit/graphql", "@anthropic-ai/sdk", "node:http", "node:https", "ioredis", "bullmq"]) {
      expect(packages.has(forbidden), forbidden).toBe(false);
    }
  });
});
