// The one job builder: a mention candidate (src/intake/events.ts) becomes the queue's job. The job id is
// the thread plus the trigger, the same for a comment's creation and any later edit of it, so a
// redelivery, or a mention removed and added back, is dropped by the queue; past the queue's memory, the
// worker finds its own answer in the thread.
import type { AuthorAssociation } from "../core/types.js";
import type { ThreadJob } from "../queue/types.js";
import type { MentionCandidate } from "./events.js";

export function threadKeyOf(candidate: Pick<MentionCandidate, "owner" | "repo" | "number" | "kind" | "reviewRootId" | "triggerId">): string {
  const conversation = `${candidate.owner}/${candidate.repo}#${candidate.number}`;
  return candidate.kind === "review_thread" ? `${conversation}/review:${candidate.reviewRootId ?? candidate.triggerId}` : conversation;
}

export function buildJob(
  candidate: MentionCandidate & { installationId: number },
  delivery: { id: string; receivedAt: number; unverified: boolean },
): ThreadJob {
  const threadKey = threadKeyOf(candidate);
  // A review and a comment can share a number; the prefix keeps their ids apart.
  const triggerKey = candidate.source === "review" ? `review-${candidate.triggerId}` : candidate.triggerId;
  const job: ThreadJob = {
    id: `${threadKey}:${triggerKey}`,
    deliveryId: delivery.id,
    threadKey,
    installationId: candidate.installationId,
    owner: candidate.owner,
    repo: candidate.repo,
    number: candidate.number,
    kind: candidate.kind,
    trigger: {
      id: candidate.triggerId,
      nodeId: candidate.nodeId,
      author: candidate.author?.login ?? "ghost",
      association: candidate.association as AuthorAssociation,
    },
    receivedAt: delivery.receivedAt,
  };
  // Only set fields go into the job: it is JSON for Redis, and its id and shape are compared in tests.
  if (candidate.source) job.trigger.source = candidate.source;
  if (candidate.kind === "review_thread") job.reviewRootId = candidate.reviewRootId ?? candidate.triggerId;
  if (delivery.unverified) job.unverified = true;
  if (candidate.repositorySizeKb !== undefined) job.repositorySizeKb = candidate.repositorySizeKb;
  return job;
}
