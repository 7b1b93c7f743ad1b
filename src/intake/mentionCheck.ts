// The mention check of intake, which runs inside the webhook handler: Probot answers GitHub only when the
// handler returns, and a markdown parse costs up to ~20 µs per character (src/core/markdown/markdown.ts). So a body
// longer than INTAKE_PARSE_LIMIT is not parsed here: if the phrase appears in it at all, the job is
// enqueued `unverified` and the worker, off the webhook's clock, decides (its own detectTrigger) before
// any reaction. A body the parser must not see (too complex) that names the phrase goes the same way: the
// worker gives its author a short notice.
import { markdownComplexity } from "../core/markdown/markdown.js";
import { detectTrigger } from "../core/trigger/trigger.js";

/** Characters; about 0.3 s of parsing in the worst accepted shapes. */
export const INTAKE_PARSE_LIMIT = 16_384;

export type MentionCheck = "mention" | "not-a-mention" | "unverified";

export function checkMention(
  body: string | null | undefined,
  phrase: string,
  log?: { info: (fields: object, message: string) => void },
): MentionCheck {
  const text = typeof body === "string" ? body : "";
  if (!text.toLowerCase().includes(phrase.toLowerCase())) return "not-a-mention";
  if (text.length > INTAKE_PARSE_LIMIT) return "unverified";
  if (detectTrigger(text, { phrase }).triggered) return "mention";
  const tooComplex = markdownComplexity(text);
  if (tooComplex === null) return "not-a-mention";
  // The phrase is there but the parser must not see the comment: the worker tells its author (if allowed).
  log?.info({ reason: tooComplex, length: text.length }, "a comment names the bot but is too complex to parse; the worker will say so");
  return "unverified";
}

/** Bots whose mentions intake passes on (the worker then needs the repository's `access.bots` too). */
export function botMayTrigger(login: string | undefined, allowedBots: readonly string[] | undefined): boolean {
  if (!login || !allowedBots || allowedBots.length === 0) return false;
  const name = login.toLowerCase().replace(/\[bot\]$/, "");
  return allowedBots.includes("*") || allowedBots.includes(name);
}
