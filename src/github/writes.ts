// GitHub writes of a job, on Probot's throttled Octokit (it paces writes as GitHub asks).
import type { ProbotOctokit } from "probot";
import type { ThreadJob } from "../queue/types.js";

type Target = Pick<ThreadJob, "owner" | "repo" | "number" | "trigger">;

/** 👀 on the trigger comment (or on the issue itself when the opening post is the trigger). */
export async function addEyesReaction(octokit: ProbotOctokit, job: Target): Promise<void> {
  if (job.trigger.id === "opening") {
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
  const { data } = await octokit.rest.issues.createComment({ owner: job.owner, repo: job.repo, issue_number: job.number, body });
  return data.id;
}
