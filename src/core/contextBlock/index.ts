// The hidden context block at the end of every bot reply (format v1): render, parse, locate it in a
// comment, strip bot markup from a reply, and keep model output from forging or swallowing a block.
//
// The block is a CommonMark type-2 HTML block: it starts at `<!--` and ends at the first line containing
// `-->`; blank lines do not end it. So the one thing the rendered YAML must never contain is `-->` (nor
// `--!>`, which ends a comment in browsers). Everything else about the layout is free.
//
// This file is the entry point; the pieces live in ./contextBlock/.
export { CONTEXT_BLOCK_MARKER, FOOTER_MARKER, MAX_CONTEXT_BLOCK_CHARS } from "./markers.js";
export { findContextBlocks, stripBotMarkup, type LocatedBlock } from "./locate.js";
export { neutraliseContextBlocks } from "./neutralise.js";
export { parseContextBlock, type ParseResult } from "./parse.js";
export { renderContextBlock } from "./render.js";
