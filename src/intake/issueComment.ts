// Intake: decide from the payload alone whether a webhook is a request, enqueue it, return. Nothing slow
// runs here: Probot answers GitHub only when handlers finish.
import type { Context } from "probot";
import { botMayTrigger, checkMention } from "./mentionCheck.js";
import type { AuthorAssociation } from "../core/types.js";
import type { JobQueue, ThreadJob } from "../queue/types.js";

export interface IntakeDeps {
  queue: JobQueue;
  phrase: string;
  now?: () => number;
  /** The operator's TRIGGER_ALLOWED_BOTS: bot logins (or "*") not dropped here. */
  allowedBots?: string[];
}

export type IntakeDecision = "enqueued" | "duplicate" | "not-a-mention" | "from-a-bot";

export async function onIssueCommentCreated(
  context: Context<"issue_comment.created">,
  deps: IntakeDeps,
): Promise<IntakeDecision> {
  const { comment, issue, repository, sender, installation } = context.payload;
  if (!comment || !issue || !repository?.owner || typeof comment.id !== "number") {
    context.log.warn({ delivery: context.id }, "an issue_comment webhook without its comment, issue or repository; ignoring it");
    return "not-a-mention";
  }
  // Never answer a bot, this app included: that is how reply loops start. The operator may let named bots
  // through (the repository's `access.bots` must list them too; the worker checks).
  if ((sender?.type === "Bot" || comment.user?.type === "Bot") && !botMayTrigger(comment.user?.login, deps.allowedBots)) return "from-a-bot";
  const mention = checkMention(comment.body, deps.phrase, context.log);
  if (mention === "not-a-mention") return "not-a-mention";
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
    ...(mention === "unverified" ? { unverified: true } : {}),
  };
  const result = await deps.queue.enqueue(job);
  context.log.info({ thread: threadKey, delivery: context.id, trigger: job.trigger.id, result }, "mention received");
  return result === "queued" ? "enqueued" : "duplicate";
}
