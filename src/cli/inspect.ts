// `threadbot inspect`: the conversation and the exact Claude request the bot would send for a thread,
// built with the worker's own prepareRequest. Sends nothing unless `--ask`, and never posts.
import { readFile, writeFile } from "node:fs/promises";
import { graphql as baseGraphql } from "@octokit/graphql";
import { ProbotOctokit } from "probot";
import { parse as parseYaml } from "yaml";
import { askClaude, redactRequest } from "../claude/ask.js";
import { ClaudeClient } from "../claude/client.js";
import { buildConversation } from "../core/conversation/conversation.js";
import { retryTarget } from "../core/decision/plan.js";
import type { KnownPermissions, PermissionResult } from "../core/conversation/identity.js";
import { blockAuthorsToConfirm } from "../core/conversation/conversation.js";
import { normalizeLogin } from "../core/conversation/identity.js";
import { answeredTriggerIds } from "../core/conversation/answered.js";
import { isBotComment } from "../core/conversation/identity.js";
import { estimateRequestTokens } from "../core/budget/fold.js";
import type { Turn } from "../core/conversation/conversation.js";
import type { PullRequestData } from "../core/pullRequest/prContext.js";
import { cacheWriteMultiplier, totalCostUsd } from "../core/budget/pricing.js";
import { addUsage, formatCost } from "../core/reply/compose.js";
import { parseCommand, detectTrigger } from "../core/trigger/trigger.js";
import { EMPTY_USAGE, type BotIdentity, type Thread, type ThreadKind, type Usage } from "../core/types.js";
import type { Settings } from "../config/env.js";
import { defaultRepoConfig, loadRepoConfig, validateRepoConfig, type LoadedRepoConfig } from "../config/repo.js";
import type { InstallationClients } from "../github/clients.js";
import { readIssueThreadWithHead, ThreadNotFoundError } from "../github/threadQuery.js";
import { CODE_TOOLS_JSON } from "../core/code/tools.js";
import { estimateTokens } from "../core/budget/tokens.js";
import { answerWithCode, codeRequest, createCodeSnapshots, refLabelOf, startCodeSnapshot, type CodeAnswer } from "../worker/codeAnswer.js";
import type { ThreadJob } from "../queue/types.js";
import { permissionReader } from "../github/permissions.js";
import { prepareRequest, type SummaryAnswer } from "../worker/prepare.js";
import { readThread, type ThreadRead } from "../worker/readThread.js";
import { guessBot, parseThreadFile, pickTrigger, toThreadFile } from "./threadFile.js";

export interface InspectOptions {
  /** `owner/repo#123`, or undefined with `threadFile`. */
  ref?: string | undefined;
  threadFile?: string | undefined;
  saveThread?: string | undefined;
  configFile?: string | undefined;
  comment?: string | undefined;
  /** A review comment: inspect its review thread (as the worker answers a mention there). */
  reviewComment?: string | undefined;
  bot?: string | undefined;
  json: boolean;
  ask: boolean;
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

export class UsageError extends Error {
  override name = "UsageError";
}

interface Loaded {
  thread: Thread;
  bot: BotIdentity;
  pullRequest: PullRequestData | undefined;
  repoConfig: LoadedRepoConfig;
  /** Reads collaborator permissions (live); undefined for a thread file. */
  readPermissions?: (logins: readonly string[]) => Promise<KnownPermissions>;
  /** The commit the code tools read (live reads; a thread file's pull-request head), and the clients to read it. */
  codeSha?: string | undefined;
  clients?: InstallationClients;
}

export function parseRef(ref: string): { owner: string; repo: string; number: number } {
  const m = /^([\w.-]+)\/([\w.-]+)#(\d+)$/.exec(ref.trim());
  if (!m) throw new UsageError(`expected owner/repo#number, got "${ref}"`);
  return { owner: m[1]!, repo: m[2]!, number: Number(m[3]) };
}

/** A file the user named: a missing or unreadable one is a usage error that names it, not a raw ENOENT. */
export async function readInputFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot read ${what} ${path}: ${why}`);
  }
}

/** JSON.parse, with the file's name and the line and column of a syntax error. */
export function parseJsonFile(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 says "… at position N" (Node 20: "in JSON at position N"), or "Unexpected end of JSON input".
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : /end of JSON input/.test(message) ? text.length : jsonErrorOffset(text);
    // Node 20 quotes the text around the error, newlines and all: keep its first line.
    const detail = message.replace(/\s*\(line \d+ column \d+\)$/, "").split("\n")[0]!;
    if (offset === undefined) throw new UsageError(`${path} is not valid JSON: ${detail}`);
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    throw new UsageError(`${path} is not valid JSON (line ${line}, column ${column}${offset >= text.length ? ", the end of the file" : ""}): ${detail}`);
  }
}

/** Where a JSON text stops being JSON (for messages that do not say), or undefined if it cannot tell. */
function jsonErrorOffset(t: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < t.length && " \t\n\r".includes(t[i]!)) i++;
  };
  const str = () => {
    i++;
    while (i < t.length && t[i] !== '"') {
      if (t.charCodeAt(i) < 0x20) fail();
      i += t[i] === "\\" ? 2 : 1;
    }
    if (i >= t.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = t[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      if (t[i] === close) return void i++;
      for (;;) {
        if (c === "{") {
          ws();
          if (t[i] !== '"') fail();
          str();
          ws();
          if (t[i] !== ":") fail();
          i++;
        }
        value();
        ws();
        if (t[i] === ",") i++;
        else if (t[i] === close) return void i++;
        else fail();
      }
    }
    if (c === '"') return str();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(t.slice(i, i + 1000));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    return i < t.length ? i : undefined;
  } catch (error) {
    return typeof error === "number" ? error : undefined;
  }
}

async function localConfig(path: string | undefined, settings: Settings): Promise<LoadedRepoConfig> {
  if (path === undefined) return { config: defaultRepoConfig(settings), warnings: [], sources: ["defaults"], readError: null };
  let yaml: unknown;
  try {
    yaml = parseYaml(await readInputFile(path, "config file"));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${path} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const validated = validateRepoConfig(yaml ?? {}, settings);
  return { ...validated, sources: [path], readError: null };
}

/**
 * The job readThread gets: only the thread's address, its kind and (review threads) the thread's
 * top-level comment are read from it; the rest stays empty since nothing is written.
 */
function readJob(ref: { owner: string; repo: string; number: number }, kind: ThreadKind, reviewRootId?: string): ThreadJob {
  return {
    id: "",
    deliveryId: "",
    threadKey: `${ref.owner}/${ref.repo}#${ref.number}`,
    installationId: 0,
    ...ref,
    kind,
    trigger: { id: reviewRootId ?? "opening", nodeId: "", author: "", association: "NONE" },
    ...(reviewRootId !== undefined ? { reviewRootId } : {}),
    receivedAt: 0,
  };
}

async function load(options: InspectOptions, settings: Settings, io: CliIo): Promise<Loaded> {
  if (options.threadFile !== undefined) {
    const file = parseThreadFile(parseJsonFile(await readInputFile(options.threadFile, "thread file"), options.threadFile));
    const headSha = file.pullRequest?.refs.headSha;
    return { ...file, repoConfig: await localConfig(options.configFile, settings), ...(headSha && /^[0-9a-f]{40}$/i.test(headSha) ? { codeSha: headSha.toLowerCase() } : {}) };
  }
  const ref = parseRef(options.ref ?? "");
  const token = io.env.GITHUB_TOKEN;
  if (!token) throw new UsageError("GITHUB_TOKEN is not set (a token that can read the repository)");
  const baseUrl = io.env.GITHUB_API_URL ?? "https://api.github.com";
  const rest = new ProbotOctokit({ auth: { token }, baseUrl, log: { debug() {}, info() {}, warn: (m: string) => io.err(m), error: (m: string) => io.err(m) } });
  const graphql = baseGraphql.defaults({ baseUrl, headers: { authorization: `token ${token}` } });
  const clients: InstallationClients = { rest, graphql: (query, variables) => graphql(query, variables) };
  const configRead = options.configFile !== undefined ? localConfig(options.configFile, settings) : loadRepoConfig(rest, ref, settings);
  // The same reads as the worker's (src/worker/readThread.ts), chosen as intake chooses the job's kind.
  let read: ThreadRead;
  if (options.reviewComment !== undefined) {
    read = await readReviewThreadOf(clients, ref, options.reviewComment, settings.triggerPhrase);
  } else {
    const { thread, defaultBranch } = await readIssueThreadWithHead(clients.graphql, ref);
    read = thread.kind === "pull_request" ? await readThread(clients, readJob(ref, "pull_request"), settings.triggerPhrase) : { thread, ...(defaultBranch ? { codeSha: defaultBranch.oid } : {}) };
  }
  const permissions = permissionReader(rest, ref);
  const readPermissions = async (logins: readonly string[]) => (await permissions.read(logins), permissions.known);
  return { thread: read.thread, bot: guessBot(read.thread, options.bot ?? settings.botLogin), pullRequest: read.pullRequest, repoConfig: await configRead, readPermissions, codeSha: read.codeSha, clients };
}

/** The review thread of comment `id`: its top-level comment, or a reply (whose top-level comment REST names). */
async function readReviewThreadOf(
  clients: InstallationClients,
  ref: { owner: string; repo: string; number: number },
  id: string,
  phrase: string,
): Promise<ThreadRead> {
  if (!/^\d+$/.test(id)) throw new UsageError(`--review-comment takes a review comment id (digits), got "${id}"`);
  try {
    return await readThread(clients, readJob(ref, "review_thread", id), phrase);
  } catch (error) {
    if (!(error instanceof ThreadNotFoundError)) throw error;
  }
  const notFound = new ThreadNotFoundError(`review comment ${id} is not in a review thread of ${ref.owner}/${ref.repo}#${ref.number}`);
  const { data } = await clients.rest.rest.pulls.getReviewComment({ owner: ref.owner, repo: ref.repo, comment_id: Number(id) }).catch((error: unknown) => {
    throw (error as { status?: number }).status === 404 ? notFound : error;
  });
  const root = data.in_reply_to_id;
  if (root === undefined) throw notFound;
  return readThread(clients, readJob(ref, "review_thread", String(root)), phrase);
}

function describeTurn(turn: Turn): string {
  if (turn.role === "assistant") return `  assistant  comment ${turn.commentIds.join(", ")}: ${preview(turn.text)}`;
  return turn.comments
    .map((c, i) => `  ${i === 0 ? "user     " : "         "}  ${c.isOpening ? "opening post" : `comment ${c.id}`} by ${c.author} (${c.association}): ${preview(c.text)}`)
    .join("\n");
}

function preview(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 90 ? `${line.slice(0, 90)}…` : line;
}

export async function inspect(options: InspectOptions, settings: Settings, io: CliIo): Promise<number> {
  const loaded = await load(options, settings, io);
  const { thread, bot, repoConfig } = loaded;
  const config = repoConfig.config;
  if (options.saveThread !== undefined) {
    await writeFile(options.saveThread, `${JSON.stringify(toThreadFile(thread, bot, loaded.pullRequest), null, 2)}\n`);
  }
  const phrase = settings.triggerPhrase;
  // `--review-comment ID` answers that comment when it is a mention, else the thread's newest mention.
  const reviewTrigger = thread.comments.find((c) => c.id === options.reviewComment);
  const named = reviewTrigger && !isBotComment(reviewTrigger, bot) && detectTrigger(reviewTrigger.body, { phrase }).triggered ? reviewTrigger.id : undefined;
  const trigger = pickTrigger(thread, bot, phrase, options.comment ?? named);
  const command = parseCommand(detectTrigger(trigger.body, { phrase }).request);
  const notes: string[] = [];
  if (answeredTriggerIds(thread, bot).has(trigger.id)) notes.push(`comment ${trigger.id} is already answered: the bot would not answer it again`);

  // The worker's decision needs permissions (whose blocks count, whom `retry` may answer): read live, or
  // for a thread file taken from the associations, which the worker never does.
  const known = new Map<string, PermissionResult>();
  const confirm = async (logins: readonly string[]) => {
    if (loaded.readPermissions) for (const [login, p] of await loaded.readPermissions(logins)) known.set(login, p);
    else for (const login of logins) known.set(normalizeLogin(login), assumedPermission(thread, login));
  };
  if (!loaded.readPermissions) notes.push("offline: people's permissions are assumed from their associations (the bot confirms them with GitHub)");
  let triggerId = trigger.id;
  if (command.name === "retry") {
    const decision = { thread, bot, phrase, access: config.access, permissions: known };
    let retry = retryTarget(decision, trigger);
    for (let round = 0; retry.confirm.length > 0 && round < 4; round++) {
      await confirm(retry.confirm);
      retry = retryTarget(decision, trigger);
    }
    triggerId = retry.target ?? trigger.id;
    notes.push(triggerId === trigger.id ? "`retry` with no unanswered mention before it: answered as a question" : `\`retry\` answers comment ${triggerId} again`);
  } else if (command.name !== null) {
    const message = `comment ${trigger.id} is the command \`${command.name}\`: the bot answers it without asking Claude`;
    if (options.json) io.out(JSON.stringify({ thread: summary(thread), trigger: trigger.id, command: command.name, request: null }, null, 2));
    else io.out(message);
    return 0;
  }

  await confirm(blockAuthorsToConfirm(thread, { bot, triggerCommentId: triggerId, permissions: known }));
  const conversation = buildConversation(thread, { bot, phrase, triggerCommentId: triggerId, permissions: known });

  const claude = options.ask ? claudeClient(settings) : null;
  // The worker's path to Claude: the same redaction, the same retry loop (the SDK's own retries off).
  const ask = { policy: settings.claudeRetry, log: { warn: (_fields: object, message: string) => io.err(`warning: ${message}`) } };
  const summaryCalls: SummaryAnswer[] = [];
  const prepared = await prepareRequest({
    thread,
    bot,
    triggerId,
    phrase,
    settings,
    config,
    pullRequest: loaded.pullRequest,
    conversation,
    summarize: async (request) => {
      if (claude) {
        const answer = await askClaude(claude, request, ask);
        summaryCalls.push(answer);
        return answer;
      }
      // A long fold takes several summary steps: one note says it.
      const note = `older turns would be folded into a summary by ${request.model} first (run with --ask to write it); a stand-in summary is used below`;
      if (!notes.includes(note)) notes.push(note);
      return { text: "(summary of the folded turns, written by Claude when the bot runs)", model: request.model, usage: EMPTY_USAGE };
    },
  });
  const warnings = [...repoConfig.warnings, ...prepared.warnings];

  // The code tools, as the worker offers them: the commit, the section of the system prompt, the tools.
  const codeRef = config.code.enabled && loaded.codeSha ? { host: settings.webHost, owner: thread.owner, repo: thread.repo, sha: loaded.codeSha } : null;
  const refLabel = refLabelOf(thread.kind === "issue" ? "issue" : "pull_request");
  const request = codeRef ? codeRequest(prepared.request, codeRef, prepared.conversation.context.code_ref, refLabel) : prepared.request;
  if (codeRef) notes.push(`code tools at ${codeRef.sha.slice(0, 7)}: list_files, read_file, search_code (definitions about ${estimateTokens(CODE_TOOLS_JSON)} tokens)`);
  else if (!config.code.enabled) notes.push("code tools are off (`code.enabled: false`)");
  else notes.push("code tools not offered: the commit is unknown (a thread file of an issue, or an empty repository)");

  let answer: { text: string; model: string; usage: Usage; costUsd: number | null } | null = null;
  let coded: CodeAnswer | null = null;
  if (claude && codeRef && loaded.clients) {
    const session = startCodeSnapshot({ snapshots: createCodeSnapshots(settings), job: { owner: thread.owner, repo: thread.repo }, sha: codeRef.sha, clients: loaded.clients, webHost: settings.webHost });
    coded = await answerWithCode({ claude, session, request: prepared.request, config, previousRef: prepared.conversation.context.code_ref, refLabel, ask });
    const calls = [...summaryCalls, ...coded.calls];
    const usage = calls.reduce((sum, call) => addUsage(sum, call.usage), EMPTY_USAGE);
    answer = { text: coded.text, model: coded.model, usage, costUsd: totalCostUsd(calls, cacheWriteMultiplier(config.cache_ttl)) };
  } else if (claude) {
    const reply = await askClaude(claude, prepared.request, ask);
    const calls = [...summaryCalls, reply];
    const usage = calls.reduce((sum, call) => addUsage(sum, call.usage), EMPTY_USAGE);
    answer = { text: reply.text, model: reply.model, usage, costUsd: totalCostUsd(calls, cacheWriteMultiplier(config.cache_ttl)) };
  }

  if (options.json) {
    io.out(
      JSON.stringify(
        {
          thread: summary(thread),
          bot: bot.login,
          trigger: triggerId,
          model: prepared.model,
          config: repoConfig.sources,
          warnings,
          notes,
          context: prepared.conversation.context,
          contextSource: prepared.conversation.contextSourceId,
          turns: prepared.conversation.turns,
          estimatedInputTokens: estimateRequestTokens(request),
          request: redactRequest(request),
          ...(answer ? { answer } : {}),
          ...(coded ? { rounds: coded.loop.rounds, code: coded.footerLines } : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const conv = prepared.conversation;
  const lines = [
    `${thread.owner}/${thread.repo}#${thread.number} (${thread.kind}): ${preview(thread.title)}`,
    `trigger: ${triggerId === "opening" ? "opening post" : `comment ${triggerId}`} · bot: ${bot.login} · settings: ${repoConfig.sources.join(", ")}`,
    `model: ${prepared.model} · max_tokens ${config.max_output_tokens} · cache ${config.cache_ttl} · about ${estimateRequestTokens(request).toLocaleString("en-US")} input tokens`,
    `context block: ${contextSource(thread, prepared.conversation.contextSourceId)}`,
    ...notes.map((n) => `note: ${n}`),
    ...warnings.map((w) => `warning: ${w}`),
    "",
    `conversation (${conv.turns.length} turns; left out: ${conv.omitted.beforeSince} before reset, ${conv.omitted.summarised} summarised, ${conv.omitted.minimized} hidden, ${conv.omitted.afterTrigger} after the trigger):`,
    ...conv.turns.map(describeTurn),
    "",
    "request (POST /v1/messages, streamed):",
    JSON.stringify(redactRequest(request), null, 2),
  ];
  if (coded) {
    lines.push("", `tool rounds (${coded.loop.endedBy}):`);
    for (const r of coded.loop.rounds) {
      lines.push(`  round ${r.round}: ${r.summaries.length ? r.summaries.join("; ") : "answer"} · ${r.usage.input} input, ${r.usage.cache_read} cache read, ${r.usage.cache_write} cache write, ${r.usage.output} output · ${r.toolTokens} tool-output tokens`);
    }
    lines.push(...coded.footerLines.map((l) => `  ${l}`));
  }
  if (answer) {
    lines.push("", `answer (${answer.model}; not posted):`, "", answer.text, "");
    const u = answer.usage;
    lines.push(`tokens: ${u.input} input, ${u.cache_read} cache read, ${u.cache_write} cache write, ${u.output} output · est. cost ${formatCost(answer.costUsd)}`);
  }
  io.out(lines.join("\n"));
  return 0;
}

/** Which comment's context block is in force (the newest valid one in a trusted comment), for the text output. */
function contextSource(thread: Thread, id: string | null): string {
  if (id === null) return "none in force (no valid block in a trusted comment: the thread starts from an empty one)";
  const comment = id === thread.opening.id ? thread.opening : thread.comments.find((c) => c.id === id);
  const where = id === thread.opening.id ? "the opening post" : `comment ${id}`;
  return comment ? `${where} by ${comment.author?.login ?? "a deleted account"}` : where;
}

function claudeClient(settings: Settings): ClaudeClient {
  if (!settings.anthropicApiKey) throw new UsageError("--ask needs ANTHROPIC_API_KEY");
  return new ClaudeClient({ apiKey: settings.anthropicApiKey, baseURL: settings.anthropicBaseUrl, maxRetries: 0 });
}

/** Offline only: what a thread file's association suggests (the worker asks GitHub instead). */
function assumedPermission(thread: Thread, login: string): PermissionResult {
  const wanted = normalizeLogin(login);
  const c = [thread.opening, ...thread.comments].find((x) => x.author && normalizeLogin(x.author.login) === wanted);
  return c && ["OWNER", "MEMBER", "COLLABORATOR"].includes(c.association) ? "write" : "none";
}

function summary(thread: Thread) {
  return { owner: thread.owner, repo: thread.repo, number: thread.number, kind: thread.kind, title: thread.title };
}
