// The fast path: most comments contain nothing the sanitiser would edit, and this check says so without a parse.
import { isMarkdownSpace } from "./chars.js";
import { mayHaveEmbeddedHidden } from "./embedded.js";
import { ALLOWED_TAGS } from "./htmlTags.js";

/**
 * Conservative pre-check: false only when no construct that `collectEdits` edits can be present, so the
 * markdown parse (the expensive part) is skipped. Each edit needs its trigger in the text: an HTML edit needs
 * a `<` that does not start a bare allowlisted tag (`<details>`, `</summary>`, `<br/>`: such a tag is never
 * cut, and cannot open a comment, a hidden element or an attribute that swallows a later `<`); a
 * definition, a reference or a footnote needs `]:` (references exist only when defined); an image with alt
 * text `![` followed by something other than `]`; a link or image title a `](` whose destination is followed
 * by something other than `)`; a character reference `&` plus a name or `#`; fence meta a fence line with
 * something after the language; an empty link `[](`; math commands, mermaid and map fences
 * (`mayHaveEmbeddedHidden`).
 */
export function mayHideContent(text: string): boolean {
  if (text.includes("]:") || (text.includes("<") && !onlyBareAllowedTags(text))) return true;
  if (mayHaveImageAlt(text) || mayHaveResourceTitle(text) || EMPTY_LINK_HINT.test(text)) return true;
  if (mayHaveEmbeddedHidden(text)) return true;
  if (text.includes("&") && INVISIBLE_REFERENCE_HINT.test(text)) return true;
  return mayHaveFenceMeta(text);
}

// `[](`, `[ ](`: a link with no text (an autolink-free empty link renders as nothing).
const EMPTY_LINK_HINT = /\[[ \t\n]*\]\(/;

// Every name of `INVISIBLE_NAMED_REFERENCES` (invisible.ts) starts with one of these.
const INVISIBLE_REFERENCE_HINT =
  /&(?:#|shy;|zwn?j;|lrm;|rlm;|ZeroWidthSpace;|Negative|NoBreak;|ApplyFunction;|af;|InvisibleTimes;|it;|InvisibleComma;|ic;)/;

const BARE_TAG = /<(\/?)([A-Za-z][A-Za-z0-9]*)([ \t]*\/?)>/y; // one line: a `>` after a newline may be a quote prefix

function onlyBareAllowedTags(text: string): boolean {
  for (let at = text.indexOf("<"); at >= 0; at = text.indexOf("<", at + 1)) {
    BARE_TAG.lastIndex = at;
    const tag = BARE_TAG.exec(text);
    if (!tag || !ALLOWED_TAGS.has((tag[2] ?? "").toLowerCase())) return false;
    if (tag[1] && tag[3]) return false; // `</b >` is cut to `</b>`
  }
  return true;
}

function mayHaveImageAlt(text: string): boolean {
  for (let at = text.indexOf("!["); at >= 0; at = text.indexOf("![", at + 2)) {
    if (text.charCodeAt(at + 2) !== 0x5d /* ] */) return true;
  }
  return false;
}

// Every inline resource tail is a `](` in the text. A plain destination (no `(`, `\`, `<`) that runs into
// `)`, possibly after whitespace, has no title; anything else might.
function mayHaveResourceTitle(text: string): boolean {
  for (let at = text.indexOf("]("); at >= 0; at = text.indexOf("](", at + 2)) {
    let i = at + 2;
    while (isMarkdownSpace(text.charCodeAt(i))) i++;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x28 || c === 0x5c || c === 0x3c) return true;
      if (c === 0x29 || isMarkdownSpace(c)) break;
    }
    while (isMarkdownSpace(text.charCodeAt(i))) i++;
    if (i < text.length && text.charCodeAt(i) !== 0x29) return true;
  }
  return false;
}

function mayHaveFenceMeta(text: string): boolean {
  for (let from = 0; ; ) {
    const backticks = text.indexOf("```", from);
    const tildes = text.indexOf("~~~", from);
    const at = backticks < 0 ? tildes : tildes < 0 ? backticks : Math.min(backticks, tildes);
    if (at < 0) return false;
    const lineEnd = text.indexOf("\n", at);
    const info = text.slice(at, lineEnd < 0 ? text.length : lineEnd).replace(/^[`~]+[ \t]*/, "");
    if (/\S[ \t]+\S/.test(info)) return true;
    if (lineEnd < 0) return false;
    from = lineEnd;
  }
}
