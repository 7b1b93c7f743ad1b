// Live progress: one reply comment per mention, edited as the answer streams in (at most one edit per
// interval); the final edit is the answer itself. Notices (errors, refusals) go into that comment too, so
// a mention never leaves more than one comment.
//
// The comment is created only when the answer is not done within one progress interval of its first
// text: a quick answer costs one write (the answer), and a slow one shows its text as it comes. Writes
// go through the installation's write lane (src/github/writeLane.ts): the placeholder and the progress
// edits are "progress" writes, dropped when other writes wait (the answer then comes in one comment, or
// the next edit shows more); the answer and notices are "final" writes. Nothing here is awaited before
// the Claude request.
import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import { neutraliseContextBlocks } from "../core/contextBlock/index.js";
import { NOTICE_MARKER } from "../core/conversation/conversation.js";
import { isBotComment } from "../core/conversation/identity.js";
import type { BotIdentity, Thread } from "../core/types.js";
import { cancelAcknowledgement, postProgressReply, postReply, updateReply } from "../github/writes.js";
import type { WritePriority } from "../github/writeLane.js";
import type { MentionTarget } from "../core/target.js";
import { finalCommentSink, noticeBody, progressMarker, type ReplySink } from "./finalSink.js";

export { progressMarker };

/** Room left under GitHub's 65,536-character body limit for the markers and the "writing" line. */
const MAX_PROGRESS_CHARS = 60_000;

export interface CommentWriter {
  /** Resolves null when a "progress" create was shed (not written). */
  create(body: string, priority?: WritePriority): Promise<number | null>;
  /** Resolves false when a "progress" edit was shed (not written). */
  update(commentId: number, body: string, priority?: WritePriority): Promise<boolean | void>;
  /** Called right before the answer (or a notice) is written: a 👀 still waiting is then pointless. */
  answering?(): void;
}

export function octokitWriter(octokit: ProbotOctokit, job: MentionTarget): CommentWriter {
  return {
    create: (body, priority) => (priority === "progress" ? postProgressReply(octokit, job, body) : postReply(octokit, job, body, priority)),
    update: (commentId, body, priority) => updateReply(octokit, job, commentId, body, priority),
    answering: () => void cancelAcknowledgement(octokit, job),
  };
}

export interface ProgressSink extends ReplySink {
  /** The answer is being asked for: progress may show from now on. Call right before the Claude request. */
  begin(): void;
  /** Before begin(): answer in this placeholder of an earlier attempt (`retry` of a failed mention). */
  adopt(placeholderId: number | null): void;
}

export interface ProgressSinkOptions {
  /** The trigger comment this reply answers; the placeholder names it, so a retried job finds it. */
  triggerId: string;
  /** Minimum time between progress edits (default 3 s). */
  intervalMs: number;
  /** How long after the first text the comment is created if the answer is not done (default intervalMs). */
  placeholderDelayMs?: number;
  /** A placeholder left by an earlier attempt at this job, to edit instead of creating another. */
  existingPlaceholderId?: number | null;
  /** Called once, when people first see answer text (a progress edit or the final answer). */
  onFirstText?: () => void;
  log?: Pick<Logger, "warn">;
  now?: () => number;
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

/**
 * The body of a progress write: the partial answer under the markers. Every progress body is made here,
 * the one place partial model text becomes a comment.
 */
export function progressBody(triggerId: string, text: string): string {
  const shown = text.length > MAX_PROGRESS_CHARS ? `${text.slice(0, MAX_PROGRESS_CHARS)}…` : text;
  return `${NOTICE_MARKER}\n${progressMarker(triggerId)}\n${neutraliseContextBlocks(shown).trimEnd()}\n\n_⏳ still writing…_\n`;
}

export function progressSink(writer: CommentWriter, options: ProgressSinkOptions): ProgressSink {
  const now = options.now ?? Date.now;
  const marker = progressMarker(options.triggerId);
  const placeholderDelay = options.placeholderDelayMs ?? options.intervalMs;

  /** A number when created; null when it failed (no more progress); undefined when shed (try again). */
  let creating: Promise<number | null | undefined> | null = null;
  /** undefined while there is none yet (it may still be created); null when there will be none. */
  let placeholderId: number | null | undefined = options.existingPlaceholderId ?? undefined;
  let latest: string | null = null;
  let lastWriteAt = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: Promise<void> | null = null;
  let begun = false;
  let closed = false;
  let shownText = false;

  const firstText = () => {
    if (shownText) return;
    shownText = true;
    options.onFirstText?.();
  };

  /** Arms the next progress write: the first creates the comment, later ones edit it. */
  const schedule = () => {
    if (!begun || closed || timer !== null || inFlight !== null || creating !== null || latest === null || placeholderId === null) return;
    const wait = Math.max(0, lastWriteAt + options.intervalMs - now());
    timer = setTimeout(flush, wait);
  };

  function flush(): void {
    timer = null;
    if (closed || latest === null) return;
    const text = latest;
    const body = progressBody(options.triggerId, text);
    latest = null;
    lastWriteAt = now();
    /** A shed write: show this text (or newer) at the next interval. */
    const again = () => {
      if (latest === null) latest = text;
    };
    if (typeof placeholderId !== "number") {
      // The answer is taking a while: create the comment now, already showing the text so far.
      const attempt = writer.create(body, "progress").then(
        (id): number | undefined => {
          if (typeof id !== "number") return again(), undefined;
          firstText();
          return id;
        },
        (error: unknown): null => {
          options.log?.warn({ err: error }, "could not post the progress comment; the answer will come in one comment");
          return null;
        },
      );
      creating = attempt;
      void attempt.then((id) => {
        creating = null;
        if (id !== undefined && placeholderId === undefined) placeholderId = id;
        schedule();
      });
      return;
    }
    inFlight = Promise.resolve(writer.update(placeholderId, body, "progress"))
      .then(
        (written) => (written === false ? again() : firstText()),
        (error: unknown) => {
          options.log?.warn({ err: error }, "could not update the progress comment");
          if (isNotFound(error)) placeholderId = null; // deleted: the answer will be posted anew
        },
      )
      .finally(() => {
        inFlight = null;
        schedule();
      });
  }

  const begin = () => {
    if (begun || closed) return;
    begun = true;
    if (typeof placeholderId === "number") lastWriteAt = now();
  };

  /** Ends progress and writes `body` into the comment, or as a new comment when there is none. */
  const settle = async (body: string): Promise<void> => {
    closed = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    await inFlight;
    if (creating !== null) {
      const id = await creating;
      if (typeof id === "number") placeholderId = id;
    }
    writer.answering?.();
    if (typeof placeholderId === "number") {
      try {
        await writer.update(placeholderId, body, "final");
        return;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    await writer.create(body, "final");
  };

  return {
    begin,
    adopt: (id) => {
      if (!begun && id !== null) placeholderId = id;
    },
    progress: (textSoFar) => {
      if (!begun || closed || textSoFar.trim() === "") return;
      // The first text starts the clock: the comment appears only if the answer is not done by then.
      if (lastWriteAt === -Infinity) lastWriteAt = now() - options.intervalMs + placeholderDelay;
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
export function createReplySink(octokit: ProbotOctokit, job: MentionTarget, choice: SinkChoice): ProgressSink {
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
