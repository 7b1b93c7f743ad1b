// The event table: every webhook that can carry a mention, and how its payload becomes a mention
// candidate (who wrote what, where, and where the answer goes). Everything after this table (the bot
// rule, the mention check, the job) is the same for every event: src/intake/decide.ts.
//
// Thread keys (jobs with one key run one at a time, in order):
//   issue or PR conversation (comments, reviews, opening posts)  owner/repo#number
//   one review thread                                             owner/repo#number/review:<top-level comment id>
// Review threads are sessions of their own (own turns, own context block, own replies), so they run
// beside each other and beside the PR conversation: five `@claude` line comments in one review get five
// answers at once, not one after the other. Writes are paced per installation either way.
import type { Context } from "probot";
import type { ThreadKind } from "../core/types.js";

export interface Actor {
  login: string;
  type?: string;
}

/** One possible mention, read from a payload and nothing else. */
export interface MentionCandidate {
  sender: Actor | null | undefined;
  author: Actor | null | undefined;
  association: string;
  body: string | null | undefined;
  /**
   * Present for edits: the body before the edit (undefined when the edit did not change the body).
   * An edit is answered only when it adds the mention.
   */
  edit?: { previousBody: string | null | undefined };
  installationId: number | undefined;
  owner: string;
  repo: string;
  number: number;
  kind: ThreadKind;
  /** Comment or review id (decimal), or "opening" for the opening post. */
  triggerId: string;
  nodeId: string;
  source?: "review" | "review_comment";
  /** Review threads: the thread's top-level comment. */
  reviewRootId?: string;
  /** The payload's `repository.size` (KB, the whole git repository): whether a snapshot download fits. */
  repositorySizeKb?: number;
}

export type IntakeEventName =
  | "issue_comment.created"
  | "issue_comment.edited"
  | "pull_request_review_comment.created"
  | "pull_request_review_comment.edited"
  | "pull_request_review.submitted"
  | "issues.opened"
  | "pull_request.opened";

type PayloadOf<E extends IntakeEventName> = Context<E>["payload"];
/** Null when the payload lacks what a job needs (a malformed or partial delivery). */
type Normalise<E extends IntakeEventName> = (payload: PayloadOf<E>) => MentionCandidate | null;

interface Envelope {
  sender?: Actor | null;
  repository?: { name?: string; owner?: { login?: string } | null; size?: unknown } | null;
  installation?: { id?: number } | null;
}

/** What the written item of a payload (a comment, a review, an opening post) gives its candidate. */
interface Written {
  user: Actor | null | undefined;
  author_association: string;
  body?: string | null | undefined;
  node_id: string;
}

/**
 * A candidate from the parts every event shares (sender, repository, installation), the thread's number
 * and the written item; null when a part is missing. Built as one literal: this runs for every delivery.
 */
function candidate(
  payload: unknown,
  number: number | undefined,
  item: Written | null | undefined,
  where: Pick<MentionCandidate, "kind" | "triggerId" | "source" | "reviewRootId">,
): MentionCandidate | null {
  const { sender, repository, installation } = (payload ?? {}) as Envelope;
  const owner = repository?.owner?.login;
  if (!owner || !repository?.name || !item || typeof number !== "number") return null;
  const found: MentionCandidate = {
    sender,
    author: item.user,
    association: item.author_association,
    body: item.body,
    installationId: installation?.id,
    owner,
    repo: repository.name,
    number,
    kind: where.kind,
    triggerId: where.triggerId,
    nodeId: item.node_id,
  };
  if (where.source) found.source = where.source;
  if (where.reviewRootId) found.reviewRootId = where.reviewRootId;
  if (typeof repository.size === "number" && Number.isFinite(repository.size) && repository.size >= 0) found.repositorySizeKb = repository.size;
  return found;
}

const hasId = (item: { id?: unknown } | null | undefined): item is { id: number } => typeof item?.id === "number";

const issueComment = (payload: PayloadOf<"issue_comment.created" | "issue_comment.edited">): MentionCandidate | null => {
  const { comment, issue } = payload;
  if (!hasId(comment)) return null;
  return candidate(payload, issue?.number, comment, { kind: issue?.pull_request ? "pull_request" : "issue", triggerId: String(comment.id) });
};

const reviewComment = (
  payload: PayloadOf<"pull_request_review_comment.created" | "pull_request_review_comment.edited">,
): MentionCandidate | null => {
  const { comment, pull_request } = payload;
  if (!hasId(comment)) return null;
  return candidate(payload, pull_request?.number, comment, {
    kind: "review_thread",
    triggerId: String(comment.id),
    source: "review_comment",
    // GitHub keeps replies on the top-level comment: `in_reply_to_id` is the thread's root.
    reviewRootId: String(comment.in_reply_to_id ?? comment.id),
  });
};

/** An edit of an event above: the same candidate, plus the body before the edit. */
function edited<E extends "issue_comment.edited" | "pull_request_review_comment.edited">(
  created: (payload: PayloadOf<E>) => MentionCandidate | null,
): Normalise<E> {
  return (payload) => {
    const found = created(payload);
    if (found) found.edit = { previousBody: payload.changes?.body?.from };
    return found;
  };
}

export const INTAKE_EVENTS: { readonly [E in IntakeEventName]: Normalise<E> } = {
  "issue_comment.created": issueComment,
  "issue_comment.edited": edited(issueComment),
  "pull_request_review_comment.created": reviewComment,
  "pull_request_review_comment.edited": edited(reviewComment),
  // A review's summary belongs to the PR conversation; its id names a review, not a comment.
  "pull_request_review.submitted": (payload) =>
    hasId(payload.review)
      ? candidate(payload, payload.pull_request?.number, payload.review, { kind: "pull_request", triggerId: String(payload.review.id), source: "review" })
      : null,
  "issues.opened": (payload) => candidate(payload, payload.issue?.number, payload.issue, { kind: "issue", triggerId: "opening" }),
  "pull_request.opened": (payload) => candidate(payload, payload.pull_request?.number, payload.pull_request, { kind: "pull_request", triggerId: "opening" }),
};

export const INTAKE_EVENT_NAMES = Object.keys(INTAKE_EVENTS) as IntakeEventName[];
