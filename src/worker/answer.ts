// The worker: answers one mention. All GitHub reads in one round trip beside the 👀 reaction, then the
// pure core, then Claude, then one write.
import type { Logger } from "pino";
import { ClaudeClient, type ClaudeAnswer } from "../claude/client.js";
import { answeredTriggerIds } from "../core/answered.js";
import { buildConversation } from "../core/conversation.js";
import { addUsage, composeReply } from "../core/reply.js";
import { detectTrigger, parseCommand } from "../core/trigger.js";
import { EMPTY_USAGE, type BotIdentity, type ContextBlock, type Thread, type ThreadComment } from "../core/types.js";
import { cacheWriteMultiplier, totalCostUsd } from "../core/pricing.js";
import type { Settings } from "../config/env.js";
import { loadRepoConfig, triggerPhraseWarning } from "../config/repo.js";
import type { InstallationClients } from "../github/clients.js";
import { addEyesReaction } from "../github/writes.js";
import type { WorkerMetrics } from "../metrics.js";
import { failureNotice, runCommand, type CommandOutcome } from "./commands.js";
import { dailyLedger } from "./dailyBudget.js";
import { prepareRequest } from "./prepare.js";
import { readThread } from "./readThread.js";
import { createReplySink } from "./progressSink.js";
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
}

export type JobOutcome =
  | "answered"
  | "already-answered"
  | "trigger-gone"
  | "no-longer-mentions"
  | "not-configured"
  | "over-budget"
  | CommandOutcome;

function findTrigger(thread: Thread, id: string): ThreadComment | undefined {
  return id === "opening" ? thread.opening : thread.comments.find((c) => c.id === id);
}

export async function answerJob(job: ThreadJob, deps: WorkerDeps): Promise<JobOutcome> {
  const started = (deps.now ?? Date.now)();
  const log = deps.log.child({ thread: job.threadKey, delivery: job.deliveryId, trigger: job.trigger.id });
  const [clients, bot] = await Promise.all([deps.clients(job.installationId), deps.bot()]);

  // The reaction is a write (throttled); the read goes beside it on the GraphQL client.
  const reaction = addEyesReaction(clients.rest, job).catch((error: unknown) => {
    log.warn({ err: error }, "could not add the 👀 reaction");
  });
  // The repository config is read beside the thread (no extra round trip; see loadRepoConfig).
  const [{ thread, pullRequest }, repoConfig] = await Promise.all([
    readThread(clients, job, deps.settings.triggerPhrase),
    loadRepoConfig(clients.rest, job, deps.settings),
  ]);
  await reaction;
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
  if (!mention.triggered) {
    log.info("the trigger comment no longer mentions the bot");
    return "no-longer-mentions";
  }

  let answering = false;
  const sink = createReplySink(clients.rest, job, {
    mode: config.progress.mode,
    intervalSeconds: config.progress.interval_seconds,
    thread,
    bot,
    log,
    onFirstText: () => answering && deps.metrics?.firstText(job),
  });
  const phrase = deps.settings.triggerPhrase;
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
  const overBudget = dailyLedger.exceeded(repoKey, config.budget);
  if (overBudget !== null) {
    await sink.notice(overBudget);
    return "over-budget";
  }

  // The placeholder comment (progress mode "edit") is a throttled write: it starts beside Claude, not before.
  answering = true;
  sink.begin();
  const claude = deps.claude;
  // A failure after begin() turns the placeholder into a notice (kept findable for `retry`), then propagates.
  const failed = (error: unknown): Promise<never> => sink.notice(failureNotice(error, phrase)).then(() => Promise.reject(error), () => Promise.reject(error));
  const prepared = await prepareRequest({
    thread,
    bot,
    triggerId: command.triggerId,
    phrase,
    settings: deps.settings,
    config,
    summarize: (summaryRequest) => claude.ask(summaryRequest),
    pullRequest,
  }).catch(failed);
  if (prepared.summary) log.info({ folded: prepared.summary.foldedTurns }, "folded older turns into the summary");
  const answer: ClaudeAnswer = await claude.ask(prepared.request, (soFar) => sink.progress(soFar)).catch(failed);

  const calls = [...(prepared.summary ? [prepared.summary.answer] : []), answer];
  const usage = calls.reduce((sum, call) => addUsage(sum, call.usage), EMPTY_USAGE);
  const costUsd = totalCostUsd(calls, cacheWriteMultiplier(config.cache_ttl));
  const block: ContextBlock = {
    ...prepared.conversation.context,
    answered: command.answered,
    usage: addUsage(prepared.conversation.context.usage, usage),
  };
  const triggerWarning = triggerPhraseWarning(config, phrase);
  const body = composeReply(
    answer.text,
    {
      model: answer.model,
      usage,
      costUsd,
      elapsedMs: (deps.now ?? Date.now)() - started,
      warnings: [...repoConfig.warnings, ...(triggerWarning ? [triggerWarning] : []), ...prepared.warnings],
      threadUsage: block.usage,
    },
    block,
  );
  await sink.finish(body);
  dailyLedger.record(repoKey, usage, costUsd);
  deps.metrics?.answered(job, calls);
  log.info({ usage }, "answered");
  return "answered";
}
