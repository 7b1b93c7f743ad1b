// GitHub writes of a job. Each goes through the installation's write lane (src/github/writeLane.ts): paced,
// in priority order, rate limits waited out, and a comment whose creation failed ambiguously (GitHub may
// have created it) looked for before it is created again.
import type { ProbotOctokit } from "probot";
import * as review from "./reviewWrites.js";
import { DEFAULT_WRITE_PACING, laneFor, SHED, type WriteLane, type WritePacing, type WritePriority } from "./writeLane.js";

/** A job, or enough of it: review-thread jobs (`kind`, `reviewRootId`) reply in their review thread. */
export type Target = review.ReviewTarget & { installationId?: number };

/** Writes are never retried by @octokit/plugin-retry: the lane decides (see src/github/octokit.ts). */
export const NO_BLIND_RETRY = { retries: 0 } as const;

/** How far back (by GitHub's clock) a comment from a failed attempt is looked for. */
const LOOKBACK_MS = 10 * 60_000;

function pacingOf(octokit: ProbotOctokit): WritePacing {
  return (octokit as unknown as { writePacing?: WritePacing }).writePacing ?? DEFAULT_WRITE_PACING;
}

export function laneOf(octokit: ProbotOctokit, job: Target): WriteLane {
  return laneFor(job.installationId, pacingOf(octokit));
}

/** Names the 👀 of a trigger in the lane, so that an answer posted first can cancel it. */
export const ackKey = (job: Target): string => `ack:${job.owner}/${job.repo}#${job.number}:${job.trigger.id}`;

/** An acknowledgement that has not gone out yet is pointless once the answer is on its way: drop it. */
export function cancelAcknowledgement(octokit: ProbotOctokit, job: Target): boolean {
  if (!pacingOf(octokit).dropAckWhenAnswered) return false;
  return laneOf(octokit, job).cancel(ackKey(job));
}

/**
 * 👀 on the trigger comment (or on the issue itself when the opening post is the trigger; on the review
 * or the review comment for pull-request review triggers). Resolves false when it was not written (shed
 * at the hourly ceiling, or cancelled because the answer went first). It waits `ackDelayMs` (1 s) in the
 * lane before it goes out.
 */
export async function addEyesReaction(octokit: ProbotOctokit, job: Target): Promise<boolean> {
  const run = async (): Promise<void> => {
    if (review.isReviewTrigger(job)) await review.reactToReview(octokit, job);
    else if (review.isReviewThreadJob(job) && job.trigger.id !== "opening") await review.reactToReviewComment(octokit, job);
    else if (job.trigger.id === "opening") {
      await octokit.rest.reactions.createForIssue({ owner: job.owner, repo: job.repo, issue_number: job.number, content: "eyes", request: NO_BLIND_RETRY });
    } else {
      await octokit.rest.reactions.createForIssueComment({
        owner: job.owner,
        repo: job.repo,
        comment_id: Number(job.trigger.id),
        content: "eyes",
        request: NO_BLIND_RETRY,
      });
    }
  };
  // Waits `ackDelayMs` in the lane first: an answer ready sooner cancels it (cancelAcknowledgement).
  const delay = pacingOf(octokit).ackDelayMs;
  // A reaction is idempotent: GitHub answers an existing one with 200.
  const result = await laneOf(octokit, job).enqueue({
    priority: "ack",
    creates: true,
    idempotent: true,
    key: ackKey(job),
    ...(delay > 0 ? { notBefore: Date.now() + delay } : {}),
    run,
  });
  return result !== SHED;
}

function sameBody(a: string, b: string): boolean {
  return a.replace(/\r\n/g, "\n").trim() === b.replace(/\r\n/g, "\n").trim();
}

/** A comment the bot wrote with exactly this body, recently, in the job's thread: the id, if found. */
export async function findPostedReply(octokit: ProbotOctokit, job: Target, body: string): Promise<number | undefined> {
  const since = new Date(Date.now() - LOOKBACK_MS).toISOString();
  const comments: { id: number; body?: string | null; user?: { type?: string } | null; in_reply_to_id?: number }[] = review.isReviewThreadJob(job)
    ? (await octokit.rest.pulls.listReviewComments({ owner: job.owner, repo: job.repo, pull_number: job.number, since, per_page: 100 })).data
    : (await octokit.rest.issues.listComments({ owner: job.owner, repo: job.repo, issue_number: job.number, since, per_page: 100 })).data;
  const root = review.isReviewThreadJob(job) ? Number(review.reviewRootOf(job)) : undefined;
  const mine = comments.filter(
    (c) => c.user?.type === "Bot" && sameBody(c.body ?? "", body) && (root === undefined || c.in_reply_to_id === root),
  );
  return mine.at(-1)?.id;
}

function enqueueReply(octokit: ProbotOctokit, job: Target, body: string, priority: WritePriority) {
  return laneOf(octokit, job).enqueue({
    priority,
    creates: true,
    run: async () => {
      if (review.isReviewThreadJob(job)) return review.postReviewReply(octokit, job, body);
      const { data } = await octokit.rest.issues.createComment({ owner: job.owner, repo: job.repo, issue_number: job.number, body, request: NO_BLIND_RETRY });
      return data.id;
    },
    lookup: () => findPostedReply(octokit, job, body),
  });
}

/** Posts a reply in the thread; returns the new comment's id (exactly one comment, whatever failed). */
export async function postReply(octokit: ProbotOctokit, job: Target, body: string, priority: Exclude<WritePriority, "progress"> = "final"): Promise<number> {
  const result = await enqueueReply(octokit, job, body, priority);
  if (result === SHED) throw new Error("a reply was shed by the write lane"); // only progress writes are shed
  return result;
}

/**
 * Posts a courtesy notice (a refusal) behind every answer waiting in the lane; false when the lane shed it
 * (the hour's budget is nearly spent: it is kept for answers).
 */
export async function postCourtesyReply(octokit: ProbotOctokit, job: Target, body: string): Promise<boolean> {
  return (await enqueueReply(octokit, job, body, "notice")) !== SHED;
}

/** Creates the progress comment, unless the lane is busy: null then (the answer will come in one comment). */
export async function postProgressReply(octokit: ProbotOctokit, job: Target, body: string): Promise<number | null> {
  const result = await enqueueReply(octokit, job, body, "progress");
  return result === SHED ? null : result;
}

/**
 * Edits one of the bot's replies (a progress placeholder) where postReply put it. A "progress" edit may be
 * shed when other writes wait: it resolves false then, and the caller shows that text later or never.
 */
export async function updateReply(
  octokit: ProbotOctokit,
  job: Target,
  commentId: number,
  body: string,
  priority: WritePriority = "final",
): Promise<boolean> {
  const result = await laneOf(octokit, job).enqueue({
    priority,
    creates: false,
    idempotent: true,
    run: async () => {
      if (review.isReviewThreadJob(job)) return review.updateReviewReply(octokit, job, commentId, body);
      await octokit.rest.issues.updateComment({ owner: job.owner, repo: job.repo, comment_id: commentId, body, request: NO_BLIND_RETRY });
    },
  });
  return result !== SHED;
}
