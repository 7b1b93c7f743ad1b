// Smaller defects seen on long threads: a review's line comments joined to its body, the status line's
// plural, and the failure notice's timing against the log's.
import { afterEach, describe, expect, it } from "vitest";
import { ClaudeUnavailableError } from "../../src/claude/retry.js";
import { parseMarkdown } from "../../src/core/markdown/markdown.js";
import { reviewAsComment } from "../../src/github/pullRequest.js";
import { answerFailureNotice } from "../../src/reply/failureNotice.js";
import { finalState, mention, scene, type Scene } from "../reliability/support.js";

type Review = Parameters<typeof reviewAsComment>[0];
const review = (body: string): Review => ({
  fullDatabaseId: 80,
  author: { login: "monalisa", __typename: "User" },
  authorAssociation: "MEMBER",
  body,
  createdAt: "2026-01-05T10:00:00Z",
  lastEditedAt: null,
  isMinimized: false,
  state: "COMMENTED",
  submittedAt: "2026-01-05T10:00:00Z",
  comments: {
    totalCount: 1,
    nodes: [{ fullDatabaseId: 81, path: "src/parse.ts", line: 12, startLine: null, originalLine: 12, originalStartLine: null, diffHunk: "@@ -10,3 +10,3 @@\n-a\n+b", body: "LINE-COMMENT-TEXT here", outdated: false }],
  },
}) as unknown as Review;

/** What Claude is shown of a review comment: its body, then the text the app composed beside it. */
const shown = (c: ReturnType<typeof reviewAsComment>) => `${c.body}${c.composed ?? ""}`;

/** Top-level node types of the composed body, and whether the line comment is prose (not code). */
function shape(body: string) {
  const tree = parseMarkdown(body);
  const types = tree.children.map((n) => n.type);
  const paragraph = (text: string) => tree.children.some((n) => n.type === "paragraph" && JSON.stringify(n).includes(text));
  const prose = paragraph("LINE-COMMENT-TEXT") && paragraph("Line comments of this review");
  const hunk = tree.children.some((n) => n.type === "code" && n.lang === "diff" && n.value.includes("+b"));
  return { types, prose, hunk };
}

describe("a review's line comments joined to its body", () => {
  const mentions = () => true;
  it("do not turn the review's last line into a heading", () => {
    const { types, prose } = shape(shown(reviewAsComment(review("@claude is this right?\nsee the parser"), mentions)));
    expect(types).not.toContain("heading");
    expect(types).toContain("thematicBreak");
    expect(prose).toBe(true);
  });
  it("are not swallowed by a fence the review left open", () => {
    const { prose, hunk, types } = shape(shown(reviewAsComment(review("@claude why does this fail?\n\n```ts\nparse(row)"), mentions)));
    expect(prose).toBe(true);
    expect(hunk).toBe(true);
    expect(types).toContain("thematicBreak");
  });
});

describe("the failure notice says the same duration as the log", () => {
  it("tried 2 times over 0.3 s, in both", () => {
    const error = new ClaudeUnavailableError("overloaded", 529, 2, 300, null);
    expect(error.message).toContain("in 0.3 s");
    expect(answerFailureNotice(error, "@claude")).toContain("I tried 2 times over 0.3 s");
    const longer = new ClaudeUnavailableError("overloaded", 529, 3, 12_400, null);
    expect(longer.message).toContain("in 12 s");
    expect(answerFailureNotice(longer, "@claude")).toContain("over 12 s");
  });
});

let s: Scene | undefined;
afterEach(async () => {
  await s?.h.close();
  s = undefined;
});

describe("status", () => {
  it("says 1 turn, not 1 turns", async () => {
    s = await scene();
    await mention(s, "@claude status");
    const reply = finalState(s).all.at(-1)!;
    expect(reply.body).toContain("**Conversation:** 1 turn (1 from people, 0 from me)");
  });
});
