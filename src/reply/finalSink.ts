// Where a job's answer goes, and how its progress and failures show. This simple sink writes one
// comment at the end (through the write lane, src/github/writes.ts); the progress mode (one comment created early and edited as the answer streams)
// implements the same interface.
import type { ProbotOctokit } from "probot";
import { NOTICE_MARKER } from "../core/conversation/conversation.js";
import { cancelAcknowledgement, postCourtesyReply, postReply } from "../github/writes.js";
import { scrubText } from "../observe/logRedaction.js";
import type { MentionTarget } from "../core/target.js";

export interface ReplySink {
  /** The answer so far, as it streams; a sink may show it (paced) or ignore it. */
  progress(textSoFar: string): void;
  /** Posts the final answer body (answer, footer, context block). */
  finish(body: string): Promise<void>;
  /** Posts one clear notice instead of an answer (errors, refusals, configuration problems). */
  notice(message: string): Promise<void>;
}

/** A notice is never replayed to Claude as an answer: the marker tells the conversation builder. */
export function noticeBody(message: string): string {
  // Notices often carry error text: no credential may reach a comment (src/observe/logRedaction.ts).
  return `${NOTICE_MARKER}\n${scrubText(message.trim())}\n`;
}

/**
 * Names the mention a reply comment belongs to: a progress placeholder (a retried job finds it and answers
 * in it), and every notice (a notice whose creation failed ambiguously is then found, not posted twice).
 */
export function progressMarker(triggerId: string): string {
  return `<!-- threadbot:progress ${triggerId.replace(/[^\w]/g, "")} -->`;
}

export function finalCommentSink(octokit: ProbotOctokit, job: MentionTarget): ReplySink {
  return {
    progress: () => undefined,
    finish: async (body) => {
      cancelAcknowledgement(octokit, job); // the answer itself acknowledges the mention
      await postReply(octokit, job, body);
    },
    notice: async (message) => {
      cancelAcknowledgement(octokit, job);
      await postReply(octokit, job, `${noticeBody(message)}${progressMarker(job.trigger.id)}\n`);
    },
  };
}

/**
 * Tells someone who may not call the bot so. It waits in the write lane behind every answer (a flood of
 * outsiders' mentions must not hold the maintainers' answers back), and is dropped near the hourly
 * ceiling; false then. It carries the progress marker, like every notice, so an ambiguous failure is
 * looked for before it is posted again.
 */
export async function postCourtesyNotice(octokit: ProbotOctokit, job: MentionTarget, message: string): Promise<boolean> {
  return postCourtesyReply(octokit, job, `${noticeBody(message)}${progressMarker(job.trigger.id)}\n`);
}
