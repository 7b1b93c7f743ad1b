// Answers grounded in the repository's code: the snapshot of the commit the thread is about, and the tool
// loop over it (src/core/code/toolLoop.ts), each round one Claude call through `askClaude` (redacted,
// retried). The worker (answer.ts) calls `startCodeSnapshot` once the mention is admitted and `answerWithCode`
// instead of the single call.
//
// When the download starts: the commit is known only from the thread read (an issue's default branch
// head comes with the thread query; a pull request's head with its conversation read), and only an admitted
// mention may cause a download, so it starts right after the decision, in parallel with the request's
// preparation and the first model round. Claude needs a whole round before it asks for a tool, so the
// first tool call rarely waits; the wait is logged (`snapshotWaitMs`) and measured in bench/code.ts.
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import type { ClaudeClient, ClaudeTurn } from "../claude/client.js";
import { askClaude } from "../claude/ask.js";
import type { RetryPolicy } from "../claude/retry.js";
import { apiCodeSource } from "../code/apiSource.js";
import { fitsTarball, SnapshotCache } from "../code/snapshotCache.js";
import { fetchSnapshot, octokitTarballFetcher, TarballTooLargeError, type OctokitRequestLike, type SnapshotRef, type TarballFetcher } from "../code/tarball.js";
import { inputLimitOf } from "../core/budget/pricing.js";
import { checkCitations, sourceLineCounter, type CodeRef } from "../core/code/citations.js";
import { renderCodeFooterLines } from "../core/code/footer.js";
import { DEFAULT_SNAPSHOT_CAPS, snapshotKey, type SnapshotCaps } from "../core/code/snapshot.js";
import { snapshotSource, type CodeSource } from "../core/code/source.js";
import { estimateToolRequestTokens, runToolLoop, withCodeTools, type ResponseBlock, type SendFn, type ToolLoopResult } from "../core/code/toolLoop.js";
import { excludeMatcher } from "../core/code/tools.js";
import type { Usage } from "../core/types.js";
import type { Settings } from "../config/env.js";
import type { RepoConfig } from "../config/repo.js";
import type { InstallationClients } from "../github/clients.js";
import type { ThreadJob } from "../queue/types.js";

/** A ref the process-wide cache can load: the installation's tarball fetcher travels with it. */
interface LoadableRef extends SnapshotRef {
  fetcher: TarballFetcher;
}

/** The process's snapshots (one per process, src/app.ts), and the repositories known to be over the cap. */
export class CodeSnapshots {
  readonly cache: SnapshotCache;
  readonly caps: SnapshotCaps;
  /** `owner/repo@sha` whose tarball was over the cap: straight to the API source next time. */
  readonly #tooLarge = new LRUCache<string, true>({ max: 1_000 });

  constructor(settings: Pick<Settings, "code">, load?: (ref: SnapshotRef, caps: SnapshotCaps, fetcher: TarballFetcher) => Promise<import("../core/code/snapshot.js").Snapshot>) {
    this.caps = { ...DEFAULT_SNAPSHOT_CAPS, maxCompressedBytes: settings.code.maxCompressedBytes, maxTotalBytes: settings.code.maxTotalBytes };
    const caps = this.caps;
    this.cache = new SnapshotCache({
      maxBytes: settings.code.cacheBytes,
      load: (ref) => {
        const fetcher = (ref as LoadableRef).fetcher;
        return load ? load(ref, caps, fetcher) : fetchSnapshot(fetcher, { owner: ref.owner, repo: ref.repo, sha: ref.sha }, caps);
      },
    });
  }

  /** The source for `ref`: the cached or downloaded snapshot, or the API source over the cap. Never rejects. */
  source(ref: SnapshotRef, clients: InstallationClients, repositorySizeKb: number | undefined): Promise<CodeOutcome> {
    const key = snapshotKey(ref.owner, ref.repo, ref.sha);
    const api = (): CodeOutcome => ({ source: apiCodeSource({ rest: clients.rest as unknown as OctokitRequestLike, graphql: clients.graphql }, ref), failure: null });
    if (!this.cache.has(ref) && (this.#tooLarge.has(key) || !fitsTarball(repositorySizeKb, this.caps))) return Promise.resolve(api());
    const loadable: LoadableRef = { ...ref, fetcher: octokitTarballFetcher(clients.rest as unknown as OctokitRequestLike) };
    return this.cache.get(loadable).then(
      (snapshot) => ({ source: snapshotSource(snapshot), failure: null }),
      (error: unknown) => {
        if (error instanceof TarballTooLargeError) {
          this.#tooLarge.set(key, true);
          return api();
        }
        const reason = describeSnapshotFailure(error);
        return { source: unreadableSource(ref, reason), failure: { reason, error } };
      },
    );
  }
}

export interface CodeOutcome {
  source: CodeSource;
  /** The snapshot could not be read: `source` then fails every read with a clear tool error. */
  failure: { reason: string; error: unknown } | null;
}

export interface CodeSession {
  ref: CodeRef;
  /** Resolves when the source is ready (a snapshot, the API source, or one whose every read fails). */
  ready: Promise<CodeOutcome>;
  /** When the source was ready (ms, the session's clock), for the wait of the first tool call. */
  readyAt: () => number | null;
}

/**
 * Starts reading the code of the thread's commit. Call only for an admitted mention that will be answered
 * (never for commands, refusals or over-budget answers): the first read may download the repository.
 */
export function startCodeSnapshot(input: {
  snapshots: CodeSnapshots;
  job: Pick<ThreadJob, "owner" | "repo" | "repositorySizeKb">;
  sha: string;
  clients: InstallationClients;
  webHost: string;
  now?: () => number;
}): CodeSession {
  const now = input.now ?? Date.now;
  const ref: CodeRef = { host: input.webHost, owner: input.job.owner, repo: input.job.repo, sha: input.sha };
  let readyAt: number | null = null;
  const ready = input.snapshots.source({ owner: ref.owner, repo: ref.repo, sha: ref.sha }, input.clients, input.job.repositorySizeKb).then((outcome) => {
    readyAt = now();
    return outcome;
  });
  return { ref, ready, readyAt: () => readyAt };
}

/** A short reason for the footer: a status or an error kind, never a message (a redirect URL can hold a token). */
function describeSnapshotFailure(error: unknown): string {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === "number") return `GitHub answered ${status}`;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === "AbortError" || name === "TimeoutError") return "the download timed out";
  return "the download failed";
}

/** A source whose every read fails with a clear message: the tools return it as a tool error. */
function unreadableSource(ref: SnapshotRef, reason: string): CodeSource {
  const fail = async (): Promise<never> => {
    throw new Error(`the repository's code could not be read at ${ref.sha.slice(0, 7)} (${reason}); answer from the thread alone and say so`);
  };
  return { owner: ref.owner, repo: ref.repo, sha: ref.sha, kind: "snapshot", searchFileLimit: Number.POSITIVE_INFINITY, listingTruncated: () => false, list: fail, read: fail };
}

export interface CodeAnswer {
  /** The final text, its permalinks checked against the snapshot. */
  text: string;
  model: string;
  stopReason: string | null;
  /** Every round's usage added up. */
  usage: Usage;
  /** One entry per round (priced per round). */
  calls: { model: string; usage: Usage }[];
  /** Footer lines: commit, sources, limits. */
  footerLines: string[];
  /** The commit read (the block's `code_ref`). */
  sha: string;
  loop: ToolLoopResult;
  /** How long the first tool call waited for the snapshot (ms; 0 when it was ready). */
  snapshotWaitMs: number | null;
}

export interface CodeAnswerInput {
  claude: ClaudeClient;
  session: CodeSession;
  request: MessageCreateParamsNonStreaming;
  config: Pick<RepoConfig, "code" | "cache_ttl" | "max_output_tokens">;
  /** The commit the thread's previous answer read (the block's `code_ref`), if any. */
  previousRef: string | null;
  /** What moved: "default branch" (issues) or "pull request head". */
  refLabel: string;
  ask: { policy: RetryPolicy; log: Pick<Logger, "warn"> | { warn(fields: object, message: string): void } };
  /** Receives the progress text: the text so far and the current tool lines. */
  progress?: (text: string) => void;
  now?: () => number;
}

/** Tool output per answer at most; less when the thread's own request leaves less room in the window. */
const ANSWER_TOOL_TOKENS = 40_000;

export async function answerWithCode(input: CodeAnswerInput): Promise<CodeAnswer> {
  const now = input.now ?? Date.now;
  const { session, config } = input;
  const moved = movedLine(input.previousRef, session.ref.sha, input.refLabel);
  const initial = codeRequest(input.request, session.ref, input.previousRef, input.refLabel);
  const room = inputLimitOf(String(initial.model), config.max_output_tokens) - estimateToolRequestTokens(initial);
  const answerToolTokens = Math.max(1_000, Math.min(ANSWER_TOOL_TOKENS, Math.floor(room * 0.9)));

  // Progress: the text streamed so far (this round's, or the last round that wrote some), then the tool
  // lines of the round running now. New text replaces the tool lines.
  let shownText = "";
  let toolLines: string[] = [];
  const show = () => input.progress?.(toolLines.length === 0 ? shownText : `${shownText === "" ? "" : `${shownText.trimEnd()}\n\n`}${toolLines.map((l) => `${l} …`).join("\n")}`);
  let firstRoundDoneAt: number | null = null;
  const turns: ClaudeTurn[] = [];
  const send: SendFn = async (request, round) => {
    let roundText = "";
    const turn = await askClaude(input.claude, request, {
      ...input.ask,
      onText: (soFar) => {
        roundText = soFar;
        shownText = roundText;
        toolLines = [];
        show();
      },
    });
    if (round === 0) firstRoundDoneAt = now();
    if (turn.stopReason === "tool_use") toolLines = [];
    turns.push(turn);
    return {
      content: turn.content as readonly ResponseBlock[],
      stop_reason: turn.stopReason,
      usage: {
        input_tokens: turn.usage.input,
        output_tokens: turn.usage.output,
        cache_read_input_tokens: turn.usage.cache_read,
        cache_creation_input_tokens: turn.usage.cache_write,
      },
    };
  };
  const ready = session.ready.then((outcome) => outcome.source);
  const loop = await runToolLoop(
    initial,
    ready,
    send,
    { maxRounds: config.code.max_rounds, answerToolTokens, tools: { exclude: config.code.exclude }, cacheTtl: config.cache_ttl },
    (line) => {
      toolLines.push(line);
      show();
    },
  );
  const toolRounds = loop.rounds.filter((r) => r.summaries.length > 0).length;
  const readyAt = session.readyAt();
  const snapshotWaitMs = toolRounds === 0 || firstRoundDoneAt === null ? null : Math.max(0, (readyAt ?? now()) - firstRoundDoneAt);

  // The links are checked only once the source is ready (it is, when a tool ran; otherwise this waits for
  // the download the answer did not need, bounded by the download itself).
  const outcome = toolRounds > 0 ? await session.ready : await Promise.race([session.ready, Promise.resolve(null)]);
  let text = loop.text;
  const footerLines: string[] = [];
  if (outcome !== null && outcome.failure !== null) {
    footerLines.push(
      `Code at \`${session.ref.sha.slice(0, 7)}\` could not be read (${outcome.failure.reason}): the answer is from the thread alone, and its links were not checked.`,
    );
  } else if (outcome !== null) {
    const hidden = excludeMatcher(config.code.exclude);
    let checked: ReturnType<typeof checkCitations> | null = null;
    try {
      checked = checkCitations(text, session.ref, await sourceLineCounter(outcome.source, text, session.ref, hidden), loop.filesRead);
    } catch {
      checked = null; // an API read failed: the links stay as written
    }
    if (checked) text = checked.text;
    footerLines.push(
      ...renderCodeFooterLines({
        ref: session.ref,
        sources: checked?.sources ?? loop.filesRead,
        toolRounds,
        searchLimited: loop.searchLimited,
        listingTruncated: outcome.source.listingTruncated(),
        sourceKind: outcome.source.kind,
        invalidLinks: checked?.invalid ?? 0,
        endedBy: loop.endedBy,
      }),
    );
  }
  if (moved) footerLines.push(moved);
  const last = turns[turns.length - 1]!;
  return {
    text,
    model: last.model,
    stopReason: loop.stopReason,
    usage: loop.usage,
    calls: turns.map((t) => ({ model: t.model, usage: t.usage })),
    footerLines,
    sha: session.ref.sha,
    loop,
    snapshotWaitMs,
  };
}

/**
 * The first round's request: the thread's request with the code section and the tools, and a line when
 * the code moved since the thread's previous answer. What the worker sends and `threadbot inspect` prints.
 */
export function codeRequest(request: MessageCreateParamsNonStreaming, ref: CodeRef, previousRef: string | null, refLabel: string): MessageCreateParamsNonStreaming {
  const initial = withCodeTools(request, ref);
  if (movedLine(previousRef, ref.sha, refLabel)) {
    appendToLastSystemBlock(initial, `The ${refLabel} has moved since the previous answer in this thread, which read ${previousRef!.slice(0, 7)}: its links point at that commit.`);
  }
  return initial;
}

/** What moved, for a thread: the default branch (issues) or the pull request's head. */
export function refLabelOf(kind: ThreadJob["kind"] | "pull_request" | "issue"): string {
  return kind === "issue" ? "default branch" : "pull request head";
}

/** "the default branch moved from abc1234 to def5678 since the last answer", or null. */
export function movedLine(previous: string | null, sha: string, label: string): string | null {
  if (previous === null || previous === "") return null;
  const p = previous.toLowerCase();
  if (sha.toLowerCase().startsWith(p) || p.startsWith(sha.toLowerCase())) return null;
  return `The ${label} moved from \`${p.slice(0, 7)}\` to \`${sha.slice(0, 7)}\` since the last answer.`;
}

function appendToLastSystemBlock(request: MessageCreateParamsNonStreaming, line: string): void {
  const system = request.system;
  if (!Array.isArray(system) || system.length === 0) return;
  const last = system[system.length - 1]!;
  last.text = `${last.text}\n${line}`;
}

/** Creates the process's snapshot store from the settings (src/app.ts). */
export function createCodeSnapshots(settings: Pick<Settings, "code">): CodeSnapshots {
  return new CodeSnapshots(settings);
}
