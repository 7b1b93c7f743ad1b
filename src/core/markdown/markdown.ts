// The one markdown parser of the project: CommonMark + GitHub Flavored Markdown, as GitHub renders comments.
// Every markdown decision (mentions, hidden content, the context block) is made on this tree, never by
// regular expressions over raw text.
//
// The parser (micromark via remark) recurses over nesting and is super-linear on many shapes: thousands
// of nested quotes or list items overflow the stack; a paragraph of alternating `*_` takes ~46 s at 64 KB,
// nested brackets ~25 s, thousands of setext headings ~12 s (each one rebuilds the event list). Beyond
// those, its cost grows with the square of the number of lines and container markers: 64 KB of `- - - x`
// lines takes ~20 s, of `> a` followed by lazy lines ~60 s, of one-character paragraphs or headings
// seconds, and a table row's cells count like lines. Comment bodies are written by anyone, so
// `parseMarkdown` first runs a linear pre-scan (`markdownComplexity`) and refuses such input with
// `MarkdownTooComplexError`; each caller decides what "unreadable" means for it. The limits are far above
// what people write in a comment (3,000 lines of prose, 1,000 list items), and keep the parse of any
// accepted input of up to 65,536 characters to a fraction of a second, against ~20 s before lines were
// counted (bench/markdownGuard.ts measures the worst accepted shapes against plain prose).
import type { Root } from "mdast";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";

const processor = unified().use(remarkParse).use(remarkGfm);

export const MARKDOWN_LIMITS = Object.freeze({
  /** Container nesting of one line: `>` and list markers, plus leading whitespace columns / 2. */
  containerDepth: 100,
  /**
   * Sum over paragraph-like blocks of (emphasis delimiters + brackets in the block)². The parser's
   * delimiter and label matching is quadratic within one paragraph; blank lines reset it.
   */
  inlineWork: 2_500_000,
  /** Setext-heading underlines × input length (each underline costs a pass over the events so far). */
  setextWork: 6_000_000,
  /**
   * Line work: every line outside a fenced code block counts 1, plus 1 per quote marker `>`, plus, for
   * each list marker (`-`, `*`, `+`, `1.`: each opens a list inside the previous container), 1 + the
   * line's markers (at most 3), plus 1/10 per table-cell pipe up to 100 on the line and 1 per pipe past
   * that (rows of a few cells cost far less than lines; one row of thousands of columns does not); an ATX heading counts 2, a lazy continuation line (text continuing a paragraph inside
   * a quote or list item) 3, a blank line 1/2, a line inside a fence 0.4. The parser's block phase costs about the
   * square of this total, whatever the shape, so the bound is on the total.
   */
  lineWork: 3_000,
});

/** What the pre-scan counted, for tests that check it stays linear and for logs. */
export interface MarkdownScan {
  /** null when the text may be parsed, else why not. */
  reason: string | null;
  /** Lines the scan looked at before deciding. */
  lines: number;
  /** Characters the scan looked at before deciding (each at most a constant number of times). */
  chars: number;
  lineWork: number;
}

export class MarkdownTooComplexError extends Error {
  override name = "MarkdownTooComplexError";
  constructor(readonly reason: string) {
    super(`markdown is too complex to parse safely: ${reason}`);
  }
}

/** Parses `markdown`; throws `MarkdownTooComplexError` (before any parsing) when it is pathological. */
export function parseMarkdown(markdown: string): Root {
  const reason = markdownComplexity(markdown);
  if (reason !== null) throw new MarkdownTooComplexError(reason);
  return processor.parse(markdown) as Root;
}

/** True for the guard's error (callers treat it as "unreadable", never as a crash). */
export function isTooComplex(error: unknown): error is MarkdownTooComplexError {
  return error instanceof MarkdownTooComplexError;
}

const TAB = 0x09;
const SPACE = 0x20;
const WORD = /[\p{L}\p{N}]/u;

type Html = { end: string; caseless: boolean } | "blank";

/**
 * null when `markdown` is safe to parse, else why not. One linear pass over the lines, conservative: it
 * may over-count (that only refuses sooner), and its one exemption, the content of a top-level fenced
 * code block (not inline-parsed, so JSON or C pasted in a fence is not counted), is taken only where the
 * parser certainly sees a fence: an unindented fence line outside any HTML block.
 */
export function markdownComplexity(markdown: string): string | null {
  return scanMarkdown(markdown).reason;
}

/** `markdownComplexity` with the scan's counters. */
export function scanMarkdown(markdown: string): MarkdownScan {
  const text = String(markdown);
  let lines = 0;
  let chars = 0;
  let lineWork = 0;
  const done = (reason: string | null): MarkdownScan => ({ reason, lines, chars, lineWork });
  const setextLimit = Math.floor(MARKDOWN_LIMITS.setextWork / Math.max(text.length, 1));
  let inlineWork = 0;
  let block = 0; // delimiters and brackets in the current paragraph-like block
  let setext = 0;
  let previousBlank = true;
  let fence: { char: number; length: number } | null = null;
  let html: Html | null = null;
  let inContainerParagraph = false;

  for (let start = 0; start <= text.length; ) {
    let end = start;
    while (end < text.length && text.charCodeAt(end) !== 0x0a && text.charCodeAt(end) !== 0x0d) end++;
    const next = text.charCodeAt(end) === 0x0d && text.charCodeAt(end + 1) === 0x0a ? end + 2 : end + 1;
    const line = text.slice(start, end);
    start = next;
    lines++;
    chars += line.length + 1;

    if (fence !== null) {
      if (closesFence(line, fence.char, fence.length)) fence = null;
      lineWork += 0.4;
      if (lineWork > MARKDOWN_LIMITS.lineWork) return done(tooManyLines(lineWork));
      if (next > text.length) break;
      continue; // code: neither containers nor inline content
    }
    const blank = isBlankish(line);
    if (html !== null && html !== "blank" && containsEnd(line, html)) html = null;
    else if (html === "blank" && blank) html = null;
    else if (html === null && !blank) {
      const opener = fenceOpener(line);
      if (opener !== null) {
        inlineWork += block * block;
        block = 0;
        fence = opener;
        lineWork += 1;
        previousBlank = false;
        continue;
      }
      html = htmlStart(line);
    }

    const prefix = containerPrefix(line);
    if (prefix.depth > MARKDOWN_LIMITS.containerDepth) {
      return done(`a line nests ${prefix.depth} levels of quotes, lists or indentation (limit ${MARKDOWN_LIMITS.containerDepth})`);
    }
    // A lazy line: no marker of its own, continuing a paragraph that sits in a container.
    const lazy = !blank && prefix.markers === 0 && inContainerParagraph;
    const heading = line.charCodeAt(prefix.end) === 0x23 /* # */;
    const nesting = prefix.quotes + prefix.lists * (1 + Math.min(prefix.markers, 3));
    lineWork += (blank ? 0.5 : lazy ? 3 : heading ? 2 : 1) + nesting + pipeWork(countPipes(line, prefix.end));
    if (blank) inContainerParagraph = false;
    else if (prefix.markers > 0) inContainerParagraph = true;
    if (lineWork > MARKDOWN_LIMITS.lineWork) return done(tooManyLines(lineWork));
    if (blank) {
      inlineWork += block * block;
      block = 0;
    } else {
      block += inlineDelimiters(line, prefix.end);
      if (inlineWork + block * block > MARKDOWN_LIMITS.inlineWork) {
        return done(`a paragraph has too many emphasis delimiters and brackets (${block})`);
      }
      if (!previousBlank && isSetextUnderline(line) && ++setext > setextLimit) {
        return done(`too many setext heading underlines (${setext}) for a text of ${text.length} characters`);
      }
    }
    previousBlank = blank;
    if (next > text.length) break;
  }
  return done(null);
}

function tooManyLines(work: number): string {
  return `too many lines, list items, quote markers or table cells (work ${Math.ceil(work)}, limit ${MARKDOWN_LIMITS.lineWork})`;
}

function pipeWork(pipes: number): number {
  return pipes <= 100 ? pipes / 10 : 10 + (pipes - 100);
}

/** Unescaped `|` of a line's content: each may be a table cell, which the parser handles like a line. */
function countPipes(line: string, from: number): number {
  let count = 0;
  for (let i = line.indexOf("|", from); i >= 0; i = line.indexOf("|", i + 1)) {
    if (line.charCodeAt(i - 1) !== 0x5c) count++;
  }
  return count;
}

/** Whitespace only, or only quote markers (each `>` followed by at most 4 spaces, the first indented ≤ 3). */
function isBlankish(line: string): boolean {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === SPACE || line.charCodeAt(i) === TAB)) i++;
  if (i === line.length) return true;
  if (i > 3 || line.includes("\t")) return false;
  while (i < line.length) {
    if (line.charCodeAt(i) !== 0x3e /* > */) return false;
    i++;
    let spaces = 0;
    while (i < line.length && line.charCodeAt(i) === SPACE) (i++, spaces++);
    if (spaces > 4) return false;
  }
  return true;
}

/** Container depth of a line (quote and list markers, whitespace columns / 2) and where its content starts. */
function containerPrefix(line: string): { depth: number; markers: number; quotes: number; lists: number; end: number } {
  let markers = 0;
  let quotes = 0;
  let columns = 0;
  let i = 0;
  for (;;) {
    const c = line.charCodeAt(i);
    if (c === SPACE) columns++, i++;
    else if (c === TAB) columns += 4, i++;
    else if (c === 0x3e /* > */) markers++, quotes++, i++;
    else if ((c === 0x2d || c === 0x2a || c === 0x2b) && isMarkerEnd(line, i + 1)) markers++, i++;
    else if (c >= 0x30 && c <= 0x39) {
      let j = i;
      while (j < line.length && j - i < 10 && line.charCodeAt(j) >= 0x30 && line.charCodeAt(j) <= 0x39) j++;
      const d = line.charCodeAt(j);
      if (j - i > 9 || (d !== 0x2e && d !== 0x29) || !isMarkerEnd(line, j + 1)) break;
      markers++;
      i = j + 1;
    } else break;
  }
  return { depth: markers + Math.floor(columns / 2), markers, quotes, lists: markers - quotes, end: i };
}

function isMarkerEnd(line: string, at: number): boolean {
  const c = line.charCodeAt(at);
  return at >= line.length || c === SPACE || c === TAB;
}

/** `*`, `~`, `[`, `]`, `` ` `` and `_` that is not inside a word, not backslash-escaped. */
function inlineDelimiters(line: string, from: number): number {
  let count = 0;
  let backslashes = 0;
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      backslashes++;
      continue;
    }
    const escaped = backslashes % 2 === 1;
    backslashes = 0;
    if (escaped) continue;
    // Backtick runs too: code spans are matched run against run.
    if (c === 0x2a || c === 0x7e || c === 0x5b || c === 0x5d || c === 0x60) count++;
    else if (c === 0x5f /* _ */ && !(WORD.test(line[i - 1] ?? "") && WORD.test(line[i + 1] ?? ""))) count++;
  }
  return count;
}

/** `===` or `---` alone on a line (after quote markers): a setext underline when it follows text. */
function isSetextUnderline(line: string): boolean {
  let i = 0;
  for (;;) {
    while (line.charCodeAt(i) === SPACE || line.charCodeAt(i) === TAB) i++;
    if (line.charCodeAt(i) !== 0x3e) break;
    i++;
  }
  const c = line.charCodeAt(i);
  if (c !== 0x3d && c !== 0x2d) return false;
  while (line.charCodeAt(i) === c) i++;
  while (line.charCodeAt(i) === SPACE || line.charCodeAt(i) === TAB) i++;
  return i >= line.length;
}

/** An unindented fence opener: 3+ backticks (info without backticks) or 3+ tildes. */
function fenceOpener(line: string): { char: number; length: number } | null {
  const c = line.charCodeAt(0);
  if (c !== 0x60 && c !== 0x7e) return null;
  let n = 0;
  while (line.charCodeAt(n) === c) n++;
  if (n < 3) return null;
  if (c === 0x60 && line.indexOf("`", n) >= 0) return null;
  return { char: c, length: n };
}

/** Any indentation (a superset of the parser's closers, so the exemption never outlasts the fence). */
function closesFence(line: string, char: number, length: number): boolean {
  let i = 0;
  while (line.charCodeAt(i) === SPACE || line.charCodeAt(i) === TAB) i++;
  let n = 0;
  while (line.charCodeAt(i + n) === char) n++;
  if (n < length) return false;
  for (let k = i + n; k < line.length; k++) {
    const d = line.charCodeAt(k);
    if (d !== SPACE && d !== TAB) return false;
  }
  return true;
}

/**
 * CommonMark HTML block starts (indent ≤ 3). Kinds 1-5 end at a line containing their terminator (searched
 * after the opener, so never sooner than the parser's); anything else that starts with `<` is taken as
 * kind 6/7 and ends at a blank line. Over-detecting only withholds the fence exemption.
 */
function htmlStart(line: string): Html | null {
  let i = 0;
  while (i < 4 && line.charCodeAt(i) === SPACE) i++;
  if (line.charCodeAt(i) !== 0x3c /* < */) return null;
  const rest = line.slice(i);
  const raw = /^<(script|pre|style|textarea)(?=[\s>]|$)/i.exec(rest);
  const kind: Html | null = raw
    ? { end: `</${raw[1]!.toLowerCase()}>`, caseless: true }
    : rest.startsWith("<!--")
      ? { end: "-->", caseless: false }
      : rest.startsWith("<?")
        ? { end: "?>", caseless: false }
        : rest.startsWith("<![CDATA[")
          ? { end: "]]>", caseless: false }
          : /^<![A-Za-z]/.test(rest)
            ? { end: ">", caseless: false }
            : null;
  if (kind === null) return "blank";
  const after = rest.slice(raw ? raw[0].length : kind.end === ">" ? 2 : rest.startsWith("<![CDATA[") ? 9 : kind.end === "-->" ? 4 : 2);
  return containsEnd(after, kind) ? null : kind;
}

function containsEnd(line: string, html: { end: string; caseless: boolean }): boolean {
  return (html.caseless ? line.toLowerCase() : line).includes(html.end);
}
