// Thread + repository config → the exact Claude request. One function for the worker and for the inspect
// CLI (`threadbot inspect`), so what the CLI prints is what the bot sends.
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { applySummary, buildSummaryStep, fitToBudget, planFold, summaryPieces } from "../core/budget/fold.js";
import { foldTargetTokens } from "../core/budget/economics.js";
import { inputLimitOf, totalCostUsd } from "../core/budget/pricing.js";
import { estimateRequestTokens } from "../core/budget/tokens.js";
import { buildConversation, type Conversation } from "../core/conversation/conversation.js";
import { renderPullRequestData, type PullRequestData } from "../core/pullRequest/prContext.js";
import { buildClaudeRequest } from "../core/request/request.js";
import { resolveModel } from "../core/decision/model.js";
import { addUsage, type FoldFacts } from "../core/reply/compose.js";
import { EMPTY_USAGE, type BotIdentity, type ContextBlock, type Thread, type Usage } from "../core/types.js";
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
  /** The fold, when one was made: its summary calls, in order, each under its own limit. */
  summary: FoldMade | null;
}

// The model choice is part of the decision (pure, shared with the inspect CLI).
export { resolveModel } from "../core/decision/model.js";

export interface FoldMade {
  /** Every summary step: the request sent and what came back (its model and usage). */
  steps: { request: MessageCreateParamsNonStreaming; answer: SummaryAnswer }[];
  /** The last step's request (the one that wrote the summary now in the block). */
  request: MessageCreateParamsNonStreaming;
  /** The summary written, with the steps' usage added up (one model: the summary model). */
  answer: SummaryAnswer;
  foldedTurns: number;
  /** Comments and replies now covered by the summary instead of sent verbatim. */
  foldedComments: number;
}

/** The summary call returned no text: folding would lose the folded comments, so the answer fails instead. */
export class EmptySummaryError extends Error {}


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
  // Every request is under the configured budget and under its model's window (less its output).
  const budgetTokens = Math.min(config.history.input_token_budget, inputLimitOf(model, config.max_output_tokens));
  const summaryBudgetTokens = Math.min(config.history.input_token_budget, inputLimitOf(input.settings.summaryModel, SUMMARY_MAX_TOKENS));
  const budget = { ...requestOptions, budgetTokens };
  let summary: PreparedRequest["summary"] = null;
  const estimated = estimateRequestTokens(buildClaudeRequest(conversation, thread, requestOptions));
  const fold = planFold(conversation, thread, {
    ...budget,
    keepRecentTurns: config.history.keep_recent_turns,
    targetTokens: foldTargetTokens({
      answerModel: model,
      summaryModel: input.settings.summaryModel,
      cacheTtl: config.cache_ttl,
      limitTokens: budgetTokens,
      // A turn is a mention and its answer: two of the conversation's turns.
      growthTokensPerTurn: estimated / Math.max(1, conversation.turns.length / 2),
    }),
  });
  // Nothing foldable (a few huge turns): a summary call could not help.
  if (!fold.fits && fold.fold.length > 0) {
    // The folded turns go to the summary model in steps that each fit its limit, the summary carried from
    // one step to the next, so that a thread of any length folds and no folded comment goes unread.
    const pieces = summaryPieces(fold.fold, { model: input.settings.summaryModel, maxTokens: SUMMARY_MAX_TOKENS, budgetTokens: summaryBudgetTokens });
    const steps: FoldMade["steps"] = [];
    let carried = conversation.context.summary;
    for (let at = 0; at < pieces.pieces.length; ) {
      const step = buildSummaryStep(carried, pieces, at);
      const answer = await input.summarize(step.request);
      if (answer.text.trim() === "") throw new EmptySummaryError("the summary call returned no text");
      steps.push({ request: step.request, answer });
      carried = answer.text;
      at = step.next;
    }
    const before = conversation.omitted.summarised;
    conversation = applySummary(conversation, carried, fold.foldUntilId);
    const usage = steps.reduce((sum, s) => addUsage(sum, s.answer.usage), EMPTY_USAGE);
    summary = {
      steps,
      request: steps[steps.length - 1]!.request,
      answer: { text: carried, model: steps[steps.length - 1]!.answer.model, usage },
      foldedTurns: fold.fold.length,
      foldedComments: conversation.omitted.summarised - before,
    };
  }
  // Whatever folding could not save (a single huge comment, say) is cut so the request always fits.
  conversation = fitToBudget(conversation, thread, budget);

  const warnings = [...conversation.warnings, ...(warning === null ? [] : [warning])];
  return { conversation, request: buildClaudeRequest(conversation, thread, requestOptions), model, warnings, summary };
}

// The figures a reply carries about a fold: the footer's summary row and the block's `summary_usage`, kept
// apart from the answer's own tokens so that no figure prices one model's tokens at another's rates.

export function foldFacts(fold: FoldMade | null, writeMultiplier: number): FoldFacts | null {
  if (fold === null) return null;
  return {
    model: fold.answer.model,
    usage: fold.answer.usage,
    calls: fold.steps.length,
    foldedComments: fold.foldedComments,
    costUsd: totalCostUsd(
      fold.steps.map((s) => s.answer),
      writeMultiplier,
    ),
  };
}

/** The block's `summary_usage` after this reply: carried as it was, plus this fold's calls. */
export function threadSummaryUsage(context: ContextBlock, fold: FoldFacts | null): Pick<ContextBlock, "summary_usage"> {
  if (fold === null) return context.summary_usage ? { summary_usage: context.summary_usage } : {};
  return { summary_usage: addUsage(context.summary_usage ?? EMPTY_USAGE, fold.usage) };
}
