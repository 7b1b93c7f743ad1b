// Live progress: one reply comment, created early as a notice-marked placeholder ("Working on it…") and
// edited as the answer streams in, at most one edit per interval; the final edit is the answer itself.
// Notices (errors, refusals) edit the placeholder too, so a mention never leaves more than one comment.
//
// The placeholder is a write, and Probot's throttling paces writes (≥ 1 s apart, comments 3 s apart):
// `begin()` starts it without waiting, beside the Claude request, never before it.
import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import { neutraliseContextBlocks } from "../core/contextBlock/index.js";
import { NOTICE_MARKER } from "../core/conversation/conversation.js";
import { isBotComment } from "../core/conversation/identity.js";
import type { BotIdentity, Thread } from "../core/types.js";
import { postReply, updateReply } from "../github/writes.js";
import type { ThreadJob } from "../queue/types.js";
import { finalCommentSink, noticeBody, type ReplySink } from "./finalSink.js";

/** Room left under GitHub's 65,536-character body limit for the markers and the "writing" line. */
const MAX_PROGRESS_CHARS = 60_000;

export interface CommentWriter {
  create(body: string): Promise<number>;
  update(commentId: number, body: string): Promise<void>;
}

export function octokitWriter(octokit: ProbotOctokit, job: ThreadJob): CommentWriter {
  return {
    create: (body) => postReply(octokit, job, body),
    update: (commentId, body) => updateReply(octokit, job, commentId, body),
  };
}

export interface ProgressSink extends ReplySink {
  /** Starts creating the placeholder (not awaited). Call right before the Claude request. */
  begin(): void;
  /** Before begin(): answer in this placeholder of an earlier attempt (`retry` of a failed mention). */
  adopt(placeholderId: number | null): void;
}

export interface ProgressSinkOptions {
  /** The trigger comment this reply answers; the placeholder names it, so a retried job finds it. */
  triggerId: string;
  /** Minimum time between progress edits (default 3 s). */
  intervalMs: number;
  /** A placeholder left by an earlier attempt at this job, to edit instead of creating another. */
  existingPlaceholderId?: number | null;
  /** Called once, when people first see answer text (a progress edit or the final answer). */
  onFirstText?: () => void;
  log?: Pick<Logger, "warn">;
  now?: () => number;
}

export function progressMarker(triggerId: string): string {
  return `<!-- threadbot:progress ${triggerId.replace(/[^\w]/g, "")} -->`;
}

/** The placeholder of an earlier attempt at answering `triggerId`, if the bot left one. */
export function findPlaceholder(thread: Thread, bot: BotIdentity, triggerId: string): number | null {
  const marker = progressMarker(triggerId);
  for (let i = thread.comments.length - 1; i >= 0; i--) {
    const c = thread.comments[i]!;
    if (isBotComment(c, bot) && c.body.includes(NOTICE_MARKER) && c.body.includes(marker) && /^\d+$/.test(c.id)) return Number(c.id);
  }
  return null;
}

function isNotFound(error: unknown): boolean {
  return (error as { status?: number } | null)?.status === 404;
}

export function progressSink(writer: CommentWriter, options: ProgressSinkOptions): ProgressSink {
  const now = options.now ?? Date.now;
  const marker = progressMarker(options.triggerId);
  const placeholderBody = `${NOTICE_MARKER}\n${marker}\n⏳ Working on it…\n`;
  const progressBody = (text: string) => {
    const shown = text.length > MAX_PROGRESS_CHARS ? `${text.slice(0, MAX_PROGRESS_CHARS)}…` : text;
    return `${NOTICE_MARKER}\n${marker}\n${neutraliseContextBlocks(shown).trimEnd()}\n\n_⏳ still writing…_\n`;
  };

  let creating: Promise<number | null> | null = null;
  /** undefined while the placeholder is being created; null when there is none. */
  let placeholderId: number | null | undefined = options.existingPlaceholderId ?? undefined;
  let latest: string | null = null;
  let lastWriteAt = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: Promise<void> | null = null;
  let closed = false;
  let shownText = false;

  const firstText = () => {
    if (shownText) return;
    shownText = true;
    options.onFirstText?.();
  };

  const schedule = () => {
    if (closed || timer !== null || inFlight !== null || latest === null || typeof placeholderId !== "number") return;
    const wait = Math.max(0, lastWriteAt + options.intervalMs - now());
    timer = setTimeout(flush, wait);
  };

  function flush(): void {
    timer = null;
    if (closed || latest === null || typeof placeholderId !== "number") return;
    const body = progressBody(latest);
    latest = null;
    lastWriteAt = now();
    inFlight = writer
      .update(placeholderId, body)
      .then(firstText, (error: unknown) => {
        options.log?.warn({ err: error }, "could not update the progress comment");
        if (isNotFound(error)) placeholderId = null; // deleted: the answer will be posted anew
      })
      .finally(() => {
        inFlight = null;
        schedule();
      });
  }

  const begin = () => {
    if (creating !== null || closed) return;
    if (typeof placeholderId === "number") {
      creating = Promise.resolve(placeholderId);
      lastWriteAt = now();
      return;
    }
    creating = writer.create(placeholderBody).then(
      (id) => id,
      (error: unknown) => {
        options.log?.warn({ err: error }, "could not post the progress comment; the answer will come in one comment");
        return null;
      },
    );
    void creating.then((id) => {
      if (placeholderId === undefined) placeholderId = id;
      lastWriteAt = now();
      schedule();
    });
  };

  /** Ends progress and writes `body` into the placeholder, or as a new comment when there is none. */
  const settle = async (body: string): Promise<void> => {
    closed = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    await inFlight;
    if (creating !== null) {
      const id = await creating;
      if (placeholderId === undefined) placeholderId = id;
    }
    if (typeof placeholderId === "number") {
      try {
        await writer.update(placeholderId, body);
        return;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    await writer.create(body);
  };

  return {
    begin,
    adopt: (id) => {
      if (creating === null && id !== null) placeholderId = id;
    },
    progress: (textSoFar) => {
      if (closed || textSoFar.trim() === "") return;
      latest = textSoFar;
      schedule();
    },
    finish: async (body) => {
      await settle(body);
      firstText();
    },
    notice: async (message) => {
      // A notice written here keeps the marker: a retried job finds this comment and answers in it.
      await settle(`${noticeBody(message)}${marker}\n`);
    },
  };
}

export interface SinkChoice {
  mode: "edit" | "final";
  intervalSeconds: number;
  thread: Thread;
  bot: BotIdentity;
  onFirstText?: () => void;
  log?: Pick<Logger, "warn">;
}

/** The sink for a job: live progress edits ("edit", the default) or one comment at the end ("final"). */
export function createReplySink(octokit: ProbotOctokit, job: ThreadJob, choice: SinkChoice): ProgressSink {
  if (choice.mode === "edit") {
    return progressSink(octokitWriter(octokit, job), {
      triggerId: job.trigger.id,
      intervalMs: choice.intervalSeconds * 1000,
      existingPlaceholderId: findPlaceholder(choice.thread, choice.bot, job.trigger.id),
      ...(choice.onFirstText ? { onFirstText: choice.onFirstText } : {}),
      ...(choice.log ? { log: choice.log } : {}),
    });
  }
  const sink = finalCommentSink(octokit, job);
  return {
    ...sink,
    begin: () => undefined,
    adopt: () => undefined,
    finish: async (body) => {
      await sink.finish(body);
      choice.onFirstText?.();
    },
  };
}
