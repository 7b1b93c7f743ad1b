// The write lane on a fake clock: priorities, spacing, the minute and hour budgets, shedding, cancellation,
// rate-limit pauses, and looking for a create that failed ambiguously before repeating it.
import { describe, expect, it } from "vitest";
import { SHED, WriteLane, type LaneClock, type WritePacing } from "../../src/github/writeLane.js";

function fakeClock() {
  let now = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  const clock: LaneClock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn, id: ++ids };
      timers.push(t);
      return t.id;
    },
    clearTimeout: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  /** Runs timers and microtasks up to `until`. */
  const advance = async (until: number) => {
    for (;;) {
      for (let i = 0; i < 20; i++) await Promise.resolve();
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > until) break;
      timers.shift();
      now = Math.max(now, next.at);
      next.fn();
    }
    now = until;
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return { clock, advance, get now() { return now; } };
}

const PACING: WritePacing = { spacingMs: 1000, perMinute: 80, perHour: 500, ackDelayMs: 1000, dropAckWhenAnswered: true };
const http = (status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error(`HTTP ${status}`), { name: "HttpError", status, response: { headers: {} }, ...extra });

describe("the write lane", () => {
  it("runs one write at a time, 1 s apart, acknowledgements before final writes before progress", async () => {
    const t = fakeClock();
    const lane = new WriteLane(PACING, t.clock);
    const order: string[] = [];
    const w = (name: string) => async () => void order.push(`${name}@${t.now}`);
    void lane.enqueue({ priority: "final", creates: true, run: w("answer1") });
    void lane.enqueue({ priority: "final", creates: true, run: w("answer2") });
    void lane.enqueue({ priority: "ack", creates: true, run: w("eyes") });
    await t.advance(5000);
    expect(order).toEqual(["answer1@0", "eyes@1000", "answer2@2000"]);
  });

  it("puts courtesy notices behind every answer waiting, whenever they were queued", async () => {
    const t = fakeClock();
    const lane = new WriteLane(PACING, t.clock);
    const order: string[] = [];
    const w = (name: string) => async () => void order.push(name);
    void lane.enqueue({ priority: "final", creates: true, run: w("first") });
    for (let i = 1; i <= 3; i++) void lane.enqueue({ priority: "notice", creates: true, run: w(`refusal${i}`) });
    void lane.enqueue({ priority: "final", creates: true, run: w("answer") });
    void lane.enqueue({ priority: "ack", creates: true, run: w("eyes") });
    await t.advance(10_000);
    expect(order).toEqual(["first", "eyes", "answer", "refusal1", "refusal2", "refusal3"]);
  });

  it("sheds courtesy notices near the hourly ceiling, keeping the budget for answers", async () => {
    const t = fakeClock();
    const lane = new WriteLane({ ...PACING, perHour: 10 }, t.clock);
    for (let i = 0; i < 10; i++) void lane.enqueue({ priority: "final", creates: true, run: async () => i });
    await t.advance(20_000);
    expect(await lane.enqueue({ priority: "notice", creates: true, run: async () => "refusal" })).toBe(SHED);
  });

  it("sheds progress writes when anything waits, and acknowledgements near the hourly ceiling", async () => {
    const t = fakeClock();
    const lane = new WriteLane({ ...PACING, perHour: 10 }, t.clock);
    const results: unknown[] = [];
    for (let i = 0; i < 10; i++) void lane.enqueue({ priority: "final", creates: true, run: async () => i });
    results.push(await lane.enqueue({ priority: "progress", creates: false, run: async () => "edit" }));
    await t.advance(20_000);
    results.push(await lane.enqueue({ priority: "ack", creates: true, run: async () => "eyes" }));
    expect(results).toEqual([SHED, SHED]);
    // The hour's budget is spent: the next answer waits for it.
    let late: number | undefined;
    void lane.enqueue({ priority: "final", creates: true, run: async () => void (late = t.now) });
    await t.advance(3_600_000 + 1000);
    expect(late).toBeGreaterThanOrEqual(3_600_000);
  });

  it("drops a waiting acknowledgement on cancel, and not one that ran", async () => {
    const t = fakeClock();
    const lane = new WriteLane(PACING, t.clock);
    const eyes = lane.enqueue({ priority: "ack", creates: true, key: "ack:1", notBefore: 1000, run: async () => "eyes" });
    expect(lane.cancel("ack:1")).toBe(true);
    expect(await eyes).toBe(SHED);
    expect(lane.cancel("ack:1")).toBe(false);
  });

  it("waits out a secondary rate limit for retry-after, then retries", async () => {
    const t = fakeClock();
    const lane = new WriteLane(PACING, t.clock);
    const starts: number[] = [];
    const result = lane.enqueue({
      priority: "final",
      creates: true,
      run: async () => {
        starts.push(t.now);
        if (starts.length === 1) throw http(403, { message: "You have exceeded a secondary rate limit", response: { headers: { "retry-after": "7" } } });
        return 42;
      },
    });
    await t.advance(10_000);
    expect(await result).toBe(42);
    expect(starts).toEqual([0, 7000]);
  });

  it("looks for a create that failed ambiguously (performed, then 502 or a reset) before repeating it", async () => {
    for (const failure of [http(502), Object.assign(new Error("other side closed"), { name: "HttpError", status: 500 })]) {
      const t = fakeClock();
      const lane = new WriteLane(PACING, t.clock);
      let runs = 0;
      let looks = 0;
      const result = lane.enqueue({
        priority: "final",
        creates: true,
        run: async () => {
          runs++;
          throw failure;
        },
        lookup: async () => (++looks, 777),
      });
      await t.advance(5000);
      expect(await result).toBe(777);
      expect([runs, looks]).toEqual([1, 1]);
    }
  });

  it("repeats a create the lookup did not find, at most 3 attempts, and never repeats one without a lookup", async () => {
    const t = fakeClock();
    const lane = new WriteLane(PACING, t.clock);
    let runs = 0;
    const result = lane.enqueue({ priority: "final", creates: true, run: async () => (++runs, Promise.reject(http(502))), lookup: async () => undefined });
    const settled = result.catch((e: unknown) => e);
    await t.advance(20_000);
    expect(await settled).toMatchObject({ status: 502 });
    expect(runs).toBe(3);

    let blind = 0;
    const once = lane.enqueue({ priority: "final", creates: true, run: async () => (++blind, Promise.reject(http(502))) }).catch((e: unknown) => e);
    await t.advance(40_000);
    expect(await once).toMatchObject({ status: 502 });
    expect(blind).toBe(1);
  });
});
