// The worker: answers one mention. All GitHub reads in one round trip beside the 👀 reaction, then the
// pure core, then Claude, then one write.
import type { Logger } from "pino";
import { ClaudeClient, type ClaudeAnswer } from "../claude/client.js";
import { answeredTriggerIds } from "../core/answered.js";
import { buildConversation } from "../core/conversation.js";
import { isMaintainer } from "../core/identity.js";
import { addUsage, composeReply } from "../core/reply.js";
import { buildClaudeRequest } from "../core/request.js";
import { applySummary, buildSummaryRequest, fitToBudget, planFold } from "../core/budget.js";
import { detectTrigger, parseCommand } from "../core/trigger.js";
import type { BotIdentity, ContextBlock, Thread, ThreadComment } from "../core/types.js";
import { estimateCostUsd } from "../core/pricing.js";
import type { Settings } from "../config/env.js";
import type { InstallationClients } from "../github/clients.js";
import { readIssueThread } from "../github/threadQuery.js";
import { addEyesReaction } from "../github/writes.js";
import { finalCommentSink } from "./replySink.js";
import type { ThreadJob } from "../queue/types.js";

export interface WorkerDeps {
  settings: Settings;
  bot: () => Promise<BotIdentity>;
  clients: (installationId: number) => Promise<InstallationClients>;
  /** null when no Anthropic key is configured: mentions get a clear notice instead of a crash. */
  claude: ClaudeClient | null;
  log: Logger;
  now?: () => number;
}

export type JobOutcome =
  | "answered"
  | "already-answered"
  | "trigger-gone"
  | "no-longer-mentions"
  | "reset"
  | "not-configured";

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
  const thread = await readIssueThread(clients.graphql, job);
  await reaction;

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

  const sink = finalCommentSink(clients.rest, job);
  let conversation = buildConversation(thread, { bot, phrase: deps.settings.triggerPhrase, triggerCommentId: trigger.id });
  const command = parseCommand(mention.request);

  if (command.name === "reset" && isMaintainer(trigger.association)) {
    const block: ContextBlock = { ...conversation.context, since: trigger.id, summary: "", summary_until: null, answered: [trigger.id] };
    await sink.finish(composeReply("Started a new session: I will not look at the conversation before this comment.", null, block));
    return "reset";
  }

  if (!deps.claude) {
    log.error("ANTHROPIC_API_KEY is not set; the mention cannot be answered");
    await sink.notice(
      "I can't answer yet: this app has no Anthropic API key configured. An operator needs to set `ANTHROPIC_API_KEY` and restart it.",
    );
    return "not-configured";
  }

  const model = conversation.context.model ?? deps.settings.model;
  const requestOptions = { model, maxTokens: deps.settings.maxOutputTokens };
  let usage = { input: 0, cache_read: 0, cache_write: 0, output: 0 };

  const budget = { ...requestOptions, budgetTokens: deps.settings.inputTokenBudget };
  const fold = planFold(conversation, thread, budget);
  if (!fold.fits && fold.fold.length > 0) {
    const summaryRequest = buildSummaryRequest(conversation.context.summary, fold.fold, {
      model: deps.settings.summaryModel,
      maxTokens: 2048,
    });
    const summary = await deps.claude.ask(summaryRequest);
    usage = addUsage(usage, summary.usage);
    conversation = applySummary(conversation, summary.text, fold.foldUntilId);
    log.info({ folded: fold.fold.length }, "folded older turns into the summary");
  }
  // Whatever folding could not save (a single huge comment, say) is cut so the request always fits.
  conversation = fitToBudget(conversation, thread, budget);

  const request = buildClaudeRequest(conversation, thread, requestOptions);
  const answer: ClaudeAnswer = await deps.claude.ask(request, (soFar) => sink.progress(soFar));
  usage = addUsage(usage, answer.usage);

  const block: ContextBlock = {
    ...conversation.context,
    answered: [trigger.id],
    usage: addUsage(conversation.context.usage, usage),
  };
  const body = composeReply(
    answer.text,
    {
      model: answer.model,
      usage,
      costUsd: estimateCostUsd(answer.model, usage),
      elapsedMs: (deps.now ?? Date.now)() - started,
      warnings: conversation.warnings,
    },
    block,
  );
  await sink.finish(body);
  log.info({ usage }, "answered");
  return "answered";
}
