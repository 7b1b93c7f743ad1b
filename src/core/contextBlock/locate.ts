// Locating context blocks and the footer among the top-level nodes of a comment, and stripping bot markup.
import type { RootContent } from "mdast";
import { isTooComplex, parseMarkdown } from "../markdown/markdown.js";
import { BLOCK_START, FOOTER_MARKER, FOOTER_START } from "./markers.js";

export interface LocatedBlock {
  /** The block's text as it appears in the markdown (the whole HTML block). */
  raw: string;
  /** Offsets into the markdown: `markdown.slice(start, end) === raw`. */
  start: number;
  end: number;
}

/**
 * Context blocks that are top-level HTML blocks of `markdown`, in document order. A block quoted, listed,
 * fenced or written inline is text someone is showing, not state, so it is not returned.
 */
export function findContextBlocks(markdown: string): LocatedBlock[] {
  // Markdown too complex to parse safely (src/core/markdown/markdown.ts) holds no block we can trust to locate.
  return topLevelOrNone(markdown)
    .filter(({ node }) => node.type === "html" && BLOCK_START.test(node.value))
    .map(({ start, end }) => ({ raw: markdown.slice(start, end), start, end }));
}

/**
 * The visible answer of one of this bot's comments: everything before the footer marker, without any
 * context block, trailing whitespace trimmed.
 */
export function stripBotMarkup(body: string): string {
  let cut = body.length;
  const blocks: { start: number; end: number }[] = [];
  let nodes: Located[];
  try {
    nodes = topLevel(body);
  } catch (error) {
    if (!isTooComplex(error)) throw error;
    return stripBotMarkupTextually(body);
  }
  for (const { node, start, end } of nodes) {
    if (node.type !== "html") continue;
    if (FOOTER_START.test(node.value)) {
      cut = start;
      break;
    }
    if (BLOCK_START.test(node.value)) blocks.push({ start, end });
  }
  let visible = "";
  let pos = 0;
  for (const block of blocks) {
    visible += body.slice(pos, block.start);
    pos = block.end;
  }
  return (visible + body.slice(pos, cut)).trimEnd();
}

export interface Located {
  node: RootContent;
  start: number;
  end: number;
}

function topLevelOrNone(markdown: string): Located[] {
  try {
    return topLevel(markdown);
  } catch (error) {
    if (isTooComplex(error)) return [];
    throw error;
  }
}

/**
 * stripBotMarkup for a body the parser must not see: cut at the first footer marker that opens a line,
 * and drop every `<!-- threadbot:context … -->` span. May remove a little more than the exact path would.
 */
function stripBotMarkupTextually(body: string): string {
  const footer = new RegExp(`(?:^|\n) {0,3}${FOOTER_MARKER}`).exec(body);
  const visible = footer === null ? body : body.slice(0, footer.index);
  return visible.replace(/<!--[ \t\r\n]*threadbot:context[\s\S]*?(?:-->|$)/g, "").trimEnd();
}

/** The top-level nodes of `markdown` with their offsets into it. */
export function topLevel(markdown: string): Located[] {
  // micromark drops a leading byte-order mark and counts offsets from after it.
  const shift = markdown.startsWith("\uFEFF") ? 1 : 0;
  const located: Located[] = [];
  for (const node of parseMarkdown(markdown).children) {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start !== undefined && end !== undefined) located.push({ node, start: start + shift, end: end + shift });
  }
  return located;
}
