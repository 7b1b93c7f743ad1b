// The tool loop against a scripted Claude: each request extends the previous one byte for byte (apart
// from moved cache markers), at most 4 markers, parallel tool calls each answered by id, and the endings
// (end_turn, max_rounds, budget, max_tokens) with the final no-tools request.
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { validateRequest } from "../../src/core/request/request.js";
import { CODE_SYSTEM_PROMPT } from "../../src/core/code/citations.js";
import { snapshotSource, type CodeSource } from "../../src/core/code/source.js";
import {
  cacheReadShares,
  countCacheMarkers,
  runToolLoop,
  TOOLS_UNAVAILABLE_TEXT,
  TOOL_NOT_RUN_TEXT,
  withCodeTools,
  type ModelTurn,
  type ResponseBlock,
} from "../../src/core/code/toolLoop.js";
import { CODE_TOOLS_JSON } from "../../src/core/code/tools.js";
import { unpackTarball } from "../../src/code/tarball.js";
import { buildTarball, defaultFakeRepo, FAKE_SHA } from "./fakeRepo.js";

const RUNS = Number(process.env.FC_RUNS ?? 100);
const ref = { host: "github.com", owner: "acme", repo: "demo", sha: FAKE_SHA };

let source: CodeSource;
beforeAll(async () => {
  source = snapshotSource(await unpackTarball(Readable.from([await buildTarball(defaultFakeRepo())]), ref));
});

/** Shaped like buildClaudeRequest's output: static prompt, marked thread block, marked last user block. */
function baseRequest(): MessageCreateParamsNonStreaming {
  return {
    model: "claude-test",
    max_tokens: 1024,
    system: [
      { type: "text", text: "STATIC SYSTEM PROMPT" },
      { type: "text", text: "Repository acme/demo, issue #1: retry", cache_control: { type: "ephemeral" } },
    ],
    messages: [{ role: "user", content: [{ type: "text", text: '<comment id="1">@claude how does retry work?</comment>', cache_control: { type: "ephemeral" } }] }],
  };
}

const usage = { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 50, cache_creation_input_tokens: 10 };
const use = (id: string, name: string, input: unknown): ResponseBlock => ({ type: "tool_use", id, name, input });
const toolTurn = (...blocks: ResponseBlock[]): ModelTurn => ({ content: [{ type: "text", text: "Let me look." }, ...blocks], stop_reason: "tool_use", usage });
const answer = (text: string, stop = "end_turn"): ModelTurn => ({ content: [{ type: "text", text }], stop_reason: stop, usage });

function scripted(turns: ModelTurn[] | ((req: MessageCreateParamsNonStreaming, round: number) => ModelTurn)) {
  const sent: MessageCreateParamsNonStreaming[] = [];
  const send = async (req: MessageCreateParamsNonStreaming, round: number) => {
    sent.push(structuredClone(req));
    return typeof turns === "function" ? turns(req, round) : turns[Math.min(round, turns.length - 1)]!;
  };
  return { send, sent };
}

const stripMarkers = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (k, v) => (k === "cache_control" ? undefined : v)));

function expectExtensions(requests: MessageCreateParamsNonStreaming[]) {
  for (let i = 1; i < requests.length; i++) {
    const prev = stripMarkers(requests[i - 1]) as MessageCreateParamsNonStreaming;
    const next = stripMarkers(requests[i]) as MessageCreateParamsNonStreaming;
    expect(next.system).toEqual(prev.system);
    expect(JSON.stringify(next.tools)).toBe(JSON.stringify(prev.tools));
    expect(next.messages.slice(0, prev.messages.length)).toEqual(prev.messages);
    expect(next.messages.length).toBe(prev.messages.length + 2);
  }
  for (const r of requests) {
    expect(countCacheMarkers(r)).toBeLessThanOrEqual(4);
    expect(validateRequest(r)).toEqual([]);
  }
}

function lastBlockMarked(req: MessageCreateParamsNonStreaming, index = req.messages.length - 1): boolean {
  const content = req.messages[index]!.content;
  return typeof content !== "string" && (content[content.length - 1] as { cache_control?: unknown }).cache_control != null;
}

describe("withCodeTools", () => {
  it("adds the code section and the tools without touching the markers or the constant", () => {
    const req = withCodeTools(baseRequest(), ref);
    const system = req.system as { text: string }[];
    expect(system.map((b) => b.text.slice(0, 16))).toEqual(["STATIC SYSTEM PR", CODE_SYSTEM_PROMPT.slice(0, 16), "Repository acme/"]);
    expect(system[2]!.text).toContain(`commit ${FAKE_SHA}`);
    expect(JSON.stringify(req.tools)).toBe(CODE_TOOLS_JSON);
    expect(countCacheMarkers(req)).toBe(2);
    (req.tools![0] as { description: string }).description = "mutated";
    expect(JSON.stringify(withCodeTools(baseRequest(), ref).tools)).toBe(CODE_TOOLS_JSON);
  });
});

describe("runToolLoop", () => {
  it("runs a round of parallel calls, answers each by id, and returns the final answer", async () => {
    const { send, sent } = scripted([
      toolTurn(use("tu_1", "search_code", { pattern: "retry" }), use("tu_2", "read_file", { path: "src/retry.ts", start_line: 7, end_line: 18 }), use("tu_3", "read_file", { path: "../x" })),
      answer("It retries with backoff: https://github.com/acme/demo/blob/0123456789abcdef0123456789abcdef01234567/src/retry.ts#L7-L18"),
    ]);
    const progress: string[] = [];
    const result = await runToolLoop(withCodeTools(baseRequest(), ref), source, send, {}, (t) => progress.push(t));
    expect(result.endedBy).toBe("end_turn");
    expect(result.text).toMatch(/^It retries with backoff/);
    expect(progress).toEqual(["🔎 searching for `retry`", "📄 reading `src/retry.ts` L7-L18", "📄 reading `../x`"]);
    expect(sent).toHaveLength(2);
    const results = sent[1]!.messages.at(-1)!.content as { type: string; tool_use_id?: string; is_error?: boolean; content?: string }[];
    expect(results.map((r) => [r.type, r.tool_use_id, r.is_error ?? false])).toEqual([
      ["tool_result", "tu_1", false],
      ["tool_result", "tu_2", false],
      ["tool_result", "tu_3", true],
    ]);
    const assistant = sent[1]!.messages.at(-2)!;
    expect(assistant.role).toBe("assistant");
    expect((assistant.content as { type: string }[]).map((b) => b.type)).toEqual(["text", "tool_use", "tool_use", "tool_use"]);
    expect(result.filesRead).toEqual(["src/index.ts", "src/retry.ts", "src/util/strings.ts"]);
    expect(result.rounds[0]!.calls).toBe(3);
    expect(result.usage).toEqual({ input: 200, output: 40, cache_read: 100, cache_write: 20 });
    expectExtensions(sent);
  });

  it("moves the newest breakpoint to the last block and keeps one where the previous request ended", async () => {
    const { send, sent } = scripted([toolTurn(use("a", "list_files", {})), toolTurn(use("b", "read_file", { path: "README.md" })), toolTurn(use("c", "list_files", { path: "src" })), answer("done")]);
    await runToolLoop(withCodeTools(baseRequest(), ref), source, send);
    expect(sent).toHaveLength(4);
    for (let i = 1; i < sent.length; i++) {
      const req = sent[i]!;
      expect(lastBlockMarked(req)).toBe(true);
      expect(lastBlockMarked(req, sent[i - 1]!.messages.length - 1)).toBe(true);
      const messageMarkers = req.messages.flatMap((m) => (typeof m.content === "string" ? [] : m.content)).filter((b) => (b as { cache_control?: unknown }).cache_control != null);
      expect(messageMarkers).toHaveLength(2);
    }
    expectExtensions(sent);
  });

  it("runs the calls of one turn in parallel", async () => {
    let inFlight = 0;
    let peak = 0;
    const slow: CodeSource = {
      ...source,
      read: async (paths) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 30));
        inFlight--;
        return source.read(paths);
      },
    };
    const { send } = scripted([toolTurn(use("1", "read_file", { path: "README.md" }), use("2", "read_file", { path: "src/index.ts" }), use("3", "read_file", { path: "src/retry.ts" })), answer("ok")]);
    await runToolLoop(withCodeTools(baseRequest(), ref), slow, send);
    expect(peak).toBe(3);
  });

  it("at max_rounds sends one request saying tools are gone, tool_choice unchanged; then tool_choice none if Claude insists", async () => {
    const { send, sent } = scripted((req) => (req.tool_choice?.type === "none" ? answer("best effort") : toolTurn(use(`t${req.messages.length}`, "list_files", {}))));
    const result = await runToolLoop(withCodeTools(baseRequest(), ref), source, send, { maxRounds: 2 });
    expect(sent).toHaveLength(4); // 2 rounds with tools, the final request, the tool_choice none retry
    expect(result.endedBy).toBe("max_rounds");
    expect(result.text).toBe("best effort");
    const final = sent[2]!;
    expect(final.tool_choice).toBeUndefined();
    const last = final.messages.at(-1)!.content as { type: string; text?: string }[];
    expect(last.at(-1)).toEqual({ type: "text", text: TOOLS_UNAVAILABLE_TEXT, cache_control: { type: "ephemeral" } });
    expect(sent[3]!.tool_choice).toEqual({ type: "none" });
    const refused = sent[3]!.messages.at(-1)!.content as { type: string; content?: string; is_error?: boolean }[];
    expect(refused[0]).toMatchObject({ type: "tool_result", content: TOOL_NOT_RUN_TEXT, is_error: true });
    expect(result.rounds.filter((r) => r.summaries.length > 0)).toHaveLength(2);
    expectExtensions(sent);
  });

  it("when Claude answers the final request, no tool_choice change is sent", async () => {
    const { send, sent } = scripted([toolTurn(use("a", "list_files", {})), answer("final")]);
    const result = await runToolLoop(withCodeTools(baseRequest(), ref), source, send, { maxRounds: 1 });
    expect(sent).toHaveLength(2);
    expect(sent.every((r) => r.tool_choice === undefined)).toBe(true);
    expect(result.endedBy).toBe("max_rounds");
  });

  it("stops at the tool-output budget", async () => {
    const { send, sent } = scripted((req) => (req.messages.length > 9 ? answer("x") : toolTurn(use(`r${req.messages.length}`, "read_file", { path: "src/retry.ts" }))));
    const result = await runToolLoop(withCodeTools(baseRequest(), ref), source, send, { answerToolTokens: 250 });
    expect(result.endedBy).toBe("budget");
    const toolTokens = result.rounds.reduce((n, r) => n + r.toolTokens, 0);
    expect(toolTokens).toBeLessThanOrEqual(250);
    expect(sent.length).toBeLessThanOrEqual(3);
  });

  it("flags max_tokens as truncated", async () => {
    const { send } = scripted([answer("partial", "max_tokens")]);
    const result = await runToolLoop(withCodeTools(baseRequest(), ref), source, send);
    expect(result).toMatchObject({ truncated: true, endedBy: "max_tokens", text: "partial" });
  });

  it("cache-read share grows with the rounds (from request shapes)", async () => {
    const { send, sent } = scripted([toolTurn(use("a", "read_file", { path: "src/retry.ts" })), toolTurn(use("b", "read_file", { path: "README.md" })), answer("ok")]);
    await runToolLoop(withCodeTools(baseRequest(), ref), source, send);
    const shares = cacheReadShares(sent);
    expect(shares[0]).toBe(0);
    expect(shares[1]!).toBeGreaterThan(0.5);
    expect(shares[2]!).toBeGreaterThan(0.8);
  });
});

describe("tool loop (property)", () => {
  const call = fc.oneof(
    fc.record({ name: fc.constant("read_file"), input: fc.record({ path: fc.constantFrom("src/retry.ts", "README.md", "nope", "../x") }) }),
    fc.record({ name: fc.constant("search_code"), input: fc.record({ pattern: fc.constantFrom("retry", "(", "export"), regex: fc.boolean() }) }),
    fc.record({ name: fc.constantFrom("list_files", "bogus"), input: fc.constant({}) }),
  );
  it("every request extends the previous, ≤4 markers, every tool_use answered once, bounded rounds", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(call, { minLength: 1, maxLength: 4 }), { maxLength: 6 }), fc.integer({ min: 1, max: 4 }), async (script, maxRounds) => {
        let n = 0;
        const { send, sent } = scripted((req, round) => {
          if (req.tool_choice?.type === "none" || round >= script.length) return answer("end");
          return toolTurn(...script[round]!.map((c) => use(`id${n++}`, c.name, c.input)));
        });
        const result = await runToolLoop(withCodeTools(baseRequest(), ref), source, send, { maxRounds });
        expectExtensions(sent);
        expect(sent.length).toBeLessThanOrEqual(maxRounds + 2);
        for (let i = 1; i < sent.length; i++) {
          const uses = (sent[i]!.messages.at(-2)!.content as { type: string; id?: string }[]).filter((b) => b.type === "tool_use").map((b) => b.id);
          const answered = (sent[i]!.messages.at(-1)!.content as { type: string; tool_use_id?: string }[]).filter((b) => b.type === "tool_result").map((b) => b.tool_use_id);
          expect(answered).toEqual(uses);
        }
        expect(result.text).toBe("end");
      }),
      { numRuns: RUNS },
    );
  });
});
