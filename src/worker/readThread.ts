// The job's GitHub reads, by kind of thread, all started at once:
//   issue          → the issue and its comments (one GraphQL query)
//   pull_request   → the PR's conversation, refs and base `.gitattributes` (one GraphQL query) beside its
//                    changed files with patches (REST; GraphQL has no patches)
//   review_thread  → the review thread, its hunk and the PR's head (one GraphQL query)
// Pull-request data comes back raw: the diff budget is applied when the request is built
// (renderPullRequestData, from prepareRequest), with the repository config read beside this.
import type { PullRequestData } from "../core/pullRequest/prContext.js";
import { reviewRootOf } from "../core/target.js";
import { detectTrigger } from "../core/trigger/trigger.js";
import type { Thread } from "../core/types.js";
import type { InstallationClients } from "../github/clients.js";
import { listPullRequestFiles, readPullRequestConversation } from "../github/pullRequest.js";
import { readReviewThread } from "../github/reviewThread.js";
import { readIssueThreadWithHead } from "../github/threadQuery.js";
import type { ThreadJob } from "../queue/types.js";

export interface ThreadRead {
  thread: Thread;
  /** Absent for issues. */
  pullRequest?: PullRequestData;
  /**
   * The commit the code tools read: an issue's default branch head (from the thread query), a pull
   * request's head commit. Absent when unknown (an empty repository).
   */
  codeSha?: string;
}

export async function readThread(clients: InstallationClients, job: ThreadJob, phrase: string): Promise<ThreadRead> {
  const ref = { owner: job.owner, repo: job.repo, number: job.number };
  switch (job.kind) {
    case "issue":
      const { thread, defaultBranch } = await readIssueThreadWithHead(clients.graphql, ref);
      return defaultBranch ? { thread, codeSha: defaultBranch.oid } : { thread };
    case "pull_request": {
      const mentions = (body: string) => detectTrigger(body, { phrase }).triggered;
      const [conversation, files] = await Promise.all([
        readPullRequestConversation(clients.graphql, ref, mentions),
        listPullRequestFiles(clients.rest, ref),
      ]);
      return {
        thread: conversation.thread,
        pullRequest: { kind: "conversation", refs: conversation.refs, files, gitattributes: conversation.gitattributes },
        ...headSha(conversation.refs.headSha),
      };
    }
    case "review_thread": {
      const read = await readReviewThread(clients.graphql, ref, reviewRootOf(job));
      return { thread: read.thread, pullRequest: { kind: "review_thread", refs: read.refs, thread: read.review }, ...headSha(read.refs.headSha) };
    }
  }
}

const headSha = (sha: string): { codeSha?: string } => (/^[0-9a-f]{40}$/i.test(sha) ? { codeSha: sha.toLowerCase() } : {});
