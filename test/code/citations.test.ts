// Citations: permalinks to this repository are pointed at the snapshot's commit, invalid ones flagged,
// other repositories and hosts left alone; the parser is linear and exact (properties).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkCitations, citedPaths, CODE_SYSTEM_PROMPT, findPermalinks, parseLineFragment, renderCodeRef, type CodeRef } from "../../src/core/code/citations.js";
import { CODE_TOOLS_JSON } from "../../src/core/code/tools.js";
import { estimateTokens } from "../../src/core/budget/tokens.js";

const RUNS = Number(process.env.FC_RUNS ?? 200);
const SHA = "0123456789abcdef0123456789abcdef01234567";
const OLD = "fedcba9876543210fedcba9876543210fedcba98";
const ref: CodeRef = { host: "github.com", owner: "acme", repo: "demo", sha: SHA };
const files = new Map([
  ["src/retry.ts", 22],
  ["README.md", 3],
  ["docs/a b.md", 5],
]);
const lineCount = (path: string) => files.get(path) ?? null;
const url = (r: string, path: string, frag = "") => `https://github.com/acme/demo/blob/${r}/${path}${frag}`;

describe("checkCitations", () => {
  it("keeps a valid link at the snapshot's commit as it is", () => {
    const text = `See ${url(SHA, "src/retry.ts", "#L7-L18")}.`;
    const out = checkCitations(text, ref, lineCount);
    expect(out.text).toBe(text);
    expect(out.links[0]).toMatchObject({ status: "ok", path: "src/retry.ts", startLine: 7, endLine: 18 });
    expect(out.sources).toEqual(["src/retry.ts"]);
    expect(out.commit).toBe(SHA);
  });

  it("rewrites another commit, a short SHA or a branch (with slashes too) to the snapshot's commit", () => {
    const text = `[retry](${url(OLD, "src/retry.ts", "#L7")}) and ${url("0123456", "README.md")} and ${url("main", "README.md", "#L1-L2")} and ${url("feature/x", "src/retry.ts")}`;
    const out = checkCitations(text, ref, lineCount);
    expect(out.rewritten).toBe(4);
    expect(out.invalid).toBe(0);
    expect(out.text).toBe(
      `[retry](${url(SHA, "src/retry.ts", "#L7")}) and ${url(SHA, "README.md")} and ${url(SHA, "README.md", "#L1-L2")} and ${url(SHA, "src/retry.ts")}`,
    );
  });

  it("flags a missing file or lines past the end, after the markdown link", () => {
    const text = `[x](${url(SHA, "src/nope.ts", "#L1")}) then ${url(OLD, "src/retry.ts", "#L20-L40")}`;
    const out = checkCitations(text, ref, lineCount);
    expect(out.invalid).toBe(2);
    expect(out.text).toBe(`[x](${url(SHA, "src/nope.ts", "#L1")}) (⚠ link not found in 0123456) then ${url(SHA, "src/retry.ts", "#L20-L40")} (⚠ lines not found in 0123456)`);
    expect(out.sources).toEqual(["src/retry.ts"]);
  });

  it("leaves other repositories and hosts alone; honours a GitHub Enterprise host", () => {
    const text = `${url(SHA, "x").replace("acme/demo", "other/demo")} https://gitlab.com/acme/demo/blob/${OLD}/README.md https://ghe.example.com/acme/demo/blob/${OLD}/README.md`;
    expect(checkCitations(text, ref, lineCount).text).toBe(text);
    const ghe = checkCitations(text, { ...ref, host: "ghe.example.com" }, lineCount);
    expect(ghe.rewritten).toBe(1);
    expect(ghe.text).toContain(`https://ghe.example.com/acme/demo/blob/${SHA}/README.md`);
  });

  it("decodes paths, keeps queries, and lists read files among the sources", () => {
    const out = checkCitations(`${url(SHA, "docs/a%20b.md", "?plain=1#L2")}`, ref, lineCount, ["src/index.ts"]);
    expect(out.links[0]).toMatchObject({ status: "ok", path: "docs/a b.md", query: "?plain=1", startLine: 2 });
    expect(out.sources).toEqual(["docs/a b.md", "src/index.ts"]);
    expect(citedPaths(`${url("feature/x", "src/retry.ts")}`, ref)).toContain("src/retry.ts");
  });

  it("is idempotent", () => {
    const text = `a ${url(OLD, "src/nope.ts")} b [l](${url("main", "README.md", "#L9")})`;
    const once = checkCitations(text, ref, lineCount).text;
    expect(checkCitations(once, ref, lineCount).text).toBe(once);
  });
});

describe("the code prompt", () => {
  it("tools and system prompt section stay within 2,000 tokens", () => {
    const total = estimateTokens(CODE_TOOLS_JSON) + estimateTokens(CODE_SYSTEM_PROMPT) + estimateTokens(renderCodeRef(ref));
    expect(total).toBeLessThanOrEqual(2_000);
    expect(CODE_SYSTEM_PROMPT).not.toMatch(/[0-9a-f]{40}/); // byte-stable: no commit in the static part
  });
});

describe("link parser (properties)", () => {
  const segment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,10}$/).filter((s) => s !== "." && s !== "..");
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((p) => p.join("/")).filter((p) => !/[.,;:!?]$/.test(p));
  const sha = fc.stringMatching(/^[0-9a-f]{40}$/);
  const lines = fc.option(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 50 })), { nil: null });
  const filler = fc.string({ maxLength: 30 }).map((s) => s.replace(/https?:/gi, "x").replace(/[^\s]$/, (c) => `${c} `));

  it("finds exactly the links it is given, with their fields", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, sha, path, lines), { minLength: 1, maxLength: 5 }), filler, (parts, tail) => {
        let text = "";
        for (const [before, s, p, l] of parts) {
          const frag = l === null ? "" : l[1] === 0 ? `#L${l[0]}` : `#L${l[0]}-L${l[0] + l[1]}`;
          text += `${before} ${url(s, p, frag)} `;
        }
        text += tail;
        const found = findPermalinks(text, ref);
        expect(found.map((f) => [f.ref, f.path, f.startLine])).toEqual(parts.map(([, s, p, l]) => [s, p, l === null ? null : l[0]]));
        for (const f of found) expect(text.slice(f.start, f.end).startsWith("https://github.com/acme/demo/blob/")).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("never throws and stays linear on adversarial text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        findPermalinks(s, ref);
        checkCitations(s, ref, lineCount);
        parseLineFragment(s);
      }),
      { numRuns: RUNS },
    );
    const evil = `${"https://github.com/acme/demo/blob/".repeat(20_000)}${"a/".repeat(20_000)}#L${"1".repeat(10_000)}`;
    const started = performance.now();
    checkCitations(evil, ref, lineCount);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("parseLineFragment accepts GitHub's forms only", () => {
    expect(parseLineFragment("L10")).toEqual([10, 10]);
    expect(parseLineFragment("L10-L20")).toEqual([10, 20]);
    expect(parseLineFragment("L20-L10")).toEqual([10, 20]);
    expect(parseLineFragment("L3C4-L5C1")).toEqual([3, 5]);
    for (const bad of ["", "L", "L0", "10", "L1-", "L1-L", "Lx", "L1-L2x", "readme"]) expect(parseLineFragment(bad)).toBeNull();
  });
});

describe("renderCodeFooterLines", () => {
  it("names the commit, links the sources, and says what limited the answer", async () => {
    const { renderCodeFooterLines } = await import("../../src/core/code/footer.js");
    const lines = renderCodeFooterLines({ ref, sources: ["src/retry.ts", "docs/a b.md", "x`]).md"], toolRounds: 2, searchLimited: true, listingTruncated: false, sourceKind: "api", invalidLinks: 1, endedBy: "max_rounds" });
    expect(lines[0]).toBe(
      `Code at [\`0123456\`](https://github.com/acme/demo/tree/${SHA}) · 2 tool rounds · sources: [\`src/retry.ts\`](https://github.com/acme/demo/blob/${SHA}/src/retry.ts), [\`docs/a b.md\`](https://github.com/acme/demo/blob/${SHA}/docs/a%20b.md), [\`x]).md\`](https://github.com/acme/demo/blob/${SHA}/x%60%5D%29.md)`,
    );
    expect(lines[1]).toBe("Limits: the repository is over the snapshot size limit, so files were read through the API; search was limited; the tool-round limit was reached; 1 link could not be verified.");
    expect(renderCodeFooterLines({ ref, sources: [], toolRounds: 0, searchLimited: false, listingTruncated: false, sourceKind: "snapshot", invalidLinks: 0 })).toHaveLength(1);
  });
});

describe("sourceLineCounter", () => {
  it("counts lines of cited files through a CodeSource and hides excluded ones", async () => {
    const { sourceLineCounter } = await import("../../src/core/code/citations.js");
    const { snapshotFromFiles } = await import("../../src/core/code/snapshot.js");
    const { snapshotSource } = await import("../../src/core/code/source.js");
    const source = snapshotSource(snapshotFromFiles(ref, [["a.ts", "1\n2\n3\n"], ["b.ts", "x"], ["secret/c.ts", "1\n"]]));
    const answer = `${url(SHA, "a.ts", "#L3")} ${url(SHA, "b.ts")} ${url(SHA, "secret/c.ts")} ${url(SHA, "a.ts", "#L4")}`;
    const count = await sourceLineCounter(source, answer, ref, (p) => p.startsWith("secret/"));
    expect([count("a.ts"), count("b.ts"), count("secret/c.ts")]).toEqual([3, 1, null]);
    const checked = checkCitations(answer, ref, count);
    expect(checked.links.map((l) => l.status)).toEqual(["ok", "ok", "missing-file", "missing-lines"]);
  });
});
