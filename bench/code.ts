// Code answers: the app's side of answering from a repository snapshot, on a generated ~2,000-file
// repository (`npm run bench -- code`, or `npx tsx bench/code.ts`).
// - through the real app (Probot server, fake GitHub, streamed Anthropic mock scripted to answer in 3
//   tool rounds): GitHub requests per answer by kind, app time per tool round between the model's response
//   and the next request (tools + request building + redaction + SDK, all beyond network and model time),
//   the first tool call's wait for the snapshot, and each round's cache-read share from the requests sent;
// - unpack: time to stream-unpack the gzip'd tarball, and heap/RSS held per 1,000 files afterwards;
// - per tool round: app overhead of one round (three tool calls run in parallel + the next request
//   built), median and p95; the first search also prepares (redacts) every file and is reported apart;
// - prompt size: tool definitions + the code system-prompt section + the commit line, estimated tokens;
// - cache-read share per round: from the request shapes (src/core/code/toolLoop.ts cacheReadShares).
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { CODE_SYSTEM_PROMPT, renderCodeRef } from "../src/core/code/citations.js";
import { snapshotSource } from "../src/core/code/source.js";
import { appendRound, assistantBlocks, cacheReadShares, runToolLoop, withCodeTools, type ModelTurn } from "../src/core/code/toolLoop.js";
import { CODE_TOOLS_JSON, runTool } from "../src/core/code/tools.js";
import { estimateTokens } from "../src/core/budget/tokens.js";
import { unpackTarball } from "../src/code/tarball.js";
import { buildTarball, type FakeCodeEntry } from "../test/code/fakeRepo.js";
import { rng } from "../test/fixtures/threads.js";
import { gc, median, quantile, round, type BenchResult, type Row } from "./lib.js";
import { startHarness } from "../test/helpers/harness.js";
import { issueCommentCreated } from "../test/helpers/payloads.js";

const SHA = "c0de00000000000000000000000000000000c0de";


const WORDS = ["retry", "client", "request", "parse", "render", "cache", "token", "stream", "buffer", "queue", "worker", "config", "thread", "reply", "budget"];

export function generateRepo(files = 2_000, seed = 16): FakeCodeEntry[] {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const entries: FakeCodeEntry[] = [];
  for (let i = 0; i < files; i++) {
    const dir = `src/${pick(WORDS)}/${pick(WORDS)}`;
    const name = `${pick(WORDS)}${i}.ts`;
    const lines: string[] = [`// ${dir}/${name}`, `import { ${pick(WORDS)} } from "../${pick(WORDS)}.js";`, ""];
    const functions = 3 + Math.floor(random() * 12);
    for (let f = 0; f < functions; f++) {
      const fn = `${pick(WORDS)}${pick(WORDS).replace(/^./, (c) => c.toUpperCase())}${f}`;
      lines.push(`export function ${fn}(input: string, options: { ${pick(WORDS)}: number }): string {`);
      const body = 3 + Math.floor(random() * 15);
      for (let b = 0; b < body; b++) lines.push(`  const ${pick(WORDS)}${b} = input.slice(${b}, options.${pick(WORDS)} ?? ${Math.floor(random() * 100)}); // ${pick(WORDS)} ${pick(WORDS)}`);
      lines.push(`  return input;`, `}`, "");
    }
    entries.push({ path: `${dir}/${name}`, content: lines.join("\n") });
  }
  entries.push({ path: "package-lock.json", content: JSON.stringify({ name: "bench", packages: {} }) });
  entries.push({ path: ".env", content: "ANTHROPIC_API_KEY=sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345\n" });
  return entries;
}

function baseRequest(): MessageCreateParamsNonStreaming {
  return {
    model: "claude-bench",
    max_tokens: 4096,
    system: [
      { type: "text", text: "S".repeat(9_000) }, // about the size of src/core/request/prompt.ts SYSTEM_PROMPT
      { type: "text", text: "Repository acme/bench, issue #16: how does retry work?", cache_control: { type: "ephemeral" } },
    ],
    messages: [{ role: "user", content: [{ type: "text", text: "<comment>@claude where is the retry budget computed?</comment>", cache_control: { type: "ephemeral" } }] }],
  };
}

/** Answers through the real app: each a search, a read, a search, then the answer (3 tool rounds). */
async function throughTheApp(entries: FakeCodeEntry[], answers: number): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const OWNER = "Codertocat";
  const REPO = "Hello-World";
  const h = await startHarness();
  try {
    h.github.addCodeRepo({ owner: OWNER, repo: REPO, sha: SHA, entries });
    const path = entries[0]!.path;
    const overheadMs: number[] = [];
    /** The first answer's rounds: its first tool call also waits for the download and prepares the files. */
    const coldMs: number[] = [];
    const perAnswer: Record<string, number>[] = [];
    const shares: number[][] = [];
    for (let a = 0; a < answers; a++) {
      const number = 100 + a;
      const issue = h.github.addIssue(OWNER, REPO, { number, title: `Question ${a}`, author: { login: "Codertocat", type: "User" } });
      const id = 70_000 + a;
      h.github.addComment(issue, { id, body: "@claude where is the retry budget computed?", author: { login: "Codertocat", type: "User" } });
      h.anthropic.queue.push(
        { kind: "answer", text: "", toolUses: [{ name: "search_code", input: { pattern: "retryClient" } }], usage: { input_tokens: 4000, output_tokens: 30 } },
        { kind: "answer", text: "", toolUses: [{ name: "read_file", input: { path, start_line: 1, end_line: 120 } }], usage: { input_tokens: 300, output_tokens: 30 } },
        { kind: "answer", text: "", toolUses: [{ name: "search_code", input: { pattern: "^export function retry\\w*\\(", regex: true } }], usage: { input_tokens: 300, output_tokens: 30 } },
        { kind: "answer", text: `It is in [${path}](https://github.com/${OWNER}/${REPO}/blob/${SHA}/${path}#L1).`, usage: { input_tokens: 300, output_tokens: 60 } },
      );
      const callsBefore = h.github.calls.length;
      const requestsBefore = h.anthropic.requests.length;
      const payload = issueCommentCreated("@claude where is the retry budget computed?", { id });
      payload.issue.number = number;
      await h.deliver("issue_comment", payload);
      await h.idle(60_000);
      const calls = h.github.calls.slice(callsBefore);
      const kinds: Record<string, number> = {};
      for (const c of calls) {
        const kind =
          c.operation !== undefined ? `graphql ${c.operation}` : c.path.includes("/tarball/") ? "tarball" : c.path.startsWith("/codeload/") ? "codeload (the tarball's redirect)" : `${c.method} ${c.path.replace(/\d+/g, ":n").replace(/^\/repos\/[^/]+\/[^/]+/, "")}`;
        kinds[kind] = (kinds[kind] ?? 0) + 1;
      }
      perAnswer.push(kinds);
      const requests = h.anthropic.requests.slice(requestsBefore);
      for (let k = 1; k < requests.length; k++) (a === 0 ? coldMs : overheadMs).push(requests[k]!.receivedAt - requests[k - 1]!.completedAt!);
      shares.push(cacheReadShares(requests.map((r) => r.body as MessageCreateParamsNonStreaming)));
    }
    const waits = h.logs.flatMap((line) => {
      const parsed = JSON.parse(line) as { snapshotWaitMs?: number };
      return typeof parsed.snapshotWaitMs === "number" ? [parsed.snapshotWaitMs] : [];
    });
    const total = (kinds: Record<string, number>) => Object.values(kinds).reduce((a, b) => a + b, 0);
    const describe = (kinds: Record<string, number>) => Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(", ");
    const perFile = (kinds: Record<string, number>) => Object.entries(kinds).filter(([k]) => k.includes("CodeBlobs") || k.includes("/contents/src") || k.includes("/git/")).reduce((n, [, v]) => n + v, 0);
    const first = perAnswer[0]!;
    const later = perAnswer.slice(1);
    const laterTotal = later.length ? median(later.map(total)) : 0;
    const shareRound2 = shares.map((s) => s.slice(1));
    const minShare = Math.min(...shareRound2.flat());
    const rows: Row[] = [
      { section: "code", metric: "app: GitHub requests, first answer at a commit", value: total(first), unit: "requests", note: describe(first), goal: "thread read + one tarball, no per-file reads", met: (first["tarball"] ?? 0) === 1 && perFile(first) === 0 },
      ...(later.length ? [{ section: "code", metric: "app: GitHub requests, later answers at that commit (median)", value: laterTotal, unit: "requests", note: describe(later[0]!), goal: "no tarball, no per-file reads", met: later.every((k) => !k["tarball"] && perFile(k) === 0) } as Row] : []),
      { section: "code", metric: "app: overhead per tool round, median", value: round(median(overheadMs), 1), unit: "ms", note: `${overheadMs.length} rounds of answers 2…${answers}: model's response → next request (tools, request, redaction, SDK)` },
      { section: "code", metric: "app: overhead per tool round, p95", value: round(quantile(overheadMs, 0.95), 1), unit: "ms", goal: "≤ 30", met: quantile(overheadMs, 0.95) <= 30 },
      { section: "code", metric: "app: first answer's rounds (snapshot download + first file preparation)", value: round(Math.max(...coldMs), 0), unit: "ms (slowest)", note: coldMs.map((m) => `${round(m, 0)} ms`).join(", ") },
      { section: "code", metric: "app: first tool call's wait for the snapshot, first answer", value: waits[0] ?? NaN, unit: "ms", note: `later answers: ${waits.slice(1).join(", ")} ms (the download runs beside the first model round; the mock answers at once)` },
      { section: "code", metric: "app: cache-read share from round 2, lowest", value: round(minShare * 100, 1), unit: "%", note: `per request (answer 1): ${shares[0]!.map((s) => `${round(s * 100, 1)}%`).join(", ")}`, goal: "≥ 90%", met: minShare >= 0.9 },
    ];
    return { rows, details: { perAnswer, overheadMs, coldMs, waits, shares } };
  } finally {
    await h.close();
  }
}

export async function code(options: { files?: number; rounds?: number; answers?: number } = {}): Promise<BenchResult> {
  const fileCount = options.files ?? 2_000;
  const roundsToTime = options.rounds ?? 60;
  const entries = generateRepo(fileCount);
  const ref = { owner: "acme", repo: "bench", sha: SHA };
  const tarball = await buildTarball({ ...ref, entries });

  // Unpack: time (median of 5, after one warm-up), and memory held by one snapshot afterwards.
  await unpackTarball(Readable.from([tarball]), ref);
  const unpackSamples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await unpackTarball(Readable.from([tarball]), ref);
    unpackSamples.push(performance.now() - t0);
  }
  const unpackMs = median(unpackSamples);
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    return process.memoryUsage();
  };
  const before = await settle();
  const snapshot = await unpackTarball(Readable.from([tarball]), ref);
  const after = await settle();
  const perThousand = 1000 / snapshot.files.size;
  const heapPerK = ((after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) * perThousand) / 2 ** 20;
  const rssPerK = ((after.rss - before.rss) * perThousand) / 2 ** 20;

  // Tool rounds: three parallel calls (search, read, list) + the next request, as the loop does them.
  const source = snapshotSource(snapshot);
  const paths = await source.list();
  const random = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const firstSearchStart = performance.now();
  await runTool(source, { id: "warm", name: "search_code", input: { pattern: "retryClient" } });
  const firstSearchMs = performance.now() - firstSearchStart;
  let request = withCodeTools(baseRequest(), { host: "github.com", ...ref });
  const roundMs: number[] = [];
  const searchMs: number[] = [];
  const regexMs: number[] = [];
  for (let r = 0; r < roundsToTime; r++) {
    const uses = [
      { type: "tool_use" as const, id: `s${r}`, name: "search_code", input: { pattern: `${pick(WORDS)}${pick(WORDS).replace(/^./, (c) => c.toUpperCase())}` } },
      { type: "tool_use" as const, id: `r${r}`, name: "read_file", input: { path: pick(paths), start_line: 1, end_line: 200 } },
      { type: "tool_use" as const, id: `l${r}`, name: "list_files", input: { path: `src/${pick(WORDS)}` } },
    ];
    const t0 = performance.now();
    const outcomes = await Promise.all(uses.map((u) => runTool(source, u, { maxOutputTokens: 6_000 })));
    const results = uses.map((u, i) => ({ type: "tool_result" as const, tool_use_id: u.id, content: outcomes[i]!.text }));
    const next = appendRound(request, assistantBlocks(uses), results);
    roundMs.push(performance.now() - t0);
    // Keep the request from growing without bound: the loop stops far earlier (max_rounds, budget).
    if (r % 8 !== 7) request = next;
    const s0 = performance.now();
    await runTool(source, { id: "x", name: "search_code", input: { pattern: pick(WORDS) } });
    searchMs.push(performance.now() - s0);
    const g0 = performance.now();
    await runTool(source, { id: "y", name: "search_code", input: { pattern: `^export function ${pick(WORDS)}\\w*\\(`, regex: true } });
    regexMs.push(performance.now() - g0);
  }

  // Prompt size.
  const codeRef = renderCodeRef({ host: "github.com", ...ref });
  const toolTokens = estimateTokens(CODE_TOOLS_JSON);
  const promptTokens = estimateTokens(CODE_SYSTEM_PROMPT) + estimateTokens(codeRef);

  // Cache-read share per round of a scripted 5-round answer.
  let n = 0;
  const script = async (_req: MessageCreateParamsNonStreaming, roundIndex: number): Promise<ModelTurn> => {
    const usage = { input_tokens: 0, output_tokens: 0 };
    if (roundIndex >= 5) return { content: [{ type: "text", text: "answer" }], stop_reason: "end_turn", usage };
    return {
      content: [
        { type: "tool_use", id: `t${n++}`, name: "search_code", input: { pattern: pick(WORDS) } },
        { type: "tool_use", id: `t${n++}`, name: "read_file", input: { path: pick(paths) } },
      ],
      stop_reason: "tool_use",
      usage,
    };
  };
  const loop = await runToolLoop(withCodeTools(baseRequest(), { host: "github.com", ...ref }), source, script);
  const shares = cacheReadShares(loop.requests);

  const app = await throughTheApp(entries, options.answers ?? 8);

  const rows: Row[] = [
    ...app.rows,
    { section: "code", metric: "unpack time (median of 5)", value: round(unpackMs, 0), unit: "ms", note: `${snapshot.files.size} files, ${round(snapshot.bytes / 2 ** 20, 1)} MB text, ${round(tarball.length / 2 ** 20, 1)} MB gzip` },
    { section: "code", metric: "unpack time per 1,000 files", value: round(unpackMs * perThousand, 0), unit: "ms" },
    { section: "code", metric: "heap held per 1,000 files", value: round(heapPerK, 2), unit: "MB" },
    { section: "code", metric: "RSS growth per 1,000 files", value: round(rssPerK, 2), unit: "MB" },
    { section: "code", metric: "first search (prepares the files it may match)", value: round(firstSearchMs, 0), unit: "ms" },
    { section: "code", metric: "tool round overhead, median", value: round(median(roundMs), 2), unit: "ms", note: "3 parallel calls + next request" },
    { section: "code", metric: "tool round overhead, p95", value: round(quantile(roundMs, 0.95), 2), unit: "ms" },
    { section: "code", metric: "literal search over the repo, median", value: round(median(searchMs), 2), unit: "ms" },
    { section: "code", metric: "regex search over the repo, median", value: round(median(regexMs), 2), unit: "ms" },
    { section: "code", metric: "tool definitions", value: toolTokens, unit: "tokens (est.)" },
    { section: "code", metric: "code system-prompt section + commit line", value: promptTokens, unit: "tokens (est.)" },
    { section: "code", metric: "tools + prompt section", value: toolTokens + promptTokens, unit: "tokens (est.)", goal: "≤ 2000", met: toolTokens + promptTokens <= 2_000 },
    ...shares.map((share, i): Row => ({ section: "code", metric: `cache-read share, request ${i}`, value: round(share * 100, 1), unit: "%", note: i === 0 ? "round 0: thread cache not modelled" : i === shares.length - 1 ? "final answer" : "tool round" })),
  ];
  return {
    rows,
    details: { app: app.details, unpackSamples, files: snapshot.files.size, bytes: snapshot.bytes, gzipBytes: tarball.length, skipped: snapshot.skipped, roundMs, shares, rounds: loop.rounds.length },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await code();
  const width = Math.max(...result.rows.map((r) => r.metric.length));
  for (const row of result.rows) {
    const goal = row.goal ? `  goal ${row.goal} ${row.met ? "✓" : "✗"}` : "";
    console.log(`${row.metric.padEnd(width)}  ${String(row.value).padStart(9)} ${row.unit}${goal}${row.note ? `  (${row.note})` : ""}`);
  }
}
