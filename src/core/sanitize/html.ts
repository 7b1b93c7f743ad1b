// Raw HTML: the html nodes of the tree, scanned as the browser sees them, with hidden ranges cut.
import type { Html, Nodes } from "mdast";
import { isAsciiLetter, isHtmlSpace } from "./chars.js";
import { type Edits, endOf, startOf } from "./edits.js";
import { ALLOWED_TAGS, CONTENT_HIDDEN, keepAttribute, RAW_TEXT_HIDDEN, readTag, type Tag, VOID_ELEMENTS } from "./htmlTags.js";
import { cutInvisibleReferences } from "./invisible.js";

/** An html node of the tree, and the footnote definition it sits in (null: the main text). */
export interface HtmlOccurrence {
  node: Html;
  footnote: string | null;
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
  private source = "";
  private nodeEnd = 0;

  constructor(
    private readonly segments: readonly Segment[],
    private readonly edits: Edits,
  ) {}

  scan(segment: number, source: string, node: Html): void {
    const start = startOf(node);
    const end = endOf(node);
    if (start === undefined || end === undefined) return;
    this.segment = segment;
    this.source = source;
    this.nodeEnd = end;
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
    this.startTag(tag, lt, v);
    return tag.end;
  }

  // Declarations, processing instructions, CDATA and malformed end tags: hidden up to the next `>`.
  private bogusComment(v: string, lt: number): number {
    const gt = v.indexOf(">", lt + 2);
    return this.cut(lt, gt < 0 ? v.length : gt + 1);
  }

  private startTag(tag: Tag, lt: number, v: string): void {
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
    // An image of no size shows nothing, and a link with no content shows nothing: their URLs would be
    // text only a model sees.
    if ((tag.name === "img" || tag.name === "source") && zeroSize(tag)) {
      this.cut(lt, tag.end);
      return;
    }
    const empty = tag.name === "a" && this.closesAtOnce(v, tag.end, "a");
    for (const attribute of tag.attributes) {
      if (empty && (attribute.name === "href" || attribute.name === "src" || attribute.name === "srcset")) {
        this.cut(attribute.cutStart, attribute.end);
        continue;
      }
      if (!keepAttribute(attribute.name, attribute.value)) this.cut(attribute.cutStart, attribute.end);
    }
  }

  /** True when the element's end tag follows its start tag with only whitespace between. */
  private closesAtOnce(v: string, from: number, name: string): boolean {
    const close = new RegExp(`^[ \\t\\n]*</${name}[\\s/>]`, "i");
    if (from < v.length) return close.test(v.slice(from, from + 64));
    // The start tag ends its html node (inline HTML): the end tag, if next, starts the source after it.
    return close.test(this.source.slice(this.nodeEnd, this.nodeEnd + 64));
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

function zeroSize(tag: Tag): boolean {
  return tag.attributes.some((a) => {
    if (a.name !== "width" && a.name !== "height") return false;
    const size = /^\s*\+?(\d*\.?\d+)\s*(?:px|%|em)?\s*$/i.exec(a.value);
    return size !== null && Number(size[1]) <= 1;
  });
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

export function scanHtml(source: string, html: readonly HtmlOccurrence[], rendered: readonly Nodes[], edits: Edits): void {
  if (html.length === 0) return;
  const segments: Segment[] = [{ start: 0, end: source.length }];
  const index = new Map<string, number>();
  for (const node of rendered) {
    if (node.type !== "footnoteDefinition") continue;
    index.set(node.identifier, segments.length);
    segments.push({ start: startOf(node) ?? source.length, end: endOf(node) ?? source.length });
  }
  const scanner = new HtmlScanner(segments, edits);
  const bySegment: Html[][] = segments.map(() => []);
  for (const { node, footnote } of html) {
    const segment = footnote === null ? 0 : index.get(footnote);
    if (segment !== undefined) bySegment[segment]?.push(node);
  }
  bySegment.forEach((nodes, segment) => {
    for (const node of nodes) scanner.scan(segment, source, node);
  });
  scanner.finish();
}
