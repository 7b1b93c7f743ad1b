// The code tools over a snapshot: byte-stable definitions, path safety, untrusted file text wrapped and
// escaped, credentials redacted (also from what search can see), generated/vendored files skipped,
// exclude globs, RE2 regexes in linear time, and output budgets.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { prepareFileText, splitLines } from "../../src/core/code/fileView.js";
import { snapshotFromFiles, type Snapshot } from "../../src/core/code/snapshot.js";
import { snapshotSource, type CodeSource } from "../../src/core/code/source.js";
import { CODE_TOOLS, CODE_TOOLS_JSON, runTool, type ToolRunOptions } from "../../src/core/code/tools.js";
import { unpackTarball } from "../../src/code/tarball.js";
import { buildTarball, defaultFakeRepo, FAKE_ANTHROPIC_KEY, FAKE_AWS_KEY, FAKE_SHA } from "./fakeRepo.js";

const RUNS = Number(process.env.FC_RUNS ?? 200);

// Pinned: a change to the definitions must be deliberate (it costs every cached prompt). Update both together.
const TOOLS_SHA256 = "f04e3f94ffa07d553a9369d97dbb8168029b65ce41445fdb4d892775e8f7ff4c";

let snapshot: Snapshot;
let source: CodeSource;
beforeAll(async () => {
  snapshot = await unpackTarball(Readable.from([await buildTarball(defaultFakeRepo())]), { owner: "acme", repo: "demo", sha: FAKE_SHA });
  source = snapshotSource(snapshot);
});

const call = (name: string, input: unknown, options?: ToolRunOptions) => runTool(source, { id: "t1", name, input }, options);

describe("tool definitions", () => {
  it("serialise to exactly the pinned bytes", () => {
    expect(createHash("sha256").update(CODE_TOOLS_JSON).digest("hex")).toBe(TOOLS_SHA256);
    expect(JSON.stringify(CODE_TOOLS)).toBe(CODE_TOOLS_JSON);
    expect(CODE_TOOLS.map((t) => t.name)).toEqual(["list_files", "read_file", "search_code"]);
  });

  it("are frozen all the way down", () => {
    expect(Object.isFrozen(CODE_TOOLS)).toBe(true);
    expect(Object.isFrozen(CODE_TOOLS[0]!.input_schema.properties)).toBe(true);
    expect(() => {
      (CODE_TOOLS[1] as { description: string }).description = "changed";
    }).toThrow();
  });
});

describe("read_file", () => {
  it("returns numbered lines inside a file element, with the commit", async () => {
    const out = await call("read_file", { path: "src/retry.ts" });
    expect(out.isError).toBe(false);
    expect(out.filesRead).toEqual(["src/retry.ts"]);
    expect(out.summary).toBe("📄 reading `src/retry.ts`");
    expect(out.text).toMatch(/^<file path="src\/retry\.ts" commit="0123456" lines="1-22" total-lines="22">\n1\t\/\/ Retries/);
    expect(out.text).toContain("\n7\texport async function retry<T>(");
    expect(out.text.endsWith("</file>")).toBe(true);
  });

  it("pages long files and honours ranges", async () => {
    const out = await call("read_file", { path: "src/retry.ts", start_line: 7, end_line: 9 });
    expect(out.text).toContain('lines="7-9"');
    expect(out.text.split("\n").filter((l) => /^\d+\t/.test(l)).map((l) => l.split("\t")[0])).toEqual(["7", "8", "9"]);
    const paged = await call("read_file", { path: "src/retry.ts" }, { maxReadLines: 5 });
    expect(paged.text).toContain("continue with start_line=6");
    expect((await call("read_file", { path: "src/retry.ts", start_line: 99 })).isError).toBe(true);
  });

  it.each([
    ["../etc/passwd"],
    ["/etc/passwd"],
    ["src/../../x"],
    ["C:\\Windows\\win.ini"],
    ["https://github.com/other/repo/blob/main/x.ts"],
    ["//evil.example/x"],
    ["src/\u0000retry.ts"],
  ])("refuses %j as a tool error", async (path) => {
    const out = await call("read_file", { path });
    expect(out.isError).toBe(true);
    expect(out.filesRead).toEqual([]);
  });

  it("says not found for missing, binary-skipped and linked entries", async () => {
    for (const path of ["nope.ts", "assets/logo.png", "link-to-passwd", "src/hard", "dev/tty"]) {
      const out = await call("read_file", { path });
      expect(out.isError).toBe(true);
      expect(out.text).toContain("File not found at commit 0123456");
    }
  });

  it("redacts committed credentials", async () => {
    const out = await call("read_file", { path: ".env" });
    expect(out.text).not.toContain(FAKE_ANTHROPIC_KEY);
    expect(out.text).not.toContain(FAKE_AWS_KEY);
    expect(out.text).toContain("ANTHROPIC_API_KEY=[REDACTED:anthropic-key]");
    expect(out.text).toContain("[REDACTED:aws-access-key-id]");
  });

  it("keeps an injection inside its element: escaped closers, invisible and bidi characters gone", async () => {
    const out = await call("read_file", { path: "docs/injection.md" });
    expect(out.text.match(/<\/file/g)).toHaveLength(1);
    expect(out.text.match(/<file/g)).toHaveLength(1);
    expect(out.text).toContain("&lt;/file>");
    expect(out.text).toContain("&lt;file path=");
    expect(out.text).not.toMatch(/[\u200B\u200D\u202E\u202C]/);
    expect(out.text).toContain("Hidden zerowidth and bidi text.");
  });
});

describe("list_files", () => {
  it("lists a directory's entries with subdirectory counts", async () => {
    const root = await call("list_files", {});
    expect(root.text).toContain("src/ (3 files)");
    expect(root.text).toContain("README.md");
    expect(root.summary).toBe("📂 listing `/`");
    const src = await call("list_files", { path: "src/" });
    expect(src.text).toContain("util/ (1 file)");
    expect(src.text).toContain("retry.ts");
    expect((await call("list_files", { path: "src/retry.ts" })).isError).toBe(true);
    expect((await call("list_files", { path: "../" })).isError).toBe(true);
  });

  it("lists paths matching a glob", async () => {
    const out = await call("list_files", { glob: "src/**/*.ts" });
    expect(out.text).toContain('files="3"');
    expect(out.text).toContain("src/util/strings.ts");
    expect(out.text).not.toContain("gen/api.ts");
  });

  it("hides excluded paths from every tool", async () => {
    const exclude = ["docs/**", ".env", "src/util/"];
    const listed = await call("list_files", { glob: "**" }, { exclude });
    expect(listed.text).not.toContain("docs/injection.md");
    expect(listed.text).not.toContain(".env");
    expect(listed.text).not.toContain("strings.ts");
    const read = await call("read_file", { path: "docs/injection.md" }, { exclude });
    expect(read.isError).toBe(true);
    expect(read.text).toContain("File not found");
    const searched = await call("search_code", { pattern: "retry", include_generated: true }, { exclude });
    expect(searched.text).not.toContain("src/util/strings.ts");
    expect((await call("search_code", { pattern: "Ignore all" }, { exclude })).text).toContain("(no matches)");
  });
});

describe("search_code", () => {
  it("finds literal matches with two lines of context, skipping generated and vendored files", async () => {
    const out = await call("search_code", { pattern: "retry" });
    expect(out.isError).toBe(false);
    expect(out.filesRead.sort()).toEqual(["src/index.ts", "src/retry.ts", "src/util/strings.ts"]);
    expect(out.text).toContain("7:\texport async function retry<T>(");
    expect(out.text).toContain("5-\t}");
    expect(out.text).toContain("9-\t  for (let attempt");
    expect(out.text).toMatch(/generated or vendored files were not searched/);
    for (const hidden of ["dist/bundle.min.js", "package-lock.json", "third_party/lib/retry.js", "gen/api.ts"]) expect(out.text).not.toContain(hidden);
    expect(out.summary).toBe("🔎 searching for `retry`");
  });

  it("includes generated and vendored files on request", async () => {
    const out = await call("search_code", { pattern: "retry", include_generated: true });
    for (const path of ["dist/bundle.min.js", "package-lock.json", "third_party/lib/retry.js", "gen/api.ts"]) expect(out.filesRead).toContain(path);
  });

  it("filters by path_glob and supports RE2 regexes", async () => {
    const out = await call("search_code", { pattern: "^export (async )?function \\w+", regex: true, path_glob: "src/**" });
    expect(out.filesRead).toEqual(["src/retry.ts"]);
    expect(out.text).toContain('matches="1"');
  });

  it("reports an invalid regex as a tool error", async () => {
    const out = await call("search_code", { pattern: "(unclosed", regex: true });
    expect(out.isError).toBe(true);
    expect(out.text).toMatch(/^Invalid regex/);
    expect((await call("search_code", { pattern: "(?<=x)y", regex: true })).isError).toBe(true);
  });

  it("runs a catastrophic pattern on a long input in linear time", async () => {
    const big = snapshotSource(snapshotFromFiles({ owner: "a", repo: "b", sha: FAKE_SHA }, [["long.txt", `${"a".repeat(200_000)}!\n`]]));
    const started = performance.now();
    const out = await runTool(big, { id: "x", name: "search_code", input: { pattern: "(a+)+$", regex: true } });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(out.text).toContain("(no matches)");
    const empty = await runTool(big, { id: "x", name: "search_code", input: { pattern: "x*", regex: true } });
    expect(empty.isError).toBe(false);
  });

  it("searches the redacted text: a secret cannot be probed by pattern", async () => {
    for (const pattern of ["sk-ant-api03-AbCd", "AKIAIOSF", "AbCdEfGhIjKl"]) {
      const out = await call("search_code", { pattern, include_generated: true });
      expect(out.text).not.toContain(FAKE_ANTHROPIC_KEY);
      expect(out.filesRead).toEqual([]);
    }
    const found = await call("search_code", { pattern: "ANTHROPIC_API_KEY" });
    expect(found.text).toContain("[REDACTED:anthropic-key]");
  });

  it("caps matches and output tokens, keeping the elements closed", async () => {
    const many = snapshotSource(snapshotFromFiles({ owner: "a", repo: "b", sha: FAKE_SHA }, Array.from({ length: 30 }, (_, i): [string, string] => [`f${i}.ts`, "hit\n".repeat(50)])));
    const out = await runTool(many, { id: "x", name: "search_code", input: { pattern: "hit" } }, { maxMatches: 10 });
    expect(out.text).toContain("Only the first 10 matching lines are shown (30 files match)");
    const cut = await runTool(many, { id: "x", name: "search_code", input: { pattern: "hit" } }, { maxOutputTokens: 300, maxMatches: 500 });
    expect(cut.tokens).toBeLessThanOrEqual(300);
    expect(cut.text).toContain("[output cut at the tool output budget");
    expect(cut.text.match(/<file\b/g)?.length).toBe(cut.text.match(/<\/file>/g)?.length);
    expect(cut.text).toContain("</search-results>");
  });

  it("finds matches that only appear once invisible characters and CRLF are normalised", async () => {
    const src = snapshotSource(snapshotFromFiles({ owner: "a", repo: "b", sha: FAKE_SHA }, [["z.ts", "const re\u200Btry = 1;\r\nfoo\r\n"]]));
    expect((await runTool(src, { id: "1", name: "search_code", input: { pattern: "retry" } })).filesRead).toEqual(["z.ts"]);
    expect((await runTool(src, { id: "2", name: "search_code", input: { pattern: "^foo$", regex: true } })).text).toContain("2:\tfoo");
  });

  it("makes progress text safe to post", async () => {
    const out = await call("search_code", { pattern: "a`b\n@everyone ```" });
    expect(out.summary).toBe("🔎 searching for `a b @everyone`");
  });
});

describe("tool errors", () => {
  it("unknown tools and bad inputs come back as errors, never throws", async () => {
    expect((await call("delete_repo", {})).isError).toBe(true);
    expect((await call("read_file", {})).isError).toBe(true);
    expect((await call("read_file", { path: 3 })).isError).toBe(true);
    expect((await call("read_file", { path: "src/retry.ts", start_line: -1 })).isError).toBe(true);
    expect((await call("search_code", { pattern: "" })).isError).toBe(true);
    expect((await call("search_code", { pattern: "x", regex: "yes" })).isError).toBe(true);
    expect((await call("list_files", null)).isError).toBe(false);
  });
});

describe("properties", () => {
  it("no file text can close or open the element around it", async () => {
    const piece = fc.oneof(fc.constantFrom("</file>", "<file path=\"x\">", "</search-results>", "</FILE >", "<comment", "</comment>", "\n", "\u200B", "\u202E"), fc.string({ maxLength: 20 }));
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 30 }).map((p) => p.join("")), async (text) => {
        const src = snapshotSource(snapshotFromFiles({ owner: "a", repo: "b", sha: FAKE_SHA }, [["x.md", text]]));
        const out = await runTool(src, { id: "1", name: "read_file", input: { path: "x.md" } });
        if (out.isError) return;
        expect(out.text.match(/<\/file/gi)).toHaveLength(1);
        expect(out.text.match(/<file/gi)).toHaveLength(1);
        // At a name boundary, as the escaping reads element names (`<comment0` is no element of ours).
        expect(out.text.match(/<\/?(comment|search-results)(?![\w-])/gi)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it("prepareFileText keeps line numbers", () => {
    const line = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom("-----BEGIN RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA", "-----END RSA PRIVATE KEY-----", `key=${FAKE_ANTHROPIC_KEY}`, "a\r", "\u2028"),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const raw = lines.join("\n");
        const normalised = raw.replace(/\r\n?/g, "\n");
        expect(prepareFileText(raw).split("\n").length).toBe(normalised.split("\n").length);
        expect(prepareFileText(raw)).not.toContain(FAKE_ANTHROPIC_KEY);
      }),
      { numRuns: RUNS },
    );
  });

  it("any model input: never throws, paths outside the repository are errors", async () => {
    const input = fc.record({
      path: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("..", "/", "src/..", "./src/retry.ts", "src//retry.ts")),
      start_line: fc.option(fc.integer({ min: -5, max: 40 }), { nil: undefined }),
      pattern: fc.string({ maxLength: 20 }),
      regex: fc.boolean(),
      glob: fc.string({ maxLength: 20 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("read_file", "search_code", "list_files"), input, async (name, args) => {
        const out = await call(name, name === "list_files" ? { glob: args.glob } : args);
        expect(typeof out.text).toBe("string");
        for (const path of out.filesRead) expect(snapshot.files.has(path)).toBe(true);
      }),
      { numRuns: Math.max(20, Math.floor(RUNS / 4)) },
    );
  });

  it("a private key block is redacted line by line", () => {
    const raw = ["a", "-----BEGIN RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA", "b3BlbnNzaC1rZXk", "-----END RSA PRIVATE KEY-----", "z"].join("\n");
    const out = prepareFileText(raw).split("\n");
    expect(out).toEqual(["a", "[REDACTED:private-key]", "[REDACTED:private-key]", "[REDACTED:private-key]", "[REDACTED:private-key]", "z"]);
  });

  it("splitLines matches GitHub's numbering", () => {
    expect(splitLines("a\nb\n")).toEqual(["a", "b"]);
    expect(splitLines("a\nb")).toEqual(["a", "b"]);
    expect(splitLines("")).toEqual([]);
  });
});
