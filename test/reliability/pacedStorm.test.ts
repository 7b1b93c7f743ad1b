// A small storm on one installation with the app's real write pacing (the write lane): every mention is
// answered exactly once, an answer costs at most two writes (👀 and the answer), and no answer or progress
// write ever goes out while a 👀 that is due waits. The 100-mention figures are in `npm run bench` (storm).
import { describe, expect, it } from "vitest";
import { runStorm } from "../../bench/storm.js";
import { DEFAULT_WRITE_PACING } from "../../src/github/writeLane.js";

describe("a burst of 12 mentions over 4 issues, paced as in production", () => {
  it("answers each once, in ≤ 2 writes per answer, and lets no answer jump a due 👀", async () => {
    const r = await runStorm({ mentions: 12, issues: 4, modelMs: 300, spreadMs: 300 });
    expect(r.answered).toHaveLength(12);
    expect(new Set(r.answered).size).toBe(12);
    expect(r.writesPerAnswer).toBeLessThanOrEqual(2);

    const writes = r.calls.filter((c) => (c.method === "POST" || c.method === "PATCH") && c.path.startsWith("/repos/"));
    const eyes = writes.filter((c) => c.path.endsWith("/reactions"));
    const others = writes.filter((c) => !c.path.endsWith("/reactions"));
    for (const e of eyes) {
      const trigger = /comments\/(\d+)\/reactions$/.exec(e.path)![1]!;
      const due = r.sentAt.get(trigger)! + DEFAULT_WRITE_PACING.ackDelayMs;
      // A write that started after this 👀 was due (with room for the lane's own scheduling) and before it.
      const jumped = others.filter((w) => w.start > due + 150 && w.start < e.start);
      expect(jumped).toEqual([]);
    }
  }, 120_000);
});
