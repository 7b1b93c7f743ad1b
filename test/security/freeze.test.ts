// Nobody can freeze the process with a comment. Comments of list lines (`- - - x` per line) made the
// markdown parser quadratic: 65 KB blocked the event loop for ~21 s, during which `/ping` and every other
// webhook waited. Through the real server: such a comment with a mention is delivered, and `/ping` is
// polled while the worker handles it; the guard refuses the text before any parse, so no ping waits long.
import { afterEach, describe, expect, it } from "vitest";
import { scanMarkdown } from "../../src/core/markdown/markdown.js";
import { finalState, mention, scene, type Scene } from "../reliability/support.js";

let s: Scene;
afterEach(async () => {
  await s?.h.close();
});

/** Polls `/ping` until `done` settles; the slowest answer, in ms. */
async function slowestPing(url: string, done: Promise<unknown>): Promise<number> {
  let finished = false;
  void done.finally(() => (finished = true));
  let slowest = 0;
  while (!finished) {
    const started = performance.now();
    const response = await fetch(`${url}/ping`);
    expect(await response.text()).toBe("PONG");
    slowest = Math.max(slowest, performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return slowest;
}

// Generous: the bound is about the event loop never being held for seconds, not about a fast machine.
const PING_LIMIT_MS = 1_000;

describe("a comment that would stall the markdown parser", () => {
  // 24 KB already blocked for several seconds before the guard counted list items; 65,536 is GitHub's limit.
  // An outsider is refused before anything they wrote is parsed; a maintainer's comment reaches the worker,
  // whose guard refuses it and tells them to ask in a simpler comment. Either way no ping waits long.
  const cases = [
    { size: 24_000, who: { login: "eve", association: "NONE" as const }, outcome: "refused, unparsed" },
    { size: 65_536, who: { login: "eve", association: "NONE" as const }, outcome: "refused, unparsed" },
    { size: 65_536, who: { login: "Codertocat", association: "OWNER" as const }, outcome: "told it is too complex" },
  ];
  for (const { size, who, outcome } of cases) {
    it(`${size} characters of \`- - - x\` lines with a mention by ${who.login}: /ping stays responsive, ${outcome}, no model call`, async () => {
      s = await scene();
      const body = "- - - x\n".repeat(Math.floor((size - 20) / 8)) + "\n@claude hello";
      expect(body.length).toBeLessThanOrEqual(size);
      expect(scanMarkdown(body).reason).not.toBeNull();
      // Warm up (first requests compile code paths), so what is measured is the comment's handling.
      await mention(s, "@claude warm up", who);
      await fetch(`${s.h.url}/ping`);
      const before = finalState(s).all.length;
      const requestsBefore = s.h.anthropic.requests.length;
      const handled = mention(s, body, who);
      const slowest = await slowestPing(s.h.url, handled);
      await handled;
      expect(slowest).toBeLessThan(PING_LIMIT_MS);
      expect(s.h.anthropic.requests).toHaveLength(requestsBefore);
      const after = finalState(s).all.slice(before);
      if (who.association === "NONE") {
        // Refused on the permission alone (and already told once, at the warm-up): nothing posted.
        expect(s.h.logs.some((line) => line.includes("not allowed to call the bot"))).toBe(true);
        expect(after).toHaveLength(0);
      } else {
        expect(after).toHaveLength(1);
        expect(after[0]!.body).toContain("I could not read this comment");
      }
    }, 60_000);
  }
});
