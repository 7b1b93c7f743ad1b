import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FOOTER_MARKER,
  findContextBlocks,
  neutraliseContextBlocks,
  parseContextBlock,
  renderContextBlock,
  stripBotMarkup,
} from "../../src/core/contextBlock/index.js";
import { parseMarkdown } from "../../src/core/markdown/markdown.js";
import type { ContextBlock } from "../../src/core/types.js";

const RUNS = Number(process.env.FC_RUNS ?? 1000);
// Markdown parsing dominates: allow ~15 ms a run so that large FC_RUNS do not hit the default timeout.
const TIMEOUT = Math.max(30_000, RUNS * 15);

// Pieces that are hard for YAML, for HTML comments, or for markdown block structure.
const tricky = fc.constantFrom(
  "-->", "--!>", "--", "-", ">", "!", "<!--", "`", "```", "~~~", "|", "|-", "|+", ">-", " ", "  ", "\t",
  "\n", "\n\n", "\r", "\r\n", "#", ": ", ":", '"', "'", "\\", "...", "---", "- ", "? ", "&a ", "*a", "{", "}",
  "[", "]", "%", "@", "null", "true", "0x1F", "1e3", "~", "\u0000", "\u0085", "\u2028", "\u2029", "\uFEFF",
  "\uFFFE", "\uD800", "\uDFFF", "\u00A0", "é", "😀", "x", "threadbot:context", "<pre>", "<?", "<!X",
  "<![CDATA[", "    ",
);

/** Strings of every kind: any code point, any UTF-16 unit (lone surrogates), and tricky pieces. */
const anyString = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({ unit: "binary-ascii" }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
  fc.array(fc.oneof(tricky, fc.string({ unit: "binary", maxLength: 3 }))).map((parts) => parts.join("")),
  // Whitespace and line structure is where block scalars go wrong.
  fc.string({ unit: fc.constantFrom(" ", "  ", "\t", "\n", "\n\n", "\r", "x", "#", "-", ">") }),
);

const commentId = fc.stringMatching(/^[0-9]{1,20}$/);

const contextBlock: fc.Arbitrary<ContextBlock> = fc.record({
  version: fc.constant(1 as const),
  instructions: anyString,
  summary: anyString,
  summary_until: fc.option(commentId, { nil: null }),
  since: fc.option(commentId, { nil: null }),
  answered: fc.array(commentId, { maxLength: 5 }),
  model: fc.option(fc.oneof(anyString, fc.constantFrom("claude-sonnet-4-5", "claude-opus-4-1@x", "True", "NULL", "y")), {
    nil: null,
  }),
  code_ref: fc.option(fc.stringMatching(/^[0-9a-f]{7,64}$/), { nil: null }),
  usage: fc.record({
    input: fc.maxSafeNat(),
    cache_read: fc.maxSafeNat(),
    cache_write: fc.maxSafeNat(),
    output: fc.maxSafeNat(),
  }),
});

// Markdown-shaped model output: openers of every construct that can outlive a blank line, our markers,
// containers, and line endings.
const markdownish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "```", "````", "~~~", "~~~~", "<!--", "<!-- ", "-->", "--!>", "<pre>", "</pre>", "<script>", "<style",
        "<textarea>", "<?", "?>", "<!DOCTYPE", "<!X", "<![CDATA[", "]]>", ">", "> ", "- ", "* ", "1. ", "    ",
        "   ", "\t", "\n", "\n\n", "\r\n", "\r", "`", "x", "threadbot:context", "threadbot:footer", FOOTER_MARKER,
        "<!-- threadbot:context\n", "<div>", "</div>", "|", "[^1]: ", "[a]: ", "\\", "<", "&", "\u0000", "\u200D",
      ),
      fc.string({ unit: "binary", maxLength: 4 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

describe("context block properties", () => {
  it("render then parse is the identity", () => {
    fc.assert(
      fc.property(contextBlock, (block) => {
        const text = renderContextBlock(block);
        expect(parseContextBlock(text)).toEqual({ ok: true, block });
        // GitHub's editor may save the comment with CRLF line endings.
        expect(parseContextBlock(`\r\n${text.replace(/\n/g, "\r\n")}\r\n`)).toEqual({ ok: true, block });
        expect(renderContextBlock(structuredClone(block))).toBe(text);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("never writes a comment terminator except the last three characters", () => {
    fc.assert(
      fc.property(contextBlock, (block) => {
        const text = renderContextBlock(block);
        expect(text.indexOf("-->")).toBe(text.length - 3);
        expect(text).not.toContain("--!>");
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("is exactly one top-level HTML block after an answer, and found as such", () => {
    fc.assert(
      fc.property(contextBlock, (block) => {
        const text = renderContextBlock(block);
        const markdown = `answer text\n\n${text}`;
        const html = parseMarkdown(markdown).children.filter((node) => node.type === "html");
        expect(html).toHaveLength(1);
        expect(html[0]).toMatchObject({ value: text });
        expect(findContextBlocks(markdown)).toEqual([{ raw: text, start: 13, end: markdown.length }]);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("parseContextBlock never throws", () => {
    const raw = fc.oneof(
      anyString,
      markdownish,
      anyString.map((s) => `<!-- threadbot:context\n${s}\n-->`),
      fc.tuple(anyString, anyString).map(([a, b]) => `<!-- threadbot:context\nversion: 1\n${a}: ${b}\n-->`),
    );
    fc.assert(
      fc.property(raw, (text) => {
        const result = parseContextBlock(text);
        expect(typeof result.ok).toBe("boolean");
        if (!result.ok) expect(result.error).not.toBe("");
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("neutralised model output can neither forge nor swallow our block and footer", () => {
    fc.assert(
      fc.property(fc.oneof(markdownish, anyString), contextBlock, (model, block) => {
        const safe = neutraliseContextBlocks(model);
        const text = renderContextBlock(block);
        for (const answer of [safe, safe.trimEnd()]) {
          const found = findContextBlocks(`${answer}\n\n${text}`);
          expect(found.map((f) => f.raw)).toEqual([text]);
          expect(parseContextBlock(found[0]?.raw ?? "")).toEqual({ ok: true, block });

          const reply = `${answer}\n\n${FOOTER_MARKER}\n<details><summary>threadbot</summary>\n\nx\n\n</details>\n\n${text}\n`;
          expect(findContextBlocks(reply).map((f) => f.raw)).toEqual([text]);
          expect(stripBotMarkup(reply)).toBe(answer.trimEnd());
        }
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});
