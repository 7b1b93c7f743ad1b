// The search prefilter (src/core/code/requiredLiterals.ts) may only skip files that cannot match: whatever
// the pattern, every text RE2 finds a match in contains every literal it names.
import fc from "fast-check";
import { RE2JS } from "re2js";
import { describe, expect, it } from "vitest";
import { requiredLiterals } from "../../src/core/code/requiredLiterals.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);
const piece = fc.oneof(
  fc.constantFrom("a", "b", "c", "ab", "abc", "foo", "bar", "x", " ", "_", "-", "/", ".", "\\.", "\\w", "\\d", "\\s", "\\b", "\\(", "\\Q", "\\E", "\\x41"),
  fc.constantFrom("?", "*", "+", "{2}", "{0,3}", "(", ")", "(?:", "[ab]", "[^a]", "[]a]", "^", "$", "|", "(?i)"),
);

describe("requiredLiterals", () => {
  it("names only substrings that every match contains", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join("")), fc.string({ maxLength: 40, unit: fc.constantFrom("a", "b", "c", "f", "o", "r", "x", "A", " ", "_", "-", "/", ".", "(", "\n") }), (pattern, text) => {
        let compiled: RE2JS;
        try {
          compiled = RE2JS.compile(pattern, RE2JS.MULTILINE);
        } catch {
          return; // an invalid pattern is refused before any search
        }
        if (!compiled.matcher(text).find()) return;
        for (const literal of requiredLiterals(pattern)) expect(text).toContain(literal);
      }),
      { numRuns: RUNS * 10 },
    );
  });

  it("finds the literal parts of the patterns a model writes, and nothing in what it cannot read", () => {
    expect(requiredLiterals("^export function retry\\w*\\(")).toEqual(["export function retry"]);
    expect(requiredLiterals("MAX_RETRIES\\s*=\\s*\\d+")).toEqual(["MAX_RETRIES"]);
    expect(requiredLiterals("colou?r_value")).toEqual(["colo", "r_value"]);
    expect(requiredLiterals("foo|barbaz")).toEqual([]);
    expect(requiredLiterals("(?i)needle")).toEqual([]);
    expect(requiredLiterals("[abc]def(ghi)?jkl")).toEqual(["def", "jkl"]);
    expect(requiredLiterals("\\x41BCD")).toEqual([]);
  });
});
