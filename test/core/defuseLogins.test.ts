// `defuseMentions` defuses every prose `@login`, not only the bot's phrase: the bot pages nobody.
import { describe, expect, it } from "vitest";
import { defuseMentions } from "../../src/core/trigger/loops.js";

const WJ = "\u2060";

describe("defuseMentions and @logins", () => {
  it.each([
    ["Thanks @octocat!", `Thanks @${WJ}octocat!`],
    ["(@octocat) and @github/security", `(@${WJ}octocat) and @${WJ}github/security`],
    ["@claude help", `@${WJ}claude help`],
    ["> quoted @hubot", `> quoted @${WJ}hubot`],
  ])("%s", (input, expected) => {
    expect(defuseMentions(input, "@claude")).toBe(expected);
  });

  it.each([
    "mail a@b.example",
    "https://github.com/@octocat/x",
    "run `@claude retry` or `npm i @scope/pkg`",
    "```\n@octocat in a fence\n```",
  ])("leaves %s as written", (input) => {
    expect(defuseMentions(input, "@claude")).toBe(input);
  });

  it("stays linear on a long line of mentions and code spans", () => {
    const line = "`x` @a ".repeat(20_000);
    const out = defuseMentions(line, "@claude");
    expect(out.split(WJ)).toHaveLength(20_001);
  });
});
