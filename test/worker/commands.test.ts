// Pure parts of the commands: the texts people read (which mention `retry` answers: test/decision/plan.test.ts).
import { describe, expect, it } from "vitest";
import { answerFailureNotice } from "../../src/reply/failureNotice.js";
import { helpText } from "../../src/worker/commands.js";

describe("texts", () => {
  it("help names every command with the configured phrase", () => {
    const text = helpText("@bot");
    for (const c of ["help", "status", "retry", "remember <text>", "reset"]) expect(text).toContain(`\`@bot ${c}\``);
  });

  it("a failure notice (the one the worker posts) gives a short reason and the way to retry, never a secret", () => {
    const httpError = Object.assign(new Error("x"), { name: "HttpError", status: 502 });
    expect(answerFailureNotice(httpError, "@claude")).toMatch(/GitHub answered 502.*`@claude retry`/);
    const key = `sk-ant-api03-${"A1b2C3d4".repeat(10)}`;
    // As the SDK throws it: a BadRequestError (an APIError) with the API's error body.
    const rejected = Object.assign(new Error("bad request"), { name: "BadRequestError", status: 400, error: { error: { type: "invalid_request_error", message: `key ${key} is not valid` } } });
    const notice = answerFailureNotice(rejected, "@bot");
    expect(notice).toMatch(/HTTP 400.*`@bot retry`/);
    expect(notice).not.toContain(key);
    expect(answerFailureNotice(new Error(`internal ${key}`), "@claude")).not.toContain("sk-ant");
  });
});
