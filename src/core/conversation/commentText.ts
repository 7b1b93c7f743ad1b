// What a build derives from each comment's body (sanitised text, mention flag, a reply's visible text
// and block), memoised across builds. Every turn re-reads the whole thread but only new or edited
// comments changed, and sanitising or splitting a long thread costs far more than the rest of a build.
// The results are pure functions of the body, so the memo does not change what the core computes.
import { LRUCache } from "lru-cache";
import { answeredFast, splitBotComment } from "../contextBlock/botComment.js";
import { sanitizeUntrustedMarkdown, stripInvisible } from "../sanitize/index.js";
import { redactSecrets } from "../redact/secrets.js";
import { mentionsPhrase } from "../trigger/trigger.js";

export interface HumanText {
  body: string;
  size: number;
  /** Sanitised and secret-redacted. */
  text: string;
  phrase: string;
  mentionsBot: boolean;
}

export interface BotText {
  body: string;
  size: number;
  /** Visible answer: markup stripped, invisible characters stripped, secrets redacted, trimmed. */
  text: string;
  blockRaw: string | null;
  /** `answered` read without a YAML parse when the block is in rendered form, else null. */
  answered: string[] | null;
}

// The one memo of sanitised comment text (the sanitiser itself keeps none). Keyed by comment id (hashing a
// short id is cheaper than hashing a long body) and checked against the body, so an edit or an id reused
// across threads recomputes. Least recently used out first, bounded by characters: about 32 MB of UTF-16.
const sizedCache = <V extends { size: number }>() =>
  new LRUCache<string, V>({ maxSize: 8_000_000, maxEntrySize: 8_000_000, sizeCalculation: (entry) => Math.max(1, entry.size) });
const humans = sizedCache<HumanText>();
const bots = sizedCache<BotText>();

/** Forget memoised comment text (benchmarks of a cold build). */
export function clearConversationCache(): void {
  humans.clear();
  bots.clear();
}

export function humanText(id: string, body: string, phrase: string): HumanText {
  const hit = humans.get(id);
  if (hit !== undefined && hit.body === body && hit.phrase === phrase) return hit;
  const text = hit !== undefined && hit.body === body ? hit.text : redactSecrets(sanitizeUntrustedMarkdown(body));
  const entry = { body, size: body.length + text.length, text, phrase, mentionsBot: mentionsPhrase(body, phrase) };
  humans.set(id, entry);
  return entry;
}

export function botText(id: string, body: string): BotText {
  const hit = bots.get(id);
  if (hit !== undefined && hit.body === body) return hit;
  const parts = splitBotComment(body);
  const text = redactSecrets(stripInvisible(parts.text)).trim();
  const answered = parts.blockRaw === null ? null : answeredFast(parts.blockRaw);
  const entry = { body, size: body.length + text.length, text, blockRaw: parts.blockRaw, answered };
  bots.set(id, entry);
  return entry;
}
