// Reply loops. The bot never answers a bot unless allowed (src/core/decision/access.ts), and never answers its own
// words: a mention must be something a person wrote, not the bot's text coming back.
//
// - The bot's own prose never carries a live mention: `defuseMentions` puts a word joiner (U+2060) after
//   the phrase's first character wherever it would count as a mention, and after the `@` of every other
//   `@login` (GitHub notifies each account a comment or an edit mentions, and the text is Claude's, steered
//   by whoever wrote the thread: it must not page people). The rendered text looks the same, GitHub does
//   not notify the account of that name, and a verbatim copy (a person pasting the answer, a workflow
//   posting it under a user's token) does not contain the phrase, so it cannot trigger. Code spans and
//   fences keep the text as written (`@claude retry` in a code span is meant to be copied). Every body the
//   bot writes from model text goes through it: each progress edit and the final answer alike.
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
  const logins = defuseLogins(text);
  if (phrase.length < 2 || !logins.toLowerCase().includes(phrase.toLowerCase())) return logins;
  return defusePhrase(logins, phrase);
}

// `@login` and `@org/team` where GitHub would read a mention: after the start of a line, whitespace or
// punctuation that cannot be part of a URL, path or address (`a@b.c`, `https://x/@y` are not mentions).
const LOGIN_MENTION = /(?<![^\s([{<>"'*_~!,;:|])@(?=[A-Za-z0-9][A-Za-z0-9-]{0,38}(?![A-Za-z0-9-]))/g;

/** Every prose `@login` of `text` made inert (a word joiner after the `@`); code as written. */
export function defuseLogins(text: string): string {
  if (!text.includes("@")) return text;
  let fence: { char: string; length: number } | null = null;
  return text
    .split("\n")
    .map((line) => {
      const m = /^[ \t>]*(`{3,}|~{3,})(.*)$/.exec(line);
      const run = m?.[1];
      if (m && run !== undefined) {
        if (fence === null && !(run[0] === "`" && m[2]!.includes("`"))) {
          fence = { char: run[0]!, length: run.length };
          return defuseLoginsInLine(line, false);
        }
        if (fence && run[0] === fence.char && run.length >= fence.length && m[2]!.trim() === "") {
          fence = null;
          return line;
        }
      }
      if (fence !== null) return line;
      return defuseLoginsInLine(line, true);
    })
    .join("\n");
}

function defuseLoginsInLine(line: string, spareCode: boolean): string {
  if (!line.includes("@")) return line;
  const code = spareCode ? codeSpans(line) : [];
  // Spans are in order and matches come left to right: one pointer, so a long line stays linear.
  let span = 0;
  return line.replace(LOGIN_MENTION, (at: string, index: number) => {
    while (span < code.length && code[span]![1] <= index) span++;
    const inCode = span < code.length && code[span]![0] <= index;
    return inCode ? at : `${at}${WORD_JOINER}`;
  });
}

function defusePhrase(text: string, phrase: string): string {
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
