// Properties of splitReply (src/core/reply/split.ts) on generated answers: every part fits the limit, the tail
// (footer + block) is whole in the last part, no text is lost or reordered, fences are closed within every
// part, and earlier parts are marked as continued.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { composeReply } from "../../src/core/reply/compose.js";
import { CONTINUED_NOTE, splitReply } from "../../src/core/reply/split.js";
import { findContextBlocks, parseContextBlock, stripBotMarkup } from "../../src/core/contextBlock/index.js";
import { emptyContextBlock } from "../../src/core/types.js";

const RUNS = Number(process.env.FC_RUNS ?? 1000);
const TIMEOUT = Math.max(30_000, RUNS * 10);

// Lines of markdown-ish answers: prose, list items, table rows, fences (with and without info), blank lines.
const line = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[A-Za-z ,.]{0,80}$/) },
  { weight: 2, arbitrary: fc.constantFrom("", "", "- item", "1. step", "  continued", "| a | b |", "|---|---|", "> quote") },
  { weight: 1, arbitrary: fc.constantFrom("```", "```ts", "~~~", "````", "```js title", "    indented") },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
);
const answer = fc.array(line, { minLength: 1, maxLength: 80 }).map((lines) => lines.join("\n"));
const limit = fc.integer({ min: 400, max: 2_000 });

const fences = (text: string) => (text.match(/^[ \t]*(`{3,}|~{3,})/gm) ?? []).length;
/** Characters that are not whitespace and not part of a fence line: what the parts must preserve. */
const content = (text: string) =>
  text
    .split("\n")
    .filter((l) => !/^[ \t]*(`{3,}|~{3,})/.test(l))
    .join("")
    .replace(/\s+/g, "");

describe("splitReply properties", () => {
  it("parts fit the limit, the block is whole in the last part, earlier parts are marked", () => {
    fc.assert(
      fc.property(answer, limit, (text, max) => {
        const block = { ...emptyContextBlock(), answered: ["42"] };
        const body = composeReply(text, null, block);
        const parts = splitReply(body, max);
        for (const part of parts) expect(part.length).toBeLessThanOrEqual(max);
        for (const part of parts.slice(0, -1)) {
          expect(part.endsWith(CONTINUED_NOTE)).toBe(true);
          expect(findContextBlocks(part)).toHaveLength(0);
        }
        const last = parts.at(-1)!;
        const blocks = findContextBlocks(last);
        expect(blocks).toHaveLength(1);
        const parsed = parseContextBlock(blocks[0]!.raw);
        expect(parsed.ok && parsed.block.answered).toEqual(["42"]);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("keeps every character of the answer, in order, and closes every fence it opens", () => {
    fc.assert(
      fc.property(answer, limit, (text, max) => {
        const body = composeReply(text, null, emptyContextBlock());
        const parts = splitReply(body, max);
        const visible = parts.map((p) => stripBotMarkup(p));
        expect(content(visible.join("\n"))).toBe(content(stripBotMarkup(body)));
        if (parts.length > 1) for (const part of visible.slice(0, -1)) expect(fences(part) % 2).toBe(0);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("leaves a body that fits alone, and never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 3_000 }), limit, (text, max) => {
        const parts = splitReply(text, max);
        if (text.length <= max) expect(parts).toEqual([text]);
        for (const part of parts) expect(part.length).toBeLessThanOrEqual(max);
        // No lone surrogate created at a cut.
        for (const part of parts) expect(/[\uD800-\uDBFF]$/.test(part.replace(CONTINUED_NOTE, ""))).toBe(false);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});
