// Long threads: cost per turn over a 150-turn thread, folding (the worker's own prepareRequest) against
// never folding, at the default budget (100k) and at 20k.
//
// The thread grows as tokens.ts grows it (test/fixtures/threads.ts ThreadBuilder: 0–2 people's comments,
// a mention, the bot's reply, every turn), with longer texts (about 900 tokens a turn, as in the threads
// where the first fold at the default budget came at turn 116), identical in both runs. Each turn's request is priced
// with the prompt-cache model of tokens.ts (entries at breakpoints, reads looking back 20 blocks; every
// turn within the 5-minute TTL): uncached input 1×, cache reads 0.1×, cache writes 1.25× at
// claude-sonnet-4-6 list prices ($3 / $15), plus the reply's output tokens at $15. A fold's summary calls
// are billed uncached at claude-haiku-4-5 prices ($1 / $5), the summary a fixed 1,900-character text (what
// "a few hundred words" measures). Tokens are the app's estimate (src/core/budget/tokens.ts).
//
// "Never folding" is the same thread with the budget not enforced: every request carries the whole
// thread. It stays under claude-sonnet-4-6's window (1M; the largest request is in the note), so it is a
// real alternative at either budget, only not an allowed one at 20k.
import { buildConversation } from "../src/core/conversation/conversation.js";
import { buildClaudeRequest } from "../src/core/request/request.js";
import { estimateRequestTokens, estimateTokens } from "../src/core/budget/tokens.js";
import { estimateCostUsd } from "../src/core/budget/pricing.js";
import { defaultRepoConfig } from "../src/config/repo.js";
import { readSettings } from "../src/config/env.js";
import { prepareRequest } from "../src/worker/prepare.js";
import { BOT, markdown, PEOPLE, PHRASE, rng, ThreadBuilder } from "../test/fixtures/threads.js";
import { bill, blocksOf } from "./tokens.js";
import { mean, round, type BenchResult, type Row } from "./lib.js";

const TURNS = 150;
const MODEL = "claude-sonnet-4-6";
const SUMMARY_MODEL = "claude-haiku-4-5";
const SUMMARY = "The thread so far, in a few hundred words: what was reported, what was tried, who decided what. ".repeat(20).slice(0, 1900);

interface Turn {
  chatter: { text: string; by: (typeof PEOPLE)[keyof typeof PEOPLE] }[];
  mention: string;
  by: (typeof PEOPLE)[keyof typeof PEOPLE];
  reply: string;
}

function script(): { opening: string; turns: Turn[] } {
  const r = rng(150);
  const people = [PEOPLE.owner, PEOPLE.member, PEOPLE.collaborator, PEOPLE.contributor, PEOPLE.outsider];
  const opening = markdown(r, "long");
  const turns: Turn[] = [];
  for (let t = 1; t <= TURNS; t++) {
    const chatter = Array.from({ length: t === 1 ? 0 : Math.floor(r() * 3) }, () => ({
      text: markdown(r, r() < 0.3 ? "long" : "medium"),
      by: people[Math.floor(r() * people.length)]!,
    }));
    const mention = markdown(r, "short");
    const by = r() < 0.7 ? PEOPLE.member : PEOPLE.owner;
    turns.push({ chatter, mention, by, reply: markdown(r, r() < 0.6 ? "long" : "medium") });
  }
  return { opening, turns };
}

interface Run {
  perTurnUsd: number[];
  folds: number;
  summaryCalls: number;
  summaryUsd: number;
  maxRequestTokens: number;
}

async function run(budget: number, fold: boolean): Promise<Run> {
  const { opening, turns } = script();
  const settings = readSettings({ ANTHROPIC_API_KEY: "bench", CLAUDE_INPUT_TOKEN_BUDGET: String(budget) });
  const config = defaultRepoConfig(settings);
  const b = new ThreadBuilder({ body: opening });
  const entries = new Set<string>();
  const out: Run = { perTurnUsd: [], folds: 0, summaryCalls: 0, summaryUsd: 0, maxRequestTokens: 0 };
  for (const turn of turns) {
    for (const c of turn.chatter) b.human(c.text, c.by);
    const trigger = b.mention(turn.mention, turn.by);
    let request;
    let changes = {};
    let summaryUsd = 0;
    if (fold) {
      const prepared = await prepareRequest({
        thread: b.thread,
        bot: BOT,
        triggerId: trigger.id,
        phrase: PHRASE,
        settings,
        config,
        summarize: async (summaryRequest) => {
          const usage = { input: estimateRequestTokens(summaryRequest), cache_read: 0, cache_write: 0, output: estimateTokens(SUMMARY) };
          summaryUsd += estimateCostUsd(SUMMARY_MODEL, usage)!;
          out.summaryCalls++;
          return { text: SUMMARY, model: SUMMARY_MODEL, usage };
        },
      });
      request = prepared.request;
      if (prepared.summary) out.folds++;
      changes = { summary: prepared.conversation.context.summary, summary_until: prepared.conversation.context.summary_until };
    } else {
      const conversation = buildConversation(b.thread, { bot: BOT, phrase: PHRASE, triggerCommentId: trigger.id });
      request = buildClaudeRequest(conversation, b.thread, { model: MODEL, maxTokens: config.max_output_tokens, cacheTtl: config.cache_ttl });
    }
    const billed = bill(blocksOf(request), entries);
    out.maxRequestTokens = Math.max(out.maxRequestTokens, billed.total);
    const usage = { input: billed.uncached, cache_read: billed.read, cache_write: billed.write, output: estimateTokens(turn.reply) };
    out.perTurnUsd.push(estimateCostUsd(MODEL, usage)! + summaryUsd);
    out.summaryUsd += summaryUsd;
    b.reply(turn.reply, [trigger.id], changes);
  }
  return out;
}

export async function longThreads(): Promise<BenchResult> {
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  for (const [budget, goalShare, goal] of [
    [100_000, 1, "≤ never folding"],
    [20_000, 0.8, "≤ 80% of never folding"],
  ] as const) {
    const folding = await run(budget, true);
    const never = await run(budget, false);
    const fold = mean(folding.perTurnUsd);
    const base = mean(never.perTurnUsd);
    const label = budget === 100_000 ? "default budget (100k)" : "20k budget";
    rows.push({
      section: "long threads",
      metric: `cost per turn over ${TURNS} turns, ${label}, folding`,
      value: round(fold * 1000, 3),
      unit: "m$",
      baseline: round(base * 1000, 3),
      baselineLabel: "never folding",
      goal,
      met: fold <= base * goalShare,
      note:
        `${folding.folds} folds (${folding.summaryCalls} summary calls, ${round((100 * folding.summaryUsd) / (fold * TURNS), 1)}% of the cost); ` +
        `largest request ${folding.maxRequestTokens.toLocaleString("en-US")} tokens folding, ${never.maxRequestTokens.toLocaleString("en-US")} never folding (window 1,000,000); ` +
        `run totals $${round(fold * TURNS, 3)} vs $${round(base * TURNS, 3)}`,
    });
    details[`budget${budget}`] = {
      folds: folding.folds,
      summaryCalls: folding.summaryCalls,
      perTurnUsdFolding: folding.perTurnUsd.map((v) => round(v, 5)),
      perTurnUsdNever: never.perTurnUsd.map((v) => round(v, 5)),
    };
  }
  return { rows, details };
}
