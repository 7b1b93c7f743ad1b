// `threadbot/core`: the pure core, for reuse (other bots, the inspect CLI, tests). No network, no Probot.
export { answeredTriggerIds } from "./conversation/answered.js";
export { applySummary, buildSummaryRequest, estimateRequestTokens, estimateTokens, fitToBudget, planFold } from "./budget/fold.js";
export {
  CONTEXT_BLOCK_MARKER,
  FOOTER_MARKER,
  findContextBlocks,
  neutraliseContextBlocks,
  parseContextBlock,
  renderContextBlock,
  stripBotMarkup,
  type LocatedBlock,
  type ParseResult,
} from "./contextBlock/index.js";
export {
  buildConversation,
  NOTICE_MARKER,
  type BuildConversationOptions,
  type Conversation,
  type Turn,
  type UserTurnComment,
} from "./conversation/conversation.js";
export { isBotComment, isMaintainer, maintainerStatus, normalizeLogin, type KnownPermissions, type Permission, type PermissionResult } from "./conversation/identity.js";
export { defuseMentions } from "./trigger/loops.js";
export {
  echoesBotText,
  planJob,
  resolveModel,
  retryTarget,
  type AccessPolicy,
  type JobPlan,
  type PlanInput,
} from "./decision/index.js";
export { markdownComplexity, MarkdownTooComplexError, MARKDOWN_LIMITS, parseMarkdown } from "./markdown/markdown.js";
export { estimateCostUsd } from "./budget/pricing.js";
export { SYSTEM_PROMPT } from "./request/prompt.js";
export { addUsage, composeReply, renderFooter, type FooterFacts } from "./reply/compose.js";
export { buildClaudeRequest, validateRequest, type ClaudeRequestOptions } from "./request/request.js";
export { hasHiddenContent, sanitizeUntrustedMarkdown, stripInvisible } from "./sanitize/index.js";
export { redactKnownSecrets, redactSecrets } from "./redact/secrets.js";
export { CONTINUED_NOTE, GITHUB_COMMENT_LIMIT, ReplyTooLargeError, splitReply } from "./reply/split.js";
export { detectTrigger, mentionsPhrase, parseCommand, type Command, type TriggerResult } from "./trigger/trigger.js";
export * from "./types.js";
