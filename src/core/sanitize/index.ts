// Hidden-content removal for untrusted comment text. GitHub comments are written by anyone; a model reads
// their raw markdown, a human reads the rendered page. Everything the page does not show (HTML comments,
// invisible code points, alt text, link titles, reference labels, hidden HTML, invisible attributes) is an
// instruction channel that only the model can see, so it is removed here. Everything a reader can see is
// kept byte for byte: structural edits are cuts of ranges of the original string located on the mdast
// tree of `parseMarkdown` (regular expressions are only used over single characters and token shapes).
import { isTooComplex } from "../markdown/markdown.js";
import { plainTextFallback } from "./fallback.js";
import { collectEdits } from "./collect.js";
import { applyEdits } from "./edits.js";
import { stripInvisible } from "./invisible.js";
import { mayHideContent } from "./precheck.js";

export { stripInvisible };

// Cutting a range can join its neighbours into a new construct (`<!<!-- x -->-- y -->` leaves `<!-- y -->`),
// so edits are repeated until nothing changes. Honest text converges in one round; each further round needs
// deliberate nesting, and past this bound the text is neutralised instead (see `neutralise`).
const MAX_ROUNDS = 4;

/**
 * What a human reader sees, as markdown, of text written by someone we do not trust: hidden constructs are
 * cut out of the original string, everything else is kept as written. Never throws; the result is a fixpoint
 * (`sanitizeUntrustedMarkdown(result) === result`).
 *
 * Removed: HTML comments (an unterminated one hides the rest of the rendered page, so the rest goes too);
 * processing instructions, declarations, CDATA; elements with a `hidden` attribute and elements whose content
 * GitHub or browsers never show (`script`, `style`, `template`, `rp`, …) with their content; tags GitHub drops
 * (their content stays); attributes other than a few visible ones (`href`, `src`, sizes, `open`, …); image alt
 * text; link and definition titles; code fence meta (the info string after the language is not shown);
 * character references that decode to invisible code points. Reference links are resolved inline and all
 * definitions removed, since definitions and reference labels are never rendered (`[//]: # (hidden)`);
 * unreferenced footnotes are removed and footnote labels renumbered as GitHub shows them (`[^1]`, `[^2]`).
 * Things that render as nothing lose their URLs: links with no text (`[](url)`, `<a href=…></a>`) and
 * images of zero or one pixel. In rendered code (src/core/sanitize/embedded.ts): phantom and invisibly
 * coloured math, mermaid comments and accessibility text, and every non-geometry member of a map.
 */
export function sanitizeUntrustedMarkdown(markdown: string): string {
  const input = String(markdown);
  // Invisible code points go first, so none can split a construct the parser would otherwise see
  // (`<\u200B!-- x -->`); the structural cuts only remove whole code points and insert ASCII, so the
  // result needs no second pass.
  const text = stripInvisible(input);
  if (!mayHideContent(text)) return text;
  // Not memoised here: the conversation builder keeps the one memo of sanitised comment text
  // (src/core/conversation/commentText.ts), keyed by comment and checked against the body.
  return sanitizeParsed(text);
}

function sanitizeParsed(stripped: string): string {
  let text = stripped;
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (!mayHideContent(text)) return text;
      const edits = collectEdits(text);
      if (edits.length === 0) return text;
      text = applyEdits(text, edits);
    }
    if (!mayHideContent(text)) return text;
    if (collectEdits(text).length === 0) return text;
    // Deliberately nested input: make it inert, then drop what neutralising cannot reach (fence meta).
    const inert = neutralise(text);
    return applyEdits(inert, collectEdits(inert));
  } catch (error) {
    // Too complex to parse safely (src/core/markdown/markdown.ts): remove hidden constructs textually instead.
    if (isTooComplex(error)) return plainTextFallback(text);
    return neutralise(text);
  }
}

/** True when sanitizing changes anything besides line endings (for logs and metrics). */
export function hasHiddenContent(markdown: string): boolean {
  return sanitizeUntrustedMarkdown(markdown) !== markdown.replace(/\r\n?/g, "\n");
}

// With every `&`, `<`, `[` and `]` written as a character reference, no HTML, link, image, definition,
// footnote or invisible character reference can form any more; fence meta is the only edit left possible.
function neutralise(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/\[/g, "&#91;").replace(/\]/g, "&#93;");
}
