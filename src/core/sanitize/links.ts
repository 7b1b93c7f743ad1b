// Links, images, definitions, references and footnotes: what of them the page never shows (titles, alt text,
// reference labels, definitions, unreferenced footnotes, footnote labels) is cut or rewritten.
import type { Image, ImageReference, Link, LinkReference, Nodes } from "mdast";
import { isAsciiPunctuation, isMarkdownSpace } from "./chars.js";
import { cutNode, type Edits, endOf, startOf } from "./edits.js";

/** The footnotes of a text, as collected from its tree. */
export interface FootnoteUses {
  footnoteDefinitions: Map<string, Nodes>; // identifier → first definition
  deadFootnoteDefinitions: Nodes[]; // duplicates: never rendered
  footnoteOrder: string[]; // identifiers in order of first reference
  footnoteReferences: { node: Nodes; identifier: string }[];
}

// `[text][label]`, `[text][]` and `[text]` become `[text](url)`; `![alt][label]` becomes `![](url)`. The
// label is never rendered, and every definition is removed, so references must not depend on them.
export function inlineReference(
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
export function dropTitleAndAlt(source: string, edits: Edits, node: Link | Image): void {
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

// GitHub numbers footnotes in order of first reference and never renders an unreferenced definition.
// Labels are invisible (`[^anything]` shows as a number), so they are replaced by those numbers.
// Returns the rendered definitions in rendering order (they follow the main text on the page).
export function renumberFootnotes(source: string, edits: Edits, found: FootnoteUses): Nodes[] {
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
