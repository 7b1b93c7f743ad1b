// 3. Rebuild: thread → Messages API request (buildConversation + buildClaudeRequest), the pure work of
// every job, for 10, 100, 1,000 and 2,500 comments of realistic generated threads (bench/threads.ts: the
// generator of test/fixtures/threads.ts with context blocks shaped as the worker writes them; code
// blocks, diffs, quotes, links, tables, hidden content, edits, minimized comments, bot replies with
// footer and context block, notices, split answers).
// - cold: the per-comment memo of src/core/conversation/commentText.ts cleared before each build (a fresh process,
//   or a thread this process has not seen); warm: the same build again (every comment memoised, as on a
//   follow-up in a long-running process). ms = median of several builds.
// - MB: bytes allocated on the JS heap during one cold build = used-heap delta + bytes freed by every GC
//   that ran during the build (from v8.GCProfiler), median of 2. An allocation estimate, not a peak.
// Baseline: bench/naive.ts naiveBuildPrompt (concatenate the raw bodies; no sanitising, no structure).
import { performance } from "node:perf_hooks";
import { GCProfiler, getHeapStatistics } from "node:v8";
import { buildConversation, clearConversationCache } from "../src/core/conversation/conversation.js";
import { buildClaudeRequest } from "../src/core/request/request.js";
import type { Thread } from "../src/core/types.js";
import { BOT, generateThread, PHRASE } from "../test/fixtures/threads.js";
import { workerShapedThread } from "./threads.js";
import { gc, median, round, type BenchResult, type Row } from "./lib.js";
import { naiveBuildPrompt } from "./naive.js";

const SIZES = [10, 100, 1000, 2500] as const;

function build(thread: Thread, triggerCommentId: string) {
  const conversation = buildConversation(thread, { bot: BOT, phrase: PHRASE, triggerCommentId });
  return buildClaudeRequest(conversation, thread, { model: "claude-sonnet-4-6", maxTokens: 4096 });
}

function timeMs(f: () => unknown): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

function usedHeap(stats: unknown): number {
  const s = stats as { usedHeapSize?: number; used_heap_size?: number };
  return s.usedHeapSize ?? s.used_heap_size ?? 0;
}

/** Bytes allocated on the JS heap while `f` runs. */
function allocatedBytes(f: () => unknown): number {
  gc();
  const profiler = new GCProfiler();
  const before = getHeapStatistics().used_heap_size;
  profiler.start();
  let keep: unknown = f();
  const after = getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let freed = 0;
  for (const s of statistics) freed += Math.max(0, usedHeap(s.beforeGC.heapStatistics) - usedHeap(s.afterGC.heapStatistics));
  keep = undefined;
  void keep;
  return after - before + freed;
}

interface SizeResult {
  /** Nominal size; the generator may add one or two comments to finish a reply. */
  size: number;
  comments: number;
  bodyChars: number;
  coldMs: number;
  warmMs: number;
  allocMB: number;
  naiveMs: number;
  naiveAllocMB: number;
  requestChars: number;
  coldSamples: number[];
}

export async function rebuild(): Promise<BenchResult> {
  // Warm the JIT first (the markdown parser's paths take a few hundred comments to settle).
  const warm = workerShapedThread({ comments: 600, seed: 99 });
  for (let i = 0; i < 4; i++) {
    clearConversationCache();
    build(warm.thread, warm.triggerId);
    naiveBuildPrompt(warm.thread);
  }

  const results: SizeResult[] = [];
  for (const size of SIZES) {
    const { thread, triggerId } = workerShapedThread({ comments: size, seed: 7 });
    const repeats = size >= 2500 ? 5 : size >= 1000 ? 7 : 15;
    const cold: number[] = [];
    const warmSamples: number[] = [];
    const naive: number[] = [];
    // Two builds of this thread that do not count: the sizes differ enough for the JIT to notice.
    for (let i = 0; i < 2; i++) {
      clearConversationCache();
      build(thread, triggerId);
    }
    for (let i = 0; i < repeats; i++) {
      clearConversationCache();
      cold.push(timeMs(() => build(thread, triggerId)));
      warmSamples.push(timeMs(() => build(thread, triggerId)));
      naive.push(timeMs(() => naiveBuildPrompt(thread)));
    }
    const alloc: number[] = [];
    const naiveAlloc: number[] = [];
    for (let i = 0; i < 2; i++) {
      clearConversationCache();
      alloc.push(allocatedBytes(() => build(thread, triggerId)));
      naiveAlloc.push(allocatedBytes(() => naiveBuildPrompt(thread)));
    }
    clearConversationCache();
    const request = build(thread, triggerId);
    results.push({
      size,
      comments: thread.comments.length,
      bodyChars: thread.comments.reduce((n, c) => n + c.body.length, thread.opening.body.length),
      coldMs: median(cold),
      warmMs: median(warmSamples),
      allocMB: median(alloc) / 1e6,
      naiveMs: median(naive),
      naiveAllocMB: median(naiveAlloc) / 1e6,
      requestChars: JSON.stringify(request).length,
      coldSamples: cold.map((x) => round(x, 2)),
    });
  }
  // For comparison: test/fixtures generateThread, whose replies carry every answered id so far.
  const fixture = generateThread({ comments: 1000, seed: 7 });
  const fixtureCold: number[] = [];
  for (let i = 0; i < 3; i++) {
    clearConversationCache();
    fixtureCold.push(timeMs(() => build(fixture.thread, fixture.triggerId)));
  }
  const fixture1000 = {
    comments: fixture.thread.comments.length,
    bodyChars: fixture.thread.comments.reduce((n, c) => n + c.body.length, fixture.thread.opening.body.length),
    coldMs: median(fixtureCold),
  };
  clearConversationCache();

  const section = "3 rebuild";
  const baselineLabel = "naive concat";
  const rows: Row[] = [];
  for (const r of results) {
    const is1000 = r.size === 1000;
    rows.push({
      section,
      metric: `${r.size.toLocaleString("en-US")} comments, cold build`,
      value: round(r.coldMs, 2),
      unit: "ms",
      baseline: round(r.naiveMs, 2),
      baselineLabel,
      ...(is1000 ? { goal: "< 50 ms", met: r.coldMs < 50 } : {}),
      note: `${r.comments} comments, ${round(r.bodyChars / 1e6, 2)} M chars; warm (memoised) ${round(r.warmMs, 2)} ms`,
    });
  }
  const warm1000 = results.find((r) => r.size === 1000)!;
  rows.push({
    section,
    metric: "1,000 comments, warm build (comment memo filled)",
    value: round(warm1000.warmMs, 2),
    unit: "ms",
    baseline: round(warm1000.naiveMs, 2),
    baselineLabel,
    goal: "< 50 ms",
    met: warm1000.warmMs < 50,
    note: "a follow-up in a process that already built this thread",
  });
  for (const r of results) {
    rows.push({
      section,
      metric: `${r.size.toLocaleString("en-US")} comments, heap allocated per cold build`,
      value: round(r.allocMB, 1),
      unit: "MB",
      baseline: round(r.naiveAllocMB, 1),
      baselineLabel,
    });
  }
  const by = (n: number) => results.find((r) => r.size === n)!;
  const ratio = (a: number, b: number, f: (r: SizeResult) => number) => f(by(b)) / f(by(a));
  // Per 10×, from 100 to 2,500 comments (25×): (t2500 / t100)^(1 / log10 25).
  const per10 = (f: (r: SizeResult) => number) => ratio(100, 2500, f) ** (1 / Math.log10(25));
  rows.push({
    section,
    metric: "growth per 10× comments, cold ms (100 → 2,500)",
    value: round(per10((r) => r.coldMs), 1),
    unit: "×",
    baseline: round(per10((r) => r.naiveMs), 1),
    baselineLabel,
    goal: "≈ 10 (linear)",
    met: per10((r) => r.coldMs) <= 12.5,
    note: `10→100 ${round(ratio(10, 100, (r) => r.coldMs), 1)}×, 100→1,000 ${round(ratio(100, 1000, (r) => r.coldMs), 1)}×`,
  });
  rows.push({
    section,
    metric: "growth per 10× comments, MB (100 → 2,500)",
    value: round(per10((r) => r.allocMB), 1),
    unit: "×",
    baseline: round(per10((r) => r.naiveAllocMB), 1),
    baselineLabel,
    goal: "≈ 10 (linear)",
    met: per10((r) => r.allocMB) <= 12.5,
    note: `100→1,000 ${round(ratio(100, 1000, (r) => r.allocMB), 1)}×`,
  });
  return { rows, details: { generator: "bench/threads.ts workerShapedThread", sizes: results, fixtureGenerateThread1000: fixture1000 } };
}
