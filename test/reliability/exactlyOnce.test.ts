// Exactly once: redeliveries, created + edited for one comment, a restart after the answer was posted, a
// crash between the model call and the post. Each asserts the thread's final state and the model calls.
import { afterEach, describe, expect, it } from "vitest";
import { renderContextBlock } from "../../src/core/contextBlock/index.js";
import { NOTICE_MARKER } from "../../src/core/conversation/conversation.js";
import { emptyContextBlock } from "../../src/core/types.js";
import { progressMarker } from "../../src/reply/progressSink.js";
import { commentEdited } from "../helpers/prPayloads.js";
import { finalState, mention, payloadFor, scene, type Scene } from "./support.js";

let s: Scene;
afterEach(async () => {
  await s?.h.close();
});

function addTrigger(body: string) {
  return s.h.github.addComment(s.issue, { id: s.h.github.nextId(), body, author: { login: "Codertocat", type: "User" }, association: "OWNER" });
}

describe("exactly once", () => {
  it("the same delivery three times: one model call, one answer", async () => {
    s = await scene();
    const comment = addTrigger("@claude once, please");
    const payload = payloadFor(s, s.issue, comment);
    const responses = await Promise.all([1, 2, 3].map(() => s.h.deliver("issue_comment", payload, { id: "delivery-1" })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    await s.h.idle();
    expect(s.h.anthropic.requests).toHaveLength(1);
    expect(finalState(s, comment.id).answers).toHaveLength(1);
    expect(finalState(s).all).toHaveLength(1);
  });

  it("`created` and an `edited` of the same comment (different deliveries): one answer, by the job id", async () => {
    s = await scene();
    const comment = addTrigger("@claude why do rows vanish?");
    await s.h.deliver("issue_comment", payloadFor(s, s.issue, comment));
    // The edit adds the mention as far as intake can tell (the old body had none): it enqueues the same job id.
    const edited = commentEdited(comment.body, "why do rows vanish?", comment.id, { login: "Codertocat", association: "OWNER" });
    edited.installation = { id: s.installationId, node_id: "x" };
    const response = await s.h.deliver("issue_comment", edited);
    expect(response.status).toBe(200);
    await s.h.idle();
    expect(s.h.anthropic.requests).toHaveLength(1);
    expect(finalState(s).all).toHaveLength(1);
    expect(s.h.logs.some((l) => /"result":"duplicate"/.test(l))).toBe(true);
  });

  it("an `edited` arriving after the answer, past the queue's memory (a restart): the thread says it is answered", async () => {
    s = await scene();
    const id = await mention(s, "@claude why do rows vanish?");
    expect(finalState(s, id).answers).toHaveLength(1);
    // A new process: same GitHub, empty queue memory.
    const before = s;
    s = await scene();
    s.h.github.repos.set(`Codertocat/Hello-World`, before.h.github.repo("Codertocat", "Hello-World"));
    s.issue = before.issue;
    await before.h.close();
    const comment = s.issue.comments.find((c) => c.id === id)!;
    await s.h.deliver("issue_comment", payloadFor(s, s.issue, comment));
    await s.h.idle();
    expect(s.h.anthropic.requests).toHaveLength(0);
    expect(finalState(s, id).answers).toHaveLength(1);
    expect(finalState(s).all).toHaveLength(1);
    expect(s.h.logs.some((l) => l.includes("this mention was already answered"))).toBe(true);
  });

  it("a crash between the model call and the post: the redelivery answers once, in the placeholder left behind", async () => {
    s = await scene();
    const comment = addTrigger("@claude why do rows vanish?");
    // What the dead process left: its progress placeholder, showing half an answer.
    s.h.github.addComment(s.issue, {
      body: `${NOTICE_MARKER}\n${progressMarker(String(comment.id))}\nHalf an ans\n\n_⏳ still writing…_\n`,
      author: { login: "threadbot", type: "Bot" },
      association: "NONE",
    });
    await s.h.deliver("issue_comment", payloadFor(s, s.issue, comment));
    await s.h.idle();
    expect(s.h.anthropic.requests).toHaveLength(1);
    const state = finalState(s, comment.id);
    expect(state.all).toHaveLength(1);
    expect(state.answers).toHaveLength(1);
  });

  it("a mention an older reply already lists (a block carried forward) is not answered again", async () => {
    s = await scene();
    const comment = addTrigger("@claude why do rows vanish?");
    s.h.github.addComment(s.issue, {
      body: `Answered before.\n\n${renderContextBlock({ ...emptyContextBlock(), answered: [String(comment.id)] })}\n`,
      author: { login: "threadbot", type: "Bot" },
      association: "NONE",
    });
    await s.h.deliver("issue_comment", payloadFor(s, s.issue, comment));
    await s.h.idle();
    expect(s.h.anthropic.requests).toHaveLength(0);
    expect(finalState(s).all).toHaveLength(1);
  });
});
