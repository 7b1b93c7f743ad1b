// The worker: the I/O shell around the decision (src/core/decision/plan.ts). The permission of the trigger's
// author and the repository config are read first, beside the thread read when the author is likely
// admitted (so a maintainer waits for one round trip before the model); a refused outsider's mention is
// settled from those two reads alone. Then the pure decision, then Claude, then one write.
import type { Logger } from "pino";
import { ClaudeClient, type ClaudeAnswer } from "../claude/client.js";
import { buildConversation } from "../core/conversation/conversation.js";
import { normalizeLogin } from "../core/conversation/identity.js";
import { likelyAdmitted, needsPermission } from "../core/decision/access.js";
import { findTrigger, planJob, type JobPlan } from "../core/decision/plan.js";
import { addUsage, composeReply } from "../core/reply/compose.js";
import { EMPTY_USAGE, type BotIdentity, type ContextBlock } from "../core/types.js";
import { cacheWriteMultiplier, totalCostUsd } from "../core/budget/pricing.js";
import type { Settings } from "../config/env.js";
import { loadRepoConfig, triggerPhraseWarning } from "../config/repo.js";
import type { InstallationClients } from "../github/clients.js";
import { permissionReader, type PermissionReader } from "../github/permissions.js";
import { addEyesReaction } from "../github/writes.js";
import type { WorkerMetrics } from "../observe/metrics.js";
import { commandReply, runCommand, type CommandOutcome } from "./commands.js";
import type { RefusalMemory } from "./access.js";
import { askClaude } from "../claude/ask.js";
import { answerFailureNotice, markNotified } from "../reply/failureNotice.js";
import { gateFromPayload, type GateOutcome } from "./admission.js";
import { MemorySpendLedger, overBudget, type SpendLedger } from "./spend/ledger.js";
import { safeSink } from "../reply/safeSink.js";
import { finalCommentSink, postCourtesyNotice } from "../reply/finalSink.js";
import { defuseMentions } from "../core/trigger/loops.js";
import { foldFacts, prepareRequest, threadSummaryUsage } from "./prepare.js";
import { readThread, type ThreadRead } from "./readThread.js";
import { createReplySink } from "../reply/progressSink.js";
import { findPlaceholder } from "../reply/progressSink.js";
import { markdownComplexity } from "../core/markdown/markdown.js";
import { isBotLogin } from "../core/conversation/identity.js";
import type { ThreadJob } from "../queue/types.js";
import { answerWithCode, refLabelOf, startCodeSnapshot, type CodeAnswer, type CodeSnapshots } from "./codeAnswer.js";

export interface WorkerDeps {
  settings: Settings;
  bot: () => Promise<BotIdentity>;
  clients: (installationId: number) => Promise<InstallationClients>;
  /** null when no Anthropic key is configured: mentions get a clear notice instead of a crash. */
  claude: ClaudeClient | null;
  log: Logger;
  now?: () => number;
  metrics?: WorkerMetrics;
  /** The daily-budget ledger (Redis when REDIS_URL is set); in memory by default. */
  spend?: SpendLedger;
  /** Who was already refused in which thread (a cache of the notices in the threads); none by default. */
  refusals?: RefusalMemory;
  /** Repository snapshots for the code tools (one store per process); none: answers without code tools. */
  code?: CodeSnapshots;
}

const memoryLedger = new MemorySpendLedger();

export type JobOutcome =
  | "answered"
  | "already-answered"
  | "trigger-gone"
  | "no-longer-mentions"
  | "not-configured"
  | "over-budget"
  | "too-complex"
  | GateOutcome
  | CommandOutcome;

/** The note on an answer Claude stopped at the output limit. */
export const TRUNCATED_ANSWER_WARNING =
  "This answer is incomplete: it reached the output limit (`max_output_tokens` in `.github/claude.yml`) and was cut off.";

/** What the author of a mention the markdown guard refused to parse reads. */
export function tooComplexNotice(phrase: string): string {
  return `I could not read this comment: its markdown is too deeply nested or too long a run of emphasis for me to parse safely. Please ask again in a simpler comment (\`${phrase} …\`).`;
}

/**
 * The 👀 of this job is queued at intake, from the webhook alone: only for an author the payload already
 * admits (the repository's owner). Anyone else's is queued once the worker has confirmed their permission.
 */
export function acknowledgesAtIntake(job: ThreadJob): boolean {
  return job.trigger.association === "OWNER" && !isBotLogin(job.trigger.author) && !job.unverified;
}

const SKIPPED: Record<Extract<JobPlan, { kind: "skip" }>["reason"], string> = {
  "trigger-gone": "the trigger comment is gone or hidden; nothing to answer",
  "already-answered": "this mention was already answered",
  "no-longer-mentions": "the trigger comment no longer mentions the bot",
  self: "this app's own comment; not answering",
  "from-a-bot": "a bot's mention; not answering",
  "bot-loop": "an allowed bot's mention after several answers to bots in a row; waiting for a person",
  echo: "the mention is the bot's own text copied back; not answering",
};

/** The decision's rounds: each `confirm` reads the permissions it names, all at once (bounded). */
const MAX_PLAN_ROUNDS = 4;

async function decide(read: ThreadRead, job: ThreadJob, bot: BotIdentity, phrase: string, access: Parameters<typeof planJob>[0]["access"], permissions: PermissionReader): Promise<Exclude<JobPlan, { kind: "confirm" }>> {
  for (let round = 0; ; round++) {
    const plan = planJob({ thread: read.thread, trigger: job.trigger, unverified: job.unverified, bot, phrase, access, permissions: permissions.known });
    if (plan.kind !== "confirm") return plan;
    if (round >= MAX_PLAN_ROUNDS) throw new Error(`the decision kept asking for permissions (${plan.logins.length} more)`);
    await permissions.read(plan.logins);
  }
}

export async function answerJob(job: ThreadJob, deps: WorkerDeps): Promise<JobOutcome> {
  const started = (deps.now ?? Date.now)();
  const log = deps.log.child({ thread: job.threadKey, delivery: job.deliveryId, trigger: job.trigger.id });
  const [clients, bot] = await Promise.all([deps.clients(job.installationId), deps.bot()]);
  const phrase = deps.settings.triggerPhrase;

  // ---- write lane: nothing paced is awaited before the model request. The 👀 of a mention the webhook
  // already shows as the owner's was queued at intake (src/app.ts); anyone else's is queued once admitted.
  // Either waits in the installation's write lane, a little, and is dropped when the answer goes first.
  const react = () =>
    void addEyesReaction(clients.rest, job).catch((error: unknown) => {
      log.warn({ err: error }, "could not add the 👀 reaction");
    });

  // One permission request per login per job. The trigger author's goes first, with the config read; the
  // thread read joins them at once only when the association suggests the author will be admitted.
  const permissions = permissionReader(clients.rest, job);
  const early = likelyAdmitted(job.trigger) ? readThread(clients, job, phrase) : null;
  early?.catch(() => undefined); // awaited below unless the job ends first
  const [repoConfig] = await Promise.all([
    loadRepoConfig(clients.rest, job, deps.settings),
    needsPermission(job.trigger) ? permissions.read([job.trigger.author]) : undefined,
  ]);
  const config = repoConfig.config;
  if (repoConfig.warnings.length > 0) deps.metrics?.error(repoConfig.readError ? "config_unreadable" : "config_invalid");

  const gate = await gateFromPayload({ job, bot, access: config.access, permissions: permissions.known, refusals: deps.refusals, octokit: clients.rest, log });
  if (gate !== "admitted" && gate !== "read") return gate;
  const reactedEarly = acknowledgesAtIntake(job);
  if (gate === "admitted" && !job.unverified && !reactedEarly) react();
  const read = await (early ?? readThread(clients, job, phrase));
  const { thread, pullRequest } = read;

  const plan = await decide(read, job, bot, phrase, config.access, permissions);
  switch (plan.kind) {
    case "skip": {
      // ---- refused to parse: the phrase is in the text but the markdown guard will not parse the comment.
      // The decision has admitted the author before it parses, so this notice goes only to allowed people.
      const body = plan.reason === "no-longer-mentions" ? (findTrigger(read.thread, job.trigger.id)?.body ?? null) : null;
      if (body !== null && body.toLowerCase().includes(phrase.toLowerCase())) {
        const tooComplex = markdownComplexity(body);
        if (tooComplex !== null) {
          log.info({ reason: tooComplex, length: body.length }, "a mention too complex to parse; telling its author");
          if (!reactedEarly && gate !== "admitted") react();
          await finalCommentSink(clients.rest, job).notice(tooComplexNotice(phrase));
          return "too-complex";
        }
      }
      // ---- end refused to parse
      log.info({ reason: plan.reason }, SKIPPED[plan.reason]);
      if (plan.notice !== null) {
        const conversation = buildConversation(thread, { bot, phrase, triggerCommentId: job.trigger.id, permissions: permissions.known });
        await finalCommentSink(clients.rest, job).finish(commandReply(plan.notice, { ...conversation.context, answered: [conversation.trigger.id] }));
      }
      return plan.reason;
    }
    case "refuse":
      log.info({ author: plan.login, reason: plan.reason, permission: permissions.known.get(normalizeLogin(plan.login)) }, "not allowed to call the bot");
      if (plan.notice !== null) await postCourtesyNotice(clients.rest, job, plan.notice);
      if (plan.reason === "permission") deps.refusals?.remember(job.threadKey, plan.login);
      return "refused";
    case "command":
    case "answer":
      break;
  }
  if (!reactedEarly && !(gate === "admitted" && !job.unverified)) react();

  let answering = false;
  const sink = safeSink(createReplySink(clients.rest, job, {
    mode: config.progress.mode,
    intervalSeconds: config.progress.interval_seconds,
    thread,
    bot,
    log,
    onFirstText: () => answering && deps.metrics?.firstText(job),
  }), clients.rest, job);
  // Built once, for the mention the reply answers (for `retry`, the one it answers again), with the
  // permissions that decide whose context blocks count.
  const answerFor = plan.kind === "answer" ? plan.answerFor : plan.trigger.id;
  const conversation = buildConversation(thread, { bot, phrase, triggerCommentId: answerFor, permissions: permissions.known });
  if (plan.kind === "command") return runCommand({ plan, thread, conversation, repoConfig, phrase, sink });
  // The failed attempt's placeholder (or its error notice) becomes the answer: no second comment.
  if (plan.retryOf !== null) sink.adopt(findPlaceholder(thread, bot, plan.retryOf));

  if (!deps.claude) {
    log.error("ANTHROPIC_API_KEY is not set; the mention cannot be answered");
    await sink.notice(
      "I can't answer yet: this app has no Anthropic API key configured. An operator needs to set `ANTHROPIC_API_KEY` and restart it.",
    );
    return "not-configured";
  }

  const repoKey = `${job.owner}/${job.repo}`;
  const spend = deps.spend ?? memoryLedger;
  const overBudgetNotice = await overBudget(spend, repoKey, config.budget, (err) => log.warn({ err }, "could not read the spend ledger"));
  if (overBudgetNotice !== null) {
    await sink.notice(overBudgetNotice);
    return "over-budget";
  }

  // The code of the thread's commit: only now (admitted, answering, within budget) may it be downloaded. It
  // loads beside the request's preparation and the first model round (src/worker/codeAnswer.ts).
  const codeSession =
    deps.code && config.code.enabled && read.codeSha
      ? startCodeSnapshot({ snapshots: deps.code, job, sha: read.codeSha, clients, webHost: deps.settings.webHost, ...(deps.now ? { now: deps.now } : {}) })
      : null;

  // The placeholder comment (progress mode "edit") is a throttled write: it starts beside Claude, not before.
  answering = true;
  sink.begin();
  const claude = deps.claude;
  // A failure after begin() turns the placeholder into a notice (kept findable for `retry`), then propagates.
  const failed = (error: unknown): Promise<never> =>
    sink.notice(answerFailureNotice(error, phrase)).then(
      () => (markNotified(error), Promise.reject(error)),
      () => Promise.reject(error),
    );
  // Retried with backoff inside a deadline (src/claude/retry.ts); the request is redacted first.
  const ask = { policy: deps.settings.claudeRetry, log };
  const prepared = await prepareRequest({
    thread,
    bot,
    triggerId: answerFor,
    phrase,
    settings: deps.settings,
    config,
    summarize: (summaryRequest) => askClaude(claude, summaryRequest, ask),
    pullRequest,
    conversation,
  }).catch(failed);
  if (prepared.summary) {
    const { foldedTurns, foldedComments, steps } = prepared.summary;
    log.info({ folded: foldedTurns, comments: foldedComments, steps: steps.length }, "folded older turns into the summary");
  }
  let coded: CodeAnswer | null = null;
  let answer: ClaudeAnswer;
  if (codeSession) {
    coded = await answerWithCode({
      claude,
      session: codeSession,
      request: prepared.request,
      config,
      previousRef: prepared.conversation.context.code_ref,
      refLabel: refLabelOf(job.kind),
      ask,
      progress: (text) => sink.progress(text),
      ...(deps.now ? { now: deps.now } : {}),
    }).catch(failed);
    answer = { text: coded.text, model: coded.model, stopReason: coded.stopReason, usage: coded.usage };
    log.info({ rounds: coded.loop.rounds.length, endedBy: coded.loop.endedBy, files: coded.loop.filesRead.length, snapshotWaitMs: coded.snapshotWaitMs }, "answered from the code");
  } else {
    answer = await askClaude(claude, prepared.request, { ...ask, onText: (soFar) => sink.progress(soFar) }).catch(failed);
  }

  // Each summary step is its own call (priced on its own); the block and the footer keep the answer's
  // tokens and the summary model's apart. A code answer's rounds are calls too, each priced on its own.
  const summaryCalls = prepared.summary ? prepared.summary.steps.map((step) => step.answer) : [];
  const calls = [...summaryCalls, ...(coded ? coded.calls : [answer])];
  const usage = calls.reduce((sum, call) => addUsage(sum, call.usage), EMPTY_USAGE);
  const writeMultiplier = cacheWriteMultiplier(config.cache_ttl);
  const costUsd = totalCostUsd(calls, writeMultiplier);
  const fold = foldFacts(prepared.summary, writeMultiplier);
  const block: ContextBlock = {
    ...prepared.conversation.context,
    answered: plan.answered,
    usage: addUsage(prepared.conversation.context.usage, answer.usage),
    ...threadSummaryUsage(prepared.conversation.context, fold),
    ...(coded ? { code_ref: coded.sha } : {}),
  };
  const triggerWarning = triggerPhraseWarning(config, phrase);
  // ---- truncated answers: a cut answer says so (and is counted), never passes for a complete one.
  const truncated = answer.stopReason === "max_tokens";
  if (truncated) {
    deps.metrics?.truncated?.(answer.model);
    log.warn({ model: answer.model }, "the answer was cut at the output limit (max_tokens)");
  }
  const truncation = truncated ? [TRUNCATED_ANSWER_WARNING] : [];
  // ---- end truncated answers
  // The answer's own mentions of the phrase are defused, so a copy of it can never call the bot (loops.ts).
  const body = composeReply(
    defuseMentions(answer.text, phrase),
    {
      model: answer.model,
      usage: answer.usage,
      costUsd,
      fold,
      threadSummaryUsage: block.summary_usage,
      elapsedMs: (deps.now ?? Date.now)() - started,
      warnings: [...truncation, ...repoConfig.warnings, ...(triggerWarning ? [triggerWarning] : []), ...prepared.warnings],
      threadUsage: block.usage,
      ...(coded ? { codeLines: coded.footerLines } : {}),
    },
    block,
  );
  // No re-read of the thread before posting: jobs of a thread never overlap (the embedded queue runs them one
  // at a time; on Redis a fenced thread lock does), and the read at the start of this job already saw every
  // earlier answer, so a second answer needs the lock lost mid-job, which the queue reports (onError). A
  // re-read would cost a round trip (pages, on long threads) on every answer to narrow, not close, that gap.
  await sink.finish(body).catch(failed);
  await spend.record(repoKey, usage, costUsd).catch((err: unknown) => log.warn({ err }, "could not record spend"));
  deps.metrics?.answered(job, calls);
  log.info({ usage }, "answered");
  return "answered";
}
