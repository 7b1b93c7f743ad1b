import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { detectTrigger, mentionsPhrase, parseCommand } from "../../src/core/trigger/trigger.js";

const RUNS = Number(process.env.FC_RUNS ?? 1000);
// Generous per-property time limit that grows with the number of runs (CI uses 10,000).
const TIMEOUT = Math.max(30_000, RUNS * 10);
const PHRASE = { phrase: "@claude" };

// The phrase in any letter case.
const phraseCased = fc
  .array(fc.boolean(), { minLength: 7, maxLength: 7 })
  .map((upper) => [..."@claude"].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(""));

// Markdown-ish fragments, so that random documents are full of structure rather than plain letters.
const markdownToken = fc.constantFrom(
  "@claude", "@Claude", "\\", "`", "```", "~~~", ">", "> ", "\n", "\n\n", "    ", " ", "*", "_", "~~", "[", "]",
  "(", ")", "<", ">", "<!--", "-->", "<b>", "</b>", "#", "- ", "1. ", "|", "|---|", "&#64;", "&amp;", "!",
  "http://x/", "www.", "x@", ".ai", "-bot", "[^1]", "[^1]: ", "a", "word", "\u0000", "\uD800", "\uDC00",
);
const markdownish = fc.array(markdownToken, { maxLength: 60 }).map((parts) => parts.join(""));
const loneSurrogates = fc.string({
  unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
});

// Text that cannot end a code block or line: arbitrary code points minus the given characters.
const textWithout = (forbidden: string): fc.Arbitrary<string> =>
  fc.string({ unit: "binary" }).map((s) => [...s].filter((c) => !forbidden.includes(c)).join(""));

// Surrounding prose with no way to write a mention (no `@`) and no code or table syntax to interfere.
const prose = fc
  .array(fc.oneof(fc.stringMatching(/^[A-Za-z]{1,8}$/), fc.constantFrom(" ", ",", ".", "!", "?", "\n")), {
    maxLength: 20,
  })
  .map((parts) => parts.join(""));

const word = fc.stringMatching(/^[a-z]{1,10}$/);

describe("detectTrigger properties", () => {
  it("never throws, and keeps its output invariants, on arbitrary strings", () => {
    const input = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.string({ unit: "grapheme" }),
      fc.string({ unit: "binary-ascii" }),
      loneSurrogates,
      markdownish,
    );
    fc.assert(
      fc.property(input, fc.constantFrom("@claude", "claude", "@Claude", "@c.a+ude"), (markdown, phrase) => {
        const result = detectTrigger(markdown, { phrase });
        if (!result.triggered) expect(result.request).toBe("");
        // Lines are trimmed at the end, and there are no leading or trailing blank lines.
        for (const line of result.request.split("\n")) expect(line).toBe(line.trimEnd());
        expect(result.request.startsWith("\n")).toBe(false);
        expect(result.request.endsWith("\n")).toBe(false);
        expect(mentionsPhrase(markdown, phrase)).toBe(result.triggered);
        expect(() => parseCommand(result.request)).not.toThrow();
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("never triggers for the phrase inside a fenced code block", () => {
    const fenced = fc.oneof(
      fc.record({ fence: fc.constantFrom("```", "````"), text: textWithout("`") }),
      fc.record({ fence: fc.constantFrom("~~~", "~~~~"), text: textWithout("~") }),
    );
    fc.assert(
      fc.property(fenced, textWithout(""), phraseCased, prose, prose, ({ fence, text }, suffix, phrase, before, after) => {
        const body = `${text}${phrase}${[...suffix].filter((c) => !fence.includes(c)).join("")}`;
        const markdown = `${before}\n\n${fence}\n${body}\n${fence}\n\n${after}`;
        expect(detectTrigger(markdown, PHRASE)).toEqual({ triggered: false, request: "" });
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("never triggers for the phrase inside an inline code span", () => {
    // One line, no backticks (they could close the span) and no pipes (they could split a table cell).
    const inSpan = textWithout("`|\n\r");
    fc.assert(
      fc.property(inSpan, inSpan, phraseCased, prose, prose, (left, right, phrase, before, after) => {
        const markdown = `${before} \`${left}${phrase}${right}\` ${after}`;
        expect(detectTrigger(markdown, PHRASE)).toEqual({ triggered: false, request: "" });
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("never triggers in a document that is only a blockquote", () => {
    const line = textWithout("\n\r");
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 8 }),
        fc.nat(),
        line,
        line,
        phraseCased,
        (lines, at, left, right, phrase) => {
          const all = [...lines];
          all.splice(at % (all.length + 1), 0, `${left}${phrase}${right}`);
          const markdown = all.map((l) => `> ${l}`).join("\n");
          expect(detectTrigger(markdown, PHRASE)).toEqual({ triggered: false, request: "" });
        },
      ),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("triggers for the phrase between plain words, and the request is the other words", () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 12 }), fc.nat(), phraseCased, (words, at, phrase) => {
        const index = at % (words.length + 1);
        const markdown = [...words.slice(0, index), phrase, ...words.slice(index)].join(" ");
        expect(detectTrigger(markdown, PHRASE)).toEqual({ triggered: true, request: words.join(" ") });
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});
