// What GitHub keeps of raw HTML (tags, elements and attributes) and how one tag is read.
import { isHtmlSpace } from "./chars.js";

// Tags GitHub keeps (its sanitizer allowlist); any other tag is dropped by GitHub with its content shown,
// so the tag itself (whose name and attributes are invisible) is cut and the content kept.
export const ALLOWED_TAGS = new Set(
  (
    "a abbr b bdo blockquote br caption cite code dd del details dfn div dl dt em figcaption figure h1 h2 h3 " +
    "h4 h5 h6 hr i img ins kbd li mark ol p picture pre q rt ruby s samp small source span strike strong sub " +
    "summary sup table tbody td tfoot th thead time tr tt ul var wbr"
  ).split(" "),
);
// Elements whose text is parsed raw (no tags inside) and never shown: cut through the end tag.
export const RAW_TEXT_HIDDEN = new Set(["script", "style", "title", "textarea", "iframe", "noembed", "noframes", "xmp", "plaintext"]);
// Elements whose content is never shown (`rp` is hidden wherever ruby is supported): cut with content.
export const CONTENT_HIDDEN = new Set(["template", "noscript", "rp", "object", "svg", "math", "head", "frameset"]);
export const VOID_ELEMENTS = new Set(
  "area base br col embed hr img input keygen link meta param source track wbr".split(" "),
);
// Attributes whose value a reader sees (or that change only layout); every other attribute is invisible
// text (`title`, `alt`, `aria-label`, `data-*`, `style`, `class`, `dir`, …) and is cut.
const URL_ATTRIBUTES = new Set(["href", "src", "srcset"]);
const SHORT_ATTRIBUTES = new Set([
  "width",
  "height",
  "align",
  "valign",
  "colspan",
  "rowspan",
  "start",
  "reversed",
  "open",
  "type",
  "checked",
  "disabled",
]);

export function keepAttribute(name: string, value: string): boolean {
  if (URL_ATTRIBUTES.has(name)) return true;
  // The dark/light `<picture>` idiom of READMEs; no other media query carries meaning on GitHub.
  if (name === "media") return /^\(\s*prefers-color-scheme\s*:\s*(?:dark|light)\s*\)$/i.test(value);
  // Short plain values only: too little room for an instruction.
  return SHORT_ATTRIBUTES.has(name) && /^[\w%.#-]{0,16}$/.test(value);
}

interface Attribute {
  name: string;
  value: string;
  /** Where the attribute's cut starts: the whitespace before it. */
  cutStart: number;
  end: number;
}

export interface Tag {
  name: string;
  nameEnd: number;
  attributes: Attribute[];
  /** Index after the closing `>`. */
  end: number;
}

// An HTML5-style tag starting at `lt` (`<name` or `</name`); null when the value ends inside the tag.
export function readTag(v: string, lt: number, closing: boolean): Tag | null {
  let i = lt + (closing ? 2 : 1);
  const nameStart = i;
  while (i < v.length && !isHtmlSpace(v.charCodeAt(i)) && v[i] !== "/" && v[i] !== ">") i++;
  const name = v.slice(nameStart, i).toLowerCase();
  const nameEnd = i;
  const attributes: Attribute[] = [];
  for (;;) {
    const cutStart = i;
    while (i < v.length && (isHtmlSpace(v.charCodeAt(i)) || v[i] === "/")) i++;
    if (i >= v.length) return null;
    if (v[i] === ">") return { name, nameEnd, attributes, end: i + 1 };
    const nameAt = i++; // a first `=` belongs to the name
    while (i < v.length && !isHtmlSpace(v.charCodeAt(i)) && v[i] !== "/" && v[i] !== ">" && v[i] !== "=") i++;
    const attributeName = v.slice(nameAt, i).toLowerCase();
    let j = i;
    while (j < v.length && isHtmlSpace(v.charCodeAt(j))) j++;
    let value = "";
    if (v[j] === "=") {
      j++;
      while (j < v.length && isHtmlSpace(v.charCodeAt(j))) j++;
      const quote = v[j];
      if (quote === '"' || quote === "'") {
        const close = v.indexOf(quote, j + 1);
        if (close < 0) return null;
        value = v.slice(j + 1, close);
        i = close + 1;
      } else {
        const valueStart = j;
        while (j < v.length && !isHtmlSpace(v.charCodeAt(j)) && v[j] !== ">") j++;
        value = v.slice(valueStart, j);
        i = j;
      }
    }
    attributes.push({ name: attributeName, value, cutStart, end: i });
  }
}
