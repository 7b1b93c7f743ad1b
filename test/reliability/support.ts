// Shared by the reliability and security suites: a thread on the fake GitHub behind the real Probot server,
// mentions that are created and delivered like GitHub does, and the thread's final state.
import { findContextBlocks, parseContextBlock } from "../../src/core/contextBlock/index.js";
import { NOTICE_MARKER } from "../../src/core/conversation/conversation.js";
import type { Settings } from "../../src/config/env.js";
import type { ContextBlock } from "../../src/core/types.js";
import type { FakeComment, FakeIssue } from "../helpers/fakeGitHub.js";
import { startHarness, type Harness, type HarnessOptions } from "../helpers/harness.js";
import { issueCommentCreated } from "../helpers/payloads.js";

export const OWNER = "Codertocat";
export const REPO = "Hello-World";

// Probot's throttling groups are per installation and shared by every app instance of the process: a new
// installation id per scene keeps one test's write pacing out of the next one's.
let installations = 5_000 + Math.floor(Math.random() * 1_000_000);

export interface Scene {
  h: Harness;
  issue: FakeIssue;
  installationId: number;
}

export interface Who {
  login?: string;
  association?: string;
  type?: "User" | "Bot";
}

/**
 * A harness and an issue. Probot's write pacing (≥ 1 s between writes per installation) is off unless asked
 * for: these suites are about what the bot decides and posts, and pacing would be most of their run time.
 * githubFaults.test.ts turns it on: there the pacing and its rate-limit retries are the subject.
 */
export async function scene(overrides: Partial<Settings> = {}, env: NodeJS.ProcessEnv = {}, options: HarnessOptions = { throttle: false }): Promise<Scene> {
  const h = await startHarness(overrides, env, options);
  const issue = h.github.addIssue(OWNER, REPO, {
    number: 1,
    title: "Importer drops rows",
    body: "Rows with a trailing comma vanish.",
    author: { login: "Codertocat", type: "User" },
    association: "OWNER",
  });
  h.github.addComment(issue, { body: "Same here with orders.csv.", author: { login: "bob", type: "User" }, association: "CONTRIBUTOR" });
  return { h, issue, installationId: ++installations };
}

/** The webhook payload GitHub sends for `comment` on `issue`. */
export function payloadFor(s: Scene, issue: FakeIssue, comment: FakeComment, who: Who = {}): Record<string, any> {
  const login = who.login ?? comment.author?.login ?? "Codertocat";
  const restLogin = (who.type ?? comment.author?.type) === "Bot" && !login.endsWith("[bot]") ? `${login}[bot]` : login;
  const payload = issueCommentCreated(comment.body, {
    id: comment.id,
    login: restLogin,
    association: who.association ?? comment.association,
    installationId: s.installationId,
    ...((who.type ?? comment.author?.type) === "Bot" ? { userType: "Bot" } : {}),
  });
  payload.issue.number = issue.number;
  payload.repository.name = REPO;
  payload.repository.full_name = `${OWNER}/${REPO}`;
  payload.repository.owner.login = OWNER;
  return payload;
}

/** Creates the comment on the fake GitHub, delivers its webhook, waits until the queue is idle. */
export async function mention(s: Scene, body: string, who: Who = {}, options: { wait?: boolean; issue?: FakeIssue } = {}): Promise<number> {
  const issue = options.issue ?? s.issue;
  const login = who.login ?? "Codertocat";
  const comment = s.h.github.addComment(issue, {
    id: s.h.github.nextId(),
    body,
    author: { login, type: who.type ?? "User" },
    association: who.association ?? "OWNER",
  });
  await s.h.deliver("issue_comment", payloadFor(s, issue, comment, who));
  if (options.wait !== false) await s.h.idle(30_000);
  return comment.id;
}

export function blockOf(comment: FakeComment): ContextBlock | null {
  const raw = findContextBlocks(comment.body).at(-1)?.raw;
  if (raw === undefined) return null;
  const parsed = parseContextBlock(raw);
  return parsed.ok ? parsed.block : null;
}

export interface FinalState {
  /** Bot comments whose block lists the trigger. */
  answers: FakeComment[];
  /** Bot notices without a block (errors, refusals). */
  notices: FakeComment[];
  /** Every comment the bot wrote after the setup. */
  all: FakeComment[];
}

export function finalState(s: Scene, triggerId?: number, issue: FakeIssue = s.issue): FinalState {
  const all = s.h.github.botComments(issue);
  const answers = all.filter((c) => {
    const block = blockOf(c);
    return block !== null && (triggerId === undefined || block.answered.includes(String(triggerId)));
  });
  const notices = all.filter((c) => c.body.startsWith(NOTICE_MARKER) && blockOf(c) === null);
  return { answers, notices, all };
}
