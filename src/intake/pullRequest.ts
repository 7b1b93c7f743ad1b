// Intake for the other places a mention can be: an edit that adds one, a review comment, a review, and
// the opening post of an issue or a pull request. Same rules as issueComment.ts: decide from the payload
// alone, enqueue, return.
//
// Thread keys (jobs with one key run one at a time, in order):
//   issue or PR conversation (comments, reviews, opening posts)  owner/repo#number
//   one review thread                                             owner/repo#number/review:<top-level comment id>
// Review threads are sessions of their own (own turns, own context block, own replies), so they run
// beside each other and beside the PR conversation: five `@claude` line comments in one review get five
// answers at once, not one after the other. Writes are paced per installation by Probot's throttling
// either way.
//
// Edits: answered only when the edit adds the mention (it is not in `changes.body.from`). The job id is
// the same as the comment's creation would have had, so a redelivery, or the mention removed and added
// back, is dropped by the queue; past its memory, the worker finds its own answer in the thread.
import type { Context, Probot } from "probot";
import { botMayTrigger, checkMention } from "./mentionCheck.js";
import type { AuthorAssociation, ThreadKind } from "../core/types.js";
import type { ThreadJob } from "../queue/types.js";
import type { IntakeDecision, IntakeDeps } from "./issueComment.js";

export type PullRequestIntakeDecision = IntakeDecision | "mention-not-new";

interface Actor {
  login: string;
  type?: string;
}

interface Mention {
  context: Context;
  deps: IntakeDeps;
  sender: Actor;
  installation: { id: number } | undefined | null;
  repository: { name: string; owner: { login: string } };
  author: Actor | null | undefined;
  association: string;
  body: string | null | undefined;
  /** For edits: the body before the edit (undefined when the edit did not change the body). */
  previousBody?: string | null | undefined;
  edited?: boolean;
  number: number;
  kind: ThreadKind;
  triggerId: string;
  nodeId: string;
  source?: "review" | "review_comment";
  reviewRootId?: string;
}

async function enqueueMention(m: Mention): Promise<PullRequestIntakeDecision> {
  // Never answer a bot, this app included: that is how reply loops start (the bot edits its own replies).
  // The operator may let named bots through, as for issue comments.
  if ((m.sender.type === "Bot" || m.author?.type === "Bot") && !botMayTrigger(m.author?.login, m.deps.allowedBots)) return "from-a-bot";
  // Same size-bounded check as issue comments: a huge body is left for the worker to decide.
  const mention = checkMention(m.body, m.deps.phrase, m.context.log);
  if (mention === "not-a-mention") return "not-a-mention";
  // An edit is new only if the body before it had no mention. A huge earlier body that only might have
  // had one is treated as new: the worker's own check of the thread never answers a mention twice.
  if (m.edited && (m.previousBody === undefined || checkMention(m.previousBody, m.deps.phrase) === "mention")) return "mention-not-new";
  if (!m.installation) {
    m.context.log.warn("a mention arrived without an installation id; ignoring it");
    return "not-a-mention";
  }
  const owner = m.repository.owner.login;
  const conversation = `${owner}/${m.repository.name}#${m.number}`;
  const threadKey = m.kind === "review_thread" ? `${conversation}/review:${m.reviewRootId ?? m.triggerId}` : conversation;
  const job: ThreadJob = {
    id: `${threadKey}:${m.source === "review" ? `review-${m.triggerId}` : m.triggerId}`,
    deliveryId: m.context.id,
    threadKey,
    installationId: m.installation.id,
    owner,
    repo: m.repository.name,
    number: m.number,
    kind: m.kind,
    trigger: {
      id: m.triggerId,
      nodeId: m.nodeId,
      author: m.author?.login ?? "ghost",
      association: m.association as AuthorAssociation,
      ...(m.source ? { source: m.source } : {}),
    },
    ...(m.kind === "review_thread" ? { reviewRootId: m.reviewRootId ?? m.triggerId } : {}),
    receivedAt: (m.deps.now ?? Date.now)(),
    ...(mention === "unverified" ? { unverified: true } : {}),
  };
  const result = await m.deps.queue.enqueue(job);
  m.context.log.info({ thread: threadKey, delivery: m.context.id, trigger: job.trigger.id, result }, "mention received");
  return result === "queued" ? "enqueued" : "duplicate";
}

export function onIssueCommentEdited(context: Context<"issue_comment.edited">, deps: IntakeDeps) {
  const { comment, issue, changes } = context.payload;
  return enqueueMention({
    ...common(context, deps),
    author: comment.user,
    association: comment.author_association,
    body: comment.body,
    edited: true,
    previousBody: changes.body?.from,
    number: issue.number,
    kind: issue.pull_request ? "pull_request" : "issue",
    triggerId: String(comment.id),
    nodeId: comment.node_id,
  });
}

export function onReviewComment(
  context: Context<"pull_request_review_comment.created"> | Context<"pull_request_review_comment.edited">,
  deps: IntakeDeps,
) {
  const payload = context.payload;
  const { comment, pull_request } = payload;
  const edited = payload.action === "edited";
  return enqueueMention({
    ...common(context, deps),
    author: comment.user,
    association: comment.author_association,
    body: comment.body,
    edited,
    previousBody: edited ? payload.changes.body?.from : undefined,
    number: pull_request.number,
    kind: "review_thread",
    triggerId: String(comment.id),
    nodeId: comment.node_id,
    source: "review_comment",
    // GitHub keeps replies on the top-level comment: `in_reply_to_id` is the thread's root.
    reviewRootId: String(comment.in_reply_to_id ?? comment.id),
  });
}

export function onReviewSubmitted(context: Context<"pull_request_review.submitted">, deps: IntakeDeps) {
  const { review, pull_request } = context.payload;
  return enqueueMention({
    ...common(context, deps),
    author: review.user,
    association: review.author_association,
    body: review.body,
    number: pull_request.number,
    kind: "pull_request",
    triggerId: String(review.id),
    nodeId: review.node_id,
    source: "review",
  });
}

export function onIssueOpened(context: Context<"issues.opened">, deps: IntakeDeps) {
  const { issue } = context.payload;
  return enqueueMention({
    ...common(context, deps),
    author: issue.user,
    association: issue.author_association,
    body: issue.body,
    number: issue.number,
    kind: "issue",
    triggerId: "opening",
    nodeId: issue.node_id,
  });
}

export function onPullRequestOpened(context: Context<"pull_request.opened">, deps: IntakeDeps) {
  const { pull_request } = context.payload;
  return enqueueMention({
    ...common(context, deps),
    author: pull_request.user,
    association: pull_request.author_association,
    body: pull_request.body,
    number: pull_request.number,
    kind: "pull_request",
    triggerId: "opening",
    nodeId: pull_request.node_id,
  });
}

function common(
  context: Context<"issue_comment" | "pull_request_review_comment" | "pull_request_review" | "issues" | "pull_request">,
  deps: IntakeDeps,
) {
  const { sender, repository, installation } = context.payload as unknown as {
    sender: Actor;
    repository: Mention["repository"];
    installation?: { id: number };
  };
  return { context: context as unknown as Context, deps, sender, repository, installation };
}

/** Registers the handlers above; `onDecision` sees each decision (metrics). */
export function registerPullRequestIntake(
  probot: Probot,
  deps: IntakeDeps,
  onDecision: (decision: PullRequestIntakeDecision, startedAt: number) => void = () => undefined,
): void {
  const run = async (decide: () => Promise<PullRequestIntakeDecision>) => {
    const startedAt = Date.now();
    onDecision(await decide(), startedAt);
  };
  probot.on("issue_comment.edited", (context) => run(() => onIssueCommentEdited(context, deps)));
  probot.on(["pull_request_review_comment.created", "pull_request_review_comment.edited"], (context) =>
    run(() => onReviewComment(context, deps)),
  );
  probot.on("pull_request_review.submitted", (context) => run(() => onReviewSubmitted(context, deps)));
  probot.on("issues.opened", (context) => run(() => onIssueOpened(context, deps)));
  probot.on("pull_request.opened", (context) => run(() => onPullRequestOpened(context, deps)));
}
