// A mention inside a comment the markdown guard refuses to parse (thousands of nested quotes, a long run of
// emphasis) with the phrase in plain text: its author gets one short notice instead of silence, and Claude
// is not asked. Under 16 KB intake decides; over it the worker does; both end the same way.
import { afterEach, describe, expect, it } from "vitest";
import { finalState, mention, scene, type Scene } from "./support.js";

let s: Scene;
afterEach(async () => {
  await s?.h.close();
});

describe("a mention the markdown guard refuses to parse", () => {
  it.each([
    ["5,000 nested quotes (under 16 KB: intake)", `${">".repeat(5_000)} @claude deep`],
    ["a 40,000-character run of emphasis (over 16 KB: the worker)", `@claude why is this slow? ${"*_".repeat(20_000)}`],
  ])("%s: the maintainer who wrote it gets one notice, and Claude is not asked", async (_name, body) => {
    s = await scene();
    const started = Date.now();
    const id = await mention(s, body);
    expect(Date.now() - started).toBeLessThan(5_000);
    const state = finalState(s, id);
    expect(state.all).toHaveLength(1);
    expect(state.notices).toHaveLength(1);
    expect(state.notices[0]!.body).toContain("too deeply nested or too long a run of emphasis");
    expect(s.h.anthropic.requests).toHaveLength(0);
    expect(s.h.logs.some((l) => l.includes("no longer mentions the bot"))).toBe(false);
  });

  it("an outsider's refused comment gets the usual refusal, once, and no parse-related notice", async () => {
    s = await scene();
    const id = await mention(s, `${">".repeat(5_000)} @claude deep`, { login: "eve", association: "NONE" });
    const state = finalState(s, id);
    expect(state.all.length).toBeLessThanOrEqual(1);
    expect(state.all.every((c) => !c.body.includes("too deeply nested"))).toBe(true);
    expect(s.h.anthropic.requests).toHaveLength(0);
  });
});
