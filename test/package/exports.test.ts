// `threadbot/core` is a public entry point: the package's exports map must resolve to the built core,
// and the core must not pull in network or Probot modules, directly or through the modules it imports.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as core from "../../src/core/index.js";
import { importsOf, sourceFiles } from "../helpers/importGraph.js";

/**
 * Packages the core may load at runtime: parsing, validation and data structures, no I/O. Probot, Octokit,
 * the Anthropic SDK, Redis and node's network modules are not here (their types may be imported).
 */
const PURE_PACKAGES = [
  /^unified$/,
  /^remark-(parse|gfm)$/,
  /^mdast-util-[a-z-]+$/,
  /^micromark(-[a-z-]+)?$/,
  /^unist-util-[a-z-]+$/,
  /^yaml$/,
  /^zod$/,
  /^re2js$/,
  /^picomatch$/,
  /^lru-cache$/,
];

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

  it("reaches, from its entry point, no module outside src/core", () => {
    const reached = new Set<string>();
    const pending = ["core/index.ts"];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (reached.has(file)) continue;
      reached.add(file);
      for (const edge of importsOf(file)) if (edge.target) pending.push(edge.target);
    }
    expect([...reached].filter((file) => !file.startsWith("core/"))).toEqual([]);
    // The walk did follow relative imports: the entry point alone imports no package.
    expect(reached.size).toBeGreaterThan(20);
  });

  it("imports, at runtime, only pure packages (types from anywhere are fine)", () => {
    const offending: string[] = [];
    for (const file of sourceFiles().filter((f) => f.startsWith("core/"))) {
      for (const edge of importsOf(file)) {
        if (edge.target) {
          if (!edge.target.startsWith("core/")) offending.push(`${file} → src/${edge.target}`);
        } else if (!edge.typeOnly && !PURE_PACKAGES.some((allowed) => allowed.test(edge.specifier))) offending.push(`${file} → ${edge.specifier}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
