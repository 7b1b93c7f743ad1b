// The write lane: every GitHub write of an installation goes through one lane, one at a time, paced as
// GitHub asks (at least 1 s between mutations; about 80 content-creating requests a minute and 500 an hour
// per installation), in priority order:
//   1. acknowledgements (the 👀 reaction),
//   2. final writes (the answer, a notice, the placeholder that will carry the answer),
//   3. courtesy notices (telling someone who may not call the bot so): never ahead of an answer, so a flood
//      of outsiders' mentions cannot delay the maintainers' answers,
//   4. progress edits, which are shed (dropped, the sink tries again later) when anything else waits.
// Nothing in the lane stands in front of the model call: the worker never awaits a write before asking.
//
// Failures:
// - a rate limit (403/429 "secondary rate limit", or `x-ratelimit-remaining: 0`) pauses the whole lane for
//   `retry-after` (GitHub's limit is per installation), then the write is tried again (twice at most);
// - an ambiguous failure (a 5xx, a dropped connection, a timed-out attempt: GitHub may have acted) of a
//   write that creates something is first looked for (`lookup`, a read); found, it counts as done. Only
//   then is it tried again (3 attempts in all). Idempotent writes (edits, reactions) are simply retried.
import { classifyError, type Failure } from "../core/errors.js";

export interface WritePacing {
  /** Least time between the starts of two writes (GitHub: "at least one second"). */
  spacingMs: number;
  /** Content-creating writes (comments, reactions) per rolling minute. */
  perMinute: number;
  /** Content-creating writes per rolling hour. */
  perHour: number;
  /**
   * How long a 👀 waits before it goes out: an answer ready sooner goes first and the 👀 is dropped (the
   * answer acknowledges), so a quick answer costs one write and waits behind none.
   */
  ackDelayMs: number;
  /** A 👀 still waiting when the answer is written is dropped (the answer acknowledges). */
  dropAckWhenAnswered: boolean;
}

export const DEFAULT_WRITE_PACING: WritePacing = { spacingMs: 1000, perMinute: 80, perHour: 500, ackDelayMs: 1000, dropAckWhenAnswered: true };

export type WritePriority = "ack" | "final" | "notice" | "progress";
const RANK: Record<WritePriority, number> = { ack: 0, final: 1, notice: 2, progress: 3 };

/** What a shed write resolves to. */
export const SHED = Symbol("shed");
export type Shed = typeof SHED;

export interface Write<T> {
  priority: WritePriority;
  /** Creates content (a comment, a reaction): counts against the per-minute and per-hour budgets. */
  creates: boolean;
  run: () => Promise<T>;
  /** After an ambiguous failure: what the failed attempt may have created, or undefined. */
  lookup?: () => Promise<T | undefined>;
  /** Retried after an ambiguous failure without a lookup (edits, reactions: doing them twice is harmless). */
  idempotent?: boolean;
  /** Names the write, so that it can be cancelled while it waits (`ack:<trigger id>`). */
  key?: string;
  /** Not before this time (ms since the epoch). */
  notBefore?: number;
  /** Told about each failed attempt (for logs). */
  onRetry?: (failure: Failure, attempt: number) => void;
}

interface Item<T = unknown> extends Write<T> {
  seq: number;
  attempts: number;
  rateLimitRetries: number;
  resolve: (value: T | Shed) => void;
  reject: (error: unknown) => void;
}

/** Attempts of a write after ambiguous failures or 5xx; rate-limit waits do not count. */
export const WRITE_ATTEMPTS = 3;
export const RATE_LIMIT_RETRIES = 2;
/** Progress edits are shed when this many writes wait (or any acknowledgement or final write does). */
const SHED_PROGRESS_AT = 1;
/** Share of the hourly budget kept for answers: below it, acknowledgements are shed (the answer is one). */
const ACK_RESERVE = 0.1;
/** Secondary limit without `retry-after`: GitHub says to wait at least a minute. */
const SECONDARY_FALLBACK_MS = 60_000;

export interface LaneClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: LaneClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface LaneStats {
  waiting: number;
  written: number;
  shed: number;
  retried: number;
  pausedUntil: number;
}

export class WriteLane {
  readonly #items: Item[] = [];
  readonly #created: number[] = []; // start times of content-creating writes in the last hour
  #pacing: WritePacing;
  readonly #clock: LaneClock;
  #seq = 0;
  #running = false;
  #timer: unknown = null;
  #lastStart = -Infinity;
  #pausedUntil = 0;
  #written = 0;
  #shed = 0;
  #retried = 0;

  constructor(pacing: WritePacing = DEFAULT_WRITE_PACING, clock: LaneClock = realClock) {
    this.#pacing = pacing;
    this.#clock = clock;
  }

  set pacing(pacing: WritePacing) {
    this.#pacing = pacing;
  }

  get stats(): LaneStats {
    return { waiting: this.#items.length, written: this.#written, shed: this.#shed, retried: this.#retried, pausedUntil: this.#pausedUntil };
  }

  /** Nothing waits or runs, and the budgets' history has expired: the lane can be forgotten. */
  get idle(): boolean {
    const now = this.#clock.now();
    return this.#items.length === 0 && !this.#running && now >= this.#pausedUntil && (this.#created.at(-1) ?? -Infinity) < now - 3_600_000;
  }

  /** Queues a write; resolves with its result, or SHED when it was dropped (progress edits, acknowledgements, courtesy notices). */
  enqueue<T>(write: Write<T>): Promise<T | Shed> {
    if (write.priority === "progress" && this.#mustShedProgress()) {
      this.#shed++;
      return Promise.resolve(SHED);
    }
    // Near the hourly ceiling the budget is kept for answers: acknowledgements and courtesy notices go.
    if ((write.priority === "ack" || write.priority === "notice") && Number.isFinite(this.#pacing.perHour) && this.#hourlyLeft() <= this.#pacing.perHour * ACK_RESERVE) {
      this.#shed++;
      return Promise.resolve(SHED);
    }
    return new Promise<T | Shed>((resolve, reject) => {
      const item = { ...write, seq: this.#seq++, attempts: 0, rateLimitRetries: 0, resolve, reject } as Item<T>;
      this.#items.push(item as Item);
      this.#pump();
    });
  }

  /** Drops a waiting write by key (it resolves SHED); false when none waits (it ran, or is running). */
  cancel(key: string): boolean {
    const index = this.#items.findIndex((i) => i.key === key);
    if (index < 0) return false;
    const [item] = this.#items.splice(index, 1);
    this.#shed++;
    item!.resolve(SHED);
    return true;
  }

  #mustShedProgress(): boolean {
    if (this.#items.length >= SHED_PROGRESS_AT) return true;
    return this.#items.some((i) => i.priority !== "progress");
  }

  #hourlyLeft(): number {
    this.#expire();
    return this.#pacing.perHour - this.#created.length;
  }

  #expire(): void {
    const hourAgo = this.#clock.now() - 3_600_000;
    while (this.#created.length > 0 && this.#created[0]! <= hourAgo) this.#created.shift();
  }

  /** When a content-creating write may start under the minute and hour budgets. */
  #budgetFreeAt(): number {
    this.#expire();
    const { perMinute, perHour } = this.#pacing;
    let at = 0;
    if (Number.isFinite(perHour) && this.#created.length >= perHour) at = Math.max(at, this.#created[this.#created.length - perHour]! + 3_600_000);
    if (Number.isFinite(perMinute) && this.#created.length >= perMinute) {
      at = Math.max(at, this.#created[this.#created.length - perMinute]! + 60_000);
    }
    return at;
  }

  #schedule(at: number): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#pump();
    }, Math.max(0, at - this.#clock.now()));
  }

  #pump(): void {
    if (this.#running || this.#items.length === 0) return;
    const now = this.#clock.now();
    const laneAt = Math.max(this.#lastStart + this.#pacing.spacingMs, this.#pausedUntil);
    if (now < laneAt) return this.#schedule(laneAt);
    const budgetAt = this.#budgetFreeAt();
    let best: Item | undefined;
    let nextReady = Infinity;
    for (const item of this.#items) {
      const readyAt = Math.max(item.notBefore ?? 0, item.creates ? budgetAt : 0);
      if (readyAt > now) {
        nextReady = Math.min(nextReady, readyAt);
        continue;
      }
      if (!best || RANK[item.priority] < RANK[best.priority] || (RANK[item.priority] === RANK[best.priority] && item.seq < best.seq)) best = item;
    }
    if (!best) return this.#schedule(nextReady);
    if (this.#timer !== null) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#items.splice(this.#items.indexOf(best), 1);
    void this.#run(best);
  }

  async #run(item: Item): Promise<void> {
    this.#running = true;
    const started = this.#clock.now();
    this.#lastStart = started;
    if (item.creates) this.#created.push(started);
    item.attempts++;
    try {
      const value = await item.run();
      this.#written++;
      item.resolve(value);
    } catch (error) {
      await this.#failed(item, error);
    } finally {
      this.#running = false;
      this.#pump();
    }
  }

  async #failed(item: Item, error: unknown): Promise<void> {
    const f = classifyError(error, { assume: "github" });
    item.onRetry?.(f, item.attempts);
    if (f.kind === "rate-limited" && item.rateLimitRetries < RATE_LIMIT_RETRIES) {
      const wait = f.retryAfterMs ?? (f.rateLimit === "secondary" ? SECONDARY_FALLBACK_MS : 1000);
      this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + wait);
      item.rateLimitRetries++;
      item.attempts--; // a rate limit is a wait, not a failed attempt
      this.#retry(item);
      return;
    }
    if (f.retryable && f.ambiguous && item.attempts < WRITE_ATTEMPTS) {
      if (item.lookup) {
        const found = await this.#look(item);
        if (found !== undefined) return item.resolve(found);
      } else if (!item.idempotent) {
        return item.reject(error); // never repeated blind
      }
      // 1 s, then 2 s (on top of the lane's spacing).
      item.notBefore = this.#clock.now() + 1000 * 2 ** (item.attempts - 1);
      this.#retry(item);
      return;
    }
    if (f.ambiguous && item.lookup) {
      const found = await this.#look(item);
      if (found !== undefined) return item.resolve(found);
    }
    item.reject(error);
  }

  async #look<T>(item: Item<T>): Promise<T | undefined> {
    try {
      return await item.lookup!();
    } catch {
      return undefined; // could not look: the next attempt may look again
    }
  }

  #retry(item: Item): void {
    this.#retried++;
    this.#items.push(item);
  }
}

const lanes = new Map<string, WriteLane>();
let calls = 0;

/**
 * The lane of an installation (one per process; with several replicas each paces its own writes, and
 * GitHub's rate-limit answers, waited out here, cover the rest).
 */
export function laneFor(installationId: number | string | undefined, pacing: WritePacing = DEFAULT_WRITE_PACING): WriteLane {
  const key = String(installationId ?? "app");
  if (++calls % 1000 === 0) for (const [k, lane] of lanes) if (lane.idle) lanes.delete(k);
  let lane = lanes.get(key);
  if (!lane) {
    lane = new WriteLane(pacing);
    lanes.set(key, lane);
  } else lane.pacing = pacing;
  return lane;
}
