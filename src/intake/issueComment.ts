// Intake: decide from the payload alone whether a webhook is a request, enqueue it, return. Nothing slow
// runs here: Probot answers GitHub only when handlers finish.
import type { Context } from "probot";
import { detectTrigger } from "../core/trigger.js";
import type { AuthorAssociation } from "../core/types.js";
import type { JobQueue, ThreadJob } from "../queue/types.js";

export interface IntakeDeps {
  queue: JobQueue;
  phrase: string;
  now?: () => number;
}

export type IntakeDecision = "enqueued" | "duplicate" | "not-a-mention" | "from-a-bot";

export async function onIssueCommentCreated(
  context: Context<"issue_comment.created">,
  deps: IntakeDeps,
): Promise<IntakeDecision> {
  const { comment, issue, repository, sender, installation } = context.payload;
  // Never answer a bot, this app included: that is how reply loops start.
  if (sender.type === "Bot" || comment.user?.type === "Bot") return "from-a-bot";
  if (!detectTrigger(comment.body ?? "", { phrase: deps.phrase }).triggered) return "not-a-mention";
  if (!installation) {
    context.log.warn("a mention arrived without an installation id; ignoring it");
    return "not-a-mention";
  }

  const owner = repository.owner.login;
  const threadKey = `${owner}/${repository.name}#${issue.number}`;
  const job: ThreadJob = {
    id: `${threadKey}:${comment.id}`,
    deliveryId: context.id,
    threadKey,
    installationId: installation.id,
    owner,
    repo: repository.name,
    number: issue.number,
    kind: issue.pull_request ? "pull_request" : "issue",
    trigger: {
      id: String(comment.id),
      nodeId: comment.node_id,
      author: comment.user?.login ?? "ghost",
      association: comment.author_association as AuthorAssociation,
    },
    receivedAt: (deps.now ?? Date.now)(),
  };
  const result = await deps.queue.enqueue(job);
  context.log.info({ thread: threadKey, delivery: context.id, trigger: job.trigger.id, result }, "mention received");
  return result === "queued" ? "enqueued" : "duplicate";
}
