// The markdown guard's bound on the shapes where the parser is super-linear (long runs of list items,
// nested lists per line, quotes with lists, lazy continuation lines, headings, table rows and columns,
// reference-definition lines, emphasis and code-span runs), at every size up to GitHub's 65,536-character
// comment limit. Asserted on work counters rather than a clock (a timed assertion measures the machine):
// the scan looks at each line and character once, and whatever it accepts has at most a bounded number of
// the lines, list items and cells that the parser's cost grows with. bench/markdownGuard.ts times it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MARKDOWN_LIMITS, parseMarkdown, scanMarkdown } from "../../src/core/markdown/markdown.js";
import { sanitizeUntrustedMarkdown } from "../../src/core/sanitize/index.js";
import { detectTrigger } from "../../src/core/trigger/trigger.js";

const RUNS = Number(process.env.FC_RUNS ?? 1000);
const TIMEOUT = Math.max(60_000, RUNS * 20);
const MAX = 65_536;

const units = fc.constantFrom(
  "- - - x\n", "- x\n", "* x\n", "+ x\n", "1. x\n", "2) x\n", "- x\n  - y\n", "- x\n  - y\n    - z\n", "> - x\n", "> - > - x\n",
  "> x\n", "> > x\n", "b\n", "b\n\n", "# h\n", "- [ ] x\n", "- b\nc\n", "|x|y|\n", "a|", "[a]: b\n", "x]: y\n", "*a ", "**a** ",
  "`a ", "[a](b) ", "<a>\n", "<div>\n\n", "www.a.b ", "- <!-- hidden -->x\n", "> ![alt](x) y\n", "-\n", "a\n-\n",
);
const heads = fc.constantFrom("", "> a\n", "- a\n", "|a|b|\n|-|-|\n", "```\n", "Intro paragraph.\n\n");
const adversarial = fc
  .tuple(heads, fc.array(units, { minLength: 1, maxLength: 3 }), fc.integer({ min: 256, max: MAX }), fc.boolean())
  .map(([head, parts, size, mention]) => {
    const unit = parts.join("");
    const tail = mention ? "\n\n@claude please look" : "";
    const room = Math.max(0, size - head.length - tail.length);
    return head + unit.repeat(Math.ceil(room / unit.length)).slice(0, room) + tail;
  });

const lineCount = (text: string) => text.split(/\r\n|\r|\n/).length;

/** Independent of the guard: lines outside fences, list-item and quote markers, and pipes. */
function structure(text: string): { lines: number; markers: number; pipes: number } {
  let lines = 0;
  let markers = 0;
  let pipes = 0;
  let inFence = false;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (/^(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    if (line.trim() !== "") lines++;
    const prefix = /^(?:[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))*/.exec(line)![0];
    markers += (prefix.match(/>|[-*+]|\d{1,9}[.)]/g) ?? []).length;
    const onLine = (line.match(/(?<!\\)\|/g) ?? []).length;
    // Rows of a few cells are cheap (a tenth of a line each cell); a row of hundreds of columns is not.
    pipes += onLine <= 100 ? onLine / 10 : onLine - 90;
  }
  return { lines, markers, pipes };
}

describe("the guard's bound on super-linear shapes, up to 65,536 characters", () => {
  it("decides in one pass, and accepts only a bounded amount of the structure the parser is quadratic in", () => {
    fc.assert(
      fc.property(adversarial, (text) => {
        const scan = scanMarkdown(text);
        expect(scan.lines).toBeLessThanOrEqual(lineCount(text));
        expect(scan.chars).toBeLessThanOrEqual(text.length + scan.lines);
        if (scan.reason !== null) return;
        const found = structure(text);
        expect(found.lines + found.markers + found.pipes).toBeLessThanOrEqual(2 * MARKDOWN_LIMITS.lineWork);
        expect(scan.lineWork).toBeLessThanOrEqual(MARKDOWN_LIMITS.lineWork);
      }),
      { numRuns: Math.min(RUNS, 300) },
    );
  }, TIMEOUT);

  it("refuses the 65 KB comment of `- - - x` lines with a mention, without parsing it", () => {
    const text = "- - - x\n".repeat(MAX / 8 - 3) + "@claude hi\n";
    const scan = scanMarkdown(text);
    expect(scan.reason).toMatch(/too many lines, list items/);
    // It decided within the first few hundred lines: the rest was never looked at.
    expect(scan.lines).toBeLessThan(400);
    expect(detectTrigger(text, { phrase: "@claude" }).triggered).toBe(false);
  });

  it("whatever it refuses, the sanitiser still strips hidden content, on the linear textual path", () => {
    fc.assert(
      fc.property(adversarial, fc.constantFrom("<!-- secret -->", "![hidden alt](x.png)", "<span title=\"t\">v</span>", "[//]: # (note)"), (text, hidden) => {
        const input = `${hidden}\n\n${text}`;
        if (scanMarkdown(input).reason === null) return;
        const out = sanitizeUntrustedMarkdown(input);
        for (const leak of ["secret", "hidden alt", "title=", "note"]) expect(out).not.toContain(leak);
      }),
      { numRuns: Math.min(RUNS, 100) },
    );
  }, TIMEOUT);

  it("ordinary long comments stay accepted: 1,500 lines of prose, 500 three-level list items, a 1,000-line fence", () => {
    const prose = "A sentence of ordinary prose about the importer and its rows.\n".repeat(1_000);
    expect(scanMarkdown(prose.slice(0, MAX)).reason).toBeNull();
    const list = "- step\n  - detail\n    - note\n".repeat(166);
    expect(scanMarkdown(list).reason).toBeNull();
    const fence = "Log:\n\n```\n" + "2026-01-01T00:00:00Z INFO request served in 12 ms\n".repeat(1_000) + "```\n";
    expect(scanMarkdown(fence).reason).toBeNull();
    expect(() => parseMarkdown(list)).not.toThrow();
  });
});
