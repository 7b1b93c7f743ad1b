// 4. Token economy of a scripted 30-turn conversation (test/fixtures/threads.ts ThreadBuilder: 0–2 human
// comments, a mention, the bot's reply composed as the worker composes it, every turn). Each turn's
// request is built by the real core (buildConversation + buildClaudeRequest), then priced from the
// requests themselves. Tokens are src/core/budget/tokens.ts estimates (estimateBlockTokens per text block,
// plus the per-message and per-request framing), not a tokenizer: the ratios are what matter.
//
// Two figures per turn:
// - shared share: tokens of the longest run of leading blocks identical to the previous request's
//   (same position, role and text), over the request's tokens: what a cache could serve at best.
// - billed input: Anthropic's prompt cache as documented. A request writes a cache entry at each of its
//   cache_control breakpoints; a later request reads the longest prefix that ends at an entry, found
//   from one of its own breakpoints looking back at most 20 blocks. Read tokens bill 0.1×, tokens from
//   there to the last breakpoint are written (1.25× with the 5-minute TTL, 2× with the 1-hour TTL), the
//   rest bills 1×. Every follow-up is assumed to arrive within the TTL.
// Baseline: the same request sent in full, uncached, every turn (billed 1×).
import { createHash } from "node:crypto";
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { buildConversation } from "../src/core/conversation/conversation.js";
import { buildClaudeRequest } from "../src/core/request/request.js";
import { estimateBlockTokens, MESSAGE_OVERHEAD, REQUEST_OVERHEAD } from "../src/core/budget/tokens.js";
import { BOT, markdown, PEOPLE, PHRASE, rng, ThreadBuilder } from "../test/fixtures/threads.js";
import { mean, median, round, type BenchResult, type Row } from "./lib.js";

const TURNS = 30;

interface Block {
  /** Identity of the prefix ending with this block. */
  prefix: string;
  tokens: number;
  breakpoint: boolean;
}

export function blocksOf(request: MessageCreateParamsNonStreaming): Block[] {
  const out: Block[] = [];
  let prefix = "";
  const push = (where: string, text: string, tokens: number, breakpoint: boolean) => {
    prefix = createHash("sha256").update(prefix).update("\u0000").update(where).update("\u0000").update(text).digest("hex");
    out.push({ prefix, tokens, breakpoint });
  };
  const system = typeof request.system === "string" ? [{ type: "text" as const, text: request.system }] : (request.system ?? []);
  system.forEach((b, i) => push(`system ${i}`, b.text, estimateBlockTokens(b.text) + (i === 0 ? REQUEST_OVERHEAD : 0), Boolean(b.cache_control)));
  request.messages.forEach((m, i) => {
    const content = typeof m.content === "string" ? [{ type: "text" as const, text: m.content }] : m.content;
    content.forEach((b, j) => {
      if (b.type !== "text") throw new Error("only text blocks are built");
      push(`message ${i} ${m.role} ${j}`, b.text, estimateBlockTokens(b.text) + (j === 0 ? MESSAGE_OVERHEAD : 0), Boolean(b.cache_control));
    });
  });
  return out;
}

interface Billing {
  total: number;
  read: number;
  write: number;
  uncached: number;
}

/** Prices one request against the cache entries written so far, then adds its own entries. */
export function bill(blocks: Block[], entries: Set<string>): Billing {
  const total = blocks.reduce((n, b) => n + b.tokens, 0);
  const cum: number[] = [];
  blocks.reduce((n, b, i) => (cum[i] = n + b.tokens), 0);
  let hit = -1;
  let lastBreakpoint = -1;
  blocks.forEach((b, i) => {
    if (!b.breakpoint) return;
    lastBreakpoint = i;
    for (let q = i; q >= Math.max(0, i - 19); q--) {
      if (entries.has(blocks[q]!.prefix)) {
        hit = Math.max(hit, q);
        break;
      }
    }
  });
  for (const b of blocks) if (b.breakpoint) entries.add(b.prefix);
  const read = hit >= 0 ? cum[hit]! : 0;
  const cachedEnd = lastBreakpoint >= 0 ? cum[lastBreakpoint]! : 0;
  const write = Math.max(0, cachedEnd - read);
  return { total, read, write, uncached: total - read - write };
}

function sharedPrefixTokens(a: Block[], b: Block[]): number {
  let n = 0;
  for (let i = 0; i < Math.min(a.length, b.length) && a[i]!.prefix === b[i]!.prefix; i++) n += b[i]!.tokens;
  return n;
}

interface TurnFigures {
  turn: number;
  tokens: number;
  sharedPct: number;
  read: number;
  write: number;
  uncached: number;
  billed5mPct: number;
  billed1hPct: number;
}

export async function tokens(): Promise<BenchResult> {
  const r = rng(30);
  const b = new ThreadBuilder({ body: markdown(r, "long") });
  const people = [PEOPLE.owner, PEOPLE.member, PEOPLE.collaborator, PEOPLE.contributor, PEOPLE.outsider];
  const entries5m = new Set<string>();
  const entries1h = new Set<string>();
  let previous: Block[] | null = null;
  const turns: TurnFigures[] = [];

  for (let turn = 1; turn <= TURNS; turn++) {
    const chatter = turn === 1 ? 0 : Math.floor(r() * 3);
    for (let i = 0; i < chatter; i++) b.human(markdown(r, r() < 0.4 ? "short" : "medium"), people[Math.floor(r() * people.length)]!);
    const trigger = b.mention(markdown(r, "short"), r() < 0.7 ? PEOPLE.member : PEOPLE.owner);

    const conversation = buildConversation(b.thread, { bot: BOT, phrase: PHRASE, triggerCommentId: trigger.id });
    const request5m = buildClaudeRequest(conversation, b.thread, { model: "claude-sonnet-4-6", maxTokens: 4096 });
    const request1h = buildClaudeRequest(conversation, b.thread, { model: "claude-sonnet-4-6", maxTokens: 4096, cacheTtl: "1h" });
    const blocks = blocksOf(request5m);
    const c5 = bill(blocks, entries5m);
    const c1 = bill(blocksOf(request1h), entries1h);
    const shared = previous ? sharedPrefixTokens(previous, blocks) : 0;
    turns.push({
      turn,
      tokens: c5.total,
      sharedPct: (100 * shared) / c5.total,
      read: c5.read,
      write: c5.write,
      uncached: c5.uncached,
      billed5mPct: (100 * (c5.uncached + 0.1 * c5.read + 1.25 * c5.write)) / c5.total,
      billed1hPct: (100 * (c1.uncached + 0.1 * c1.read + 2 * c1.write)) / c1.total,
    });
    previous = blocks;

    b.reply(markdown(r, r() < 0.25 ? "long" : "medium"), [trigger.id]);
  }

  const followUps = turns.slice(1);
  const sum = (f: (t: TurnFigures) => number) => followUps.reduce((n, t) => n + f(t), 0);
  const baseline = sum((t) => t.tokens);
  const billed5m = sum((t) => (t.billed5mPct * t.tokens) / 100);
  const billed1h = sum((t) => (t.billed1hPct * t.tokens) / 100);
  const pct5m = (100 * billed5m) / baseline;
  const pct1h = (100 * billed1h) / baseline;
  const section = "4 tokens";
  const baselineLabel = "uncached";
  const rows: Row[] = [
    {
      section,
      metric: "mean share of prefix shared with previous request (turns 2–30)",
      value: round(mean(followUps.map((t) => t.sharedPct)), 1),
      unit: "%",
      baseline: 0,
      baselineLabel,
      note: `min ${round(Math.min(...followUps.map((t) => t.sharedPct)), 1)}%, turn 30 request ≈ ${turns.at(-1)!.tokens.toLocaleString("en-US")} tokens`,
    },
    {
      section,
      metric: "follow-up billed input, 5 min TTL, % of uncached",
      value: round(pct5m, 1),
      unit: "%",
      baseline: 100,
      baselineLabel,
      goal: "≤ 25%",
      met: pct5m <= 25,
      note: `per-turn median ${round(median(followUps.map((t) => t.billed5mPct)), 1)}%, max ${round(Math.max(...followUps.map((t) => t.billed5mPct)), 1)}%; first turn ${round(turns[0]!.billed5mPct, 0)}%`,
    },
    {
      section,
      metric: "follow-up billed input, 1 h TTL, % of uncached",
      value: round(pct1h, 1),
      unit: "%",
      baseline: 100,
      baselineLabel,
      goal: "≤ 25%",
      met: pct1h <= 25,
      note: `per-turn median ${round(median(followUps.map((t) => t.billed1hPct)), 1)}%, max ${round(Math.max(...followUps.map((t) => t.billed1hPct)), 1)}%; first turn ${round(turns[0]!.billed1hPct, 0)}%`,
    },
  ];
  return {
    rows,
    details: {
      estimator: "src/core/budget/tokens.ts estimateBlockTokens (ASCII 3 chars/token, deliberately high) + framing",
      turns: turns.map((t) => ({ ...t, sharedPct: round(t.sharedPct, 1), billed5mPct: round(t.billed5mPct, 1), billed1hPct: round(t.billed1hPct, 1) })),
    },
  };
}
