// Where a mention sits and where its answer goes: the part of a job that GitHub's reads and writes need.
// A queue job has this shape; readers and writers take only this, so they never depend on the queue.
import type { ThreadKind } from "./types.js";

export interface MentionTarget {
  owner: string;
  repo: string;
  number: number;
  /** Review-thread targets (`review_thread`, with `reviewRootId`) are answered in their review thread. */
  kind?: ThreadKind;
  trigger: {
    /** Comment or review id (decimal), or "opening" for the opening post. */
    id: string;
    /** GraphQL node id, for the reaction. */
    nodeId: string;
    /** What the id names when it is not an issue comment: a review, or a review comment. */
    source?: "review" | "review_comment";
  };
  /** Review threads: the thread's top-level comment; replies go to it. */
  reviewRootId?: string;
}

export const isReviewThreadTarget = (target: Pick<MentionTarget, "kind">): boolean => target.kind === "review_thread";

/** The trigger is a review's summary (its reaction and id differ from a comment's). */
export const isReviewTrigger = (target: Pick<MentionTarget, "trigger">): boolean => target.trigger.id !== "opening" && target.trigger.source === "review";

/** The top-level comment of the target's review thread (the trigger itself when it opened the thread). */
export function reviewRootOf(target: Pick<MentionTarget, "trigger" | "reviewRootId">): string {
  return target.reviewRootId ?? target.trigger.id;
}
