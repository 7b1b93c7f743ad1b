// The last resort when folding is not enough (one gigantic comment, a tiny budget): cut the middle of
// long texts, oldest first, so that a request is never over budget (re-exported by budget.ts).
import type { Conversation, Turn, UserTurnComment } from "../conversation/conversation.js";
import { buildClaudeRequest, EMPTY_ANSWER_TEXT, renderComment, renderThreadContext, type ClaudeRequestOptions } from "../request/request.js";
import { estimateBlockTokens, estimateRequestTokens, estimateTokens, MESSAGE_OVERHEAD } from "./tokens.js";
import type { Thread } from "../types.js";

export interface BudgetOptions extends ClaudeRequestOptions {
  /** Input tokens the request may use (context window minus max_tokens minus a safety margin). */
  budgetTokens: number;
}

/** The fixed parts of the request (system prompt, wrappers, configured instructions) exceed the budget. */
export class BudgetError extends Error {}

/** A text that may be cut, and what its block costs in the request. */
interface Slot {
  original: string;
  get(): string;
  set(text: string): void;
  cost(): number;
  /** Characters of `original` kept by the last cut (undefined: never cut). */
  keep?: number;
}

/** First pass: spare texts of up to this many tokens; only when that is not enough are they cut too. */
const SPARE_TOKENS = 1500;
const MARKER_CHARS = 64;

export function cutMiddle(text: string, keepChars: number): string {
  if (keepChars >= text.length) return text;
  let head = text.slice(0, Math.ceil(keepChars / 2));
  let tail = text.slice(text.length - Math.floor(keepChars / 2));
  // Never split a surrogate pair: a lone half would be an invalid character in the request JSON.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  if (/^[\uDC00-\uDFFF]/.test(tail)) tail = tail.slice(1);
  if (keepChars <= 0) tail = "";
  const marker = `[… ${text.length - head.length - tail.length} characters cut to fit the token budget …]`;
  return [head, marker, tail].filter((part) => part !== "").join("\n\n");
}

/** Cuts slots in order until `total` fits `budget`; returns the new total. */
function shrinkSlots(slots: Slot[], total: number, budget: number): number {
  for (const spare of [SPARE_TOKENS, 0]) {
    for (const slot of slots) {
      while (total > budget) {
        const current = estimateTokens(slot.get());
        if (current <= spare || slot.keep === 0) break;
        const want = Math.max(spare, current - (total - budget));
        const charsPerToken = slot.original.length / Math.max(1, estimateTokens(slot.original));
        const previous = slot.keep ?? slot.original.length;
        // Shrink by at least 10% per round so that the loop ends even where the estimate is lumpy.
        const keep = Math.max(0, Math.min(Math.floor(want * charsPerToken) - MARKER_CHARS, Math.floor(previous * 0.9)));
        const before = slot.cost();
        slot.keep = keep;
        slot.set(cutMiddle(slot.original, keep));
        total += slot.cost() - before;
      }
    }
  }
  return total;
}

/**
 * Returns `conv` unchanged when its request fits `budgetTokens`; otherwise a copy whose texts are cut in
 * the middle, oldest first: earlier comments and replies, then the summary, the opening post, and last
 * the trigger comment. Throws BudgetError if even that cannot fit (the system prompt and standing
 * instructions are never cut).
 */
export function fitToBudget(conv: Conversation, thread: Thread, options: BudgetOptions): Conversation {
  let total = estimateRequestTokens(buildClaudeRequest(conv, thread, options));
  if (total <= options.budgetTokens) return conv;

  const next: Conversation = {
    ...conv,
    context: { ...conv.context },
    warnings: [...conv.warnings],
    turns: conv.turns.map((t) => (t.role === "user" ? { role: "user", comments: t.comments.map((c) => ({ ...c })) } : { ...t })),
  };
  const comments = next.turns.flatMap((t) => (t.role === "user" ? t.comments : []));
  const opening = comments.find((c) => c.isOpening);
  const trigger = comments[comments.length - 1];
  const commentSlot = (c: UserTurnComment): Slot => ({
    original: c.text,
    get: () => c.text,
    set: (text) => (c.text = text),
    cost: () => estimateBlockTokens(renderComment(c)),
  });
  const systemCost = () => estimateBlockTokens(renderThreadContext(next, thread, options.standingInstructions));
  // The summary is bot-written and may be cut (the next block then carries the cut one); standing
  // instructions never are: they are maintainers' steering, persisted as written.
  const summarySlot: Slot = {
    original: next.context.summary,
    get: () => next.context.summary,
    set: (text) => (next.context.summary = text),
    cost: systemCost,
  };

  const slots: Slot[] = [];
  for (const turn of next.turns) {
    if (turn.role === "assistant") {
      slots.push({
        original: turn.text,
        get: () => turn.text,
        set: (text) => (turn.text = text),
        cost: () => estimateBlockTokens(turn.text.trim() === "" ? EMPTY_ANSWER_TEXT : turn.text),
      });
    } else for (const c of turn.comments) if (c !== opening && c !== trigger) slots.push(commentSlot(c));
  }
  slots.push(summarySlot);
  if (opening !== undefined && opening !== trigger) slots.push(commentSlot(opening));
  if (trigger !== undefined) slots.push(commentSlot(trigger));

  total = shrinkSlots(slots, total, options.budgetTokens);
  const final = estimateRequestTokens(buildClaudeRequest(next, thread, options));
  if (final > options.budgetTokens) {
    throw new BudgetError(`a request needs at least ${final} tokens; the budget is ${options.budgetTokens}`);
  }
  const cut = slots.filter((s) => s.keep !== undefined).length;
  next.warnings.push(`${cut} ${cut === 1 ? "text was" : "texts were"} shortened to fit the token budget.`);
  return next;
}

/** Cuts the texts of `turns` (oldest first) so that rendering them costs at most `budget` tokens. */
export function shrinkTurns(turns: Turn[], budget: number): Turn[] {
  const copy: Turn[] = turns.map((t) => (t.role === "user" ? { role: "user", comments: t.comments.map((c) => ({ ...c })) } : { ...t }));
  const slots: Slot[] = [];
  let total = 0;
  for (const turn of copy) {
    total += MESSAGE_OVERHEAD;
    if (turn.role === "assistant") {
      const slot: Slot = { original: turn.text, get: () => turn.text, set: (t) => (turn.text = t), cost: () => estimateBlockTokens(turn.text) + 8 };
      slots.push(slot);
      total += slot.cost();
    } else {
      for (const c of turn.comments) {
        const slot: Slot = { original: c.text, get: () => c.text, set: (t) => (c.text = t), cost: () => estimateBlockTokens(renderComment(c)) };
        slots.push(slot);
        total += slot.cost();
      }
    }
  }
  shrinkSlots(slots, total, budget);
  return copy;
}
