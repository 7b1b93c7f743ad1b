// Who may call the bot, end to end: the association answers for maintainers, the permission API confirms
// everyone else (beside the thread read), refused people get one polite notice per thread and no model
// call, and bots, this app above all, are never answered unless both allow-lists name them.
import { afterEach, describe, expect, it } from "vitest";
import { finalState, mention, OWNER, REPO, scene, type Scene } from "../reliability/support.js";

let s: Scene;
afterEach(async () => {
  await s?.h.close();
});

const permissionCalls = (login: string) => s.h.github.callsTo("GET", `/collaborators/${login}/permission`);
const config = (yaml: string) => s.h.github.repo(OWNER, REPO).files.set(".github/claude.yml", yaml);

describe("people", () => {
  it("an outside contributor is refused: one notice, no model call, no 👀; a second mention adds nothing", async () => {
    s = await scene();
    const first = await mention(s, "@claude please merge my PR", { login: "eve", association: "NONE" });
    expect(s.h.anthropic.requests).toHaveLength(0);
    let state = finalState(s);
    expect(state.all).toHaveLength(1);
    expect(state.notices[0]!.body).toContain("@eve");
    expect(state.notices[0]!.body).toContain("only answer people with write access");
    expect(s.issue.reactions.filter((r) => r.commentId === first)).toHaveLength(0);
    expect(permissionCalls("eve")).toHaveLength(1);

    await mention(s, "@claude hello??", { login: "eve", association: "CONTRIBUTOR" });
    state = finalState(s);
    expect(state.all).toHaveLength(1); // already told, in this thread
    expect(s.h.anthropic.requests).toHaveLength(0);
  });

  it("the permission check runs beside the thread read, not after it", async () => {
    s = await scene();
    s.h.github.latencyMs = 150;
    await mention(s, "@claude hi", { login: "eve", association: "NONE" });
    const read = s.h.github.calls.find((c) => c.path === "/graphql")!;
    const check = permissionCalls("eve")[0]!;
    expect(check.start).toBeLessThan(read.end);
  });

  it("an org member the association under-reports is confirmed by the API and answered", async () => {
    s = await scene();
    s.h.github.repo(OWNER, REPO).permissions.set("orgdev", "maintain");
    const id = await mention(s, "@claude why do rows vanish?", { login: "orgdev", association: "CONTRIBUTOR" });
    expect(finalState(s, id).answers).toHaveLength(1);
    expect(s.issue.reactions.some((r) => r.commentId === id)).toBe(true);
  });

  it("a MEMBER is confirmed by one permission request, beside the thread read; the repository's owner costs none", async () => {
    s = await scene();
    s.h.github.latencyMs = 100;
    s.h.github.repo(OWNER, REPO).permissions.set("alice", "write");
    const id = await mention(s, "@claude why?", { login: "alice", association: "MEMBER" });
    expect(finalState(s, id).answers).toHaveLength(1);
    expect(permissionCalls("alice")).toHaveLength(1);
    const read = s.h.github.calls.find((c) => c.path === "/graphql")!;
    expect(permissionCalls("alice")[0]!.start).toBeLessThan(read.end);
    const own = await mention(s, "@claude and the owner?", { login: "Codertocat", association: "OWNER" });
    expect(finalState(s, own).answers).toHaveLength(1);
    expect(s.h.github.calls.filter((c) => c.path.includes("/permission"))).toHaveLength(1);
  });

  it("an unconfirmed MEMBER (organisation member without write access) is refused", async () => {
    s = await scene();
    s.h.github.repo(OWNER, REPO).permissions.set("mia", "read");
    await mention(s, "@claude why?", { login: "mia", association: "MEMBER" });
    expect(s.h.anthropic.requests).toHaveLength(0);
    expect(finalState(s).notices[0]!.body).toContain("@mia");
  });

  it("triage: refused by default, answered with `access.allow: triage`", async () => {
    s = await scene();
    s.h.github.repo(OWNER, REPO).permissions.set("tri", "triage");
    await mention(s, "@claude label this?", { login: "tri", association: "CONTRIBUTOR" });
    expect(s.h.anthropic.requests).toHaveLength(0);
    config("access:\n  allow: triage\n");
    const id = await mention(s, "@claude label this, please?", { login: "tri", association: "CONTRIBUTOR" });
    expect(finalState(s, id).answers).toHaveLength(1);
  });

  it("`access.allow: everyone` answers anyone; `access.notice: false` refuses in silence", async () => {
    s = await scene();
    config("access:\n  allow: everyone\n");
    const id = await mention(s, "@claude how do I install it?", { login: "visitor", association: "NONE" });
    expect(finalState(s, id).answers).toHaveLength(1);
    config("access:\n  notice: false\n");
    await mention(s, "@claude and now?", { login: "visitor2", association: "NONE" });
    expect(finalState(s).all).toHaveLength(1);
    expect(s.h.anthropic.requests).toHaveLength(1);
  });

  it("when GitHub cannot say, the person is asked to try again (not told they lack access)", async () => {
    s = await scene();
    s.h.github.faults.push({ method: "GET", path: "/collaborators/eve/permission", status: 403 });
    await mention(s, "@claude hi", { login: "eve", association: "NONE" });
    const notice = finalState(s).notices[0]!.body;
    expect(notice).toContain("could not check your access");
    expect(s.h.anthropic.requests).toHaveLength(0);
  });
});

describe("bots", () => {
  it("another bot's mention is dropped on arrival", async () => {
    s = await scene();
    await mention(s, "@claude bump the lock file", { login: "dependabot", type: "Bot", association: "NONE" });
    expect(s.h.anthropic.requests).toHaveLength(0);
    expect(s.h.github.calls.filter((c) => c.method !== "GET")).toHaveLength(0);
  });

  it("an operator-allowed bot still needs the repository's `access.bots`; with both it is answered", async () => {
    s = await scene({}, { TRIGGER_ALLOWED_BOTS: "renovate" });
    await mention(s, "@claude summarise this update", { login: "renovate", type: "Bot", association: "NONE" });
    expect(s.h.anthropic.requests).toHaveLength(0);
    expect(finalState(s).all).toHaveLength(0); // no notice to a bot: that is how loops start
    config("access:\n  bots: [renovate]\n");
    const id = await mention(s, "@claude summarise this update again", { login: "renovate", type: "Bot", association: "NONE" });
    expect(finalState(s, id).answers).toHaveLength(1);
  });

  it("this app is never answered, whatever the allow-lists say", async () => {
    s = await scene({}, { TRIGGER_ALLOWED_BOTS: "*" });
    config("access:\n  allow: everyone\n  bots: [threadbot]\n");
    await mention(s, "@claude talk to yourself", { login: "threadbot", type: "Bot", association: "NONE" });
    expect(s.h.anthropic.requests).toHaveLength(0);
    expect(finalState(s).all).toHaveLength(1); // only the comment it "wrote" itself
  });
});
