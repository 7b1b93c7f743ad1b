// Rendering a context block, with the YAML scalar escaping that keeps any text from closing its comment.
import type { ContextBlock, Usage } from "../types.js";
import { CONTEXT_BLOCK_MARKER } from "./markers.js";

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
    // Written only once an answer has read code, so blocks of threads without code stay as they were.
    ...(block.code_ref === null ? [] : [`code_ref: ${quote(block.code_ref)}`]),
    renderUsage("usage", u),
    ...(block.summary_usage ? [renderUsage("summary_usage", block.summary_usage)] : []),
    "-->",
  ].join("\n");
}

function renderUsage(key: string, u: Usage): string {
  return `${key}: { input: ${u.input}, cache_read: ${u.cache_read}, cache_write: ${u.cache_write}, output: ${u.output} }`;
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
