// Thread + repository config → the exact Claude request. One function for the worker and for the inspect
// CLI (`threadbot inspect`), so what the CLI prints is what the bot sends.
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { applySummary, buildSummaryRequest, fitToBudget, planFold } from "../core/budget/fold.js";
import { buildConversation, type Conversation } from "../core/conversation/conversation.js";
import { renderPullRequestData, type PullRequestData } from "../core/pullRequest/prContext.js";
import { buildClaudeRequest } from "../core/request/request.js";
import { resolveModel } from "../core/decision/model.js";
import type { BotIdentity, Thread, Usage } from "../core/types.js";
import type { Settings } from "../config/env.js";
import type { RepoConfig } from "../config/repo.js";

/** Max output tokens of the call that folds old turns into the summary. */
export const SUMMARY_MAX_TOKENS = 2048;

export interface SummaryAnswer {
  text: string;
  model: string;
  usage: Usage;
}

export interface PrepareInput {
  thread: Thread;
  bot: BotIdentity;
  /** The comment to answer ("opening" for the opening post). */
  triggerId: string;
  /** The mention phrase (the operator's TRIGGER_PHRASE). */
  phrase: string;
  settings: Pick<Settings, "summaryModel">;
  config: RepoConfig;
  /**
   * Writes the summary when older turns must be folded. The worker asks Claude; `inspect` without `--ask`
   * passes a stand-in, since the real summary exists only once Claude has written it.
   */
  summarize: (request: MessageCreateParamsNonStreaming) => Promise<SummaryAnswer>;
  /** Pull requests and review threads: refs, files or the review thread's hunk (src/worker/readThread.ts). */
  pullRequest?: PullRequestData | undefined;
  /** The conversation the caller already built for this trigger (the worker does, for commands). */
  conversation?: Conversation | undefined;
}

export interface PreparedRequest {
  conversation: Conversation;
  request: MessageCreateParamsNonStreaming;
  model: string;
  /** For the reply footer: the conversation's and the model choice's. */
  warnings: string[];
  /** The folding call, when one was made. */
  summary: { request: MessageCreateParamsNonStreaming; answer: SummaryAnswer; foldedTurns: number } | null;
}

// The model choice is part of the decision (pure, shared with the inspect CLI).
export { resolveModel } from "../core/decision/model.js";

export async function prepareRequest(input: PrepareInput): Promise<PreparedRequest> {
  const { thread, config } = input;
  let conversation =
    input.conversation?.trigger.id === input.triggerId
      ? input.conversation
      : buildConversation(thread, { bot: input.bot, phrase: input.phrase, triggerCommentId: input.triggerId });
  const { model, warning } = resolveModel(conversation.context, config);
  const requestOptions = {
    model,
    maxTokens: config.max_output_tokens,
    standingInstructions: config.instructions,
    cacheTtl: config.cache_ttl,
    pullRequestContext: renderPullRequestData(input.pullRequest, {
      inputTokenBudget: config.history.input_token_budget,
      diffBudgetChars: config.pull_requests.diff_budget_chars,
    }),
  };
  const budget = { ...requestOptions, budgetTokens: config.history.input_token_budget };
  let summary: PreparedRequest["summary"] = null;
  const fold = planFold(conversation, thread, { ...budget, keepRecentTurns: config.history.keep_recent_turns });
  // Nothing foldable (a few huge turns): a summary call could not help.
  if (!fold.fits && fold.fold.length > 0) {
    const request = buildSummaryRequest(conversation.context.summary, fold.fold, {
      model: input.settings.summaryModel,
      maxTokens: SUMMARY_MAX_TOKENS,
    });
    const answer = await input.summarize(request);
    conversation = applySummary(conversation, answer.text, fold.foldUntilId);
    summary = { request, answer, foldedTurns: fold.fold.length };
  }
  // Whatever folding could not save (a single huge comment, say) is cut so the request always fits.
  conversation = fitToBudget(conversation, thread, budget);

  const warnings = [...conversation.warnings, ...(warning === null ? [] : [warning])];
  return { conversation, request: buildClaudeRequest(conversation, thread, requestOptions), model, warnings, summary };
}
