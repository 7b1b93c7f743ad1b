// Properties of the markdown guard (src/core/markdown/markdown.ts) and of what its callers do with a refusal:
// the pre-scan never throws and is linear, whatever it accepts parses, ordinary markdown is accepted,
// pathological nesting is always refused, and the sanitiser's textual fallback (src/core/sanitize/fallback.ts)
// is a fixpoint that leaves no hidden construct behind.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findContextBlocks, stripBotMarkup } from "../../src/core/contextBlock/index.js";
import { markdownComplexity, MarkdownTooComplexError, MARKDOWN_LIMITS, parseMarkdown, scanMarkdown } from "../../src/core/markdown/markdown.js";
import { sanitizeUntrustedMarkdown, stripInvisible } from "../../src/core/sanitize/index.js";
import { plainTextFallback } from "../../src/core/sanitize/fallback.js";
import { detectTrigger } from "../../src/core/trigger/trigger.js";

const RUNS = Number(process.env.FC_RUNS ?? 1000);
const TIMEOUT = Math.max(30_000, RUNS * 10);

const token = fc.constantFrom(
  "*", "_", "~", "[", "]", "](x)", "`", "```", "~~~", ">", "> ", "- ", "* ", "1. ", "  ", "    ", "\t", "\n", "\n\n",
  "<!--", "-->", "<div>", "</div>", "<script>", "![a](b)", "=", "---", "===", "\\", "&amp;", "a", "word ", "@claude", "|", "\r\n",
);
const markdownish = fc.array(token, { maxLength: 80 }).map((t) => t.join(""));
/** Ordinary comments: prose with a little emphasis, links, code, quotes and lists, far from any limit. */
const ordinary = fc
  .array(
    fc.oneof(
      fc.stringMatching(/^[A-Za-z ,.]{1,60}$/),
      fc.constantFrom("**bold**", "_em_", "`code`", "[link](https://example.com)", "> quoted", "- item", "1. step", "## Title", "```\ncode\n```", "| a | b |\n|---|---|\n| 1 | 2 |"),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join("\n\n"));

describe("the markdown guard", () => {
  it("never throws, and whatever it accepts parses without throwing", () => {
    fc.assert(
      fc.property(fc.oneof(markdownish, fc.string({ unit: "binary", maxLength: 300 })), (text) => {
        const reason = markdownComplexity(text);
        if (reason === null) expect(() => parseMarkdown(text)).not.toThrow();
        else expect(() => parseMarkdown(text)).toThrow(MarkdownTooComplexError);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("accepts ordinary comments", () => {
    fc.assert(
      fc.property(ordinary, (text) => {
        expect(markdownComplexity(text)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  // "Linear" is asserted on the scan's own counters (each line and character looked at once), not on a
  // clock: timed assertions fail on a loaded machine and pass on a fast one whatever the code does.
  it("refuses nesting past the limit, in any mix of quotes and list markers, in linear time", () => {
    const marker = fc.constantFrom(">", "> ", "- ", "* ", "+ ", "1. ", "2) ");
    fc.assert(
      fc.property(fc.array(marker, { minLength: MARKDOWN_LIMITS.containerDepth + 1, maxLength: 3_000 }), fc.string({ maxLength: 20 }), (markers, tail) => {
        const text = `${markers.join("")}${tail}`;
        const scan = scanMarkdown(text);
        expect(scan.reason).not.toBeNull();
        expect(scan.chars).toBeLessThanOrEqual(text.length + scan.lines);
        expect(detectTrigger(`${text} @claude`, { phrase: "@claude" }).triggered).toBe(false);
      }),
      { numRuns: Math.min(RUNS, 2_000) },
    );
  }, TIMEOUT);

  it("refuses a paragraph of thousands of delimiters, however they are arranged, quickly", () => {
    const delimiter = fc.constantFrom("*", "_", "~", "[", "]", "*a", "_b ", "[x](", "a] ");
    fc.assert(
      fc.property(fc.array(delimiter, { minLength: 3_500, maxLength: 5_000 }), (parts) => {
        const text = `Text ${parts.join("")}`; // a paragraph (a line opening with ~~~ would be a fence: code)
        const scan = scanMarkdown(text);
        expect(scan.reason).not.toBeNull();
        expect(scan.chars).toBeLessThanOrEqual(text.length + scan.lines);
      }),
      { numRuns: Math.min(RUNS, 500) },
    );
  }, TIMEOUT);
});

describe("callers of a refused text", () => {
  const tooComplex = fc.tuple(markdownish, fc.integer({ min: 101, max: 400 })).map(([text, depth]) => `${">".repeat(depth)} ${text}`);

  it("sanitize falls back to a textual fixpoint without comments, hidden elements or alt text", () => {
    fc.assert(
      fc.property(tooComplex, markdownish, (deep, rest) => {
        const input = `${deep}\n\n${rest}`;
        const out = sanitizeUntrustedMarkdown(input);
        expect(sanitizeUntrustedMarkdown(out)).toBe(out);
        expect(out).not.toContain("<!--");
        expect(out).not.toMatch(/<(script|style|template)/i);
        expect(out).not.toMatch(/!\[[^\]]/);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("the fallback alone is a fixpoint of itself and of the sanitiser on any text", () => {
    fc.assert(
      fc.property(fc.oneof(markdownish, fc.string({ unit: "binary", maxLength: 200 })), (text) => {
        // The sanitiser hands the fallback text it has already stripped of invisible characters.
        const out = plainTextFallback(stripInvisible(text));
        expect(plainTextFallback(out)).toBe(out);
        expect(sanitizeUntrustedMarkdown(out)).toBe(out);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("the block finder finds nothing, and stripBotMarkup still removes footer and block", () => {
    fc.assert(
      fc.property(tooComplex, (deep) => {
        const body = `${deep}\n\n<!-- threadbot:footer -->\nfooter\n\n<!-- threadbot:context\nversion: 1\n-->\n`;
        expect(findContextBlocks(body)).toEqual([]);
        const visible = stripBotMarkup(body);
        expect(visible).not.toContain("threadbot:footer");
        expect(visible).not.toContain("threadbot:context");
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});
