// Properties of loop protection (src/core/trigger/loops.ts): the bot's defused text never calls the bot, whatever
// markdown it holds, and only word joiners are added; a verbatim copy of a bot line is recognised as such,
// while a comment that adds a mention of its own still counts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defuseMentions, echoesBotText } from "../../src/core/trigger/loops.js";
import { stripInvisible } from "../../src/core/sanitize/index.js";
import { detectTrigger } from "../../src/core/trigger/trigger.js";

const RUNS = Number(process.env.FC_RUNS ?? 1000);
const TIMEOUT = Math.max(30_000, RUNS * 10);
const PHRASE = { phrase: "@claude" };

const token = fc.constantFrom(
  "@claude", "@Claude", "@CLAUDE", " ", "\n", "\n\n", "`", "``", "```", "~~~", "    ", "> ", "- ", "*", "_", "[", "](x)",
  "<!--", "-->", "<b>", "\\", "&#64;", "a", "word", ".", ",", "|", "@claude-bot", "x@claude",
);
const markdownish = fc.array(token, { maxLength: 50 }).map((t) => t.join(""));
const words = fc.array(fc.stringMatching(/^[a-z]{2,8}$/), { minLength: 6, maxLength: 14 }).map((w) => w.join(" "));

describe("defuseMentions", () => {
  it("leaves no live mention, whatever the markdown", () => {
    fc.assert(
      fc.property(markdownish, (text) => {
        expect(detectTrigger(defuseMentions(text, "@claude"), PHRASE).triggered).toBe(false);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it("only adds invisible word joiners", () => {
    fc.assert(
      fc.property(markdownish, (text) => {
        const out = defuseMentions(text, "@claude");
        expect(out.replace(/\u2060/g, "")).toBe(text.replace(/\u2060/g, ""));
        expect(stripInvisible(out)).toBe(stripInvisible(text));
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});

describe("echoesBotText", () => {
  it("a comment that only repeats a bot line with the phrase is an echo; one that adds its own mention is not", () => {
    fc.assert(
      fc.property(words, words, words, (before, after, own) => {
        const botLine = `${before} @claude ${after}`;
        const bot = `Intro.\n\n${botLine}\n\nOutro.`;
        expect(echoesBotText(botLine, [bot], "@claude")).toBe(true);
        expect(echoesBotText(`${botLine}\n\n@claude ${own}?`, [bot], "@claude")).toBe(false);
        expect(echoesBotText(`@claude ${own}?`, [bot], "@claude")).toBe(false);
        expect(echoesBotText(botLine, [], "@claude")).toBe(false);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});
