// Properties of the small parsers and matchers behind the code tools: text/binary detection, exclude
// globs, `.gitattributes` vendored/generated rules, and the line-fragment parser.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRepoAttributes, skipReason } from "../../src/core/code/fileView.js";
import { decodeText } from "../../src/core/code/snapshot.js";
import { parseLineFragment } from "../../src/core/code/citations.js";
import { excludeMatcher } from "../../src/core/code/tools.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);
const segment = fc.stringMatching(/^[a-z0-9_-]{1,6}(\.[a-z]{1,3})?$/);
const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((p) => p.join("/"));

describe("decodeText", () => {
  it("gives back any text without NUL, and refuses NUL or invalid UTF-8", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (s) => {
        const text = s.replace(/\u0000/g, "");
        expect(decodeText(Buffer.from(text, "utf8"))).toBe(text);
        expect(decodeText(Buffer.from(`${text}\u0000`, "utf8"))).toBe(Buffer.byteLength(text) < 8192 ? null : `${text}\u0000`);
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const out = decodeText(bytes);
        if (out !== null) expect(Buffer.from(out, "utf8").equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("excludeMatcher", () => {
  it("a directory glob hides exactly what is under it; no globs hide nothing; ** hides all", () => {
    fc.assert(
      fc.property(segment, path, path, (dir, inside, other) => {
        const hidden = excludeMatcher([`${dir}/`]);
        expect(hidden(`${dir}/${inside}`)).toBe(true);
        if (!other.startsWith(`${dir}/`) && other !== dir) expect(hidden(other)).toBe(false);
        expect(excludeMatcher([])(other)).toBe(false);
        expect(excludeMatcher(["**"])(other)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("parseRepoAttributes", () => {
  it("the last matching linguist-vendored / linguist-generated line wins, as in git", () => {
    const rule = fc.tuple(fc.constantFrom("a/**", "a/b/**", "*.js", "b/*"), fc.constantFrom("linguist-vendored", "-linguist-vendored", "linguist-generated", "linguist-generated=false"));
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 8 }), fc.constantFrom("a/b/c.js", "a/x.ts", "b/y.js", "c/z.py"), (rules, file) => {
        const attrs = parseRepoAttributes(rules.map(([p, a]) => `${p} ${a}`).join("\n"));
        const matches = (p: string) =>
          p === "a/**" ? file.startsWith("a/") : p === "a/b/**" ? file.startsWith("a/b/") : p === "*.js" ? file.endsWith(".js") : file.startsWith("b/") && file.split("/").length === 2;
        const lastOf = (kind: string) => [...rules].reverse().find(([p, a]) => a.includes(kind) && matches(p));
        const vendored = lastOf("vendored");
        expect(attrs.vendored(file)).toBe(vendored === undefined ? null : !vendored[1].startsWith("-"));
        const generated = lastOf("generated");
        expect(attrs.generated.generated(file)).toBe(generated === undefined ? null : !generated[1].endsWith("=false"));
        if (vendored && !vendored[1].startsWith("-")) expect(skipReason(file, null, attrs)).not.toBeNull();
      }),
      { numRuns: RUNS },
    );
  });
});

describe("parseLineFragment", () => {
  it("round-trips every GitHub line fragment and orders the range", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 1, max: 99_999 }), fc.boolean(), (a, b, single) => {
        if (single) expect(parseLineFragment(`L${a}`)).toEqual([a, a]);
        else expect(parseLineFragment(`L${a}-L${b}`)).toEqual([Math.min(a, b), Math.max(a, b)]);
      }),
      { numRuns: RUNS },
    );
  });
});
