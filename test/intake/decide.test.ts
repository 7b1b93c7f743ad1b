// Each intake decision, for every event of the table, on real payloads from @octokit/webhooks-examples.
import { describe, expect, it } from "vitest";
import { decideIntake, type IntakeDeps } from "../../src/intake/decide.js";
import { INTAKE_EVENT_NAMES, type IntakeEventName } from "../../src/intake/events.js";
import { INTAKE_PARSE_LIMIT } from "../../src/intake/mentionCheck.js";
import type { EnqueueResult, JobQueue, ThreadJob } from "../../src/queue/types.js";
import { issueCommentCreated } from "../helpers/payloads.js";
import { commentEdited, issueOpened, pullRequestOpened, reviewCommentEvent, reviewSubmitted } from "../helpers/prPayloads.js";

type AnyPayload = Record<string, any>;

function fakeQueue() {
  const jobs: ThreadJob[] = [];
  const seen = new Set<string>();
  const queue: JobQueue = {
    async enqueue(job): Promise<EnqueueResult> {
      if (seen.has(job.id)) return "duplicate";
      seen.add(job.id);
      jobs.push(job);
      return "queued";
    },
    start: () => undefined,
    stats: async () => ({ waiting: jobs.length, running: 0 }),
    close: async () => [],
  };
  return { queue, jobs };
}

function recordingLog() {
  const lines: { level: string; fields: object; message: string }[] = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push({ level, fields, message });
  return { lines, log: { info: at("info"), warn: at("warn"), debug: at("debug") } };
}

async function decide(event: IntakeEventName, payload: AnyPayload, deps: Partial<IntakeDeps> = {}) {
  const { queue, jobs } = fakeQueue();
  const { log, lines } = recordingLog();
  const result = await decideIntake(event, { id: "delivery-1", payload: payload as never, log }, { queue, phrase: "@claude", now: () => 1234, ...deps });
  return { ...result, jobs, lines };
}

/** For each event of the table: a payload with the given body by a person, or by a bot. */
const BY_EVENT: Record<IntakeEventName, (body: string, who?: { login?: string; userType?: string }) => AnyPayload> = {
  "issue_comment.created": (body, who = {}) => issueCommentCreated(body, { id: 501, ...who }),
  "issue_comment.edited": (body, who = {}) => commentEdited(body, "no mention before", 502, who),
  "pull_request_review_comment.created": (body, who = {}) => reviewCommentEvent(body, 503, { inReplyTo: 400, ...who }),
  "pull_request_review_comment.edited": (body, who = {}) => reviewCommentEvent(body, 504, { from: "no mention before", ...who }),
  "pull_request_review.submitted": (body, who = {}) => reviewSubmitted(body, 505, who),
  "issues.opened": (body, who = {}) => issueOpened(body, who),
  "pull_request.opened": (body, who = {}) => pullRequestOpened(body, who),
};

/** The job each event's mention becomes: thread, trigger and where the answer goes. */
const EXPECTED: Record<IntakeEventName, Omit<Partial<ThreadJob>, "trigger"> & { trigger: Partial<ThreadJob["trigger"]> }> = {
  "issue_comment.created": { id: "Codertocat/Hello-World#1:501", threadKey: "Codertocat/Hello-World#1", kind: "issue", trigger: { id: "501", nodeId: "IC_501" } },
  "issue_comment.edited": { id: "Codertocat/Hello-World#1:502", threadKey: "Codertocat/Hello-World#1", kind: "issue", trigger: { id: "502" } },
  "pull_request_review_comment.created": {
    id: "Codertocat/Hello-World#2/review:400:503",
    threadKey: "Codertocat/Hello-World#2/review:400",
    kind: "review_thread",
    reviewRootId: "400",
    trigger: { id: "503", source: "review_comment", nodeId: "PRRC_503" },
  },
  "pull_request_review_comment.edited": {
    id: "Codertocat/Hello-World#2/review:504:504",
    threadKey: "Codertocat/Hello-World#2/review:504",
    kind: "review_thread",
    reviewRootId: "504",
    trigger: { id: "504", source: "review_comment" },
  },
  "pull_request_review.submitted": { id: "Codertocat/Hello-World#2:review-505", threadKey: "Codertocat/Hello-World#2", kind: "pull_request", trigger: { id: "505", source: "review" } },
  "issues.opened": { id: "Codertocat/Hello-World#1:opening", threadKey: "Codertocat/Hello-World#1", kind: "issue", trigger: { id: "opening" } },
  "pull_request.opened": { id: "Codertocat/Hello-World#2:opening", threadKey: "Codertocat/Hello-World#2", kind: "pull_request", trigger: { id: "opening" } },
};

describe("intake: the event table", () => {
  it("covers every event a mention can arrive in", () => {
    expect([...INTAKE_EVENT_NAMES].sort()).toEqual(Object.keys(BY_EVENT).sort());
  });
});

describe.each(INTAKE_EVENT_NAMES)("intake of %s", (event) => {
  const payload = BY_EVENT[event];

  it("enqueues a mention as one job, built from the payload", async () => {
    const { decision, jobs, lines } = await decide(event, payload("Hey @claude, why does CI fail?"));
    expect(decision).toBe("enqueued");
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect(job).toMatchObject({ ...EXPECTED[event], trigger: { ...EXPECTED[event].trigger }, deliveryId: "delivery-1", installationId: 1, owner: "Codertocat", repo: "Hello-World", receivedAt: 1234 });
    expect(job!.unverified).toBeUndefined();
    expect(job!.trigger.author).toBe(payload("x").sender.login);
    expect(lines.find((l) => l.message === "mention received")?.fields).toMatchObject({ thread: job!.threadKey, delivery: "delivery-1", result: "queued" });
  });

  it("answers a redelivery of the same mention once", async () => {
    const { queue, jobs } = fakeQueue();
    const { log } = recordingLog();
    const deps = { queue, phrase: "@claude" };
    const body = payload("@claude help");
    expect((await decideIntake(event, { id: "d-1", payload: body as never, log }, deps)).decision).toBe("enqueued");
    expect((await decideIntake(event, { id: "d-2", payload: body as never, log }, deps)).decision).toBe("duplicate");
    expect(jobs).toHaveLength(1);
  });

  it("does not enqueue text that only names the phrase in code, a quote or an address", async () => {
    for (const body of ["`@claude` in code", "> @claude said so", "mail x@claude.ai", "@claude-bot", "no phrase at all"]) {
      const { decision, jobs, lines } = await decide(event, payload(body));
      expect(decision, body).toBe("not-a-mention");
      expect(jobs).toHaveLength(0);
      expect(lines.some((l) => l.level === "debug" && (l.fields as { decision?: string }).decision === "not-a-mention")).toBe(true);
    }
  });

  it("never answers a bot (this app included), unless the operator lets it through", async () => {
    const fromBot = payload("@claude please", { login: "dependabot[bot]", userType: "Bot" });
    expect((await decide(event, fromBot)).decision).toBe("from-a-bot");
    expect((await decide(event, fromBot, { allowedBots: ["renovate"] })).decision).toBe("from-a-bot");
    expect((await decide(event, fromBot, { allowedBots: ["dependabot"] })).decision).toBe("enqueued");
    expect((await decide(event, fromBot, { allowedBots: ["*"] })).decision).toBe("enqueued");
  });

  it("a bot sender makes it a bot's, whoever the author is", async () => {
    const body = payload("@claude please");
    body.sender.type = "Bot";
    expect((await decide(event, body)).decision).toBe("from-a-bot");
  });

  it("leaves a body too long to parse here to the worker (unverified), and drops a long one without the phrase", async () => {
    const long = `@claude ${"word ".repeat(INTAKE_PARSE_LIMIT / 4)}`;
    expect(long.length).toBeGreaterThan(INTAKE_PARSE_LIMIT);
    const { decision, jobs } = await decide(event, payload(long));
    expect(decision).toBe("enqueued");
    expect(jobs[0]!.unverified).toBe(true);
    expect((await decide(event, payload("word ".repeat(INTAKE_PARSE_LIMIT)))).decision).toBe("not-a-mention");
  });

  it("ignores a payload without its repository", async () => {
    const body = payload("@claude hi");
    delete body.repository;
    const { decision, jobs, lines } = await decide(event, body);
    expect(decision).toBe("malformed");
    expect(jobs).toHaveLength(0);
    expect(lines.some((l) => l.level === "warn")).toBe(true);
  });

  it("ignores a payload without its issue or pull request, or without what was written", async () => {
    const thread = event.startsWith("issue") ? "issue" : "pull_request";
    const written = { issue_comment: "comment", pull_request_review_comment: "comment", pull_request_review: "review", issues: "issue", pull_request: "pull_request" }[event.split(".")[0]!]!;
    for (const cut of new Set([thread, written])) {
      const body = payload("@claude hi");
      delete body[cut];
      expect((await decide(event, body)).decision, cut).toBe("malformed");
    }
  });

  it("ignores a mention without an installation", async () => {
    const body = payload("@claude hi");
    delete body.installation;
    const { decision, jobs } = await decide(event, body);
    expect(decision).toBe("not-a-mention");
    expect(jobs).toHaveLength(0);
  });
});

describe.each(["issue_comment.edited", "pull_request_review_comment.edited"] as const)("intake of edits: %s", (event) => {
  const edit = (body: string, from: string | undefined): AnyPayload => {
    const payload = event === "issue_comment.edited" ? commentEdited(body, from ?? "", 610) : reviewCommentEvent(body, 610, { from: from ?? "" });
    if (from === undefined) delete payload.changes.body;
    return payload;
  };

  it("answers an edit that adds the mention, under the id the comment's creation would have had", async () => {
    const { decision, jobs } = await decide(event, edit("@claude now with a mention", "no mention yet"));
    expect(decision).toBe("enqueued");
    expect(jobs[0]!.trigger.id).toBe("610");
    expect(jobs[0]!.id.endsWith(":610")).toBe(true);
  });

  it("does not answer again an edit that keeps the mention", async () => {
    const { decision, jobs } = await decide(event, edit("@claude reworded question", "@claude first question"));
    expect(decision).toBe("mention-not-new");
    expect(jobs).toHaveLength(0);
  });

  it("does not answer an edit that did not change the body (a title or a label change)", async () => {
    expect((await decide(event, edit("@claude question", undefined))).decision).toBe("mention-not-new");
  });

  it("treats an earlier body that was in code only as having no mention", async () => {
    expect((await decide(event, edit("@claude question", "`@claude` in code"))).decision).toBe("enqueued");
  });

  it("treats a huge earlier body that might have had the mention as new (the worker checks the thread)", async () => {
    const hugeBefore = `@claude ${"x ".repeat(INTAKE_PARSE_LIMIT)}`;
    expect((await decide(event, edit("@claude question", hugeBefore))).decision).toBe("enqueued");
  });

  it("an edit that removes the mention is not a request", async () => {
    expect((await decide(event, edit("no mention now", "@claude before"))).decision).toBe("not-a-mention");
  });
});

describe("intake: the payloads' own shapes", () => {
  it("an issue comment on a pull request is the PR conversation's", async () => {
    const payload = issueCommentCreated("@claude hi", { id: 700 });
    payload.issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/1" };
    expect((await decide("issue_comment.created", payload)).jobs[0]!.kind).toBe("pull_request");
  });

  it("a top-level review comment opens its own review thread", async () => {
    const { jobs } = await decide("pull_request_review_comment.created", reviewCommentEvent("@claude hi", 800));
    expect(jobs[0]).toMatchObject({ threadKey: "Codertocat/Hello-World#2/review:800", reviewRootId: "800" });
  });
});
