// Hidden-content removal for untrusted comment text. GitHub comments are written by anyone; a model reads
// their raw markdown, a human reads the rendered page. Everything the page does not show (HTML comments,
// invisible code points, alt text, link titles, reference labels, hidden HTML, invisible attributes) is an
// instruction channel that only the model can see, so it is removed here. Everything a reader can see is
// kept byte for byte: structural edits are cuts of ranges of the original string located on the mdast
// tree of `parseMarkdown` (regular expressions are only used over single characters and token shapes).
import type { Code, Html, Image, ImageReference, Link, LinkReference, Nodes, Root } from "mdast";
import { isTooComplex, parseMarkdown } from "./markdown.js";
import { plainTextFallback } from "./sanitizeFallback.js";

// ---------------------------------------------------------------------------------------------------------
// Invisible code points
// ---------------------------------------------------------------------------------------------------------

// Code points that render as nothing (or nothing a reader notices) but reach a model. The list is the
// brief's (zero-width, bidi controls, Tags block, variation selectors, soft hyphen, C0/C1 controls) plus the
// rest of Unicode's Default_Ignorable_Code_Point set (Hangul fillers, Mongolian free variation selectors,
// combining grapheme joiner, musical/shorthand format controls, interlinear annotation), spelled out rather
// than `\p{DI}` so the output does not change with the Node version's Unicode tables.
// ZWJ (U+200D) and the variation selectors are removed too, although emoji sequences use them: without them
// a family emoji shows as its members and ❤️ as ❤, which loses nothing a reader needs, while keeping them
// would leave a channel open (zero-width binary encodings use ZWJ/ZWNJ; "ASCII smuggling" uses selectors).
const INVISIBLE_RANGES =
  "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F" + // C0 except \t \n (\r is normalised), C1
  "\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F" +
  "\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0\\uFFF0-\\uFFFB" +
  "\\u{1BCA0}-\\u{1BCA3}\\u{1D173}-\\u{1D17A}\\u{E0000}-\\u{E0FFF}"; // E0000–E007F Tags, E0100–E01EF VS 17–256

// With the `u` flag a surrogate range matches only lone surrogates: paired ones form one code point.
const INVISIBLE = new RegExp(`\\r\\n?|[\\uD800-\\uDFFF]|[${INVISIBLE_RANGES}]`, "gu");
const HAS_INVISIBLE = new RegExp(`[\\r\\uD800-\\uDFFF${INVISIBLE_RANGES}]`, "u");
const INVISIBLE_CODE_POINT = new RegExp(`^[${INVISIBLE_RANGES}]$`, "u");

/**
 * Removes code points that hide content from a human reader but reach a model, turns lone surrogates into
 * U+FFFD and normalises line endings to `\n`. One pass, so a removal can never join a surrogate pair or a
 * `\r\n` out of its neighbours, and the result is a fixpoint.
 */
export function stripInvisible(text: string): string {
  if (!HAS_INVISIBLE.test(text)) return text;
  return text.replace(INVISIBLE, (match) => {
    if (match.charCodeAt(0) === 0x0d) return "\n";
    if (match.length === 1 && (match.charCodeAt(0) & 0xf800) === 0xd800) return "\uFFFD";
    return "";
  });
}

// ---------------------------------------------------------------------------------------------------------
// Untrusted markdown
// ---------------------------------------------------------------------------------------------------------

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
 */
export function sanitizeUntrustedMarkdown(markdown: string): string {
  const input = String(markdown);
  const cached = cache.get(input);
  if (cached !== undefined) {
    // Refresh: the map's insertion order is the eviction order.
    cache.delete(input);
    cache.set(input, cached);
    return cached;
  }
  // Invisible code points go first, so none can split a construct the parser would otherwise see
  // (`<\u200B!-- x -->`); the structural cuts only remove whole code points and insert ASCII, so the
  // result needs no second pass.
  const text = stripInvisible(input);
  if (!mayHideContent(text)) return text;
  const output = sanitizeParsed(text);
  remember(input, output);
  return output;
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
    // Too complex to parse safely (src/core/markdown.ts): remove hidden constructs textually instead.
    if (isTooComplex(error)) return plainTextFallback(text);
    return neutralise(text);
  }
}

// Parsing costs ~0.1 ms plus ~0.6 µs per character, and the same thread is rebuilt on every turn, so parsed
// results are memoised (the function is pure). Bounded by total characters, least recently used out first.
const CACHE_LIMIT_CHARS = 8_000_000;
const cache = new Map<string, string>();
let cachedChars = 0;

function remember(input: string, output: string): void {
  cache.set(input, output);
  cachedChars += input.length + output.length;
  for (const [key, value] of cache) {
    if (cachedChars <= CACHE_LIMIT_CHARS) break;
    cache.delete(key);
    cachedChars -= key.length + value.length;
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

/**
 * Conservative pre-check: false only when no construct that `collectEdits` edits can be present, so the
 * markdown parse (the expensive part) is skipped. Each edit needs its trigger in the text: an HTML edit needs
 * a `<` that does not start a bare allowlisted tag (`<details>`, `</summary>`, `<br/>`: such a tag is never
 * cut, and cannot open a comment, a hidden element or an attribute that swallows a later `<`); a
 * definition, a reference or a footnote needs `]:` (references exist only when defined); an image with alt
 * text `![` followed by something other than `]`; a link or image title a `](` whose destination is followed
 * by something other than `)`; a character reference `&` plus a name or `#`; fence meta a fence line with
 * something after the language.
 */
function mayHideContent(text: string): boolean {
  if (text.includes("]:") || (text.includes("<") && !onlyBareAllowedTags(text))) return true;
  if (mayHaveImageAlt(text) || mayHaveResourceTitle(text)) return true;
  if (text.includes("&") && INVISIBLE_REFERENCE_HINT.test(text)) return true;
  return mayHaveFenceMeta(text);
}

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

// ---------------------------------------------------------------------------------------------------------
// Edits on the original string
// ---------------------------------------------------------------------------------------------------------

interface Edit {
  start: number;
  end: number;
  text: string;
}

class Edits {
  readonly list: Edit[] = [];
  constructor(private readonly source: string) {}

  replace(start: number, end: number, text: string): void {
    if (start < end && this.source.slice(start, end) !== text) this.list.push({ start, end, text });
  }

  cut(start: number, end: number): void {
    this.replace(start, end, "");
  }
}

// Overlaps only happen when a cut contains another edit (a hidden element around an image); a partial
// overlap, should one occur, becomes the union cut: removing a little more is the safe side.
function applyEdits(source: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Edit[] = [];
  for (const edit of sorted) {
    const last = merged[merged.length - 1];
    if (last && edit.start < last.end) {
      if (edit.end > last.end) merged[merged.length - 1] = { start: last.start, end: edit.end, text: "" };
      continue;
    }
    merged.push(edit);
  }
  let out = "";
  let at = 0;
  for (const edit of merged) {
    out += source.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + source.slice(at);
}

function startOf(node: Nodes): number | undefined {
  return node.position?.start.offset;
}

function endOf(node: Nodes): number | undefined {
  return node.position?.end.offset;
}

// ---------------------------------------------------------------------------------------------------------
// Collecting edits from the tree
// ---------------------------------------------------------------------------------------------------------

interface Collected {
  definitions: Map<string, string>; // identifier → url of the first definition (the one that counts)
  definitionNodes: Nodes[];
  references: (LinkReference | ImageReference)[];
  footnoteDefinitions: Map<string, Nodes>; // identifier → first definition
  deadFootnoteDefinitions: Nodes[]; // duplicates: never rendered
  footnoteOrder: string[]; // identifiers in order of first reference
  footnoteReferences: { node: Nodes; identifier: string }[];
  html: { node: Html; footnote: string | null }[];
  resources: (Link | Image)[];
  code: Code[];
  phrasing: { start: number; end: number; exclude: [number, number][] }[];
}

interface WalkContext {
  footnote: string | null;
  phrasing: { exclude: [number, number][] } | null;
}

function collectEdits(source: string): Edit[] {
  const tree: Root = parseMarkdown(source);
  const found: Collected = {
    definitions: new Map(),
    definitionNodes: [],
    references: [],
    footnoteDefinitions: new Map(),
    deadFootnoteDefinitions: [],
    footnoteOrder: [],
    footnoteReferences: [],
    html: [],
    resources: [],
    code: [],
    phrasing: [],
  };
  walk(tree, { footnote: null, phrasing: null }, found);

  const edits = new Edits(source);
  for (const node of found.definitionNodes) cutNode(edits, node);
  for (const node of found.references) inlineReference(source, edits, node, found.definitions);
  for (const node of found.resources) dropTitleAndAlt(source, edits, node);
  for (const node of found.code) dropFenceMeta(source, edits, node);
  const rendered = renumberFootnotes(source, edits, found);
  for (const root of found.phrasing) cutInvisibleReferences(source, root.start, root.end, root.exclude, edits, true);
  scanHtml(source, found, rendered, edits);
  return edits.list;
}

function walk(node: Nodes, context: WalkContext, found: Collected): void {
  const start = startOf(node);
  const end = endOf(node);
  switch (node.type) {
    case "html":
      found.html.push({ node, footnote: context.footnote });
      context.phrasing?.exclude.push([start ?? 0, end ?? 0]);
      return;
    case "inlineCode":
      context.phrasing?.exclude.push([start ?? 0, end ?? 0]);
      return;
    case "definition":
      if (!found.definitions.has(node.identifier)) found.definitions.set(node.identifier, node.url);
      found.definitionNodes.push(node);
      return;
    case "linkReference":
    case "imageReference":
      found.references.push(node);
      if (node.type === "imageReference") {
        context.phrasing?.exclude.push([start ?? 0, end ?? 0]);
        return;
      }
      break;
    case "image":
      found.resources.push(node);
      context.phrasing?.exclude.push([start ?? 0, end ?? 0]);
      return;
    case "link":
      if (node.title !== null && node.title !== undefined) found.resources.push(node);
      break;
    case "code":
      found.code.push(node);
      return;
    case "footnoteReference":
      if (!found.footnoteOrder.includes(node.identifier)) found.footnoteOrder.push(node.identifier);
      found.footnoteReferences.push({ node, identifier: node.identifier });
      return;
    case "footnoteDefinition": {
      if (found.footnoteDefinitions.has(node.identifier)) {
        found.deadFootnoteDefinitions.push(node);
        return;
      }
      found.footnoteDefinitions.set(node.identifier, node);
      for (const child of node.children) walk(child, { footnote: node.identifier, phrasing: null }, found);
      return;
    }
    case "paragraph":
    case "heading":
    case "tableCell":
      if (start !== undefined && end !== undefined) {
        const phrasing = { start, end, exclude: [] as [number, number][] };
        found.phrasing.push(phrasing);
        for (const child of node.children) walk(child, { ...context, phrasing }, found);
        return;
      }
      break;
    default:
      break;
  }
  if ("children" in node) for (const child of node.children) walk(child, context, found);
}

function cutNode(edits: Edits, node: Nodes): void {
  const start = startOf(node);
  const end = endOf(node);
  if (start !== undefined && end !== undefined) edits.cut(start, end);
}

// `[text][label]`, `[text][]` and `[text]` become `[text](url)`; `![alt][label]` becomes `![](url)`. The
// label is never rendered, and every definition is removed, so references must not depend on them.
function inlineReference(
  source: string,
  edits: Edits,
  node: LinkReference | ImageReference,
  definitions: Map<string, string>,
): void {
  const url = definitions.get(node.identifier);
  const start = startOf(node);
  const end = endOf(node);
  if (url === undefined || start === undefined || end === undefined) return;
  const destination = encodeDestination(url);
  if (node.type === "imageReference") {
    edits.replace(start, end, `![](${destination})`);
    return;
  }
  const textEnd = closingBracket(source, node, start + 1, end);
  edits.replace(textEnd, end, `](${destination})`);
}

// The `]` that closes a link's text: link text children cover the text, so it follows the last child
// (after any whitespace). If the source does not look like that, the last child's end is used, which only
// drops trailing whitespace of the text.
function closingBracket(source: string, node: Link | LinkReference, from: number, end: number): number {
  const last = node.children[node.children.length - 1];
  const afterText = (last && endOf(last)) ?? from;
  let i = afterText;
  while (i < end && isMarkdownSpace(source.charCodeAt(i))) i++;
  return source.charCodeAt(i) === 0x5d ? i : afterText;
}

// `![alt](url "title")` → `![](url)`, `[text](url "title")` → `[text](url)`: the destination keeps its bytes.
function dropTitleAndAlt(source: string, edits: Edits, node: Link | Image): void {
  const start = startOf(node);
  const end = endOf(node);
  if (start === undefined || end === undefined) return;
  const hasTitle = node.title !== null && node.title !== undefined;
  if (node.type === "image" && node.alt === "" && !hasTitle) return;
  const from = node.type === "image" ? start + 2 : closingBracket(source, node, start + 1, end);
  const tail = findResourceTail(source, from, end, node.url);
  if (!tail) {
    // Unexpected layout: rebuild the tail from the parsed url (same target, no title).
    if (node.type === "image") edits.replace(start, end, `![](${encodeDestination(node.url)})`);
    else edits.replace(from, end, `](${encodeDestination(node.url)})`);
    return;
  }
  if (node.type === "image") edits.cut(start + 2, tail.bracket);
  if (hasTitle) edits.cut(tail.destinationEnd, end - 1);
}

// The `](destination title)` tail of a link or image ending at `end`. The image alt may itself contain `](`
// (in a code span), so each candidate is tried left to right and accepted only if it parses as a resource
// that ends exactly at `end` with the parsed url.
function findResourceTail(
  source: string,
  from: number,
  end: number,
  url: string,
): { bracket: number; destinationEnd: number } | null {
  for (let bracket = source.indexOf("](", from); bracket >= 0 && bracket < end; bracket = source.indexOf("](", bracket + 1)) {
    const tail = scanResource(source, bracket + 1, end);
    if (!tail) continue;
    let raw = source.slice(tail.destinationStart, tail.destinationEnd);
    if (raw.startsWith("<")) raw = raw.slice(1, -1);
    if (raw.includes("&") || unescapeMarkdown(raw) === url) return { bracket, destinationEnd: tail.destinationEnd };
  }
  return null;
}

// CommonMark inline resource `(destination "title")` from `open` (the `(`); must end with the `)` at end - 1.
function scanResource(
  s: string,
  open: number,
  end: number,
): { destinationStart: number; destinationEnd: number } | null {
  let i = skipResourceSpace(s, open + 1, end);
  const destinationStart = i;
  if (s.charCodeAt(i) === 0x3c /* < */) {
    for (i++; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x3e /* > */) break;
      if (c === 0x0a || c === 0x3c) return null;
      if (c === 0x5c /* \ */) i++;
    }
    if (i >= end) return null;
    i++;
  } else {
    let depth = 0;
    for (; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x5c && isAsciiPunctuation(s.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      if (c <= 0x20 || c === 0x7f) break;
      if (c === 0x28) depth++;
      else if (c === 0x29) {
        if (depth === 0) break;
        depth--;
      }
    }
  }
  const destinationEnd = i;
  i = skipResourceSpace(s, i, end);
  const opener = s.charCodeAt(i);
  if (i > destinationEnd && (opener === 0x22 || opener === 0x27 || opener === 0x28)) {
    const closer = opener === 0x28 ? 0x29 : opener;
    for (i++; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c === closer) break;
      if (c === 0x5c) i++;
      else if (opener === 0x28 && c === 0x28) return null;
    }
    if (i >= end) return null;
    i = skipResourceSpace(s, i + 1, end);
  }
  return i === end - 1 && s.charCodeAt(i) === 0x29 ? { destinationStart, destinationEnd } : null;
}

// Whitespace inside a resource; after a line ending the continuation line may carry container prefixes
// (`> ` of a block quote), which are never the start of a title and only rarely of a destination (then the
// url comparison fails and the tail is rebuilt).
function skipResourceSpace(s: string, i: number, end: number): number {
  let afterNewline = false;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0a) afterNewline = true;
    else if (!(c === 0x20 || c === 0x09 || (afterNewline && c === 0x3e))) break;
  }
  return i;
}

function unescapeMarkdown(raw: string): string {
  return raw.replace(/\\([!-/:-@[-`{-~])/g, "$1");
}

// A destination that parses back to `url`: backslash escapes for what could end it or read as a character
// reference, angle brackets when it contains spaces.
function encodeDestination(url: string): string {
  if (url === "") return "<>";
  const escaped = url.replace(/[\\<>()]/g, "\\$&").replace(/&(?=#?[A-Za-z0-9]+;)/g, "\\&");
  return /[\s\x00-\x1f\x7f]/.test(url) ? `<${escaped}>` : escaped;
}

// GitHub shows a fenced block's language as highlighting only and never shows the rest of the info string.
function dropFenceMeta(source: string, edits: Edits, node: Code): void {
  const start = startOf(node);
  if (start === undefined || node.meta === null || node.meta === undefined) return;
  const lineEnd = source.indexOf("\n", start);
  const line = source.slice(start, lineEnd < 0 ? endOf(node) : lineEnd);
  const fence = /^[ \t]*(?:`{3,}|~{3,})[ \t]*\S*/.exec(line);
  if (fence) edits.cut(start + fence[0].length, start + line.length);
}

// GitHub numbers footnotes in order of first reference and never renders an unreferenced definition.
// Labels are invisible (`[^anything]` shows as a number), so they are replaced by those numbers.
// Returns the rendered definitions in rendering order (they follow the main text on the page).
function renumberFootnotes(source: string, edits: Edits, found: Collected): Nodes[] {
  const numbers = new Map<string, number>();
  for (const identifier of found.footnoteOrder) {
    if (found.footnoteDefinitions.has(identifier)) numbers.set(identifier, numbers.size + 1);
  }
  for (const { node, identifier } of found.footnoteReferences) {
    const n = numbers.get(identifier);
    const start = startOf(node);
    const end = endOf(node);
    if (n !== undefined && start !== undefined && end !== undefined) edits.replace(start, end, `[^${n}]`);
  }
  const rendered: Nodes[] = [];
  for (const [identifier, node] of found.footnoteDefinitions) {
    const n = numbers.get(identifier);
    const start = startOf(node);
    if (n === undefined || start === undefined) {
      cutNode(edits, node);
      continue;
    }
    const label = labelEnd(source, start + 2, endOf(node) ?? source.length);
    if (label >= 0) edits.replace(start, label + 1, `[^${n}]`);
    rendered[n - 1] = node;
  }
  for (const node of found.deadFootnoteDefinitions) cutNode(edits, node);
  return rendered.filter((node) => node !== undefined);
}

function labelEnd(source: string, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x5d) return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------------
// Character references that decode to invisible code points (`&#8203;`, `&zwj;`, `&#xE0049;`)
// ---------------------------------------------------------------------------------------------------------

const CHARACTER_REFERENCE = /&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9]{0,31}));/g;

const INVISIBLE_NAMED_REFERENCES = new Set([
  "shy",
  "zwnj",
  "zwj",
  "lrm",
  "rlm",
  "ZeroWidthSpace",
  "NegativeVeryThinSpace",
  "NegativeThinSpace",
  "NegativeMediumSpace",
  "NegativeThickSpace",
  "NoBreak",
  "ApplyFunction",
  "af",
  "InvisibleTimes",
  "it",
  "InvisibleComma",
  "ic",
]);

function decodesInvisible(hex: string | undefined, decimal: string | undefined, name: string | undefined): boolean {
  if (name !== undefined) return INVISIBLE_NAMED_REFERENCES.has(name);
  const codePoint = hex !== undefined ? parseInt(hex, 16) : parseInt(decimal ?? "", 10);
  // Renderers differ on controls and out-of-range values (U+FFFD or the raw control); both are cut.
  if (!(codePoint > 0) || codePoint > 0x10ffff) return false;
  if (codePoint === 0x09 || codePoint === 0x0a || codePoint === 0x0d) return false;
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) return true;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return false;
  return INVISIBLE_CODE_POINT.test(String.fromCodePoint(codePoint));
}

// Scans `text[from, to)` (source offsets via `map`) for references; in markdown text a reference preceded
// by an odd run of backslashes is escaped, in HTML there are no escapes.
function cutInvisibleReferences(
  text: string,
  from: number,
  to: number,
  exclude: readonly [number, number][],
  edits: Edits,
  markdown: boolean,
  map: (i: number) => number = (i) => i,
): void {
  const slice = text.slice(from, to);
  if (!slice.includes("&")) return;
  for (const match of slice.matchAll(CHARACTER_REFERENCE)) {
    const at = from + (match.index ?? 0);
    if (!decodesInvisible(match[1], match[2], match[3])) continue;
    if (exclude.some(([s, e]) => at >= s && at < e)) continue;
    if (markdown) {
      let backslashes = 0;
      while (at - backslashes - 1 >= from && text.charCodeAt(at - backslashes - 1) === 0x5c) backslashes++;
      if (backslashes % 2 === 1) continue;
    }
    edits.cut(map(at), map(at + match[0].length));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Raw HTML
// ---------------------------------------------------------------------------------------------------------

// Tags GitHub keeps (its sanitizer allowlist); any other tag is dropped by GitHub with its content shown,
// so the tag itself (whose name and attributes are invisible) is cut and the content kept.
const ALLOWED_TAGS = new Set(
  (
    "a abbr b bdo blockquote br caption cite code dd del details dfn div dl dt em figcaption figure h1 h2 h3 " +
    "h4 h5 h6 hr i img ins kbd li mark ol p picture pre q rt ruby s samp small source span strike strong sub " +
    "summary sup table tbody td tfoot th thead time tr tt ul var wbr"
  ).split(" "),
);
// Elements whose text is parsed raw (no tags inside) and never shown: cut through the end tag.
const RAW_TEXT_HIDDEN = new Set(["script", "style", "title", "textarea", "iframe", "noembed", "noframes", "xmp", "plaintext"]);
// Elements whose content is never shown (`rp` is hidden wherever ruby is supported): cut with content.
const CONTENT_HIDDEN = new Set(["template", "noscript", "rp", "object", "svg", "math", "head", "frameset"]);
const VOID_ELEMENTS = new Set(
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

function keepAttribute(name: string, value: string): boolean {
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

interface Tag {
  name: string;
  nameEnd: number;
  attributes: Attribute[];
  /** Index after the closing `>`. */
  end: number;
}

const isHtmlSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
const isMarkdownSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a;
const isAsciiLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isAsciiPunctuation = (c: number): boolean =>
  (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);

// An HTML5-style tag starting at `lt` (`<name` or `</name`); null when the value ends inside the tag.
function readTag(v: string, lt: number, closing: boolean): Tag | null {
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

// Where a rendered piece of the page comes from: the main text, then each rendered footnote definition.
interface Segment {
  start: number;
  end: number;
}

interface Position {
  segment: number;
  at: number;
}

type Lexer =
  | { mode: "data" }
  | { mode: "comment"; from: Position }
  | { mode: "rawtext"; from: Position; name: string };

// HTML nodes are scanned as one stream in rendering order, because that is how a browser sees them: the
// markdown between them renders with `<`, `>` and `&` escaped, so a comment, a raw-text element or a
// hidden element opened in one node stays open until a later node closes it, or to the end of the page.
class HtmlScanner {
  private lexer: Lexer = { mode: "data" };
  private hidden: { from: Position; name: string; depth: number } | null = null;
  private segment = 0;
  private map: (i: number) => number = (i) => i;

  constructor(
    private readonly segments: readonly Segment[],
    private readonly edits: Edits,
  ) {}

  scan(segment: number, source: string, node: Html): void {
    const start = startOf(node);
    const end = endOf(node);
    if (start === undefined || end === undefined) return;
    this.segment = segment;
    const map = valueToSource(source, node.value, start, end);
    if (map) this.map = map;
    else {
      // Container prefixes we cannot align: drop the whole node, keep its state for the nodes after it.
      this.map = (i) => (i === 0 ? start : end);
      this.cut(0, node.value.length);
    }
    const v = node.value;
    let i = 0;
    while (i < v.length) {
      if (this.lexer.mode === "comment") {
        const close = commentEnd(v, i);
        if (close < 0) return;
        this.close(this.lexer.from, close);
        this.lexer = { mode: "data" };
        i = close;
      } else if (this.lexer.mode === "rawtext") {
        const close = rawTextEnd(v, i, this.lexer.name);
        if (close < 0) return;
        this.close(this.lexer.from, close);
        this.lexer = { mode: "data" };
        i = close;
      } else {
        const lt = v.indexOf("<", i);
        if (!this.hidden) {
          cutInvisibleReferences(v, i, lt < 0 ? v.length : lt, [], this.edits, false, this.map);
        }
        if (lt < 0) return;
        i = this.markup(v, lt);
      }
    }
  }

  /** End of the page: whatever is still open hides everything after it. */
  finish(): void {
    const open = this.hidden?.from ?? (this.lexer.mode === "data" ? null : this.lexer.from);
    if (!open) return;
    this.edits.cut(open.at, this.segments[open.segment]?.end ?? open.at);
    for (const segment of this.segments.slice(open.segment + 1)) this.edits.cut(segment.start, segment.end);
  }

  private position(i: number): Position {
    return { segment: this.segment, at: this.map(i) };
  }

  private cut(from: number, to: number): number {
    if (!this.hidden) this.edits.cut(this.map(from), this.map(to));
    return to;
  }

  // Closes a range opened at `from` at index `to` of the current node, across segments if need be.
  private close(from: Position, to: number): void {
    if (this.hidden) {
      if (from !== this.hidden.from) return;
      this.hidden = null;
    }
    const end = this.map(to);
    if (from.segment === this.segment) {
      this.edits.cut(from.at, end);
      return;
    }
    this.edits.cut(from.at, this.segments[from.segment]?.end ?? from.at);
    for (let s = from.segment + 1; s < this.segment; s++) {
      const segment = this.segments[s];
      if (segment) this.edits.cut(segment.start, segment.end);
    }
    this.edits.cut(this.segments[this.segment]?.start ?? end, end);
  }

  // At a `<` in data: returns the index to continue from.
  private markup(v: string, lt: number): number {
    const next = v.charCodeAt(lt + 1);
    if (v.startsWith("<!--", lt)) {
      if (v.startsWith(">", lt + 4)) return this.cut(lt, lt + 5); // `<!-->` is a whole (empty) comment
      if (v.startsWith("->", lt + 4)) return this.cut(lt, lt + 6);
      this.lexer = { mode: "comment", from: this.position(lt) };
      return lt + 4;
    }
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */) return this.bogusComment(v, lt);
    if (next === 0x2f /* / */) {
      if (v.charCodeAt(lt + 2) === 0x3e) return this.cut(lt, lt + 3);
      if (!isAsciiLetter(v.charCodeAt(lt + 2))) return this.bogusComment(v, lt);
      const tag = readTag(v, lt, true);
      if (!tag) return this.cut(lt, v.length);
      this.endTag(tag, lt);
      return tag.end;
    }
    if (!isAsciiLetter(next)) return lt + 1; // a literal `<`
    const tag = readTag(v, lt, false);
    if (!tag) return this.cut(lt, v.length);
    this.startTag(tag, lt);
    return tag.end;
  }

  // Declarations, processing instructions, CDATA and malformed end tags: hidden up to the next `>`.
  private bogusComment(v: string, lt: number): number {
    const gt = v.indexOf(">", lt + 2);
    return this.cut(lt, gt < 0 ? v.length : gt + 1);
  }

  private startTag(tag: Tag, lt: number): void {
    if (RAW_TEXT_HIDDEN.has(tag.name)) {
      this.lexer = { mode: "rawtext", from: this.position(lt), name: tag.name };
      return;
    }
    if (this.hidden) {
      if (tag.name === this.hidden.name && !VOID_ELEMENTS.has(tag.name)) this.hidden.depth++;
      return;
    }
    if (CONTENT_HIDDEN.has(tag.name) || tag.attributes.some((a) => a.name === "hidden")) {
      if (VOID_ELEMENTS.has(tag.name)) this.cut(lt, tag.end);
      else this.hidden = { from: this.position(lt), name: tag.name, depth: 1 };
      return;
    }
    if (!ALLOWED_TAGS.has(tag.name)) {
      this.cut(lt, tag.end);
      return;
    }
    for (const attribute of tag.attributes) {
      if (!keepAttribute(attribute.name, attribute.value)) this.cut(attribute.cutStart, attribute.end);
    }
  }

  private endTag(tag: Tag, lt: number): void {
    if (this.hidden) {
      if (tag.name === this.hidden.name && --this.hidden.depth === 0) this.close(this.hidden.from, tag.end);
      return;
    }
    if (!ALLOWED_TAGS.has(tag.name)) this.cut(lt, tag.end);
    else this.cut(tag.nameEnd, tag.end - 1); // an end tag's attributes are never shown
  }
}

function commentEnd(v: string, from: number): number {
  const a = v.indexOf("-->", from);
  const b = v.indexOf("--!>", from);
  if (a < 0) return b < 0 ? -1 : b + 4;
  return b < 0 || a < b ? a + 3 : b + 4;
}

function rawTextEnd(v: string, from: number, name: string): number {
  for (let i = v.indexOf("</", from); i >= 0; i = v.indexOf("</", i + 2)) {
    if (v.slice(i + 2, i + 2 + name.length).toLowerCase() !== name) continue;
    const after = v.charCodeAt(i + 2 + name.length);
    if (!(isHtmlSpace(after) || after === 0x2f || after === 0x3e || Number.isNaN(after))) continue;
    const tag = readTag(v, i, true);
    return tag ? tag.end : v.length;
  }
  return -1;
}

// An html node's value has container prefixes (`> `, list indentation) removed and tabs partly expanded;
// line by line, the value is aligned to the source on their common suffix. Positions in a value line's
// unmatched leading whitespace map to the start of the matched part (edits only ever start there).
function valueToSource(source: string, value: string, start: number, end: number): ((i: number) => number) | null {
  const raw = source.slice(start, end);
  if (raw === value) return (i) => start + i;
  const valueLines = value.split("\n");
  const rawLines = raw.split("\n");
  if (valueLines.length !== rawLines.length) return null;
  const lines: { valueStart: number; valueEnd: number; rawEnd: number; common: number }[] = [];
  let valueAt = 0;
  let rawAt = start;
  for (let k = 0; k < valueLines.length; k++) {
    const v = valueLines[k] ?? "";
    const r = rawLines[k] ?? "";
    let common = 0;
    while (common < v.length && common < r.length && v[v.length - 1 - common] === r[r.length - 1 - common]) common++;
    if (v.slice(0, v.length - common).trim() !== "") return null;
    lines.push({ valueStart: valueAt, valueEnd: valueAt + v.length, rawEnd: rawAt + r.length, common });
    valueAt += v.length + 1;
    rawAt += r.length + 1;
  }
  return (i) => {
    for (const line of lines) {
      if (i > line.valueEnd) continue;
      return line.rawEnd - Math.min(line.valueEnd - i, line.common);
    }
    return end;
  };
}

function scanHtml(source: string, found: Collected, rendered: readonly Nodes[], edits: Edits): void {
  if (found.html.length === 0) return;
  const segments: Segment[] = [{ start: 0, end: source.length }];
  const index = new Map<string, number>();
  for (const node of rendered) {
    if (node.type !== "footnoteDefinition") continue;
    index.set(node.identifier, segments.length);
    segments.push({ start: startOf(node) ?? source.length, end: endOf(node) ?? source.length });
  }
  const scanner = new HtmlScanner(segments, edits);
  const bySegment: Html[][] = segments.map(() => []);
  for (const { node, footnote } of found.html) {
    const segment = footnote === null ? 0 : index.get(footnote);
    if (segment !== undefined) bySegment[segment]?.push(node);
  }
  bySegment.forEach((nodes, segment) => {
    for (const node of nodes) scanner.scan(segment, source, node);
  });
  scanner.finish();
}
