// Trigger detection: does a comment really mention the bot, and what is it asking?
//
// Every markdown decision is made on the mdast tree from `parseMarkdown` (CommonMark + GFM, as GitHub renders
// comments). Regular expressions only ever look at a single text node's value, never at raw markdown — with
// one exception, a literal "is the phrase anywhere at all?" pre-check that lets the common case (no mention)
// skip parsing entirely.
//
// Rules (each one is covered by test/core/trigger.test.ts):
// - Only rendered prose counts: text in paragraphs, headings, list items, table cells, emphasis, strong,
//   strikethrough, footnote definitions and between inline HTML tags (`<b>@claude</b>` renders "@claude").
// - Never counted: inline code, fenced/indented code, blockquotes (quoting someone else), HTML nodes
//   (comments, block HTML), links and link references (their text and URLs; GFM autolink literals and
//   e-mail addresses are links too), definitions and images (alt text is not visible prose).
// - Matching is case-insensitive and the phrase is taken literally as configured (`@claude`, or `claude`).
// - The phrase must be typed literally: a backslash-escaped (`\@claude`) or entity-encoded (`&#64;claude`)
//   character does not count, so writing it that way is a way to talk *about* the bot without calling it.
// - Boundaries, modelled on GitHub's own mention rule: the character before may not be a letter, digit,
//   mark, `.`, `_`, `-`, `+` or `\` (e-mail local parts such as `x@claude`); the character after may not be a
//   letter, digit, mark, `_`, `-` or `/` (longer handles `@claude-bot`, `@claude2`, `@claude/pkg`), and a
//   single `.` followed by a word character (`@claude.ai`) is a domain, while `@claude.` ends a sentence.
import type { Nodes, Root, Text } from "mdast";
import { toString } from "mdast-util-to-string";

import { parseMarkdown } from "../markdown/markdown.js";

export type TriggerResult = { triggered: boolean; request: string };

export type Command =
  | { name: "help" | "reset" | "status" | "retry"; argument: "" }
  | { name: "remember"; argument: string }
  | { name: null; argument: string };

const NOT_TRIGGERED: TriggerResult = { triggered: false, request: "" };

// Subtrees whose text is not a mention of anyone (see the rules above).
const NOT_PROSE = new Set<Nodes["type"]>([
  "code",
  "inlineCode",
  "html",
  "blockquote",
  "link",
  "linkReference",
  "definition",
  "image",
  "imageReference",
]);

const WORD_BEFORE = /[\p{L}\p{N}\p{M}._+\\-]/u; // a character that glues the phrase to what precedes it
const WORD_AFTER = /[\p{L}\p{N}\p{M}_/-]/u; // a character that makes the phrase part of a longer handle
const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
// CommonMark character references (named, decimal, hexadecimal).
const CHARACTER_REFERENCE = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/y;

/**
 * Detects a real mention of `options.phrase` in a comment body.
 *
 * `request` is the rendered text of the whole comment with the first mention removed:
 * - the phrase and one `,` `:` or `;` right after it are cut out (`Hey @claude, what is X?` → `Hey what is X?`);
 *   when the mention opens its line, all `, : ; . ! ?` right after it go (`@claude: help`, `@claude. help` →
 *   `help`); later mentions stay as written;
 * - prose keeps its words, not its markup: each paragraph, heading, list item and table row starts a new line,
 *   table cells are joined with ` | `, runs of whitespace collapse to one space, lines are trimmed and blank
 *   prose lines dropped;
 * - code (inline and blocks) keeps its text; code blocks keep their lines and indentation (trailing spaces
 *   trimmed), so the request may start with indentation; quoted text is kept; HTML, images, definitions and
 *   link URLs are dropped (link text is kept);
 * - leading and trailing blank lines are removed.
 * When not triggered, `request` is "".
 */
export function detectTrigger(markdown: string, options: { phrase: string }): TriggerResult {
  return detect(markdown, options.phrase, true);
}

/** Convenience: `detectTrigger(markdown, { phrase }).triggered`, without building the request text. */
export function mentionsPhrase(markdown: string, phrase: string): boolean {
  return detect(markdown, phrase, false).triggered;
}

/**
 * Reads a request as a bot command. The command word is the first word, case-insensitive.
 * - `help`, `reset`, `status`, `retry` are commands only when they are the whole request, optionally followed
 *   by `.`, `!` or `?` (`reset!`); anything longer (`reset the counter please`) is an ordinary question.
 * - `remember <text>` takes the rest (trimmed) as its argument; a bare `remember` is an ordinary question.
 * - Everything else is `{ name: null, argument: request }` with the request unchanged.
 */
export function parseCommand(request: string): Command {
  const text = request.trim();
  const bare = /^(help|reset|status|retry)[.!?]*$/i.exec(text);
  if (bare?.[1] !== undefined) {
    return { name: bare[1].toLowerCase() as "help" | "reset" | "status" | "retry", argument: "" };
  }
  const remember = /^remember\s+(\S[\s\S]*)$/i.exec(text);
  if (remember?.[1] !== undefined) return { name: "remember", argument: remember[1].trim() };
  return { name: null, argument: request };
}

type Mention = { node: Text; index: number; length: number };
type Matcher = { pattern: RegExp; length: number }; // case-insensitive, global; the phrase's length

function detect(markdown: string, phrase: string, withRequest: boolean): TriggerResult {
  if (phrase.length === 0) return NOT_TRIGGERED;
  const matcher: Matcher = { pattern: new RegExp(escapeRegExp(phrase), "gi"), length: phrase.length };
  // The phrase must be typed literally (rules above), so when the raw text does not contain it there is
  // nothing to find and no reason to parse.
  if (!matcher.pattern.test(markdown)) return NOT_TRIGGERED;

  const tree = parseSafely(markdown);
  if (tree === undefined) return NOT_TRIGGERED;
  const mention = findFirstMention(tree, markdown, matcher);
  if (mention === undefined) return NOT_TRIGGERED;
  return { triggered: true, request: withRequest ? renderRequest(tree, mention) : "" };
}

/**
 * The parser recurses over the tree (remark-gfm's transforms), so pathologically deep nesting such as
 * thousands of nested list items or quotes overflows the stack. Such a comment is not a request we can read,
 * and intake must not crash on it: treat it as not triggered.
 */
function parseSafely(markdown: string): Root | undefined {
  try {
    return parseMarkdown(markdown);
  } catch {
    return undefined;
  }
}

/** First mention in document order. Iterative, so deeply nested input cannot overflow the stack. */
function findFirstMention(tree: Root, markdown: string, matcher: Matcher): Mention | undefined {
  const stack: Nodes[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop() as Nodes;
    if (NOT_PROSE.has(node.type)) continue;
    if (node.type === "text") {
      const index = firstMentionInText(node, markdown, matcher);
      if (index >= 0) return { node, index, length: matcher.length };
      continue;
    }
    if ("children" in node) {
      for (let k = node.children.length - 1; k >= 0; k--) stack.push(node.children[k] as Nodes);
    }
  }
  return undefined;
}

/** Index in `node.value` of the first valid mention, or -1. */
function firstMentionInText(node: Text, markdown: string, { pattern, length }: Matcher): number {
  const value = node.value;
  let sources: Int32Array | undefined; // computed lazily: most text nodes have no candidate at all
  pattern.lastIndex = 0;
  for (let match = pattern.exec(value); match !== null; match = pattern.exec(value)) {
    const index = match.index;
    pattern.lastIndex = index + 1; // overlapping candidates, for phrases like "aa"
    if (!boundariesOk(value, index, length)) continue;
    sources ??= sourceOffsets(node, markdown);
    if (typedLiterally(sources, index, length)) return index;
  }
  return -1;
}

function boundariesOk(value: string, index: number, length: number): boolean {
  const before = codePointBefore(value, index);
  if (before !== undefined && WORD_BEFORE.test(before)) return false;
  const end = index + length;
  const after = codePointAt(value, end);
  if (after === undefined) return true;
  if (WORD_AFTER.test(after)) return false;
  if (after === ".") {
    // `@claude.` / `@claude...` end a sentence; `@claude.ai` is a domain.
    const next = codePointAt(value, end + 1);
    if (next !== undefined && WORD_CHAR.test(next)) return false;
  }
  return true;
}

function typedLiterally(sources: Int32Array, index: number, length: number): boolean {
  const start = sources[index] ?? -1;
  if (start < 0) return false;
  for (let k = 1; k < length; k++) if (sources[index + k] !== start + k) return false;
  return true;
}

/**
 * For each UTF-16 unit of a text node's value, the offset in `markdown` it was copied from, or -1 when it was
 * produced by a backslash escape or a character reference (or could not be aligned). remark removes escapes
 * and decodes references in `value`, so the node's position in the source is the only way to tell.
 * One greedy linear pass; source characters that have no counterpart in the value (container indentation,
 * whitespace stripped at line starts and ends) are skipped.
 */
function sourceOffsets(node: Text, markdown: string): Int32Array {
  const value = node.value;
  const offsets = new Int32Array(value.length).fill(-1);
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  if (start === undefined || end === undefined) return offsets; // no position: nothing counts as literal
  let i = 0;
  let j = start;
  while (i < value.length && j < end) {
    const char = markdown[j];
    if (char === "\\" && j + 1 < end) {
      const escaped = markdown[j + 1] as string;
      if (ASCII_PUNCTUATION.test(escaped) && value[i] === escaped) {
        i += 1; // escaped: not typed literally
        j += 2;
        continue;
      }
    }
    if (char === "&") {
      CHARACTER_REFERENCE.lastIndex = j;
      const reference = CHARACTER_REFERENCE.exec(markdown)?.[0];
      if (reference !== undefined && j + reference.length <= end && !value.startsWith(reference, i)) {
        const decoded = decodeReference(reference);
        if (value.startsWith(decoded, i)) {
          i += decoded.length; // decoded: not typed literally
          j += reference.length;
          continue;
        }
      }
    }
    if (value[i] === char) offsets[i++] = j;
    else if (char === "\0" && value[i] === "\uFFFD") i += 1; // the parser replaces NUL
    j += 1;
  }
  return offsets;
}

const decodedReferences = new Map<string, string>();

/** Decodes one character reference the way the parser does, by asking the parser (cached). */
function decodeReference(reference: string): string {
  let decoded = decodedReferences.get(reference);
  if (decoded === undefined) {
    decoded = toString(parseMarkdown(reference));
    if (decodedReferences.size < 4096) decodedReferences.set(reference, decoded);
  }
  return decoded;
}

// ---------------------------------------------------------------------------------------------------------
// Request text

// Nodes that start a new line in the rendered request.
const BLOCKS = new Set<Nodes["type"]>([
  "root",
  "paragraph",
  "heading",
  "blockquote",
  "list",
  "listItem",
  "table",
  "tableRow",
  "footnoteDefinition",
]);
// Nodes with no visible text of their own in the request.
const INVISIBLE = new Set<Nodes["type"]>([
  "html",
  "definition",
  "image",
  "imageReference",
  "footnoteReference",
  "thematicBreak",
  "yaml",
]);

type Block = { text: string; verbatim: boolean };
const BOUNDARY = Symbol("block boundary");

/** Renders the tree to plain text (see `detectTrigger`) with the mention cut out. Iterative, like the scan. */
function renderRequest(tree: Root, mention: Mention): string {
  const blocks: Block[] = [];
  let prose = "";
  const flush = (): void => {
    if (prose.length > 0) blocks.push({ text: prose, verbatim: false });
    prose = "";
  };

  const stack: (Nodes | string | typeof BOUNDARY)[] = [tree];
  while (stack.length > 0) {
    const item = stack.pop() as Nodes | string | typeof BOUNDARY;
    if (item === BOUNDARY) {
      flush();
    } else if (typeof item === "string") {
      prose += item;
    } else if (item.type === "text") {
      prose += item === mention.node ? cutMention(item.value, mention) : item.value;
    } else if (item.type === "inlineCode") {
      prose += item.value;
    } else if (item.type === "break") {
      prose += "\n";
    } else if (item.type === "code") {
      flush();
      blocks.push({ text: item.value, verbatim: true });
    } else if (INVISIBLE.has(item.type)) {
      // nothing to show
    } else if ("children" in item) {
      const block = BLOCKS.has(item.type);
      if (block) stack.push(BOUNDARY); // popped last: ends the block
      for (let k = item.children.length - 1; k >= 0; k--) {
        stack.push(item.children[k] as Nodes);
        if (item.type === "tableRow" && k > 0) stack.push(" | ");
      }
      if (block) stack.push(BOUNDARY); // popped first: starts the block
    }
  }
  flush();

  const lines: string[] = [];
  for (const block of blocks) {
    for (const line of block.text.split(/\r\n|\r|\n/)) {
      if (block.verbatim) {
        lines.push(line.trimEnd());
      } else {
        const collapsed = line.replace(/\s+/g, " ").trim();
        if (collapsed.length > 0) lines.push(collapsed);
      }
    }
  }
  let first = 0;
  let last = lines.length;
  while (first < last && lines[first] === "") first++;
  while (last > first && lines[last - 1] === "") last--;
  return lines.slice(first, last).join("\n");
}

function cutMention(value: string, mention: Mention): string {
  const before = value.slice(0, mention.index);
  let rest = mention.index + mention.length;
  if (before.slice(before.lastIndexOf("\n") + 1).trim() === "") {
    // The mention opens its line: punctuation after it only addressed the bot (`@claude. Why…`, `@claude!`).
    while (rest < value.length && ",:;.!?".includes(value[rest] as string)) rest += 1;
  } else if (rest < value.length && ",:;".includes(value[rest] as string)) {
    rest += 1; // `Hey @claude, what is X?` → `Hey what is X?`
  }
  return `${before} ${value.slice(rest)}`;
}

// ---------------------------------------------------------------------------------------------------------
// String helpers (code points, so that astral letters such as 𝐀 count as letters)

function codePointAt(text: string, index: number): string | undefined {
  const code = text.codePointAt(index);
  return code === undefined ? undefined : String.fromCodePoint(code);
}

function codePointBefore(text: string, index: number): string | undefined {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  if (index >= 2 && low >= 0xdc00 && low <= 0xdfff) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(index - 2, index);
  }
  return text[index - 1];
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}
