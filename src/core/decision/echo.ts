// The echo guard: a mention made only of lines that were live mentions in the bot's own text is the bot's
// text coming back (a workflow re-posting an old answer, a copy of a reply written before replies were
// defused), not a request. Compared line by line, whole lines only: a person who asks again a question the
// bot once quoted, or types a sentence the bot happened to repeat, is not an echo, since the bot's replies
// carry no live mention (src/core/trigger/loops.ts defuses them) and so offer no line to match.
import { splitBotComment } from "../contextBlock/botComment.js";
import { isBotComment } from "../conversation/identity.js";
import { stripInvisible } from "../sanitize/index.js";
import { detectTrigger } from "../trigger/trigger.js";
import type { BotIdentity, Thread } from "../types.js";

/** Lines shorter than this (besides the phrase) are too generic to call a copy ("@claude thanks!"). */
const MIN_ECHO_CHARS = 24;

// Markup characters go too: a copy of the rendered page has no `**` or `>`.
const normalise = (line: string) => stripInvisible(line).replace(/[*_~`>#]/g, "").replace(/\s+/g, " ").trim().toLowerCase();

/**
 * The normalised lines of the bot's own replies in which `phrase` is live: typed as is, not defused by the
 * word joiner. Only replies that hold the phrase at all are split.
 */
export function liveMentionLines(thread: Thread, bot: BotIdentity, phrase: string): Set<string> {
  const lowerPhrase = phrase.toLowerCase();
  const lines = new Set<string>();
  for (const c of thread.comments) {
    if (!isBotComment(c, bot) || !c.body.toLowerCase().includes(lowerPhrase)) continue;
    for (const line of splitBotComment(c.body).text.split(/\r?\n/)) {
      if (!line.toLowerCase().includes(lowerPhrase)) continue;
      const norm = normalise(line);
      if (norm.length - lowerPhrase.length >= MIN_ECHO_CHARS) lines.add(norm);
    }
  }
  return lines;
}

/**
 * True when `body` mentions the bot only on lines equal to live-mention lines of the bot's own replies:
 * without those lines, it would not trigger.
 */
export function echoesBotLines(body: string, botLines: ReadonlySet<string>, phrase: string): boolean {
  if (botLines.size === 0) return false;
  const lowerPhrase = phrase.toLowerCase();
  let copied = false;
  const kept = body.split(/\r?\n/).filter((line) => {
    if (!line.toLowerCase().includes(lowerPhrase)) return true;
    const isCopy = botLines.has(normalise(line));
    copied ||= isCopy;
    return !isCopy;
  });
  return copied && !detectTrigger(kept.join("\n"), { phrase }).triggered;
}

/** The bot's text, as `echoesBotLines` with the lines taken from `botTexts` (kept for `threadbot/core` users). */
export function echoesBotText(body: string, botTexts: readonly string[], phrase: string): boolean {
  const lowerPhrase = phrase.toLowerCase();
  const lines = new Set<string>();
  for (const text of botTexts) {
    for (const line of text.split(/\r?\n/)) {
      const norm = normalise(line);
      if (line.toLowerCase().includes(lowerPhrase) && norm.length - lowerPhrase.length >= MIN_ECHO_CHARS) lines.add(norm);
    }
  }
  return echoesBotLines(body, lines, phrase);
}
