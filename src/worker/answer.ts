// The worker: answers one mention. All GitHub reads in one round trip beside the 👀 reaction, then the
// pure core, then Claude, then one write.
import type { Logger } from "pino";
import { ClaudeClient, type ClaudeAnswer } from "../claude/client.js";
import { answeredTriggerIds } from "../core/conversation/answered.js";
import { buildConversation } from "../core/conversation/conversation.js";
import { addUsage, composeReply } from "../core/reply/compose.js";
import { detectTrigger, parseCommand } from "../core/trigger/trigger.js";
import { EMPTY_USAGE, type BotIdentity, type ContextBlock, type Thread, type ThreadComment } from "../core/types.js";
import { cacheWriteMultiplier, totalCostUsd } from "../core/budget/pricing.js";
import type { Settings } from "../config/env.js";
import { loadRepoConfig, triggerPhraseWarning } from "../config/repo.js";
import type { InstallationClients } from "../github/clients.js";
import { addEyesReaction } from "../github/writes.js";
import type { WorkerMetrics } from "../observe/metrics.js";
import { runCommand, type CommandOutcome } from "./commands.js";
import { allowedByAssociation, startPermissionCheck } from "./access.js";
import { askClaude } from "../claude/ask.js";
import { answerFailureNotice, markNotified } from "../reply/failureNotice.js";
import { admit, type GateOutcome } from "./admission.js";
import { MemorySpendLedger, overBudget, type SpendLedger } from "./spend/ledger.js";
import { safeSink } from "../reply/safeSink.js";
import { defuseMentions } from "../core/trigger/loops.js";
import { prepareRequest } from "./prepare.js";
import { readThread } from "./readThread.js";
import { createReplySink } from "../reply/progressSink.js";
import { finalCommentSink } from "../reply/finalSink.js";
import { markdownComplexity } from "../core/markdown/markdown.js";
import type { ThreadJob } from "../queue/types.js";

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

/** The 👀 of this job is queued at intake, from the webhook alone (the rest are queued once admitted). */
export function acknowledgesAtIntake(job: ThreadJob): boolean {
  return allowedByAssociation(job) && !job.unverified;
}

function findTrigger(thread: Thread, id: string): ThreadComment | undefined {
  return id === "opening" ? thread.opening : thread.comments.find((c) => c.id === id);
}

export async function answerJob(job: ThreadJob, deps: WorkerDeps): Promise<JobOutcome> {
  const started = (deps.now ?? Date.now)();
  const log = deps.log.child({ thread: job.threadKey, delivery: job.deliveryId, trigger: job.trigger.id });
  const [clients, bot] = await Promise.all([deps.clients(job.installationId), deps.bot()]);

  // ---- write lane: nothing paced is awaited before the model request. The 👀 of a mention the webhook
  // already shows as a maintainer's was queued at intake (src/app.ts); anyone else's is queued once admitted.
  // Either waits in the installation's write lane, a little, and is dropped when the answer goes first.
  const react = () =>
    void addEyesReaction(clients.rest, job).catch((error: unknown) => {
      log.warn({ err: error }, "could not add the 👀 reaction");
    });
  const reactedEarly = acknowledgesAtIntake(job);
  // ---- end write lane
  // The repository config and (for non-maintainers) the author's permission are read beside the thread.
  const [{ thread, pullRequest }, repoConfig, permission] = await Promise.all([
    readThread(clients, job, deps.settings.triggerPhrase),
    loadRepoConfig(clients.rest, job, deps.settings),
    startPermissionCheck(clients.rest, job),
  ]);
  const config = repoConfig.config;
  if (repoConfig.warnings.length > 0) deps.metrics?.error(repoConfig.readError ? "config_unreadable" : "config_invalid");

  const trigger = findTrigger(thread, job.trigger.id);
  if (!trigger || trigger.isMinimized) {
    log.info("the trigger comment is gone or hidden; nothing to answer");
    return "trigger-gone";
  }
  if (answeredTriggerIds(thread, bot).has(trigger.id)) {
    log.info("this mention was already answered");
    return "already-answered";
  }
  const mention = detectTrigger(trigger.body, { phrase: deps.settings.triggerPhrase });
  const phrase = deps.settings.triggerPhrase;
  if (!mention.triggered) {
    // ---- refused to parse: the phrase is in the text but the markdown guard will not parse the comment.
    const tooComplex = markdownComplexity(trigger.body);
    if (tooComplex !== null && trigger.body.toLowerCase().includes(phrase.toLowerCase())) {
      log.info({ reason: tooComplex, length: trigger.body.length }, "a mention too complex to parse; telling its author");
      const refused = await admit({ thread, trigger, job, bot, access: config.access, permission, phrase, octokit: clients.rest, log });
      if (refused !== null) return refused;
      await finalCommentSink(clients.rest, job).notice(tooComplexNotice(phrase));
      return "too-complex";
    }
    // ---- end refused to parse
    log.info("the trigger comment no longer mentions the bot");
    return "no-longer-mentions";
  }
  const gate = await admit({ thread, trigger, job, bot, access: config.access, permission, phrase, octokit: clients.rest, log });
  if (gate !== null) return gate;
  if (!reactedEarly) react();

  let answering = false;
  const sink = safeSink(createReplySink(clients.rest, job, {
    mode: config.progress.mode,
    intervalSeconds: config.progress.interval_seconds,
    thread,
    bot,
    log,
    onFirstText: () => answering && deps.metrics?.firstText(job),
  }), clients.rest, job);
  const conversation = buildConversation(thread, { bot, phrase, triggerCommentId: trigger.id });
  const command = await runCommand({ command: parseCommand(mention.request), thread, trigger, conversation, repoConfig, bot, phrase, sink, octokit: clients.rest, job });
  if (command.handled) return command.outcome;

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
    triggerId: command.triggerId,
    phrase,
    settings: deps.settings,
    config,
    summarize: (summaryRequest) => askClaude(claude, summaryRequest, ask),
    pullRequest,
    conversation,
  }).catch(failed);
  if (prepared.summary) log.info({ folded: prepared.summary.foldedTurns }, "folded older turns into the summary");
  const answer: ClaudeAnswer = await askClaude(claude, prepared.request, { ...ask, onText: (soFar) => sink.progress(soFar) }).catch(failed);

  const calls = [...(prepared.summary ? [prepared.summary.answer] : []), answer];
  const usage = calls.reduce((sum, call) => addUsage(sum, call.usage), EMPTY_USAGE);
  const costUsd = totalCostUsd(calls, cacheWriteMultiplier(config.cache_ttl));
  const block: ContextBlock = {
    ...prepared.conversation.context,
    answered: command.answered,
    usage: addUsage(prepared.conversation.context.usage, usage),
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
      usage,
      costUsd,
      elapsedMs: (deps.now ?? Date.now)() - started,
      warnings: [...truncation, ...repoConfig.warnings, ...(triggerWarning ? [triggerWarning] : []), ...prepared.warnings],
      threadUsage: block.usage,
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
