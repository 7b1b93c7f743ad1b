// `threadbot/core`: the pure core, for reuse (other bots, the inspect CLI, tests). No network, no Probot.
export { answeredTriggerIds } from "./answered.js";
export { applySummary, buildSummaryRequest, estimateRequestTokens, estimateTokens, fitToBudget, planFold } from "./budget.js";
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
} from "./contextBlock.js";
export {
  buildConversation,
  NOTICE_MARKER,
  type BuildConversationOptions,
  type Conversation,
  type Turn,
  type UserTurnComment,
} from "./conversation.js";
export { isBotComment, isMaintainer } from "./identity.js";
export { defuseMentions, echoesBotText } from "./loops.js";
export { markdownComplexity, MarkdownTooComplexError, MARKDOWN_LIMITS, parseMarkdown } from "./markdown.js";
export { estimateCostUsd } from "./pricing.js";
export { SYSTEM_PROMPT } from "./prompt.js";
export { addUsage, composeReply, renderFooter, type FooterFacts } from "./reply.js";
export { buildClaudeRequest, validateRequest, type ClaudeRequestOptions } from "./request.js";
export { hasHiddenContent, sanitizeUntrustedMarkdown, stripInvisible } from "./sanitize.js";
export { redactKnownSecrets, redactSecrets } from "./secrets.js";
export { CONTINUED_NOTE, GITHUB_COMMENT_LIMIT, ReplyTooLargeError, splitReply } from "./split.js";
export { detectTrigger, mentionsPhrase, parseCommand, type Command, type TriggerResult } from "./trigger.js";
export * from "./types.js";
