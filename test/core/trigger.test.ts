import { describe, expect, it } from "vitest";

import { detectTrigger, mentionsPhrase, parseCommand, type Command } from "../../src/core/trigger/trigger.js";

const PHRASE = { phrase: "@claude" };
const triggered = (markdown: string): boolean => detectTrigger(markdown, PHRASE).triggered;

describe("detectTrigger: mentions that trigger", () => {
  it.each([
    ["plain mention", "@claude"],
    ["mention at the start", "@claude please review this"],
    ["mention in the middle", "Hey @claude what is X?"],
    ["mention at the end", "what do you think, @claude"],
    ["comma after", "@claude, help"],
    ["question mark after", "are you there @claude?"],
    ["exclamation mark after", "@claude!"],
    ["colon after", "@claude: summarise"],
    ["semicolon after", "@claude; then stop"],
    ["apostrophe after", "@claude's opinion?"],
    ["in parentheses", "(@claude)"],
    ["full stop ending the sentence", "Thanks @claude."],
    ["full stop then more text", "@claude. Next question"],
    ["several dots", "hmm @claude..."],
    ["uppercase", "@Claude help"],
    ["all caps", "@CLAUDE help"],
    ["after a line break", "first line\n@claude second"],
    ["after a hard break", "first line  \n@claude second"],
    ["in emphasis", "*@claude* please"],
    ["in strong", "**@claude** please"],
    ["in strikethrough", "~~@claude~~ please"],
    ["in a heading", "# @claude summarise"],
    ["in a setext heading", "@claude summarise\n===="],
    ["in a list item", "- first\n- @claude second"],
    ["in an ordered list item", "1. @claude do it"],
    ["in a task list item", "- [ ] @claude do it"],
    ["in a table cell", "| a | b |\n|---|---|\n| @claude | x |"],
    ["between inline HTML tags (the text renders)", "<b>@claude</b> look"],
    ["in a paragraph inside a <details> block (blank lines make it markdown)", "<details>\n\n@claude hi\n\n</details>"],
    ["in a footnote definition (it renders)", "see[^1]\n\n[^1]: @claude note"],
    ["quote first, real mention after it", "> @claude said nothing\n\n@claude now you"],
    ["code first, real mention after it", "`@claude` is me; @claude go"],
    ["link first, real mention after it", "[@claude](http://x) and @claude"],
    ["escaped first, real mention after it", "\\@claude and @claude"],
    ["longer handle first, real mention after it", "@claude-bot and @claude"],
    ["after a character reference", "&amp; @claude hi"],
    ["after an escaped character", "\\* @claude hi"],
    ["after a NUL", "\u0000 @claude hi"],
    ["unresolved reference brackets are text", "[@claude]"],
    ["followed by another @", "@claude@x"],
    ["with CRLF line endings", "hello\r\n@claude do\r\n"],
    ["in a list continuation line", "- a\n  @claude b"],
    ["after indentation stripped from a continuation line", "foo\n   @claude bar"],
  ])("%s: %j", (_name, markdown) => {
    expect(triggered(markdown)).toBe(true);
  });
});

describe("detectTrigger: text that does not trigger", () => {
  it.each([
    ["empty", ""],
    ["no mention", "please review this"],
    ["inline code", "use `@claude` to ask"],
    ["inline code with double backticks", "``x @claude y``"],
    ["fenced code (backticks)", "```\n@claude\n```"],
    ["fenced code (tildes)", "~~~\n@claude\n~~~"],
    ["fenced code with info string", "```md\nhello @claude\n```"],
    ["unclosed fence runs to the end", "```\n@claude"],
    ["indented code", "    @claude"],
    ["indented code after a paragraph", "text\n\n    @claude"],
    ["blockquote", "> @claude"],
    ["nested blockquote", "> > @claude"],
    ["blockquote lazy continuation", "> quoted\n@claude"],
    ["code inside a blockquote", "> ```\n> @claude\n> ```"],
    ["list item inside a blockquote", "> - @claude"],
    ["HTML comment", "<!-- @claude -->"],
    ["multi-line HTML comment", "<!--\n@claude\n-->"],
    ["inline HTML comment", "hi <!-- @claude --> there"],
    ["HTML block", "<div>\n@claude\n</div>"],
    ["HTML attribute", 'hi <span title="@claude">x</span>'],
    ["link text", "[@claude](http://x)"],
    ["link URL", "[docs](https://github.com/@claude)"],
    ["link reference text", "[@claude][a]\n\n[a]: http://x"],
    ["definition", "[a]: https://x/@claude"],
    ["image alt text", "![@claude](http://x/y.png)"],
    ["bare URL (GFM autolink literal)", "https://github.com/@claude"],
    ["www autolink literal", "www.example.com/@claude"],
    ["angle-bracket autolink", "<https://x/@claude>"],
    ["e-mail address", "x@claude.ai"],
    ["e-mail address with plus", "me+bot@claude.com"],
    ["e-mail-like text without a dot", "x@claude"],
    ["after a dot", "foo.@claude"],
    ["after an underscore", "foo_@claude"],
    ["after a hyphen", "foo-@claude"],
    ["after a plus", "foo+@claude"],
    ["after an astral letter", "\u{1D400}@claude"],
    ["longer handle with hyphen", "@claude-bot"],
    ["longer handle with underscore", "@claude_x"],
    ["package scope", "@claude/pkg"],
    ["longer handle", "@claudebot"],
    ["handle with digit", "@claude2"],
    ["handle with accented letter", "@claudé"],
    ["handle with combining mark", "@claude\u0301"],
    ["domain", "@claude.ai"],
    ["backslash escape", "\\@claude"],
    ["backslash escape mid-sentence", "type \\@claude to ask"],
    ["literal backslash before", "a\\\\@claude"],
    ["decimal character reference", "&#64;claude"],
    ["hexadecimal character reference", "&#x40;claude"],
    ["entity inside the phrase", "@cl&#97;ude"],
    ["escape inside the phrase", "@claude\\-bot"],
  ])("%s: %j", (_name, markdown) => {
    expect(detectTrigger(markdown, PHRASE)).toEqual({ triggered: false, request: "" });
  });
});

describe("detectTrigger: the phrase option", () => {
  it("uses the configured phrase", () => {
    expect(detectTrigger("@bot help", { phrase: "@bot" }).triggered).toBe(true);
    expect(detectTrigger("@claude help", { phrase: "@bot" }).triggered).toBe(false);
  });
  it("matches the configured phrase case-insensitively", () => {
    expect(detectTrigger("@claude help", { phrase: "@Claude" }).triggered).toBe(true);
  });
  it("takes a phrase without @ literally, as a whole word", () => {
    expect(detectTrigger("claude, help", { phrase: "claude" })).toEqual({ triggered: true, request: "help" });
    expect(detectTrigger("claudette help", { phrase: "claude" }).triggered).toBe(false);
    expect(detectTrigger("`claude` help", { phrase: "claude" }).triggered).toBe(false);
  });
  it("treats regular-expression characters in the phrase literally", () => {
    expect(detectTrigger("hi @c.aude", { phrase: "@c.aude" }).triggered).toBe(true);
    expect(detectTrigger("hi @claude", { phrase: "@c.aude" }).triggered).toBe(false);
  });
  it("never triggers on an empty phrase", () => {
    expect(detectTrigger("anything", { phrase: "" })).toEqual({ triggered: false, request: "" });
  });
});

describe("detectTrigger: request text", () => {
  it.each([
    ["@claude please review this", "please review this"],
    ["  @claude   please   review  ", "please review"],
    ["Hey @claude, what is X?", "Hey what is X?"],
    ["@claude, reset", "reset"],
    ["@claude: help", "help"],
    ["@claude. Why?", "Why?"],
    ["@claude!", ""],
    ["@claude", ""],
    ["What do you think @claude?", "What do you think ?"],
    ["**@claude** please", "please"],
    ["# @claude summarise", "summarise"],
    ["please explain `foo()` @claude", "please explain foo()"],
    ["see [the docs](http://x) @claude", "see the docs"],
    ["hi <!-- hidden --> @claude <b>bold</b>", "hi bold"],
    ["@claude why?\n\n```js\nif (x) {\n  y();   \n}\n```\n\nthanks", "why?\nif (x) {\n  y();\n}\nthanks"],
    ["@claude compare\n\n- one\n- two", "compare\none\ntwo"],
    ["@claude\n\n| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n1 | 2"],
    ["> quoted text\n\n@claude answer this", "quoted text\nanswer this"],
    ["@claude ping @claude again", "ping @claude again"],
    ["`@claude` is code; @claude go", "@claude is code; go"],
    ["line one\n@claude line two", "line one\nline two"],
    ["a  \n@claude b", "a\nb"],
  ])("%j → %j", (markdown, request) => {
    expect(detectTrigger(markdown, PHRASE)).toEqual({ triggered: true, request });
  });
});

describe("mentionsPhrase", () => {
  it("agrees with detectTrigger", () => {
    expect(mentionsPhrase("@claude hi", "@claude")).toBe(true);
    expect(mentionsPhrase("`@claude` hi", "@claude")).toBe(false);
    expect(mentionsPhrase("x@claude.ai", "@claude")).toBe(false);
  });
});

describe("robustness", () => {
  it.each([
    ["lone high surrogate", "\uD800 @claude \uD800"],
    ["lone low surrogate", "\uDC00@claude"],
    ["NUL bytes", "\u0000@claude\u0000"],
    ["only NUL", "\u0000"],
    ["unterminated structures", "[`<!-- ```\n> @claude *_"],
  ])("does not throw on %s", (_name, markdown) => {
    expect(() => detectTrigger(markdown, PHRASE)).not.toThrow();
  });

  it("does not throw when the parser overflows its stack on pathologically deep nesting", () => {
    expect(detectTrigger(`${">".repeat(10_000)} @claude`, PHRASE)).toEqual({ triggered: false, request: "" });
  });

  it("walks deeply nested trees without recursion", () => {
    expect(detectTrigger(`${"- ".repeat(60)}@claude deep`, PHRASE)).toEqual({ triggered: true, request: "deep" });
  });

  it("treats nesting beyond the markdown guard's limit as not a mention, quickly", () => {
    const started = performance.now();
    expect(detectTrigger(`${"- ".repeat(1_000)}@claude deep`, PHRASE)).toEqual({ triggered: false, request: "" });
    expect(performance.now() - started).toBeLessThan(100);
  });

  it("handles a 65,536-character comment quickly", () => {
    const paragraph =
      "Some prose with `code`, a [link](https://example.com/@claude), x@claude.ai and @claude-bot.\n\n" +
      "```\n@claude inside code\n```\n\n> @claude quoted\n\n";
    const body = paragraph.repeat(Math.ceil(65_536 / paragraph.length)).slice(0, 65_536 - 20) + "\n\n@claude go";
    const started = performance.now();
    const result = detectTrigger(body, PHRASE);
    const elapsed = performance.now() - started;
    expect(result.triggered).toBe(true);
    expect(result.request.endsWith("go")).toBe(true);
    expect(elapsed).toBeLessThan(5_000);
  });

  it("handles a long text node full of near-misses quickly", () => {
    const body = "@claude2 x@claude \\@claude ".repeat(2_400);
    const started = performance.now();
    expect(detectTrigger(body, PHRASE).triggered).toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("does not parse at all when the phrase is absent", () => {
    const body = "*[".repeat(30_000); // pathological for the parser, but no phrase
    const started = performance.now();
    expect(detectTrigger(body, PHRASE).triggered).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe("parseCommand", () => {
  it.each<[string, Command]>([
    ["help", { name: "help", argument: "" }],
    ["reset", { name: "reset", argument: "" }],
    ["status", { name: "status", argument: "" }],
    ["retry", { name: "retry", argument: "" }],
    ["Reset", { name: "reset", argument: "" }],
    ["HELP", { name: "help", argument: "" }],
    ["reset.", { name: "reset", argument: "" }],
    ["retry!", { name: "retry", argument: "" }],
    ["status?", { name: "status", argument: "" }],
    ["  help  ", { name: "help", argument: "" }],
    ["remember always answer in French", { name: "remember", argument: "always answer in French" }],
    ["Remember   to be brief  ", { name: "remember", argument: "to be brief" }],
    ["remember\nline one\nline two", { name: "remember", argument: "line one\nline two" }],
    ["remember", { name: null, argument: "remember" }],
    ["remember   ", { name: null, argument: "remember   " }],
    ["remembering things", { name: null, argument: "remembering things" }],
    ["reset the counter please", { name: null, argument: "reset the counter please" }],
    ["help me with this bug", { name: null, argument: "help me with this bug" }],
    ["helpful?", { name: null, argument: "helpful?" }],
    ["reset, please", { name: null, argument: "reset, please" }],
    ["what is the status", { name: null, argument: "what is the status" }],
    ["", { name: null, argument: "" }],
    ["please review this", { name: null, argument: "please review this" }],
  ])("%j", (request, command) => {
    expect(parseCommand(request)).toEqual(command);
  });

  it("reads the command from a detected request", () => {
    expect(parseCommand(detectTrigger("@claude reset", PHRASE).request)).toEqual({ name: "reset", argument: "" });
    expect(parseCommand(detectTrigger("@claude: remember use tabs", PHRASE).request)).toEqual({
      name: "remember",
      argument: "use tabs",
    });
  });
});
