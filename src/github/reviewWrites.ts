// Writes for pull-request triggers (through the write lane of writes.ts, which calls these) that are not issue comments (writes.ts dispatches here):
//   review (pull_request_review.submitted) → 👀 on the review itself, with GraphQL's addReaction (REST
//     has no reactions for reviews); the answer goes to the PR conversation as an issue comment
//   review comment → 👀 on it; the answer is a reply in its review thread, addressed to the thread's
//     top-level comment (GitHub accepts replies only there, never to a reply)
import type { ProbotOctokit } from "probot";
import { reviewRootOf, type MentionTarget } from "../core/target.js";

/** Writes are retried by the write lane (src/github/writeLane.ts), never blind by @octokit/plugin-retry. */
const NO_BLIND_RETRY = { retries: 0 } as const;

/** A job, or enough of it (the queue's jobs have this shape). */
export type ReviewTarget = MentionTarget;
export { isReviewThreadTarget as isReviewThreadJob, isReviewTrigger, reviewRootOf } from "../core/target.js";

export const ADD_REACTION_MUTATION = `
  mutation ThreadbotAddReaction($subjectId: ID!) {
    addReaction(input: { subjectId: $subjectId, content: EYES }) { reaction { content } }
  }`;

export async function reactToReview(octokit: ProbotOctokit, job: ReviewTarget): Promise<void> {
  await octokit.graphql(ADD_REACTION_MUTATION, { subjectId: job.trigger.nodeId, request: NO_BLIND_RETRY });
}

export async function reactToReviewComment(octokit: ProbotOctokit, job: ReviewTarget): Promise<void> {
  await octokit.rest.reactions.createForPullRequestReviewComment({
    owner: job.owner,
    repo: job.repo,
    comment_id: Number(job.trigger.id),
    content: "eyes",
    request: NO_BLIND_RETRY,
  });
}

/** Posts a reply in the job's review thread; returns the new comment's id. */
export async function postReviewReply(octokit: ProbotOctokit, job: ReviewTarget, body: string): Promise<number> {
  const { data } = await octokit.rest.pulls.createReplyForReviewComment({
    owner: job.owner,
    repo: job.repo,
    pull_number: job.number,
    comment_id: Number(reviewRootOf(job)),
    body,
    request: NO_BLIND_RETRY,
  });
  return data.id;
}

export async function updateReviewReply(octokit: ProbotOctokit, job: ReviewTarget, commentId: number, body: string): Promise<void> {
  await octokit.rest.pulls.updateReviewComment({ owner: job.owner, repo: job.repo, comment_id: commentId, body, request: NO_BLIND_RETRY });
}
