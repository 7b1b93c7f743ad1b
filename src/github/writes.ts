// GitHub writes of a job, on Probot's throttled Octokit (it paces writes as GitHub asks).
import type { ProbotOctokit } from "probot";
import * as review from "./reviewWrites.js";

/** A job, or enough of it: review-thread jobs (`kind`, `reviewRootId`) reply in their review thread. */
type Target = review.ReviewTarget;

/**
 * 👀 on the trigger comment (or on the issue itself when the opening post is the trigger; on the review
 * or the review comment for pull-request review triggers).
 */
export async function addEyesReaction(octokit: ProbotOctokit, job: Target): Promise<void> {
  if (review.isReviewTrigger(job)) await review.reactToReview(octokit, job);
  else if (review.isReviewThreadJob(job) && job.trigger.id !== "opening") await review.reactToReviewComment(octokit, job);
  else if (job.trigger.id === "opening") {
    await octokit.rest.reactions.createForIssue({ owner: job.owner, repo: job.repo, issue_number: job.number, content: "eyes" });
  } else {
    await octokit.rest.reactions.createForIssueComment({
      owner: job.owner,
      repo: job.repo,
      comment_id: Number(job.trigger.id),
      content: "eyes",
    });
  }
}

/** Posts a reply in the thread; returns the new comment's id. */
export async function postReply(octokit: ProbotOctokit, job: Target, body: string): Promise<number> {
  if (review.isReviewThreadJob(job)) return review.postReviewReply(octokit, job, body);
  const { data } = await octokit.rest.issues.createComment({ owner: job.owner, repo: job.repo, issue_number: job.number, body });
  return data.id;
}

/** Edits one of the bot's replies (a progress placeholder) where postReply put it. */
export async function updateReply(octokit: ProbotOctokit, job: Target, commentId: number, body: string): Promise<void> {
  if (review.isReviewThreadJob(job)) return review.updateReviewReply(octokit, job, commentId, body);
  await octokit.rest.issues.updateComment({ owner: job.owner, repo: job.repo, comment_id: commentId, body });
}
