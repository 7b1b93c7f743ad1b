// The code tools Claude may call while answering: definitions (byte-stable: they open every request and
// any drift would cost the prompt cache) and their execution over a CodeSource. Pure: the snapshot source
// does no I/O; the API source's reads are the only I/O and happen behind the interface.
import picomatch from "picomatch";
import { RE2JS } from "re2js";
import { redactSecrets } from "../redact/secrets.js";
import { stripInvisible } from "../sanitize/index.js";
import { estimateTokens } from "../budget/tokens.js";
import { escapeAttribute, escapeUntrusted, parseRepoAttributes, prepareFileText, skipReason, splitLines, type RepoAttributes } from "./fileView.js";
import { normaliseRepoPath } from "./snapshot.js";
import type { CodeSource, FileContent } from "./source.js";

export interface CodeToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly input_schema: {
    readonly type: "object";
    readonly properties: Readonly<Record<string, unknown>>;
    readonly required?: readonly string[];
    readonly additionalProperties?: boolean;
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The three tools, in a fixed order. Frozen: the request builder copies, never mutates. */
export const CODE_TOOLS: readonly CodeToolDefinition[] = deepFreeze([
  {
    name: "list_files",
    description:
      "List repository files at the commit. `path`: a directory (default: root) to list its entries; or `glob` (e.g. `src/**/*.ts`) for matching paths.",
    input_schema: {
      type: "object",
      properties: {
        path: { type: "string", description: "Directory, relative to the repository root." },
        glob: { type: "string", description: "Glob over full paths." },
      },
      additionalProperties: false,
    },
  },
  {
    name: "read_file",
    description: "Read a text file at the commit, with line numbers. Long files come in pages: use start_line/end_line.",
    input_schema: {
      type: "object",
      properties: {
        path: { type: "string", description: "File path, relative to the repository root." },
        start_line: { type: "integer", minimum: 1 },
        end_line: { type: "integer", minimum: 1 },
      },
      required: ["path"],
      additionalProperties: false,
    },
  },
  {
    name: "search_code",
    description:
      "Search file contents at the commit; returns matching lines with 2 lines of context. Skips generated and vendored files unless include_generated.",
    input_schema: {
      type: "object",
      properties: {
        pattern: { type: "string", description: "Text to find (case-sensitive), or an RE2 regex when regex is true." },
        regex: { type: "boolean" },
        path_glob: { type: "string", description: "Only paths matching this glob." },
        include_generated: { type: "boolean" },
      },
      required: ["pattern"],
      additionalProperties: false,
    },
  },
]);

export type CodeToolName = "list_files" | "read_file" | "search_code";

export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

export interface ToolRunOptions {
  /** Globs (picomatch) from the repository configuration: matching paths are invisible to every tool. */
  exclude?: readonly string[];
  /** Output tokens this call may use (estimated as in src/core/budget/tokens.ts). Default 6,000. */
  maxOutputTokens?: number;
  /** Lines one read_file call returns at most. Default 400. */
  maxReadLines?: number;
  /** Matching lines one search returns at most. Default 40. */
  maxMatches?: number;
  /** Entries one list_files call returns at most. Default 300. */
  maxListEntries?: number;
}

export interface ToolOutcome {
  /** The tool_result content: file text wrapped and escaped, or an error message. */
  text: string;
  isError: boolean;
  /** Files whose content reached the model (read, or shown as search matches). */
  filesRead: string[];
  /** One line for the progress comment, safe to post (e.g. "🔎 searching for `retry`"). */
  summary: string;
  /** Estimated tokens of `text`. */
  tokens: number;
  /** The search could not look at every file (API source, or a listing that is truncated). */
  searchLimited: boolean;
}

const DEFAULTS = { maxOutputTokens: 6_000, maxReadLines: 400, maxMatches: 40, maxListEntries: 300 };
const MAX_LINE_CHARS = 500;
const MAX_PATTERN_CHARS = 500;
const MAX_GLOB_CHARS = 200;
const CONTEXT_LINES = 2;

/** Per source: the prepared (redacted, stripped) text of files, and the repository's attributes. */
interface SourceState {
  prepared: Map<string, string>;
  /** skipReason by content (generated markers, minified), per path. */
  skip: Map<string, string | null>;
  attributes?: Promise<RepoAttributes>;
}
const states = new WeakMap<CodeSource, SourceState>();
function stateOf(source: CodeSource): SourceState {
  let state = states.get(source);
  if (!state) states.set(source, (state = { prepared: new Map(), skip: new Map() }));
  return state;
}

function preparedText(source: CodeSource, path: string, raw: string): string {
  const state = stateOf(source);
  let text = state.prepared.get(path);
  if (text === undefined) state.prepared.set(path, (text = prepareFileText(raw)));
  return text;
}

function attributesOf(source: CodeSource): Promise<RepoAttributes> {
  const state = stateOf(source);
  state.attributes ??= source
    .read([".gitattributes"])
    .then((files) => {
      const f = files.get(".gitattributes");
      return parseRepoAttributes(f?.kind === "text" ? f.text : null);
    })
    .catch(() => parseRepoAttributes(null));
  return state.attributes;
}

/** A model-written string made safe for a one-line progress note inside a code span. */
export function progressText(value: string, max = 60): string {
  const flat = redactSecrets(stripInvisible(String(value))).replace(/[`\r\n\t]/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

class ToolInputError extends Error {}

function stringField(input: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) {
    if (required) throw new ToolInputError(`\`${key}\` is required.`);
    return undefined;
  }
  if (typeof value !== "string") throw new ToolInputError(`\`${key}\` must be a string.`);
  return value;
}

function lineField(input: Record<string, unknown>, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw new ToolInputError(`\`${key}\` must be a positive integer.`);
  return n;
}

function boolField(input: Record<string, unknown>, key: string): boolean {
  const value = input[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new ToolInputError(`\`${key}\` must be true or false.`);
  return value;
}

/**
 * A model-supplied path as a repository path, or a ToolInputError: URLs (another repository, another
 * host), absolute paths and `..` are refused; `./x` and `x/` are accepted.
 */
export function toolPath(raw: string, source: Pick<CodeSource, "owner" | "repo">): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) || raw.startsWith("//")) {
    throw new ToolInputError(`Only paths inside ${source.owner}/${source.repo} can be read, relative to its root (like \`src/index.ts\`), not URLs.`);
  }
  const path = normaliseRepoPath(raw);
  if (path === null) throw new ToolInputError(`\`${progressText(raw)}\` is not a path inside the repository: use a path relative to its root, without \`..\` or a leading \`/\`.`);
  return path;
}

function globMatcher(glob: string): (path: string) => boolean {
  if (glob.length > MAX_GLOB_CHARS) throw new ToolInputError(`The glob is longer than ${MAX_GLOB_CHARS} characters.`);
  try {
    return picomatch(glob.replace(/^\.\//, ""), { dot: true });
  } catch {
    throw new ToolInputError(`\`${progressText(glob)}\` is not a valid glob.`);
  }
}

/** A predicate that is true for paths the configuration's `exclude` globs hide. */
export function excludeMatcher(exclude: readonly string[] | undefined): (path: string) => boolean {
  const globs = (exclude ?? []).filter((g) => typeof g === "string" && g.trim() !== "" && g.length <= MAX_GLOB_CHARS);
  if (globs.length === 0) return () => false;
  const isMatch = picomatch(globs, { dot: true });
  // A directory glob (`secrets/`) hides what is under it.
  const dirs = globs.filter((g) => g.endsWith("/")).map((g) => g.replace(/\/+$/, ""));
  return (path) => isMatch(path) || dirs.some((d) => path === d || path.startsWith(`${d}/`) || picomatch.isMatch(path, `${d}/**`, { dot: true }));
}

const matcherCache = new WeakMap<readonly string[], (path: string) => boolean>();
function hiddenBy(options: ToolRunOptions): (path: string) => boolean {
  const exclude = options.exclude;
  if (!exclude || exclude.length === 0) return () => false;
  let m = matcherCache.get(exclude);
  if (!m) matcherCache.set(exclude, (m = excludeMatcher(exclude)));
  return m;
}

/** The progress line for a call, from its input as given (never throws; safe to post). */
export function describeToolCall(call: Pick<ToolCall, "name" | "input">): string {
  const input = (call.input !== null && typeof call.input === "object" ? call.input : {}) as Record<string, unknown>;
  const str = (key: string) => (typeof input[key] === "string" ? (input[key] as string) : undefined);
  switch (call.name) {
    case "list_files": {
      const glob = str("glob");
      const dir = str("path");
      return glob !== undefined ? `📂 listing \`${progressText(glob)}\`` : `📂 listing \`${dir === undefined || dir.trim() === "" ? "/" : progressText(dir)}\``;
    }
    case "read_file": {
      const start = typeof input.start_line === "number" ? input.start_line : undefined;
      const end = typeof input.end_line === "number" ? input.end_line : undefined;
      const range = start !== undefined || end !== undefined ? ` L${start ?? 1}${end !== undefined ? `-L${end}` : ""}` : "";
      return `📄 reading \`${progressText(str("path") ?? "?")}\`${range}`;
    }
    case "search_code": {
      const glob = str("path_glob");
      return `🔎 searching for \`${progressText(str("pattern") ?? "?")}\`${glob ? ` in \`${progressText(glob)}\`` : ""}`;
    }
    default:
      return `🛠️ \`${progressText(call.name, 30)}\``;
  }
}

function contentSkipReason(source: CodeSource, path: string, text: string, attributes: RepoAttributes): string | null {
  const state = stateOf(source);
  let reason = state.skip.get(path);
  if (reason === undefined) state.skip.set(path, (reason = skipReason(path, text, attributes)));
  return reason;
}

/** Runs one tool call. Never throws: bad input and failures come back as `isError` outcomes. */
export async function runTool(source: CodeSource, call: ToolCall, options: ToolRunOptions = {}): Promise<ToolOutcome> {
  const opts = { ...DEFAULTS, ...options };
  const input = (call.input !== null && typeof call.input === "object" ? call.input : {}) as Record<string, unknown>;
  const summary = describeToolCall(call);
  try {
    switch (call.name) {
      case "list_files":
        return finish(await listFiles(source, stringField(input, "path", false), stringField(input, "glob", false), opts), summary, opts);
      case "read_file": {
        const raw = stringField(input, "path", true)!;
        const start = lineField(input, "start_line");
        const end = lineField(input, "end_line");
        return finish(await readFile(source, toolPath(raw, source), start, end, opts), summary, opts);
      }
      case "search_code": {
        const pattern = stringField(input, "pattern", true)!;
        const regex = boolField(input, "regex");
        const pathGlob = stringField(input, "path_glob", false);
        const includeGenerated = boolField(input, "include_generated");
        return finish(await searchCode(source, pattern, regex, pathGlob, includeGenerated, opts), summary, opts);
      }
      default:
        return errorOutcome(`Unknown tool \`${progressText(call.name, 40)}\`. Available: list_files, read_file, search_code.`, summary);
    }
  } catch (error) {
    if (error instanceof ToolInputError) return errorOutcome(error.message, summary);
    return errorOutcome(`The tool failed: ${redactSecrets(error instanceof Error ? error.message : String(error)).slice(0, 300)}`, summary);
  }
}

interface Partial_ {
  text: string;
  isError?: boolean;
  filesRead?: string[];
  searchLimited?: boolean;
}

function finish(result: Partial_, summary: string, opts: typeof DEFAULTS): ToolOutcome {
  const text = fitTokens(result.text, opts.maxOutputTokens);
  return {
    text,
    isError: result.isError ?? false,
    filesRead: result.filesRead ?? [],
    summary,
    tokens: estimateTokens(text),
    searchLimited: result.searchLimited ?? false,
  };
}

function errorOutcome(message: string, summary: string): ToolOutcome {
  return { text: message, isError: true, filesRead: [], summary, tokens: estimateTokens(message), searchLimited: false };
}

/** Cuts text (whole lines) to a token budget, closing the last open element so the output stays well formed. */
function fitTokens(text: string, maxTokens: number): string {
  if (estimateTokens(text) <= maxTokens) return text;
  const lines = text.split("\n");
  const out: string[] = [];
  let used = 0;
  const note = "[output cut at the tool output budget; narrow the request (a line range, a path_glob) to see more]";
  const reserve = estimateTokens(note) + 20;
  const open: string[] = [];
  for (const line of lines) {
    const cost = estimateTokens(line) + 1;
    if (used + cost > maxTokens - reserve) break;
    out.push(line);
    used += cost;
    const opening = /^<(file|search-results|listing)\b/.exec(line);
    if (opening) open.push(opening[1]!);
    else if (open.length > 0 && line.startsWith(`</${open[open.length - 1]}>`)) open.pop();
  }
  while (open.length > 0) out.push(`</${open.pop()}>`);
  out.push(note);
  return out.join("\n");
}

function clip(line: string): string {
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}… [line cut at ${MAX_LINE_CHARS} characters]` : line;
}

const shortSha = (source: CodeSource) => source.sha.slice(0, 7);

async function visibleFiles(source: CodeSource, opts: ToolRunOptions): Promise<string[]> {
  const hidden = hiddenBy(opts);
  return (await source.list()).filter((p) => !hidden(p));
}

async function listFiles(source: CodeSource, dirRaw: string | undefined, glob: string | undefined, opts: typeof DEFAULTS & ToolRunOptions): Promise<Partial_> {
  const files = await visibleFiles(source, opts);
  const truncatedNote = source.listingTruncated() ? "\n(The repository listing is incomplete: it is over the app's size limits.)" : "";
  if (glob !== undefined) {
    const isMatch = globMatcher(glob);
    const matches = files.filter((p) => isMatch(p));
    const shown = matches.slice(0, opts.maxListEntries);
    const more = matches.length > shown.length ? `\n… ${matches.length - shown.length} more; use a narrower glob.` : "";
    const body = shown.length === 0 ? "(no files match)" : shown.map(escapeUntrusted).join("\n");
    return { text: `<listing glob="${escapeAttribute(glob)}" commit="${shortSha(source)}" files="${matches.length}">\n${body}${more}\n</listing>${truncatedNote}` };
  }
  const dir = dirRaw === undefined || dirRaw.trim() === "" || dirRaw.trim() === "." || dirRaw.trim() === "/" ? "" : toolPath(dirRaw, source);
  const prefix = dir === "" ? "" : `${dir}/`;
  const subdirs = new Map<string, number>();
  const direct: string[] = [];
  for (const path of files) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf("/");
    if (slash < 0) direct.push(rest);
    else subdirs.set(rest.slice(0, slash), (subdirs.get(rest.slice(0, slash)) ?? 0) + 1);
  }
  if (direct.length === 0 && subdirs.size === 0) {
    const isFile = files.includes(dir);
    return { text: isFile ? `\`${escapeUntrusted(dir)}\` is a file, not a directory: use read_file.` : `No directory \`${escapeUntrusted(dir)}\` at commit ${shortSha(source)}.`, isError: true };
  }
  const entries = [...[...subdirs].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, n]) => `${name}/ (${n} file${n === 1 ? "" : "s"})`), ...direct.sort()];
  const shown = entries.slice(0, opts.maxListEntries);
  const more = entries.length > shown.length ? `\n… ${entries.length - shown.length} more entries; use a glob to narrow.` : "";
  return { text: `<listing path="${escapeAttribute(dir === "" ? "/" : dir)}" commit="${shortSha(source)}">\n${shown.map(escapeUntrusted).join("\n")}${more}\n</listing>${truncatedNote}` };
}

function notReadable(path: string, content: FileContent | undefined, source: CodeSource): string | null {
  if (content === undefined || content.kind === "missing") return `File not found at commit ${shortSha(source)}: \`${escapeUntrusted(path)}\`. Use list_files or search_code to find paths.`;
  if (content.kind === "binary") return `\`${escapeUntrusted(path)}\` is a binary file: it cannot be shown.`;
  if (content.kind === "too_large") return `\`${escapeUntrusted(path)}\` is too large to read${content.bytes !== null ? ` (${content.bytes} bytes)` : ""}; search_code can still find lines in smaller files.`;
  return null;
}

async function readFile(source: CodeSource, path: string, start: number | undefined, end: number | undefined, opts: typeof DEFAULTS & ToolRunOptions): Promise<Partial_> {
  if (hiddenBy(opts)(path)) return { text: notReadable(path, undefined, source)!, isError: true };
  const content = (await source.read([path])).get(path);
  const problem = notReadable(path, content, source);
  if (problem !== null || content?.kind !== "text") return { text: problem ?? "unreadable", isError: true };
  const lines = splitLines(preparedText(source, path, content.text));
  const total = lines.length;
  if (total === 0) return { text: `<file path="${escapeAttribute(path)}" commit="${shortSha(source)}" lines="0">\n(empty file)\n</file>`, filesRead: [path] };
  const from = Math.min(start ?? 1, total);
  if (start !== undefined && start > total) {
    return { text: `\`${escapeUntrusted(path)}\` has ${total} lines; start_line ${start} is past the end.`, isError: true };
  }
  const wantedEnd = Math.min(end ?? total, total);
  if (wantedEnd < from) return { text: "end_line is before start_line.", isError: true };
  const to = Math.min(wantedEnd, from + opts.maxReadLines - 1);
  const body: string[] = [];
  for (let i = from; i <= to; i++) body.push(`${i}\t${clip(lines[i - 1]!)}`);
  const more = to < wantedEnd ? `\n[lines ${from}-${to} of ${total} shown; continue with start_line=${to + 1}]` : "";
  return {
    text: `<file path="${escapeAttribute(path)}" commit="${shortSha(source)}" lines="${from}-${to}" total-lines="${total}">\n${escapeUntrusted(body.join("\n"))}\n</file>${more}`,
    filesRead: [path],
  };
}

/** Finds matching lines (0-based, one per line at most), in linear time (RE2) or by substring. */
interface LineFinder {
  (text: string, lineStarts: number[], limit: number): number[];
  /** Whether the text has any match (cheap: no line table). */
  any(text: string): boolean;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo; // 0-based
}

function compileFinder(pattern: string, regex: boolean): LineFinder {
  if (pattern === "") throw new ToolInputError("`pattern` is empty.");
  if (pattern.length > MAX_PATTERN_CHARS) throw new ToolInputError(`\`pattern\` is longer than ${MAX_PATTERN_CHARS} characters.`);
  if (!regex) {
    const literal = (text: string, starts: number[], limit: number) => {
      const lines: number[] = [];
      for (let at = text.indexOf(pattern); at >= 0 && lines.length < limit; ) {
        const line = lineOf(starts, at);
        lines.push(line);
        const next = starts[line + 1];
        if (next === undefined) break;
        at = text.indexOf(pattern, next);
      }
      return lines;
    };
    return Object.assign(literal, { any: (text: string) => text.includes(pattern) });
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, RE2JS.MULTILINE);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ToolInputError(`Invalid regex (RE2 syntax: no backreferences or lookaround): ${progressText(detail, 160)}`);
  }
  const re2 = (text: string, starts: number[], limit: number) => {
    const lines: number[] = [];
    const matcher = compiled.matcher(text);
    let from = 0;
    while (lines.length < limit && from <= text.length && matcher.find(from)) {
      const line = lineOf(starts, matcher.start());
      lines.push(line);
      const next = starts[line + 1];
      if (next === undefined) break;
      from = next;
    }
    return lines;
  };
  return Object.assign(re2, { any: (text: string) => compiled.matcher(text).find() });
}

async function searchCode(
  source: CodeSource,
  pattern: string,
  regex: boolean,
  pathGlob: string | undefined,
  includeGenerated: boolean,
  opts: typeof DEFAULTS & ToolRunOptions,
): Promise<Partial_> {
  const find = compileFinder(pattern, regex);
  const inGlob = pathGlob !== undefined && pathGlob.trim() !== "" ? globMatcher(pathGlob) : () => true;
  const attributes = await attributesOf(source);
  let candidates = (await visibleFiles(source, opts)).filter((p) => inGlob(p));
  let skippedGenerated = 0;
  if (!includeGenerated) {
    const before = candidates.length;
    candidates = candidates.filter((p) => skipReason(p, null, attributes) === null);
    skippedGenerated = before - candidates.length;
  }
  const limited = candidates.length > source.searchFileLimit;
  if (limited) candidates = candidates.slice(0, source.searchFileLimit);
  const contents = await source.read(candidates);

  const sections: string[] = [];
  const filesRead: string[] = [];
  let matches = 0;
  let filesWithMatches = 0;
  let capped = false;
  for (const path of candidates) {
    const content = contents.get(path);
    if (content?.kind !== "text") continue;
    if (!includeGenerated && contentSkipReason(source, path, content.text, attributes) !== null) {
      skippedGenerated++;
      continue;
    }
    // Matches are looked for in the prepared (redacted, stripped) text, so a secret cannot be probed by
    // pattern. Preparing costs a pass of the redaction patterns, so a file is prepared only when it could
    // match: its raw text matches, or preparing would change more than secrets (invisible characters, \r).
    const state = stateOf(source);
    if (!state.prepared.has(path) && !find.any(content.text) && stripInvisible(content.text) === content.text) continue;
    const text = preparedText(source, path, content.text);
    const remaining = opts.maxMatches - matches;
    if (remaining <= 0) {
      // Count files with matches past the cap, without showing them.
      if (find(text, lineStartsOf(text), 1).length > 0) {
        filesWithMatches++;
        capped = true;
      }
      continue;
    }
    const starts = lineStartsOf(text);
    const hitLines = find(text, starts, remaining + 1);
    if (hitLines.length === 0) continue;
    if (hitLines.length > remaining) {
      capped = true;
      hitLines.length = remaining;
    }
    filesWithMatches++;
    matches += hitLines.length;
    filesRead.push(path);
    const lines = splitLines(text);
    const hits = new Set(hitLines);
    const body: string[] = [];
    let last = -2;
    for (const hit of hitLines) {
      const from = Math.max(0, hit - CONTEXT_LINES, last + 1);
      const to = Math.min(lines.length - 1, hit + CONTEXT_LINES);
      if (from > last + 1 && body.length > 0) body.push("--");
      for (let i = from; i <= to; i++) body.push(`${i + 1}${hits.has(i) ? ":" : "-"}\t${clip(lines[i] ?? "")}`);
      last = Math.max(last, to);
    }
    sections.push(`<file path="${escapeAttribute(path)}" matches="${hitLines.length}">\n${escapeUntrusted(body.join("\n"))}\n</file>`);
  }
  const notes: string[] = [];
  if (capped) notes.push(`Only the first ${opts.maxMatches} matching lines are shown (${filesWithMatches} files match); narrow with path_glob or a more specific pattern.`);
  if (skippedGenerated > 0 && !includeGenerated) notes.push(`${skippedGenerated} generated or vendored files were not searched (include_generated: true searches them).`);
  const searchLimited = limited || source.listingTruncated();
  if (limited) notes.push(`Search was limited: only ${candidates.length} files were searched; use path_glob to choose which.`);
  else if (source.listingTruncated()) notes.push("Search was limited: the repository is over the app's size limits, so some files are not searchable.");
  const header = `<search-results pattern="${escapeAttribute(pattern)}" regex="${regex}" commit="${shortSha(source)}" matches="${matches}" files="${filesWithMatches}">`;
  const body = sections.length === 0 ? "(no matches)" : sections.join("\n");
  return { text: `${header}\n${body}\n</search-results>${notes.length ? `\n${notes.join("\n")}` : ""}`, filesRead, searchLimited };
}

/** The tools' JSON as sent in every request (its hash is pinned by a test). */
export const CODE_TOOLS_JSON = JSON.stringify(CODE_TOOLS);
