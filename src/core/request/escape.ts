// The escaping boundary of a Claude request: every byte that is not the app's own text (comments, titles,
// branch names, file paths, patches, summaries, standing instructions) passes through here on its way into
// the request, escaped against ONE list of the element names the app itself writes. Whatever an author
// types, it can neither close one of the app's elements nor open a new one.
import { redactSecrets } from "../redact/secrets.js";
import { stripInvisible } from "../sanitize/index.js";

/** Every element the app wraps text in, in the system prompt, the turns and the summary request. */
export const APP_ELEMENTS = [
  "opening-post",
  "comment",
  "assistant-reply",
  "previous-summary",
  "pull-request",
  "file",
  "left-out",
  "review-thread",
  "diff-hunk",
  // The code tools' results (src/core/code/tools.ts).
  "search-results",
  "listing",
] as const;

// `<name` or `</name` at a name boundary, whatever the case: `<Comment`, `</pull-request>`, `<file `.
const APP_ELEMENT = new RegExp(`<(\\/?)(${APP_ELEMENTS.join("|")})(?![\\w-])`, "gi");

/** Untrusted text as element content: anything that reads as one of the app's elements loses its `<`. */
export function escapeText(text: string): string {
  return text.replace(APP_ELEMENT, "&lt;$1$2");
}

/** Untrusted text as an attribute value (inside double quotes). */
export function escapeAttr(value: string): string {
  return value.replace(/[&"<>]/g, (ch) => ATTR_ESCAPES[ch]!);
}
const ATTR_ESCAPES: Record<string, string> = { "&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;" };

/**
 * A short untrusted value shown in the app's own prose (an issue title, a branch name): invisible
 * characters and credentials removed, kept on one line, escaped as element content.
 */
export function escapeLine(value: string): string {
  return escapeText(redactSecrets(stripInvisible(value)).replace(/\s+/g, " ").trim());
}
