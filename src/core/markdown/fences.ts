// Fenced code, told apart line by line: the one home of the rule "a run of 3+ backticks or tildes opens a
// fence (backtick openers have no backtick in their info string); the same character, at least as many
// times, with nothing after it, closes it". Used where a full parse is not wanted (per-line rewriting of
// text the bot writes); where a decision must match GitHub exactly, the parser (markdown.ts) decides.

export interface Fence {
  /** "`" or "~". */
  char: string;
  length: number;
}

const FENCE_LINE = /^[ \t]*(`{3,}|~{3,})(.*)$/;
const QUOTED_FENCE_LINE = /^[ \t>]*(`{3,}|~{3,})(.*)$/;

export interface FenceOptions {
  /** Also see fences inside blockquotes (`> ```` `). */
  quoted?: boolean;
}

/** What a line does to the fence state: opens a fence, closes the open one, or neither. */
export type FenceStep = "opens" | "closes" | "code" | "text";

/** Feeds lines in order; `step(line)` says whether the line opens, closes, is inside, or is outside a fence. */
export function fenceTracker(options: FenceOptions = {}): { step(line: string): FenceStep; readonly open: Fence | null } {
  const pattern = options.quoted ? QUOTED_FENCE_LINE : FENCE_LINE;
  let open: Fence | null = null;
  return {
    get open() {
      return open;
    },
    step(line: string): FenceStep {
      const m = pattern.exec(line);
      const run = m?.[1];
      const info = m?.[2] ?? "";
      if (run !== undefined) {
        if (open === null && !(run[0] === "`" && info.includes("`"))) {
          open = { char: run[0]!, length: run.length };
          return "opens";
        }
        if (open !== null && run[0] === open.char && run.length >= open.length && info.trim() === "") {
          open = null;
          return "closes";
        }
      }
      return open === null ? "text" : "code";
    },
  };
}


/** A backtick fence that no run of backticks in `text` can close: longer than the longest, and at least 3. */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return "`".repeat(Math.max(3, longest + 1));
}
