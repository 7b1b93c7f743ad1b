// Replies longer than a GitHub comment (65,536 characters) are posted as several comments. The answer is
// cut at the most markdown-friendly boundary that fits: a blank line outside code, else a line boundary
// outside a table or a list item's continuation, else a line inside a code fence (the fence is closed at
// the end of the part and reopened at the start of the next), else inside a line (at a space if one is
// near). The footer and the context block stay together in the last part, so the last comment is the one
// that records the mention as answered. Every earlier part ends with a visible "(continued below)" note
// after a footer marker, so stripBotMarkup hides the note when the thread is replayed to Claude. Pure.
import { CONTEXT_BLOCK_MARKER, FOOTER_MARKER } from "../contextBlock/index.js";

export const GITHUB_COMMENT_LIMIT = 65_536;
export const CONTINUED_NOTE = `\n\n${FOOTER_MARKER}\n_(continued below)_\n`;

export class ReplyTooLargeError extends Error {
  override name = "ReplyTooLargeError";
}

interface Fence {
  /** The opening line, reused to reopen the fence in the next part. */
  opener: string;
  closer: string;
  char: string;
  length: number;
}

/** Splits a composed reply body into comment bodies of at most `limit` characters, in posting order. */
export function splitReply(body: string, limit = GITHUB_COMMENT_LIMIT): string[] {
  if (body.length <= limit) return [body];
  const tailAt = tailStart(body);
  const answer = body.slice(0, tailAt);
  const tail = body.slice(tailAt);
  if (tail.length > limit) throw new ReplyTooLargeError(`the footer and context block alone exceed ${limit} characters`);

  const parts: string[] = [];
  let rest = answer;
  let reopen = ""; // the fence opener a part must start with
  for (;;) {
    const text = reopen + rest;
    if (text.length + tail.length <= limit) {
      parts.push(text + tail);
      return parts;
    }
    let max = Math.min(limit - CONTINUED_NOTE.length - 1, text.length - 1);
    for (;;) {
      if (max <= reopen.length + 16) throw new ReplyTooLargeError(`a part cannot hold any text within ${limit} characters`);
      const cut = chooseCut(text, max, reopen.length);
      const open = fenceAt(text, cut);
      const head = text.slice(0, cut).trimEnd();
      const part = `${head}${open ? `\n${open.closer}` : ""}${CONTINUED_NOTE}`;
      if (part.length > limit) {
        max -= part.length - limit; // a long fence closer did not fit: cut earlier
        continue;
      }
      parts.push(part);
      reopen = open ? `${open.opener}\n` : "";
      rest = open ? text.slice(cut).replace(/^\n/, "") : text.slice(cut).replace(/^\n+/, "");
      break;
    }
  }
}

/** Where the footer (or, without one, the context block) begins; the body's end when neither exists. */
function tailStart(body: string): number {
  const footer = body.indexOf(`\n\n${FOOTER_MARKER}\n`);
  if (footer >= 0) return footer;
  const block = body.lastIndexOf(`\n\n<!-- ${CONTEXT_BLOCK_MARKER}`);
  return block >= 0 ? block : body.length;
}

const FENCE = /^([ \t]*)(`{3,}|~{3,})(.*)$/;

/** The fence open at offset `at` (which must be a line start or a cut inside a line), if any. */
function fenceAt(text: string, at: number): Fence | null {
  let fence: Fence | null = null;
  let start = 0;
  while (start < at) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    if (end >= at && end !== at) break; // the cut is inside this line: its fence state is the one before it
    const m = FENCE.exec(text.slice(start, end));
    if (m) {
      const [, indent = "", run = "", info = ""] = m;
      if (fence === null) {
        if (!(run[0] === "`" && info.includes("`"))) {
          const opener = text.slice(start, end);
          // An absurdly long opener line (an info string of pages) is reopened as a bare fence.
          fence = { opener: opener.length <= 200 ? opener : indent + run, closer: indent + run, char: run[0]!, length: run.length };
        }
      } else if (run[0] === fence.char && run.length >= fence.length && info.trim() === "") fence = null;
    }
    start = end + 1;
  }
  return fence;
}

/**
 * The best cut at or before `max` (an offset where the next part starts), never inside the reopened fence
 * opener (`min`). Classes, best first: blank line outside code; line start outside code, not inside a
 * table and not before an indented continuation; line start inside a fence; any line start; inside a line.
 * A better class wins when it keeps at least half of the budget.
 */
function chooseCut(text: string, max: number, min: number): number {
  const best: number[] = [-1, -1, -1, -1];
  let fence: { char: string; length: number } | null = null;
  let previousBlank = false;
  let previousTable = false;
  for (let start = 0; start <= max; ) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (start > min) {
      const table = /^\s*\|/.test(line);
      const continuation = /^[ \t]+\S/.test(line);
      const cls = fence ? 2 : previousBlank ? 0 : (previousTable && table) || continuation ? 3 : 1;
      best[cls] = start;
      if (cls === 0 || cls === 1) best[3] = start;
    }
    const m = FENCE.exec(line);
    if (m) {
      const run = m[2]!;
      if (fence === null && !(run[0] === "`" && m[3]!.includes("`"))) fence = { char: run[0]!, length: run.length };
      else if (fence && run[0] === fence.char && run.length >= fence.length && m[3]!.trim() === "") fence = null;
    }
    previousBlank = line.trim() === "";
    previousTable = /^\s*\|/.test(line);
    if (end >= text.length) break;
    start = end + 1;
  }
  for (const at of best) if (at > min && at >= max / 2) return at;
  for (const at of best) if (at > min) return at;
  return cutInsideLine(text, max, min);
}

function cutInsideLine(text: string, max: number, min: number): number {
  const space = text.lastIndexOf(" ", max);
  let at = space > min && space >= max / 2 ? space + 1 : max;
  const code = text.charCodeAt(at - 1);
  if (code >= 0xd800 && code <= 0xdbff) at--; // never split a surrogate pair
  return Math.max(at, min + 1);
}
