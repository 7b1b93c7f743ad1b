// Pure parts of the commands: which mention `retry` answers, and the texts people read.
import { describe, expect, it } from "vitest";
import { renderContextBlock } from "../../src/core/contextBlock/index.js";
import { emptyContextBlock, type Thread, type ThreadComment } from "../../src/core/types.js";
import { answerFailureNotice } from "../../src/reply/failureNotice.js";
import { helpText, retryTarget } from "../../src/worker/commands.js";

const BOT = { login: "threadbot[bot]" };
let n = 100;
function comment(body: string, extra: Partial<ThreadComment> = {}): ThreadComment {
  return { id: String(++n), author: { login: "alice", type: "User" }, association: "OWNER", body, createdAt: "2026-01-01T00:00:00Z", lastEditedAt: null, isMinimized: false, ...extra };
}
function thread(comments: ThreadComment[], opening = "An issue."): Thread {
  return { kind: "issue", owner: "o", repo: "r", number: 1, title: "t", opening: { ...comment(opening), id: "opening" }, comments };
}
const reply = (answered: string[]) => comment(`Answer.\n\n${renderContextBlock({ ...emptyContextBlock(), answered })}`, { author: { login: "threadbot", type: "Bot" }, association: "NONE" });

describe("retryTarget", () => {
  it("is the newest earlier mention with no answer listing it", () => {
    const a = comment("@claude first?");
    const b = comment("@claude second?");
    const c = comment("@claude third?");
    const retry = comment("@claude retry");
    const later = comment("@claude after the retry?");
    expect(retryTarget(thread([a, reply([a.id]), b, c, reply([c.id]), retry, later]), BOT, "@claude", retry.id)).toBe(b.id);
  });

  it("skips commands, other retries, hidden comments, bots and comments without a mention", () => {
    const question = comment("@claude question?");
    const skipped = [
      comment("@claude status"),
      comment("@claude retry"),
      comment("@claude hidden?", { isMinimized: true }),
      comment("@claude from a bot", { author: { login: "renovate", type: "Bot" } }),
      comment("no mention"),
    ];
    const retry = comment("@claude retry");
    expect(retryTarget(thread([question, ...skipped, retry]), BOT, "@claude", retry.id)).toBe(question.id);
  });

  it("can be the opening post, and is null when everything was answered", () => {
    const retry = comment("@claude retry");
    expect(retryTarget(thread([retry], "@claude please look"), BOT, "@claude", retry.id)).toBe("opening");
    const a = comment("@claude a?");
    expect(retryTarget(thread([a, reply([a.id]), retry]), BOT, "@claude", retry.id)).toBeNull();
  });
});

describe("texts", () => {
  it("help names every command with the configured phrase", () => {
    const text = helpText("@bot");
    for (const c of ["help", "status", "retry", "remember <text>", "reset"]) expect(text).toContain(`\`@bot ${c}\``);
  });

  it("a failure notice (the one the worker posts) gives a short reason and the way to retry, never a secret", () => {
    const httpError = Object.assign(new Error("x"), { name: "HttpError", status: 502 });
    expect(answerFailureNotice(httpError, "@claude")).toMatch(/GitHub answered 502.*`@claude retry`/);
    const key = `sk-ant-api03-${"A1b2C3d4".repeat(10)}`;
    const rejected = Object.assign(new Error("bad request"), { status: 400, error: { error: { type: "invalid_request_error", message: `key ${key} is not valid` } } });
    const notice = answerFailureNotice(rejected, "@bot");
    expect(notice).toMatch(/HTTP 400.*`@bot retry`/);
    expect(notice).not.toContain(key);
    expect(answerFailureNotice(new Error(`internal ${key}`), "@claude")).not.toContain("sk-ant");
  });
});
