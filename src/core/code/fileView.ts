// What of a repository file may reach the model, and how: invisible code points stripped and credentials
// redacted with line numbers kept (citations point at real lines), file text escaped so it can neither
// close the element that wraps it nor open one of ours, and which files count as generated or vendored.
// Pure.
import { generatedReason, linguistAttribute, parseGitAttributes, type GitAttributes } from "../pullRequest/generated.js";
import { escapeAttr, escapeText } from "../request/escape.js";
import { stripInvisible } from "../sanitize/index.js";
import { redactSecrets } from "../redact/secrets.js";

/**
 * File text as element content: the request's one escaping boundary (src/core/request/escape.ts), whose
 * list of the app's element names includes the code tools' own (`file`, `search-results`, `listing`).
 */
export const escapeUntrusted = escapeText;

/** Attribute values the code tools write (paths, patterns): the request boundary's attribute escaping. */
export const escapeAttribute = escapeAttr;

/**
 * The file's text as the model may see it: invisible and bidi code points removed, `\r\n` → `\n`,
 * credentials redacted. Line count is kept: a redaction that spans lines (a private key block) is redone
 * line by line, with the lines of a key block each replaced by a marker.
 */
export function prepareFileText(raw: string): string {
  const stripped = stripInvisible(raw);
  const redacted = redactSecrets(stripped);
  if (countNewlines(redacted) === countNewlines(stripped)) return redacted;
  let inKey = false;
  return stripped
    .split("\n")
    .map((line) => {
      if (inKey) {
        if (KEY_END.test(line)) inKey = false;
        return KEY_MARK;
      }
      if (KEY_BEGIN.test(line)) {
        inKey = !KEY_END.test(line);
        return KEY_MARK;
      }
      return redactSecrets(line);
    })
    .join("\n");
}

const KEY_BEGIN = /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/;
const KEY_END = /-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/;
const KEY_MARK = "[REDACTED:private-key]";

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Lines of a text as GitHub numbers them: a final newline does not start a line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export interface RepoAttributes {
  generated: GitAttributes;
  /** true: `linguist-vendored`; false: `-linguist-vendored`; null: not mentioned. */
  vendored(path: string): boolean | null;
}

/** `linguist-generated` (src/core/pullRequest/generated.ts) and `linguist-vendored` rules of a `.gitattributes`. */
export function parseRepoAttributes(text: string | null): RepoAttributes {
  const vendored = linguistAttribute(text, "linguist-vendored");
  return { generated: parseGitAttributes(text), vendored: (path) => vendored?.(path) ?? null };
}

/**
 * Why search skips a file by default (generated, vendored, minified), or null. The first lines are looked
 * at for `@generated` / "DO NOT EDIT" markers and minified content, with the rules of src/core/pullRequest/generated.ts.
 */
export function skipReason(path: string, text: string | null, attributes: RepoAttributes): string | null {
  const vendored = attributes.vendored(path);
  if (vendored === true) return "vendored (.gitattributes)";
  let head: string | null = null;
  if (text !== null) {
    const lines = text.slice(0, 16_384).split("\n", 20);
    head = `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
  }
  const reason = generatedReason(path, head, attributes.generated);
  if (reason === "build output or vendored" && vendored === false) return null;
  return reason;
}
