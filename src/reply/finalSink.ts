// Where a job's answer goes, and how its progress and failures show. This simple sink writes one
// comment at the end; the progress mode (one comment created early and edited as the answer streams)
// implements the same interface.
import type { ProbotOctokit } from "probot";
import { NOTICE_MARKER } from "../core/conversation/conversation.js";
import { postReply } from "../github/writes.js";
import { scrubText } from "../observe/logRedaction.js";
import type { ThreadJob } from "../queue/types.js";

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

export function finalCommentSink(octokit: ProbotOctokit, job: ThreadJob): ReplySink {
  return {
    progress: () => undefined,
    finish: async (body) => {
      await postReply(octokit, job, body);
    },
    notice: async (message) => {
      await postReply(octokit, job, noticeBody(message));
    },
  };
}
