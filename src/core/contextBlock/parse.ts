// Parsing and validating a context block: its YAML, each field, and readable errors for maintainers.
import { isScalar, parseDocument, type Document } from "yaml";
import { emptyContextBlock, type ContextBlock, type Usage } from "../types.js";
import { BLOCK_START, CONTEXT_BLOCK_MARKER, MAX_CONTEXT_BLOCK_CHARS } from "./markers.js";

export type ParseResult = { ok: true; block: ContextBlock } | { ok: false; error: string };

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
      code_ref: readCommit(data.get("code_ref")),
      usage: readUsage(data.get("usage")) ?? empty.usage,
    };
    const summaryUsage = readUsage(data.get("summary_usage"), "summary_usage");
    if (summaryUsage !== null) block.summary_usage = summaryUsage;
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

const COMMIT = /^[0-9a-f]{7,64}$/;

/** A commit id (hex, abbreviated or full; SHA-256 repositories have 64 digits). */
function readCommit(value: unknown): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string" || !COMMIT.test(value)) {
    throw new FieldError(`code_ref must be a commit id (7 to 64 hex digits) or null (found ${describe(value)})`);
  }
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

function readUsage(value: unknown, key = "usage"): Usage | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Map)) {
    throw new FieldError(`${key} must be a mapping like { input: 0, cache_read: 0, cache_write: 0, output: 0 }`);
  }
  const usage: Usage = { input: 0, cache_read: 0, cache_write: 0, output: 0 };
  const field = key;
  for (const key of USAGE_KEYS) {
    const n: unknown = value.get(key);
    if (n === undefined || n === null) continue;
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
      throw new FieldError(`${field}.${key} must be a non-negative integer (found ${describe(n)})`);
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
