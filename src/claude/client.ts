// Anthropic I/O: one streamed Messages call. The SDK retries 408/409/429/5xx/529 itself; the worker's
// retry policy (src/claude/retry.ts) covers what the SDK does not (a stream cut after a 200).
import Anthropic from "@anthropic-ai/sdk";
import type { ContentBlock, MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import type { Usage } from "../core/types.js";

export interface ClaudeAnswer {
  text: string;
  model: string;
  stopReason: string | null;
  usage: Usage;
}

/** One streamed response with its content blocks (text and tool_use), for the code tools' loop. */
export interface ClaudeTurn extends ClaudeAnswer {
  content: ContentBlock[];
}

export interface ClaudeClientOptions {
  apiKey: string;
  baseURL?: string | undefined;
  /** Per-request timeout in ms. */
  timeoutMs?: number;
  maxRetries?: number;
}

export class ClaudeClient {
  readonly #sdk: Anthropic;

  constructor(options: ClaudeClientOptions) {
    this.#sdk = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? null,
      timeout: options.timeoutMs ?? 10 * 60_000,
      maxRetries: options.maxRetries ?? 2,
    });
  }

  /**
   * Streams one response; `onText` receives the response's text so far (for progress edits). The content
   * blocks come back too: a tool_use block's input is assembled by the SDK from its `input_json_delta`s.
   */
  async ask(
    params: MessageCreateParamsNonStreaming,
    onText?: (textSoFar: string) => void,
    signal?: AbortSignal,
  ): Promise<ClaudeTurn> {
    const stream = this.#sdk.messages.stream(params, signal ? { signal } : undefined);
    let soFar = "";
    if (onText) {
      stream.on("text", (delta) => {
        soFar += delta;
        onText(soFar);
      });
    }
    const message = await stream.finalMessage();
    const text = message.content
      .flatMap((block) => (block.type === "text" ? [block.text] : []))
      .join("");
    return {
      text,
      content: message.content,
      model: message.model,
      stopReason: message.stop_reason,
      usage: {
        input: message.usage.input_tokens,
        cache_read: message.usage.cache_read_input_tokens ?? 0,
        cache_write: message.usage.cache_creation_input_tokens ?? 0,
        output: message.usage.output_tokens,
      },
    };
  }
}
