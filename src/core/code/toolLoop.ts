// The tool loop: Claude asks for code tools, the app runs them over the snapshot and answers, until Claude
// answers the thread. Planning is pure (each round's request is a byte extension of the previous one, with
// cache breakpoints moved along); the runner takes an injected `send`, so no SDK or network here.
//
// The last request, after the round or tool-output budget is used up, keeps `tools` and `tool_choice`
// exactly as before and says in a text block that tools are no longer available. The prompt-caching docs'
// invalidation table says a change to `tool_choice` invalidates the cached message blocks (tools and system
// stay cached), so switching to `tool_choice: {type: "none"}` would re-write the whole conversation's cache
// for that one request. Only if Claude still asks for a tool is one more request sent, with
// `tool_choice: {type: "none"}` (which the Messages API has: "the model will not be allowed to use tools").
import type {
  CacheControlEphemeral,
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
  ToolUseBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
import { BLOCK_OVERHEAD, estimateTokens, MESSAGE_OVERHEAD, REQUEST_OVERHEAD } from "../budget/tokens.js";
import type { Usage } from "../types.js";
import { CODE_SYSTEM_PROMPT, renderCodeRef, type CodeRef } from "./citations.js";
import type { CodeSource } from "./source.js";
import { CODE_TOOLS, describeToolCall, runTool, type ToolOutcome, type ToolRunOptions } from "./tools.js";

export const MAX_CACHE_BREAKPOINTS = 4;

export const TOOLS_UNAVAILABLE_TEXT =
  "Tools are no longer available for this answer. Answer now with what you have found; say briefly what you could not check.";
export const TOOL_NOT_RUN_TEXT = "Not run: the tool budget for this answer is used up.";

/** A block of Claude's response, as `send` returns it (the SDK's ContentBlock, or what a mock builds). */
export type ResponseBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: string; [key: string]: unknown };

export interface ApiUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

export interface ModelTurn {
  content: readonly ResponseBlock[];
  stop_reason: string | null;
  usage: ApiUsage;
}

export type SendFn = (request: MessageCreateParamsNonStreaming, round: number) => Promise<ModelTurn>;

export interface ToolLoopOptions {
  /** Rounds of tool calls before the final request. Default 8. */
  maxRounds?: number;
  /** Estimated tokens of tool output per answer. Default 40,000. */
  answerToolTokens?: number;
  /** Estimated tokens of one call's output. Default 6,000. */
  callToolTokens?: number;
  /** Passed to every tool call (exclude globs, line and match caps). */
  tools?: Omit<ToolRunOptions, "maxOutputTokens">;
  cacheTtl?: "5m" | "1h";
}

export interface RoundReport {
  round: number;
  usage: Usage;
  stopReason: string | null;
  /** Tool calls Claude made in this round's response (run in the next request). */
  calls: number;
  filesRead: string[];
  summaries: string[];
  toolTokens: number;
}

export type EndedBy = "end_turn" | "max_rounds" | "budget" | "max_tokens" | "other";

export interface ToolLoopResult {
  /** The answer: text blocks of the last response. */
  text: string;
  stopReason: string | null;
  /** `max_tokens`: the answer was cut. */
  truncated: boolean;
  endedBy: EndedBy;
  rounds: RoundReport[];
  filesRead: string[];
  searchLimited: boolean;
  usage: Usage;
  /** Every request sent, in order (for tests and the bench). */
  requests: MessageCreateParamsNonStreaming[];
}

const DEFAULTS = { maxRounds: 8, answerToolTokens: 40_000, callToolTokens: 6_000 };
/** Below this many tokens a call is not run (its output would be only the cut notice). */
export const MIN_CALL_TOKENS = 200;

const cacheControl = (ttl?: "5m" | "1h"): CacheControlEphemeral => (ttl === "1h" ? { type: "ephemeral", ttl } : { type: "ephemeral" });

/**
 * The thread's request with the code section: CODE_SYSTEM_PROMPT as a system block right after the static
 * prompt (unmarked: the next marked block caches it), the commit line appended to the last system block
 * (the per-thread one), and the tool definitions (copies: the frozen constant is never handed out).
 */
export function withCodeTools(base: MessageCreateParamsNonStreaming, ref: CodeRef): MessageCreateParamsNonStreaming {
  const system: TextBlockParam[] = typeof base.system === "string" ? [{ type: "text", text: base.system }] : (base.system ?? []).map((b) => ({ ...b }));
  const first = system.shift();
  const rest = system;
  const last = rest.length > 0 ? rest[rest.length - 1]! : null;
  if (last) last.text = `${last.text}\n\n${renderCodeRef(ref)}`;
  const blocks: TextBlockParam[] = [...(first ? [first] : []), { type: "text", text: CODE_SYSTEM_PROMPT }, ...rest];
  if (!last) blocks.push({ type: "text", text: renderCodeRef(ref) });
  return { ...base, system: blocks, tools: codeToolParams(), messages: base.messages.map(cloneMessage) };
}

/** Mutable copies of CODE_TOOLS in the SDK's type. */
export function codeToolParams(): Tool[] {
  return JSON.parse(JSON.stringify(CODE_TOOLS)) as Tool[];
}

function cloneMessage(message: MessageParam): MessageParam {
  return structuredClone(message);
}

/** Response blocks as request blocks: text (non-empty) and tool_use; anything else is dropped. */
export function assistantBlocks(content: readonly ResponseBlock[]): ContentBlockParam[] {
  const out: ContentBlockParam[] = [];
  for (const block of content) {
    if (block.type === "text" && typeof block.text === "string" && block.text.trim() !== "") out.push({ type: "text", text: block.text });
    else if (block.type === "tool_use") {
      const use = block as { id: string; name: string; input: unknown };
      out.push({ type: "tool_use", id: use.id, name: use.name, input: use.input ?? {} } satisfies ToolUseBlockParam);
    }
  }
  return out;
}

export function toolUses(content: readonly ResponseBlock[]): { id: string; name: string; input: unknown }[] {
  return content.filter((b): b is { type: "tool_use"; id: string; name: string; input: unknown } => b.type === "tool_use");
}

function blockHasMarker(block: unknown): boolean {
  return typeof block === "object" && block !== null && "cache_control" in block && (block as { cache_control?: unknown }).cache_control != null;
}

export function countCacheMarkers(request: MessageCreateParamsNonStreaming): number {
  let n = 0;
  for (const tool of request.tools ?? []) if (blockHasMarker(tool)) n++;
  if (Array.isArray(request.system)) for (const b of request.system) if (blockHasMarker(b)) n++;
  for (const m of request.messages) if (typeof m.content !== "string") for (const b of m.content) if (blockHasMarker(b)) n++;
  return n;
}

function lastBlockOf(messages: MessageParam[], index: number): ContentBlockParam | undefined {
  const m = messages[index];
  if (!m || typeof m.content === "string") return undefined;
  return m.content[m.content.length - 1];
}

/**
 * The next round's request: the previous one, then Claude's turn and the user turn answering it (tool
 * results, and an optional text block). Message breakpoints: the previous request's last block (where its
 * cache was written: read here) and the new last block (written for the next round); older message markers
 * are removed, system markers kept, and the total never exceeds 4.
 */
export function appendRound(
  previous: MessageCreateParamsNonStreaming,
  assistant: ContentBlockParam[],
  results: ContentBlockParam[],
  options: { cacheTtl?: "5m" | "1h"; toolChoice?: MessageCreateParamsNonStreaming["tool_choice"] } = {},
): MessageCreateParamsNonStreaming {
  const messages = previous.messages.map(cloneMessage);
  const readAt = messages.length - 1;
  messages.push({ role: "assistant", content: assistant.map((b) => ({ ...b }) as ContentBlockParam) });
  messages.push({ role: "user", content: results.map((b) => ({ ...b }) as ContentBlockParam) });
  for (const m of messages) if (typeof m.content !== "string") for (const b of m.content) delete (b as { cache_control?: unknown }).cache_control;
  const system = Array.isArray(previous.system) ? previous.system : [];
  const systemMarkers = system.filter(blockHasMarker).length + (previous.tools ?? []).filter(blockHasMarker).length;
  const room = MAX_CACHE_BREAKPOINTS - systemMarkers;
  const mark = (block: ContentBlockParam | undefined) => {
    if (block) (block as { cache_control?: CacheControlEphemeral }).cache_control = cacheControl(options.cacheTtl);
  };
  if (room >= 1) mark(lastBlockOf(messages, messages.length - 1));
  if (room >= 2) mark(lastBlockOf(messages, readAt));
  const next: MessageCreateParamsNonStreaming = { ...previous, messages };
  if (options.toolChoice !== undefined) next.tool_choice = options.toolChoice;
  return next;
}

function toolResult(id: string, outcome: { text: string; isError: boolean }): ToolResultBlockParam {
  return { type: "tool_result", tool_use_id: id, content: outcome.text, ...(outcome.isError ? { is_error: true } : {}) };
}

function toUsage(u: ApiUsage): Usage {
  return { input: u.input_tokens, output: u.output_tokens, cache_read: u.cache_read_input_tokens ?? 0, cache_write: u.cache_creation_input_tokens ?? 0 };
}

function textOf(content: readonly ResponseBlock[]): string {
  return content
    .filter((b): b is { type: "text"; text: string } => b.type === "text" && typeof b.text === "string")
    .map((b) => b.text)
    .join("");
}

/**
 * Runs the loop: `send(request0)`; while Claude stops for tools and rounds and budget remain, runs every
 * tool_use of the turn in parallel and sends the results; then the final request if needed.
 * `onProgress` gets each call's summary (e.g. "🔎 searching for `retry`") before it runs.
 */
export async function runToolLoop(
  initial: MessageCreateParamsNonStreaming,
  /** A promise while the snapshot still loads: the first round's model call runs beside the download. */
  source: CodeSource | Promise<CodeSource>,
  send: SendFn,
  options: ToolLoopOptions = {},
  onProgress?: (text: string) => void,
): Promise<ToolLoopResult> {
  const opts = { ...DEFAULTS, ...options };
  const requests: MessageCreateParamsNonStreaming[] = [initial];
  const rounds: RoundReport[] = [];
  const filesRead = new Set<string>();
  let searchLimited = false;
  let budget = opts.answerToolTokens;
  let request = initial;
  let finalSent = 0;
  const exhausted = () => budget < MIN_CALL_TOKENS;

  for (let round = 0; ; round++) {
    const turn = await send(request, round);
    const uses = toolUses(turn.content);
    const report: RoundReport = { round, usage: toUsage(turn.usage), stopReason: turn.stop_reason, calls: uses.length, filesRead: [], summaries: [], toolTokens: 0 };
    rounds.push(report);
    const wantsTools = turn.stop_reason === "tool_use" && uses.length > 0;
    if (!wantsTools) {
      const endedBy: EndedBy =
        turn.stop_reason === "max_tokens" ? "max_tokens" : turn.stop_reason === "end_turn" || turn.stop_reason === "stop_sequence" ? (finalSent > 0 ? (exhausted() ? "budget" : "max_rounds") : "end_turn") : "other";
      return finish(turn, endedBy);
    }
    const executed = rounds.filter((r) => r.toolTokens > 0 || r.summaries.length > 0).length;
    const canRun = finalSent === 0 && executed < opts.maxRounds && !exhausted();
    let results: ContentBlockParam[];
    if (canRun) {
      // Calls share what is left; when it is too little for all of them, the first ones run.
      const runnable = Math.min(uses.length, Math.floor(budget / MIN_CALL_TOKENS));
      for (const use of uses) onProgress?.(describeToolCall(use));
      const ready = await source;
      const perCall = Math.min(opts.callToolTokens, Math.floor(budget / runnable));
      const outcomes: ToolOutcome[] = await Promise.all(
        uses.map((use, i) => {
          const summary = describeToolCall(use);
          report.summaries.push(summary);
          if (i >= runnable) return Promise.resolve({ text: TOOL_NOT_RUN_TEXT, isError: true, filesRead: [], summary, tokens: 0, searchLimited: false });
          return runTool(ready, { id: use.id, name: use.name, input: use.input }, { ...opts.tools, maxOutputTokens: perCall });
        }),
      );
      results = uses.map((use, i) => toolResult(use.id, outcomes[i]!));
      for (const o of outcomes) {
        report.toolTokens += o.tokens;
        for (const f of o.filesRead) {
          filesRead.add(f);
          if (!report.filesRead.includes(f)) report.filesRead.push(f);
        }
        searchLimited ||= o.searchLimited;
      }
      budget -= report.toolTokens;
    } else {
      results = uses.map((use) => toolResult(use.id, { text: TOOL_NOT_RUN_TEXT, isError: true }));
    }
    const executedNow = executed + (canRun ? 1 : 0);
    const mustFinish = !canRun || executedNow >= opts.maxRounds || exhausted();
    if (mustFinish) {
      if (finalSent >= 2) return finish(turn, exhausted() ? "budget" : "max_rounds"); // cannot happen with tool_choice none; defensive
      results.push({ type: "text", text: TOOLS_UNAVAILABLE_TEXT });
      // First final request: tool_choice unchanged (message cache kept). Second: tool_choice none.
      const toolChoice = finalSent === 0 ? undefined : ({ type: "none" } as const);
      request = appendRound(request, assistantBlocks(turn.content), results, { cacheTtl: opts.cacheTtl, toolChoice });
      finalSent++;
    } else {
      request = appendRound(request, assistantBlocks(turn.content), results, { cacheTtl: opts.cacheTtl });
    }
    requests.push(request);
  }

  function finish(turn: ModelTurn, endedBy: EndedBy): ToolLoopResult {
    const usage: Usage = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
    for (const r of rounds) {
      usage.input += r.usage.input;
      usage.output += r.usage.output;
      usage.cache_read += r.usage.cache_read;
      usage.cache_write += r.usage.cache_write;
    }
    return {
      text: textOf(turn.content),
      stopReason: turn.stop_reason,
      truncated: turn.stop_reason === "max_tokens",
      endedBy,
      rounds,
      filesRead: [...filesRead].sort(),
      searchLimited,
      usage,
      requests,
    };
  }
}

/** Estimated tokens of a request with tools and tool blocks (src/core/budget/tokens.ts's estimate, extended). */
export function estimateToolRequestTokens(request: MessageCreateParamsNonStreaming): number {
  return estimatePrefixTokens(request, request.messages.length);
}

/** Estimated tokens of tools + system + the first `messageCount` messages. */
export function estimatePrefixTokens(request: MessageCreateParamsNonStreaming, messageCount: number): number {
  let total = REQUEST_OVERHEAD;
  if (request.tools) total += estimateTokens(JSON.stringify(request.tools));
  if (typeof request.system === "string") total += estimateTokens(request.system) + BLOCK_OVERHEAD;
  else for (const b of request.system ?? []) total += estimateTokens(b.text) + BLOCK_OVERHEAD;
  for (const m of request.messages.slice(0, messageCount)) {
    total += MESSAGE_OVERHEAD;
    if (typeof m.content === "string") total += estimateTokens(m.content) + BLOCK_OVERHEAD;
    else for (const b of m.content) total += blockTokens(b) + BLOCK_OVERHEAD;
  }
  return total;
}

function blockTokens(block: ContentBlockParam): number {
  if (block.type === "text") return estimateTokens(block.text);
  if (block.type === "tool_use") return estimateTokens(block.name) + estimateTokens(JSON.stringify(block.input ?? {}));
  if (block.type === "tool_result") {
    const c = block.content;
    if (typeof c === "string") return estimateTokens(c);
    return (c ?? []).reduce((n, b) => n + (b.type === "text" ? estimateTokens(b.text) : 0), 0);
  }
  return estimateTokens(JSON.stringify(block));
}

/**
 * Share of each request's estimated input that a cache read covers, from the request shapes alone: the
 * prefix up to the previous request's last message (where it wrote its cache). Round 0 reads nothing here
 * (the thread's own earlier turns may be cached, which this does not know). A request whose tool_choice
 * differs from the previous one's reads only tools + system.
 */
export function cacheReadShares(requests: readonly MessageCreateParamsNonStreaming[]): number[] {
  return requests.map((request, i) => {
    if (i === 0) return 0;
    const prev = requests[i - 1]!;
    const total = estimateToolRequestTokens(request);
    const sameChoice = JSON.stringify(prev.tool_choice ?? null) === JSON.stringify(request.tool_choice ?? null);
    const cached = sameChoice ? estimatePrefixTokens(request, prev.messages.length) : estimatePrefixTokens(request, 0);
    return total === 0 ? 0 : cached / total;
  });
}
