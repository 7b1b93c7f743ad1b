// Reply loops. The bot never answers a bot unless allowed (src/core/decision/access.ts), and never answers its own
// words: a mention must be something a person wrote, not the bot's text coming back.
//
// - The bot's own prose never carries a live mention: `defuseMentions` puts a word joiner (U+2060) after
//   the phrase's first character wherever it would count as a mention. The rendered text looks the same,
//   GitHub does not notify the account of that name, and a verbatim copy (a person pasting the answer, a
//   workflow posting it under a user's token) does not contain the phrase, so it cannot trigger. Code
//   spans and fences keep the phrase as written (`@claude retry` in a code span is meant to be copied).
// - Replies written before that, or under another phrase, are caught by the echo guard
//   (src/core/decision/echo.ts): a mention made only of lines that were live mentions in one of the bot's
//   own replies is the bot's text, not a request.
import { fenceTracker } from "../markdown/fences.js";
import { markdownComplexity } from "../markdown/markdown.js";
import { stripInvisible } from "../sanitize/index.js";
import { detectTrigger } from "./trigger.js";

const WORD_JOINER = "\u2060";

/**
 * The bot's text with every prose occurrence of `phrase` made inert (see above). Code is told apart line by
 * line; should that approximation leave a mention the parser would count (or the text be too complex to
 * parse), every occurrence is defused, code included.
 */
export function defuseMentions(text: string, phrase: string): string {
  if (phrase.length < 2 || !text.toLowerCase().includes(phrase.toLowerCase())) return text;
  const lowerPhrase = phrase.toLowerCase();
  const fences = fenceTracker({ quoted: true });
  const out = text
    .split("\n")
    .map((line) => {
      const step = fences.step(line);
      if (step === "opens") return defuseLine(line, lowerPhrase, false); // the info string is not code
      if (step === "text") return defuseLine(line, lowerPhrase, true);
      return line;
    })
    .join("\n");
  if (markdownComplexity(out) === null && !detectTrigger(out, { phrase }).triggered) return out;
  return text
    .split("\n")
    .map((line) => defuseLine(line, lowerPhrase, false))
    .join("\n");
}

/** Every occurrence, or those outside inline code spans (backtick runs paired by length on the line). */
function defuseLine(line: string, lowerPhrase: string, spareCode: boolean): string {
  const lower = line.toLowerCase();
  if (!lower.includes(lowerPhrase)) return line;
  const code = spareCode ? codeSpans(line) : [];
  let out = "";
  let at = 0;
  for (let i = lower.indexOf(lowerPhrase); i >= 0; i = lower.indexOf(lowerPhrase, i + lowerPhrase.length)) {
    if (code.some(([s, e]) => i >= s && i < e)) continue;
    out += line.slice(at, i + 1) + WORD_JOINER;
    at = i + 1;
  }
  return out + line.slice(at);
}

function codeSpans(line: string): [number, number][] {
  const runs: { at: number; length: number }[] = [];
  for (let i = 0; i < line.length; ) {
    if (line[i] !== "`") {
      i++;
      continue;
    }
    let j = i;
    while (line[j] === "`") j++;
    runs.push({ at: i, length: j - i });
    i = j;
  }
  const spans: [number, number][] = [];
  for (let k = 0; k < runs.length; k++) {
    const open = runs[k]!;
    const close = runs.findIndex((r, n) => n > k && r.length === open.length);
    if (close < 0) continue;
    spans.push([open.at, runs[close]!.at + open.length]);
    k = close;
  }
  return spans;
}

// The echo guard lives with the decision (src/core/decision/echo.ts): it compares whole lines that were
// live mentions in the bot's own text.
export { echoesBotText } from "../decision/echo.js";
