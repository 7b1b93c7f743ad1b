// The markdown guard's bound, measured: for each shape on which the parser is super-linear, the largest
// text the guard accepts within GitHub's 65,536-character limit, and how long its parse takes, against
// 65 KB of plain prose paragraphs parsed in the same process. Also the guard's own decision on the 65 KB
// comment of `- - - x` lines, and what parsing a small piece of that comment costs with no guard.
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { parseMarkdown, scanMarkdown } from "../src/core/markdown/markdown.js";
import { type BenchResult, median, round, type Row } from "./lib.js";

const MAX = 65_536;

function largestAccepted(head: string, unit: string, tail = ""): string {
  const ok = (n: number) => scanMarkdown(head + unit.repeat(n) + tail).reason === null;
  let lo = 0;
  let hi = Math.floor((MAX - head.length - tail.length) / unit.length);
  if (ok(hi)) return head + unit.repeat(hi) + tail;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return head + unit.repeat(lo) + tail;
}

function time(fn: () => unknown, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

const SHAPES: [string, string, string, string?][] = [
  ["`- - - x` lines", "", "- - - x\n"],
  ["`- x` items", "", "- x\n"],
  ["three-level lists", "", "- x\n  - y\n    - z\n"],
  ["quoted lists", "", "> - > - x\n"],
  ["lazy lines in items", "- a\n", "- b\nc\n"],
  ["lazy lines in a quote", "> a\n", "b\n"],
  ["one-character paragraphs", "", "b\n\n"],
  ["headings", "", "# h\n"],
  ["table rows", "|a|b|\n|-|-|\n", "|x|y|\n"],
  ["table columns", "|", "a|", "\n|-|\n"],
  ["code spans", "", "`a "],
  ["bracket lines", "", "x]: y\n"],
  ["fence lines", "```\n", "c\n", "```\n"],
];

export async function markdownGuard(runs = 5): Promise<BenchResult> {
  const prose = "The importer drops rows with a trailing comma; this paragraph is ordinary prose.\n\n".repeat(800).slice(0, MAX);
  parseMarkdown(prose); // warm up
  const baseline = time(() => parseMarkdown(prose), runs);
  const rows: Row[] = [];
  const details: Record<string, unknown> = { baselineMs: baseline };
  let worst = 0;
  for (const [label, head, unit, tail] of SHAPES) {
    const text = largestAccepted(head, unit, tail);
    const ms = time(() => parseMarkdown(text), runs);
    worst = Math.max(worst, ms);
    details[label] = { chars: text.length, lines: scanMarkdown(text).lines, ms: round(ms, 1) };
    rows.push({ section: "markdownGuard", metric: `parse, largest accepted: ${label}`, value: round(ms, 1), unit: "ms", baseline: round(baseline, 1), baselineLabel: "65 KB prose" });
  }
  rows.push({ section: "markdownGuard", metric: "parse, worst accepted shape", value: round(worst, 1), unit: "ms", baseline: round(baseline, 1), baselineLabel: "65 KB prose" });

  const hostile = "- - - x\n".repeat(MAX / 8 - 3) + "@claude hi\n";
  const decide = time(() => scanMarkdown(hostile), runs);
  rows.push({ section: "markdownGuard", metric: "decide the 65 KB `- - - x` comment (refused)", value: round(decide, 2), unit: "ms", goal: "< 50", met: decide < 50 });
  const unguarded = unified().use(remarkParse).use(remarkGfm);
  const piece = hostile.slice(0, 8_192);
  const before = time(() => unguarded.parse(piece), Math.min(runs, 3));
  rows.push({ section: "markdownGuard", metric: "no guard: parse 8 KB of `- - - x` lines", value: round(before, 0), unit: "ms", baseline: round(baseline, 1), baselineLabel: "65 KB prose", note: "quadratic: 65 KB took ~21 s" });
  return { rows, details };
}
