// What a build derives from each comment's body (sanitised text, mention flag, a reply's visible text
// and block), memoised across builds. Every turn re-reads the whole thread but only new or edited
// comments changed, and sanitising or splitting a long thread costs far more than the rest of a build.
// The results are pure functions of the body, so the memo does not change what the core computes.
import { answeredFast, splitBotComment } from "../contextBlock/botComment.js";
import { sanitizeUntrustedMarkdown, stripInvisible } from "../sanitize/index.js";
import { redactSecrets } from "../redact/secrets.js";
import { mentionsPhrase } from "../trigger/trigger.js";

/** Least recently used eviction by total size (characters). Map order is insertion order. */
class LruCache<V extends { size: number }> {
  private readonly map = new Map<string, V>();
  private size = 0;
  constructor(private readonly maxSize: number) {}

  get(key: string): V | undefined {
    const entry = this.map.get(key);
    if (entry !== undefined) {
      this.map.delete(key);
      this.map.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: V): void {
    const old = this.map.get(key);
    if (old !== undefined) this.size -= old.size;
    this.map.delete(key);
    if (entry.size > this.maxSize) return;
    this.map.set(key, entry);
    this.size += entry.size;
    for (const [k, e] of this.map) {
      if (this.size <= this.maxSize) break;
      this.map.delete(k);
      this.size -= e.size;
    }
  }

  clear(): void {
    this.map.clear();
    this.size = 0;
  }
}

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

// Keyed by comment id (hashing a short id is cheaper than hashing a long body) and checked against the
// body, so an edit or an id reused across threads recomputes. About 32 MB of UTF-16 at most.
const humans = new LruCache<HumanText>(8_000_000);
const bots = new LruCache<BotText>(8_000_000);

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
