// Every Claude call of the worker goes through here: the request is scrubbed of credentials (thread text is
// already redacted where it is built; this also covers the block's instructions and summary, the repository
// instructions and pull-request patches, whatever path put them there), then sent with retries.
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import type { Logger } from "pino";
import type { ClaudeAnswer, ClaudeClient } from "./client.js";
import { knownSecrets, scrubText } from "../observe/logRedaction.js";
import { withRetries, type RetryPolicy } from "./retry.js";

/** A copy of the request whose every text is redacted (deterministic, so prompt caching is unaffected). */
export function redactRequest(params: MessageCreateParamsNonStreaming, known: readonly string[] = knownSecrets()): MessageCreateParamsNonStreaming {
  const blocks = <B>(content: B): B => {
    if (typeof content === "string") return scrubText(content, known) as B;
    if (!Array.isArray(content)) return content;
    return content.map((b: unknown) => {
      const block = b as { type?: string; text?: unknown };
      return block.type === "text" && typeof block.text === "string" ? { ...block, text: scrubText(block.text, known) } : b;
    }) as B;
  };
  return {
    ...params,
    ...(params.system !== undefined ? { system: blocks(params.system) } : {}),
    messages: params.messages.map((m) => ({ ...m, content: blocks(m.content) }) as typeof m),
  };
}

export async function askClaude(
  claude: ClaudeClient,
  params: MessageCreateParamsNonStreaming,
  options: { policy: RetryPolicy; log: Pick<Logger, "warn"> | { warn(fields: object, message: string): void }; onText?: (textSoFar: string) => void },
): Promise<ClaudeAnswer> {
  const request = redactRequest(params);
  return withRetries((signal) => claude.ask(request, options.onText, signal), options.policy, {
    onRetry: ({ attempt, delayMs, failure }) =>
      options.log.warn({ attempt, delayMs, kind: failure.kind, status: failure.status }, "Claude call failed; retrying"),
  });
}
