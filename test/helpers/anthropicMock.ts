// A local stand-in for the Anthropic Messages API, reached through the SDK's `baseURL`, so the real SDK
// code path (request building, SSE parsing, retries) runs. It records every request it gets.
//
// It enforces a context window as the API does: a request whose input is over the model's window gets
// 400 invalid_request_error "prompt is too long: N tokens > M maximum", and one whose input plus
// `max_tokens` is over it gets the API's "input length and `max_tokens` exceed context limit" 400. Tokens
// are counted with the app's own estimate (src/core/budget/tokens.ts: ASCII at 3 characters per token,
// other UTF-16 units at 1), which over-counts real text, so the mock is stricter than the API; windows
// come from the app's model table (src/core/budget/pricing.ts) unless a test sets `windowFor`. The check
// runs before any queued behaviour, so an oversized request never consumes one.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { contextWindowOf } from "../../src/core/budget/pricing.js";
import { estimateRequestTokens } from "../../src/core/budget/tokens.js";

export interface RecordedRequest {
  body: Record<string, any>;
  headers: IncomingMessage["headers"];
  receivedAt: number;
  /** When the mock finished answering. */
  completedAt?: number;
  /** Input tokens as the mock counted them (the app's estimate), and the window it held them to. */
  inputTokens: number;
  window: number;
  /** The request was refused for exceeding the window (400 invalid_request_error). */
  tooLong: boolean;
}

export type MockBehaviour =
  | {
      kind: "answer";
      text: string;
      usage?: Partial<MockUsage>;
      delayMs?: number;
      chunks?: number;
      stopReason?: string;
      /**
       * Tool calls after the text (stop_reason "tool_use" unless `stopReason` says otherwise), each streamed
       * as the API does: a tool_use block started with `input: {}`, then its input JSON in
       * `input_json_delta` pieces (`jsonChunks` of them), which the SDK assembles.
       */
      toolUses?: { id?: string; name: string; input: unknown }[];
      jsonChunks?: number;
    }
  /** An HTTP error status with Anthropic's error body. */
  | { kind: "status"; status: number; type?: string; retryAfterSeconds?: number; message?: string }
  /** A 200 that starts streaming and then sends an SSE `error` event (overloaded mid-way). */
  | { kind: "stream-error"; partialText?: string }
  /** A 200 whose connection is cut mid-stream. */
  | { kind: "cut" }
  /** The connection is dropped before any response (a network error, which the SDK would retry itself). */
  | { kind: "reset" }
  /** Never answers (for timeouts); the response is ended when the mock closes. */
  | { kind: "hang" };

export interface MockUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface AnthropicMock {
  url: string;
  requests: RecordedRequest[];
  /** Behaviours used in order; when exhausted, `fallback` answers. */
  queue: MockBehaviour[];
  fallback: (request: RecordedRequest) => MockBehaviour;
  /** The context window of a model (default: the app's model table). */
  windowFor: (model: string) => number;
  close(): Promise<void>;
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function streamAnswer(res: ServerResponse, body: Record<string, any>, b: Extract<MockBehaviour, { kind: "answer" }>) {
  const usage: MockUsage = {
    input_tokens: 100,
    output_tokens: 20,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    ...b.usage,
  };
  res.writeHead(200, { "content-type": "text/event-stream", "request-id": "req_mock" });
  sse(res, "message_start", {
    type: "message_start",
    message: {
      id: "msg_mock",
      type: "message",
      role: "assistant",
      model: body.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
  const tools = b.toolUses ?? [];
  // A tool-calling turn with no text has no text block (the API sends none).
  const withText = b.text.length > 0 || tools.length === 0;
  const chunks = Math.max(1, b.chunks ?? 3);
  const size = Math.ceil(b.text.length / chunks) || 1;
  const delay = (b.delayMs ?? 0) / chunks;
  if (withText) {
    sse(res, "content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    for (let i = 0; i < b.text.length; i += size) {
      if (delay > 0) await sleep(delay);
      sse(res, "content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: b.text.slice(i, i + size) } });
    }
    if (b.text.length === 0 && delay > 0) await sleep(b.delayMs ?? 0);
    sse(res, "content_block_stop", { type: "content_block_stop", index: 0 });
  } else if (delay > 0) await sleep(b.delayMs ?? 0);
  let index = withText ? 1 : 0;
  for (const [n, use] of tools.entries()) {
    const id = use.id ?? `toolu_mock_${index}_${n}`;
    sse(res, "content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id, name: use.name, input: {} } });
    const json = JSON.stringify(use.input ?? {});
    const pieces = Math.max(1, b.jsonChunks ?? 3);
    const step = Math.ceil(json.length / pieces) || 1;
    for (let i = 0; i < json.length; i += step) {
      sse(res, "content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: json.slice(i, i + step) } });
    }
    sse(res, "content_block_stop", { type: "content_block_stop", index });
    index++;
  }
  sse(res, "message_delta", {
    type: "message_delta",
    delta: { stop_reason: b.stopReason ?? (tools.length > 0 ? "tool_use" : "end_turn"), stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  sse(res, "message_stop", { type: "message_stop" });
  res.end();
}

export async function startAnthropicMock(
  fallback: (request: RecordedRequest) => MockBehaviour = () => ({ kind: "answer", text: "Hello from the mock." }),
): Promise<AnthropicMock> {
  const hanging = new Set<ServerResponse>();
  const mock: AnthropicMock = {
    url: "",
    requests: [],
    queue: [],
    fallback,
    windowFor: contextWindowOf,
    close: async () => {
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body: Record<string, any> = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    const window = mock.windowFor(String(body.model ?? ""));
    const inputTokens = Array.isArray(body.messages) ? estimateRequestTokens(body as MessageCreateParamsNonStreaming) : 0;
    const maxTokens = typeof body.max_tokens === "number" ? body.max_tokens : 0;
    const tooLong = inputTokens > window || inputTokens + maxTokens > window;
    const recorded: RecordedRequest = { body, headers: req.headers, receivedAt: Date.now(), inputTokens, window, tooLong };
    mock.requests.push(recorded);
    const behaviour: MockBehaviour = tooLong
      ? {
          kind: "status",
          status: 400,
          type: "invalid_request_error",
          message:
            inputTokens > window
              ? `prompt is too long: ${inputTokens} tokens > ${window} maximum`
              : `input length and \`max_tokens\` exceed context limit: ${inputTokens} + ${maxTokens} > ${window}, decrease input length or \`max_tokens\` and try again`,
        }
      : (mock.queue.shift() ?? mock.fallback(recorded));
    switch (behaviour.kind) {
      case "answer":
        await streamAnswer(res, recorded.body, behaviour);
        break;
      case "status": {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (behaviour.retryAfterSeconds !== undefined) headers["retry-after"] = String(behaviour.retryAfterSeconds);
        // Never let the SDK's own retries mask the scenario under test.
        headers["x-should-retry"] = "false";
        res.writeHead(behaviour.status, headers);
        res.end(JSON.stringify({ type: "error", error: { type: behaviour.type ?? "api_error", message: behaviour.message ?? "mock failure" } }));
        break;
      }
      case "stream-error":
        res.writeHead(200, { "content-type": "text/event-stream" });
        sse(res, "message_start", {
          type: "message_start",
          message: { id: "msg_mock", type: "message", role: "assistant", model: recorded.body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } },
        });
        sse(res, "content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
        sse(res, "content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: behaviour.partialText ?? "Partial" } });
        sse(res, "error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
        res.end();
        break;
      case "cut":
        res.writeHead(200, { "content-type": "text/event-stream" });
        sse(res, "message_start", {
          type: "message_start",
          message: { id: "msg_mock", type: "message", role: "assistant", model: recorded.body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } },
        });
        res.socket?.destroy();
        break;
      case "reset":
        res.socket?.destroy();
        break;
      case "hang":
        hanging.add(res);
        break;
    }
    recorded.completedAt = Date.now();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  mock.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return mock;
}
