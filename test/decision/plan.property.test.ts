// Properties of the decision over random threads: whoever is answered was admitted (the trigger's author,
// and for `retry` the author of the mention answered again), a refused person never gets more than the
// one notice, the plan never asks for a permission it already has, and the echo guard never takes a
// comment with a mention of its own, nor a copy of a defused reply, for the bot's text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderContextBlock } from "../../src/core/contextBlock/index.js";
import { echoesBotLines, liveMentionLines, planJob, type AccessPolicy, type JobPlan } from "../../src/core/decision/index.js";
import { normalizeLogin, type PermissionResult } from "../../src/core/conversation/identity.js";
import { defuseMentions } from "../../src/core/trigger/loops.js";
import { emptyContextBlock, type AuthorAssociation, type Thread, type ThreadComment } from "../../src/core/types.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);
const TIMEOUT = Math.max(30_000, RUNS * 20);
const BOT = { login: "threadbot[bot]" };
const PHRASE = "@claude";

const people = ["alice", "bob", "eve", "mallory", "renovate"] as const;
const associations: AuthorAssociation[] = ["OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR", "NONE"];
const permissionsOf = fc.record(Object.fromEntries(people.map((p) => [p, fc.constantFrom<PermissionResult>("admin", "write", "triage", "read", "none", "error")])));
const bodies = ["@claude why?", "@claude retry", "@claude status", "@claude reset", "plain remark", "@claude remember be brief", "> @claude quoted"];

const commentArb = fc.record({
  who: fc.constantFrom(...people),
  association: fc.constantFrom(...associations),
  body: fc.constantFrom(...bodies),
  hidden: fc.boolean(),
  answeredBy: fc.boolean(),
});

function build(specs: { who: string; association: AuthorAssociation; body: string; hidden: boolean; answeredBy: boolean }[]): Thread {
  const comments: ThreadComment[] = [];
  let id = 1000;
  for (const s of specs) {
    const c: ThreadComment = {
      id: String(++id),
      author: { login: s.who, type: s.who === "renovate" ? "Bot" : "User" },
      association: s.association,
      body: s.body,
      createdAt: "2026-01-01T00:00:00Z",
      lastEditedAt: null,
      isMinimized: s.hidden,
    };
    comments.push(c);
    if (s.answeredBy) {
      comments.push({ ...c, id: String(++id), author: { login: "threadbot", type: "Bot" }, association: "NONE", isMinimized: false, body: `Answer.\n\n${renderContextBlock({ ...emptyContextBlock(), answered: [c.id] })}` });
    }
  }
  return { kind: "issue", owner: "o", repo: "r", number: 1, title: "t", opening: { ...comments[0]!, id: "opening", author: { login: "alice", type: "User" }, association: "OWNER", body: "An issue." }, comments };
}

function planFully(thread: Thread, trigger: ThreadComment, all: Record<string, PermissionResult>, access: AccessPolicy): { plan: JobPlan; asked: string[][] } {
  const known = new Map<string, PermissionResult>();
  const asked: string[][] = [];
  for (let round = 0; round < 6; round++) {
    const restLogin = trigger.author?.type === "Bot" ? `${trigger.author.login}[bot]` : trigger.author!.login;
    const plan = planJob({ thread, trigger: { id: trigger.id, author: restLogin, association: trigger.association }, bot: BOT, phrase: PHRASE, access, permissions: known });
    if (plan.kind !== "confirm") return { plan, asked };
    asked.push(plan.logins);
    for (const login of plan.logins) {
      expect(known.has(normalizeLogin(login))).toBe(false);
      known.set(normalizeLogin(login), all[normalizeLogin(login)] ?? "none");
    }
  }
  throw new Error("the plan did not settle");
}

const admitted = (c: ThreadComment, all: Record<string, PermissionResult>, access: AccessPolicy): boolean => {
  if (c.author?.type === "Bot") return access.bots.includes(c.author.login);
  if (access.allow === "everyone" || c.association === "OWNER") return true;
  const p = all[c.author!.login];
  return p === "admin" || p === "maintain" || p === "write" || (access.allow === "triage" && p === "triage");
};

describe("planJob", () => {
  it("answers only admitted people, and retries only admitted people's mentions", () => {
    fc.assert(
      fc.property(
        fc.array(commentArb, { minLength: 1, maxLength: 12 }),
        permissionsOf,
        fc.constantFrom<AccessPolicy["allow"]>("write", "triage", "everyone"),
        fc.boolean(),
        (specs, all, allow, botsAllowed) => {
          const access: AccessPolicy = { allow, bots: botsAllowed ? ["renovate"] : [], notice: true, bot_answers_in_a_row: 3 };
          const thread = build(specs);
          const people = thread.comments.filter((c) => c.author?.login !== "threadbot");
          const trigger = people.at(-1)!;
          const { plan } = planFully(thread, trigger, all, access);
          if (plan.kind === "answer" || plan.kind === "command") expect(admitted(trigger, all, access)).toBe(true);
          if (plan.kind === "answer" && plan.retryOf !== null) {
            const target = [thread.opening, ...thread.comments].find((c) => c.id === plan.retryOf)!;
            expect(admitted(target, all, access)).toBe(true);
            expect(target.author?.type).not.toBe("Bot");
          }
          if (plan.kind === "refuse") expect(admitted(trigger, all, access)).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});

const words = fc.array(fc.stringMatching(/^[a-z]{2,8}$/), { minLength: 6, maxLength: 14 }).map((w) => w.join(" "));

describe("the echo guard", () => {
  const threadWith = (botText: string): Thread => ({
    kind: "issue", owner: "o", repo: "r", number: 1, title: "t",
    opening: { id: "opening", author: { login: "alice", type: "User" }, association: "OWNER", body: "x", createdAt: "", lastEditedAt: null, isMinimized: false },
    comments: [{ id: "1", author: { login: "threadbot", type: "Bot" }, association: "NONE", body: `${botText}\n\n${renderContextBlock(emptyContextBlock())}`, createdAt: "", lastEditedAt: null, isMinimized: false }],
  });

  it("a whole live line copied back is an echo; a defused one, a part of a line, or one with a mention of its own is not", () => {
    fc.assert(
      fc.property(words, words, words, (before, after, own) => {
        const line = `${before} @claude ${after}`;
        const live = liveMentionLines(threadWith(`Intro.\n\n${line}\n\nOutro.`), BOT, PHRASE);
        expect(echoesBotLines(line, live, PHRASE)).toBe(true);
        expect(echoesBotLines(`${line}\n\n@claude ${own}?`, live, PHRASE)).toBe(false);
        expect(echoesBotLines(`@claude ${after}`, live, PHRASE)).toBe(false);
        const defused = liveMentionLines(threadWith(defuseMentions(`Intro.\n\n${line}`, PHRASE)), BOT, PHRASE);
        expect(echoesBotLines(line, defused, PHRASE)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});
