// Every Claude call of the worker goes through here: the request is scrubbed of credentials (thread text is
// already redacted where it is built; this also covers the block's instructions and summary, the repository
// instructions and pull-request patches, whatever path put them there), then sent with retries. A code
// answer's tool loop sends each of its rounds through here: each round is redacted and retried on its own.
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import type { Logger } from "pino";
import type { ClaudeClient, ClaudeTurn } from "./client.js";
import { knownSecrets, scrubText } from "../observe/logRedaction.js";
import { withRetries, type RetryPolicy } from "./retry.js";
import { LRUCache } from "lru-cache";

/**
 * Scrubbed long texts, by text: a tool loop sends the same system prompt, thread and tool results again in
 * every round (the same string objects, whose hash V8 keeps), so each is scrubbed once per answer, not once
 * per round. Keyed by the known secrets too, which change only when the process registers one.
 */
const scrubbed = new LRUCache<string, { known: string; out: string }>({ max: 512 });
const MEMO_MIN_CHARS = 2_048;
function scrubMemo(text: string, known: readonly string[]): string {
  if (text.length < MEMO_MIN_CHARS) return scrubText(text, known);
  const secrets = known.join("\u0000");
  const hit = scrubbed.get(text);
  if (hit !== undefined && hit.known === secrets) return hit.out;
  const out = scrubText(text, known);
  scrubbed.set(text, { known: secrets, out });
  return out;
}

/** A copy of the request whose every text is redacted (deterministic, so prompt caching is unaffected). */
export function redactRequest(params: MessageCreateParamsNonStreaming, known: readonly string[] = knownSecrets()): MessageCreateParamsNonStreaming {
  const blocks = <B>(content: B): B => {
    if (typeof content === "string") return scrubMemo(content, known) as B;
    if (!Array.isArray(content)) return content;
    return content.map((b: unknown) => {
      const block = b as { type?: string; text?: unknown; content?: unknown };
      if (block.type === "text" && typeof block.text === "string") return { ...block, text: scrubMemo(block.text, known) };
      // Tool results (the code tools' file text) are redacted by the tools; the process's own secrets are
      // scrubbed here too, block by block, so a round's request stays a byte extension of the previous one.
      if (block.type === "tool_result") return { ...block, content: blocks(block.content) };
      return b;
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
): Promise<ClaudeTurn> {
  const request = redactRequest(params);
  return withRetries((signal) => claude.ask(request, options.onText, signal), options.policy, {
    onRetry: ({ attempt, delayMs, failure }) =>
      options.log.warn({ attempt, delayMs, kind: failure.kind, status: failure.status }, "Claude call failed; retrying"),
  });
}
