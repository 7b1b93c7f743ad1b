// Admission of a mention, after the thread is read and before anything is asked of Claude: who wrote it
// (src/worker/access.ts) and whether it is the bot's own text coming back (src/core/trigger/loops.ts). Returns null
// when the job may go on, else the outcome (a refused person gets their one notice here).
import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import { botText } from "../core/conversation/commentText.js";
import { isBotComment } from "../core/conversation/identity.js";
import { echoesBotText } from "../core/trigger/loops.js";
import type { BotIdentity, Thread, ThreadComment } from "../core/types.js";
import type { RepoConfig } from "../config/repo.js";
import type { ThreadJob } from "../queue/types.js";
import { decideAccess, refusalNotice, type PermissionResult } from "./access.js";
import { finalCommentSink } from "../reply/finalSink.js";

export type GateOutcome = "refused" | "from-a-bot" | "echo";

export interface GateInput {
  thread: Thread;
  trigger: ThreadComment;
  job: ThreadJob;
  bot: BotIdentity;
  access: RepoConfig["access"];
  permission: PermissionResult | null;
  phrase: string;
  octokit: ProbotOctokit;
  log: Pick<Logger, "info" | "warn">;
}

export async function admit(input: GateInput): Promise<GateOutcome | null> {
  const { thread, trigger, bot, log } = input;
  const decision = decideAccess(input);
  if (!decision.allowed) {
    if (!("login" in decision)) {
      log.info({ author: trigger.author?.login }, "a bot's mention; not answering");
      return "from-a-bot";
    }
    log.info({ author: decision.login, reason: decision.reason, permission: input.permission }, "not allowed to call the bot");
    const notice = refusalNotice(decision, thread, bot, input.access);
    if (notice !== null) await finalCommentSink(input.octokit, input.job).notice(notice);
    return "refused";
  }
  const botTexts = thread.comments.filter((c) => isBotComment(c, bot)).map((c) => botText(c.id, c.body).text);
  if (echoesBotText(trigger.body, botTexts, input.phrase)) {
    log.info("the mention is the bot's own text copied back; not answering");
    return "echo";
  }
  return null;
}
