// The hidden context block at the end of every bot reply (format v1): render, parse, locate it in a
// comment, strip bot markup from a reply, and keep model output from forging or swallowing a block.
//
// The block is a CommonMark type-2 HTML block: it starts at `<!--` and ends at the first line containing
// `-->`; blank lines do not end it. So the one thing the rendered YAML must never contain is `-->` (nor
// `--!>`, which ends a comment in browsers). Everything else about the layout is free.
import type { RootContent } from "mdast";
import { isScalar, parseDocument, type Document } from "yaml";
import { isTooComplex, parseMarkdown } from "./markdown.js";
import { emptyContextBlock, type ContextBlock, type Usage } from "./types.js";

export const CONTEXT_BLOCK_MARKER = "threadbot:context";
/** The worker puts this line before its visible footer; from here to the end is bot markup. */
export const FOOTER_MARKER = "<!-- threadbot:footer -->";
/** GitHub's comment size limit; a block larger than a whole comment is certainly not ours. */
export const MAX_CONTEXT_BLOCK_CHARS = 65_536;

export type ParseResult = { ok: true; block: ContextBlock } | { ok: false; error: string };

export interface LocatedBlock {
  /** The block's text as it appears in the markdown (the whole HTML block). */
  raw: string;
  /** Offsets into the markdown: `markdown.slice(start, end) === raw`. */
  start: number;
  end: number;
}

// An HTML block may be indented by up to three spaces; whitespace after `<!--` is tolerated, but the
// marker itself is exact and must be a whole word.
const BLOCK_START = /^ {0,3}<!--[ \t\r\n]*threadbot:context(?=[ \t\r\n]|-->|$)/;
const FOOTER_START = /^ {0,3}<!--[ \t]*threadbot:footer[ \t]*-->/;

// ---------------------------------------------------------------------------------------------------
// Rendering

/** Renders the block; byte-identical for equal input, and `parseContextBlock` returns it unchanged. */
export function renderContextBlock(block: ContextBlock): string {
  const u = block.usage;
  return [
    `<!-- ${CONTEXT_BLOCK_MARKER}`,
    "version: 1",
    `instructions: ${renderText(block.instructions)}`,
    `summary: ${renderText(block.summary)}`,
    `summary_until: ${renderId(block.summary_until)}`,
    `since: ${renderId(block.since)}`,
    `answered: [${block.answered.map(quote).join(", ")}]`,
    `model: ${block.model === null ? "null" : renderWord(block.model)}`,
    `usage: { input: ${u.input}, cache_read: ${u.cache_read}, cache_write: ${u.cache_write}, output: ${u.output} }`,
    "-->",
  ].join("\n");
}

function renderId(id: string | null): string {
  return id === null ? "null" : quote(id);
}

// Model ids are plain words (`claude-sonnet-4-5`); anything that YAML could read as another type, or that
// needs care, is quoted.
const PLAIN_WORD = /^[A-Za-z][A-Za-z0-9._/@+-]*$/;
const YAML_KEYWORDS = new Set(["true", "false", "null", "yes", "no", "on", "off", "y", "n"]);

function renderWord(s: string): string {
  return PLAIN_WORD.test(s) && !YAML_KEYWORDS.has(s.toLowerCase()) ? s : quote(s);
}

/**
 * Maintainer-editable text: a literal block scalar (easy to edit) when it can hold the text verbatim,
 * otherwise a double-quoted scalar, whose escapes can express any string. The result follows `key: `;
 * a block scalar's lines follow its header, and the caller adds the final line break.
 */
function renderText(s: string): string {
  if (!literalSafe(s)) return quote(s);
  const lines = s.split("\n");
  // The chomping indicator records the trailing line breaks exactly: none (`-`), one (clip), more (`+`).
  const trailing = s.length - s.replace(/\n+$/, "").length;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  if (trailing > 0) lines.pop(); // the empty piece after the final line break is not a line
  // YAML guesses the indentation from the first non-empty line; when that line itself starts with
  // whitespace the guess would be wrong, so state it.
  const firstContent = lines.find((line) => line !== "") ?? "";
  const indicator = /^[ \t]/.test(firstContent) ? "2" : "";
  const body = lines.map((line) => (line === "" ? "" : `  ${line}`));
  return [`|${indicator}${chomp}`, ...body].join("\n");
}

// Characters a literal block cannot hold verbatim: anything outside YAML's printable set, the ones some
// readers treat as line breaks or byte-order marks (U+0085, U+2028/9, U+FEFF), and `\r` (GitHub's editor
// may rewrite line endings). With the `u` flag a lone surrogate is its own code point, so it matches too.
const NOT_LITERAL = /[^\t\n\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\u{10000}-\u{10FFFF}]/u;

function literalSafe(s: string): boolean {
  return (
    /[^ \t\n]/.test(s) && // a block of only whitespace has no line to take the indentation from
    // Lines of only spaces/tabs are where readers disagree (blank or content?), and editors eat them.
    !/^[ \t]+$/m.test(s) &&
    !/--!?>/.test(s) &&
    !NOT_LITERAL.test(s)
  );
}

/** A YAML double-quoted scalar on one line that reads back as exactly `s`, whatever `s` holds. */
function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] as string;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s.slice(i, i + 2); // a well-formed pair stays readable
        i++;
        continue;
      }
    }
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += `\\x${hex(c, 2)}`;
    else if ((c >= 0xd800 && c <= 0xdfff) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c >= 0xfffe) {
      out += `\\u${hex(c, 4)}`; // lone surrogates, line/paragraph separators, BOM, non-characters
    } else out += ch;
  }
  // `>` after `--` or `--!` would close the HTML comment: write it as an escape. The match always ends
  // with the `>` it replaces, so no `-->` survives.
  return `${out.replace(/--(!?)>/g, "--$1\\x3E")}"`;
}

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, "0");
}

// ---------------------------------------------------------------------------------------------------
// Parsing

/** Reads a block (the whole `<!-- threadbot:context ... -->` text). Never throws. */
export function parseContextBlock(raw: string): ParseResult {
  try {
    return parseUnchecked(raw);
  } catch (error) {
    // The yaml library can throw while resolving aliases; nothing else is expected to.
    return fail(`context block could not be read: ${firstLine(error instanceof Error ? error.message : String(error))}`);
  }
}

function parseUnchecked(raw: string): ParseResult {
  // GitHub's editor may save CRLF; the block's own escapes never produce a raw CR, so this is lossless.
  const text = raw.replace(/\r\n?/g, "\n").trim();
  if (text.length > MAX_CONTEXT_BLOCK_CHARS) {
    return fail(`context block is larger than ${MAX_CONTEXT_BLOCK_CHARS} characters`);
  }
  const start = BLOCK_START.exec(text);
  if (start === null) return fail(`context block must start with <!-- ${CONTEXT_BLOCK_MARKER}`);
  const close = text.indexOf("-->", start[0].length);
  if (close < 0) return fail("context block is not closed with -->");
  // Text after the terminator usually means a `-->` was typed inside the block and cut it short.
  if (text.slice(close + 3).trim() !== "") return fail("context block has text after its closing -->");

  // Keeping the marker's line ending in the YAML keeps the error line numbers equal to the block's.
  const doc = parseDocument(text.slice(start[0].length, close), {
    version: "1.2",
    schema: "core",
    uniqueKeys: true,
  });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) return fail(`context block is not valid YAML: ${firstLine(yamlError.message)}`);
  // mapAsMap: keys may be anything a maintainer types, and plain objects would coerce them with a warning.
  const data: unknown = doc.toJS({ mapAsMap: true, maxAliasCount: 100 });
  if (!(data instanceof Map)) return fail("context block must be a YAML mapping (key: value lines)");

  const version: unknown = data.get("version");
  if (version !== 1) return fail(`version must be 1 (found ${describe(version)})`);

  try {
    const empty = emptyContextBlock();
    const block: ContextBlock = {
      version: 1,
      instructions: readText(data, "instructions"),
      summary: readText(data, "summary"),
      summary_until: readId(doc, data.get("summary_until"), ["summary_until"]),
      since: readId(doc, data.get("since"), ["since"]),
      answered: readAnswered(doc, data.get("answered")),
      model: readModel(data.get("model")),
      usage: readUsage(data.get("usage")) ?? empty.usage,
    };
    return { ok: true, block };
  } catch (error) {
    if (error instanceof FieldError) return fail(error.message);
    throw error;
  }
}

/** A wrong-typed field; thrown by the readers below so each can stay a plain expression. */
class FieldError extends Error {}

// A missing key or an empty value (`summary:`) means "the default": a maintainer deleting or clearing a
// line is not a mistake.
function readText(data: Map<unknown, unknown>, key: "instructions" | "summary"): string {
  const value = data.get(key);
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new FieldError(`${key} must be text (use a | block for several lines)`);
  return value;
}

function readModel(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new FieldError("model must be a model id or null");
  return value;
}

const DIGITS = /^[0-9]+$/;

/**
 * Comment ids are digit strings. Maintainers type them unquoted, which YAML reads as numbers: take the
 * digits from the source text, so ids beyond 2^53 keep every digit. `path` locates the node for that.
 */
function readId(doc: Document, value: unknown, path: (string | number)[]): string | null {
  const key = String(path[0]);
  const what = path.length > 1 ? "answered must be a list of comment ids" : `${key} must be a comment id or null`;
  if (value === undefined || value === null || value === "") {
    if (path.length > 1) throw new FieldError(what); // an empty entry in a list is a typo, not a default
    return null;
  }
  if (typeof value === "string" && DIGITS.test(value)) return value;
  // `answered` also names the opening post when it was the trigger (issues.opened, pull_request.opened).
  if (value === "opening" && path.length > 1) return value;
  if (typeof value === "number") {
    const node = doc.getIn(path, true);
    if (isScalar(node) && typeof node.source === "string" && DIGITS.test(node.source)) return node.source;
  }
  throw new FieldError(`${what} (digits, found ${describe(value)})`);
}

function readAnswered(doc: Document, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new FieldError("answered must be a list of comment ids");
  return value.map((item, i) => readId(doc, item, ["answered", i]) as string);
}

const USAGE_KEYS = ["input", "cache_read", "cache_write", "output"] as const;

function readUsage(value: unknown): Usage | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Map)) {
    throw new FieldError("usage must be a mapping like { input: 0, cache_read: 0, cache_write: 0, output: 0 }");
  }
  const usage: Usage = { input: 0, cache_read: 0, cache_write: 0, output: 0 };
  for (const key of USAGE_KEYS) {
    const n: unknown = value.get(key);
    if (n === undefined || n === null) continue;
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
      throw new FieldError(`usage.${key} must be a non-negative integer (found ${describe(n)})`);
    }
    usage[key] = n;
  }
  return usage;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (value instanceof Map) return "a mapping";
  return typeof value;
}

function firstLine(message: string): string {
  // yaml's messages read "... at line 3, column 5:" followed by a source excerpt.
  return (message.split("\n")[0] ?? "").replace(/:\s*$/, "");
}

function fail(error: string): ParseResult {
  return { ok: false, error };
}

// ---------------------------------------------------------------------------------------------------
// Locating

/**
 * Context blocks that are top-level HTML blocks of `markdown`, in document order. A block quoted, listed,
 * fenced or written inline is text someone is showing, not state, so it is not returned.
 */
export function findContextBlocks(markdown: string): LocatedBlock[] {
  // Markdown too complex to parse safely (src/core/markdown.ts) holds no block we can trust to locate.
  return topLevelOrNone(markdown)
    .filter(({ node }) => node.type === "html" && BLOCK_START.test(node.value))
    .map(({ start, end }) => ({ raw: markdown.slice(start, end), start, end }));
}

/**
 * The visible answer of one of this bot's comments: everything before the footer marker, without any
 * context block, trailing whitespace trimmed.
 */
export function stripBotMarkup(body: string): string {
  let cut = body.length;
  const blocks: { start: number; end: number }[] = [];
  let nodes: Located[];
  try {
    nodes = topLevel(body);
  } catch (error) {
    if (!isTooComplex(error)) throw error;
    return stripBotMarkupTextually(body);
  }
  for (const { node, start, end } of nodes) {
    if (node.type !== "html") continue;
    if (FOOTER_START.test(node.value)) {
      cut = start;
      break;
    }
    if (BLOCK_START.test(node.value)) blocks.push({ start, end });
  }
  let visible = "";
  let pos = 0;
  for (const block of blocks) {
    visible += body.slice(pos, block.start);
    pos = block.end;
  }
  return (visible + body.slice(pos, cut)).trimEnd();
}

interface Located {
  node: RootContent;
  start: number;
  end: number;
}

function topLevelOrNone(markdown: string): Located[] {
  try {
    return topLevel(markdown);
  } catch (error) {
    if (isTooComplex(error)) return [];
    throw error;
  }
}

/**
 * stripBotMarkup for a body the parser must not see: cut at the first footer marker that opens a line,
 * and drop every `<!-- threadbot:context … -->` span. May remove a little more than the exact path would.
 */
function stripBotMarkupTextually(body: string): string {
  const footer = new RegExp(`(?:^|\n) {0,3}${FOOTER_MARKER}`).exec(body);
  const visible = footer === null ? body : body.slice(0, footer.index);
  return visible.replace(/<!--[ \t\r\n]*threadbot:context[\s\S]*?(?:-->|$)/g, "").trimEnd();
}

/** The top-level nodes of `markdown` with their offsets into it. */
function topLevel(markdown: string): Located[] {
  // micromark drops a leading byte-order mark and counts offsets from after it.
  const shift = markdown.startsWith("\uFEFF") ? 1 : 0;
  const located: Located[] = [];
  for (const node of parseMarkdown(markdown).children) {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start !== undefined && end !== undefined) located.push({ node, start: start + shift, end: end + shift });
  }
  return located;
}

// ---------------------------------------------------------------------------------------------------
// Neutralising model output

/**
 * Makes Claude's text safe to post above our footer and block: no marker of ours survives in it, and no
 * construct it leaves open (a fence, an HTML comment, `<pre>`...) can swallow what we append after a
 * blank line. The result is meant to be followed by "\n\n" and then the footer or block.
 */
export function neutraliseContextBlocks(text: string): string {
  // A word joiner inside `threadbot:` breaks every marker (they must match exactly) and stays invisible
  // wherever the text lands: prose, code, or HTML.
  return closeOpenBlocks(text.replace(/threadbot(?=:)/gi, (word) => `${word}\u200D`));
}

let probe: string | undefined;

/**
 * Only a top-level fenced code block or an HTML block of types 1-5 (`<script|pre|style|textarea`,
 * `<!--`, `<?`, `<!X`, `<![CDATA[`) continues past a blank line, so only those can swallow a block
 * appended after one. Ask the parser whether something does, and close it.
 */
function closeOpenBlocks(text: string): string {
  probe ??= renderContextBlock(emptyContextBlock());
  let out = text;
  for (let attempt = 0; attempt < 4; attempt++) {
    let swallower: Located | null | undefined;
    try {
      swallower = findSwallower(out, probe);
    } catch (error) {
      if (!isTooComplex(error)) throw error;
      break; // unparseable: escape everything that could open a swallowing construct (below)
    }
    if (swallower === undefined) return out;
    const closer = swallower === null ? null : closerFor(swallower, out);
    if (closer === null) break;
    out += `\n${closer}`;
  }
  // Not expected to happen: escape every character that can open such a construct.
  return out.replace(/</g, "&lt;").replace(/`/g, "&#96;").replace(/~/g, "&#126;");
}

/** undefined: nothing swallows the probe; null: something does, but not a node we know how to close. */
function findSwallower(text: string, probeText: string): Located | null | undefined {
  const probeStart = text.length + 2;
  const nodes = topLevel(`${text}\n\n${probeText}`);
  const last = nodes.at(-1);
  if (last?.node.type === "html" && last.node.value === probeText && last.start === probeStart) return undefined;
  return nodes.find(({ start, end }) => start < probeStart && end > probeStart) ?? null;
}

function closerFor({ node, start }: Located, text: string): string | null {
  if (node.type === "code") {
    const fence = /^[ \t]*(`{3,}|~{3,})/.exec(text.slice(start));
    return fence?.[1] ?? null;
  }
  if (node.type !== "html") return null;
  const opening = node.value.trimStart();
  if (opening.startsWith("<!--")) return "-->";
  if (opening.startsWith("<?")) return "?>";
  if (opening.startsWith("<![CDATA[")) return "]]>";
  if (/^<![A-Za-z]/.test(opening)) return ">";
  const raw = /^<(script|pre|style|textarea)(?=[\s>]|$)/i.exec(opening);
  return raw ? `</${(raw[1] as string).toLowerCase()}>` : null;
}
