// Admission from the webhook alone, before the thread is read: this app's own comments and bots no
// allow-list names are dropped, and a person the permission API does not confirm is refused here when the
// thread has nothing to add (no notice to post, or the notice already posted and remembered), so a flood
// of outsider mentions costs a permission check and the config read each, not a thread read.
import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import { admit, payloadAuthor, refusalNotice, refusalNoticeKind, type AccessPolicy } from "../core/decision/access.js";
import type { KnownPermissions } from "../core/conversation/identity.js";
import type { BotIdentity } from "../core/types.js";
import type { ThreadJob } from "../queue/types.js";
import { postCourtesyNotice } from "../reply/finalSink.js";
import type { RefusalMemory } from "./access.js";

export type GateOutcome = "refused" | "from-a-bot" | "self" | "echo" | "bot-loop";

export interface EarlyGateInput {
  job: ThreadJob;
  bot: BotIdentity;
  access: AccessPolicy;
  permissions: KnownPermissions;
  refusals: RefusalMemory | undefined;
  octokit: ProbotOctokit;
  log: Pick<Logger, "info" | "warn">;
}

/**
 * "admitted": answer-worthy by the webhook's account (the thread decides the rest); "read": the thread
 * must be read to decide; otherwise the job's outcome, decided without the thread.
 */
export async function gateFromPayload(input: EarlyGateInput): Promise<"admitted" | "read" | GateOutcome> {
  const { job, access, log } = input;
  const admission = admit(payloadAuthor(job.trigger), access, input.permissions, input.bot);
  switch (admission.kind) {
    case "admitted":
      return "admitted";
    case "confirm":
      return "read"; // not expected: the worker reads the trigger author's permission first
    case "skip":
      log.info({ author: job.trigger.author, reason: admission.reason }, "a bot's mention; not answering");
      return admission.reason;
    case "refuse": {
      const kind = refusalNoticeKind(admission, access, { verifiedMention: !job.unverified });
      if (kind === "once-per-thread" && !input.refusals?.told(job.threadKey, admission.login)) return "read";
      log.info({ author: admission.login, reason: admission.reason }, "not allowed to call the bot");
      const notice = refusalNotice(admission, access, { verifiedMention: !job.unverified, alreadyTold: kind === "once-per-thread" });
      if (notice !== null) await postCourtesyNotice(input.octokit, job, notice);
      return "refused";
    }
  }
}
