// Pure parts of the commands: the texts people read (which mention `retry` answers: test/decision/plan.test.ts).
import { describe, expect, it } from "vitest";
import { failureNotice, helpText } from "../../src/worker/commands.js";

describe("texts", () => {
  it("help names every command with the configured phrase", () => {
    const text = helpText("@bot");
    for (const c of ["help", "status", "retry", "remember <text>", "reset"]) expect(text).toContain(`\`@bot ${c}\``);
  });

  it("a failure notice gives a short reason and the way to retry", () => {
    const apiError = Object.assign(new Error("overloaded"), { status: 529 });
    expect(failureNotice(apiError, "@claude")).toBe("Sorry, I could not finish this answer (Claude's API answered 529). Mention me with `@claude retry` to try again.");
    const httpError = Object.assign(new Error("x"), { name: "HttpError", status: 502 });
    expect(failureNotice(httpError, "@claude")).toContain("(GitHub answered 502)");
    expect(failureNotice(new Error("secret sk-ant-xyz"), "@claude")).not.toContain("sk-ant");
  });
});
