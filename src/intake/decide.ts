// Intake: decide from the payload alone whether a webhook is a request, enqueue it, return. Nothing slow
// runs here: Probot answers GitHub only when handlers finish. Every event of the table goes through the
// same steps, in this order: the payload's shape, the bot rule, the mention check, whether an edit added
// the mention, the installation, the job.
import type { JobQueue, ThreadJob } from "../queue/types.js";
import { INTAKE_EVENTS, type IntakeEventName, type MentionCandidate } from "./events.js";
import { buildJob, threadKeyOf } from "./jobBuilder.js";
import { botMayTrigger, checkMention } from "./mentionCheck.js";

export interface IntakeDeps {
  queue: JobQueue;
  phrase: string;
  now?: () => number;
  /** The operator's TRIGGER_ALLOWED_BOTS: bot logins (or "*") not dropped here. */
  allowedBots?: string[];
}

export type IntakeDecision = "enqueued" | "duplicate" | "not-a-mention" | "from-a-bot" | "mention-not-new" | "malformed";

export interface IntakeLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

/** What intake needs of a delivery: Probot's `context` has these. */
export interface Delivery<E extends IntakeEventName = IntakeEventName> {
  /** `X-GitHub-Delivery`. */
  id: string;
  payload: Parameters<(typeof INTAKE_EVENTS)[E]>[0];
  log: IntakeLog;
}

export interface IntakeResult {
  decision: IntakeDecision;
  /** The job, when one was built (enqueued or a duplicate). */
  job?: ThreadJob;
}

/** Decides one delivery of a table event, and enqueues its job when it is a request. */
export async function decideIntake<E extends IntakeEventName>(event: E, delivery: Delivery<E>, deps: IntakeDeps): Promise<IntakeResult> {
  const candidate = (INTAKE_EVENTS[event] as (payload: unknown) => MentionCandidate | null)(delivery.payload);
  const result = await decideCandidate(candidate, delivery, deps);
  const { decision, job } = result;
  if (decision === "malformed") delivery.log.warn({ event, delivery: delivery.id, decision }, "a webhook without its comment, issue or repository; ignoring it");
  else if (job === undefined) delivery.log.debug({ event, delivery: delivery.id, decision }, "not a request");
  else {
    delivery.log.info(
      {
        event,
        delivery: delivery.id,
        thread: job.threadKey,
        trigger: job.trigger.id,
        result: decision === "enqueued" ? "queued" : "duplicate",
        // Left for the worker to decide (too long to parse here): it reacts only if it is a mention.
        unverified: job.unverified ? true : undefined,
      },
      "mention received",
    );
  }
  return result;
}

async function decideCandidate(candidate: MentionCandidate | null, delivery: Delivery, deps: IntakeDeps): Promise<IntakeResult> {
  if (!candidate) return { decision: "malformed" };
  // Never answer a bot, this app included: that is how reply loops start (the bot edits its own replies).
  // The operator may let named bots through (the repository's `access.bots` must list them too; the
  // worker checks).
  const fromBot = candidate.sender?.type === "Bot" || candidate.author?.type === "Bot";
  if (fromBot && !botMayTrigger(candidate.author?.login, deps.allowedBots)) return { decision: "from-a-bot" };
  // Size-bounded: a body too long to parse here is left for the worker to decide (`unverified`).
  const mention = checkMention(candidate.body, deps.phrase, delivery.log);
  if (mention === "not-a-mention") return { decision: "not-a-mention" };
  // An edit is new only if the body before it had no mention. A huge earlier body that only might have
  // had one is treated as new: the worker's own check of the thread never answers a mention twice.
  if (candidate.edit && (candidate.edit.previousBody === undefined || checkMention(candidate.edit.previousBody, deps.phrase) === "mention")) {
    return { decision: "mention-not-new" };
  }
  if (candidate.installationId === undefined) {
    delivery.log.warn({ delivery: delivery.id, thread: threadKeyOf(candidate) }, "a mention arrived without an installation id; ignoring it");
    return { decision: "not-a-mention" };
  }
  const job = buildJob(candidate as MentionCandidate & { installationId: number }, {
    id: delivery.id,
    receivedAt: (deps.now ?? Date.now)(),
    unverified: mention === "unverified",
  });
  const queued = await deps.queue.enqueue(job);
  return { decision: queued === "queued" ? "enqueued" : "duplicate", job };
}
