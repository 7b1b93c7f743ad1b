// The markers and size limit of the context block format, and the patterns that recognise its HTML blocks.
export const CONTEXT_BLOCK_MARKER = "threadbot:context";
/** The worker puts this line before its visible footer; from here to the end is bot markup. */
export const FOOTER_MARKER = "<!-- threadbot:footer -->";
/** GitHub's comment size limit; a block larger than a whole comment is certainly not ours. */
export const MAX_CONTEXT_BLOCK_CHARS = 65_536;

// An HTML block may be indented by up to three spaces; whitespace after `<!--` is tolerated, but the
// marker itself is exact and must be a whole word.
export const BLOCK_START = /^ {0,3}<!--[ \t\r\n]*threadbot:context(?=[ \t\r\n]|-->|$)/;
export const FOOTER_START = /^ {0,3}<!--[ \t]*threadbot:footer[ \t]*-->/;
