// A reduced hostile mix against the real process (src/server.ts under tsx, its own RSS and event loop): the
// 65 KB list-lines comment with a mention from an outsider and from a maintainer, one 300 MB unsigned POST
// streamed from a generator, and 50 outsider mentions in one 50-comment thread, sent at once beside a
// maintainer's mentions in another thread, with `/ping` polled throughout. The maintainer is answered, once
// per mention; the outsiders get at most one notice each and no model call. Timing figures are the bench's
// (`npm run bench -- hostileMix`); here only the coarse promise: every `/ping` is answered within 2 s.
import { describe, expect, it } from "vitest";
import { runHostileMix } from "../../bench/hostileMix.js";

describe("a hostile mix beside a maintainer (npm start)", () => {
  it("answers the maintainer once per mention, gives outsiders at most one notice and no model call, and keeps /ping answering", async () => {
    const maintainerMentions = 3;
    const r = await runHostileMix({
      baseline: false,
      maintainerMentions,
      spacingMs: 500,
      outsiderMentions: 50,
      outsiderLogins: 5,
      unsignedAtOnce: 1,
      unsignedFollowing: 0,
      drainMs: 30_000,
    });
    const context = () => r.appOutputTail;

    expect(r.appAlive, context()).toBe(true);
    expect(r.mix.ackStatuses).toEqual(Array(maintainerMentions).fill(200));
    expect(Object.values(r.mix.answersPerTrigger), context()).toEqual(Array(maintainerMentions).fill(1));

    // Outsiders: every mention acknowledged, each login told once at most, nothing of theirs sent to Claude.
    expect(r.outsiderStatuses).toEqual(Array(50).fill(200));
    for (const [login, notices] of Object.entries(r.outsiderNotices)) expect(notices, login).toBeLessThanOrEqual(1);
    expect(r.modelRequestsFromOutsiders).toBe(0);
    // Two warm-up answers and the maintainer's series: no other model call (not the list-lines comments).
    expect(r.modelRequests).toBe(2 + maintainerMentions);

    // The list-lines comments: the maintainer is told the comment cannot be read, the outsider is not answered.
    expect(r.listLines.ackStatuses).toEqual([200, 200]);
    expect(r.listLines.maintainerNotified).toBe(true);
    expect(r.listLines.outsiderNotified).toBe(false);

    // The unsigned upload is cut at the cap.
    expect(r.unsigned.map((u) => u.status)).toEqual([413]);

    // Coarse responsiveness: no /ping failed or waited for seconds.
    expect(r.mix.pingFailures).toBe(0);
    expect(r.mix.pingMs.length).toBeGreaterThan(10);
    expect(Math.max(...r.mix.pingMs)).toBeLessThan(2_000);
  }, 120_000);
});
