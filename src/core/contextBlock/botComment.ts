// Reading one of this bot's own comments cheaply. A thread of hundreds of replies is re-read on every
// turn, and a markdown parse costs about 2 µs per character, so the layout composeReply writes is
// recognised without one; anything else takes the exact path (stripBotMarkup, findContextBlocks).
import { CONTEXT_BLOCK_MARKER, findContextBlocks, FOOTER_MARKER, stripBotMarkup } from "./index.js";

export interface BotCommentParts {
  /** The visible answer (no footer, no block), as stripBotMarkup returns it. */
  text: string;
  /** The last top-level context block, or null. */
  blockRaw: string | null;
}

export function splitBotComment(body: string): BotCommentParts {
  return fastSplit(body) ?? { text: stripBotMarkup(body), blockRaw: findContextBlocks(body).at(-1)?.raw ?? null };
}

/**
 * composeReply writes `answer`, a blank line, optionally the footer, a blank line, the block, and the
 * answer is neutralised first: no `threadbot:` marker survives in it and nothing it leaves open can
 * swallow what follows a blank line. When a body has exactly that shape, the markers are top-level
 * without asking the parser. Anything unusual (a maintainer's edit, CRLF, a second marker) returns null.
 */
function fastSplit(body: string): BotCommentParts | null {
  const blockAt = body.lastIndexOf(`\n\n<!-- ${CONTEXT_BLOCK_MARKER}\n`);
  if (blockAt < 0) return null;
  const raw = body.slice(blockAt + 2).trimEnd();
  if (raw.indexOf("-->") !== raw.length - 3 || !raw.endsWith("\n-->")) return null;
  const footerAt = body.indexOf(`\n\n${FOOTER_MARKER}\n`);
  const hasFooter = footerAt >= 0 && footerAt < blockAt;
  const answer = body.slice(0, hasFooter ? footerAt : blockAt);
  if (MARKER.test(answer)) return null;
  if (hasFooter && MARKER.test(body.slice(footerAt + 2 + FOOTER_MARKER.length, blockAt))) return null;
  return { text: answer.trimEnd(), blockRaw: raw };
}

const MARKER = /threadbot:/i;

/**
 * The `answered` ids of a block rendered by renderContextBlock (one line, quoted ids), or null when the
 * line is not in that form (then parse the block). Used only to order replies, where a full YAML parse
 * of every reply in a long thread would dominate the build.
 */
export function answeredFast(raw: string): string[] | null {
  const match = /\nanswered: \[((?:"(?:\d+|opening)"(?:, "(?:\d+|opening)")*)?)\]\n/.exec(raw);
  if (match === null) return null;
  const list = match[1]!;
  return list === "" ? [] : list.split(", ").map((id) => id.slice(1, -1));
}
