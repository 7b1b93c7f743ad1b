// The thread JSON format of `threadbot inspect --thread-file`: the core's `Thread` (src/core/types.ts)
// plus the bot's login and, for pull requests and review threads, what the worker reads about the pull
// request (`PullRequestData`, src/core/pullRequest/prContext.ts). `inspect owner/repo#N --save-thread FILE` writes it
// from a live thread.
import { z } from "zod";
import { isBotComment } from "../core/conversation/identity.js";
import type { PullRequestData } from "../core/pullRequest/prContext.js";
import { detectTrigger } from "../core/trigger/trigger.js";
import type { BotIdentity, Thread, ThreadComment } from "../core/types.js";

const ASSOCIATIONS = ["OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "MANNEQUIN", "NONE"] as const;

const AuthorSchema = z.object({ login: z.string().min(1), type: z.string().min(1).default("User") }).nullable();

const CommentSchema = z.object({
  id: z.union([z.string().regex(/^\d+$/, "must be a comment id (digits)"), z.number().int().nonnegative()]).transform(String),
  author: AuthorSchema,
  association: z.enum(ASSOCIATIONS).default("NONE"),
  body: z.string(),
  composed: z.string().optional(),
  createdAt: z.string().min(1),
  lastEditedAt: z.string().nullable().default(null),
  isMinimized: z.boolean().default(false),
});

const count = z.number().int().nonnegative();
const lineNumber = z.number().int().positive().nullable();

const RefsSchema = z.object({
  number: z.number().int().positive(),
  baseRef: z.string(),
  headRef: z.string(),
  headSha: z.string(),
  headRepository: z.string().nullable(),
  isCrossRepository: z.boolean(),
  changedFiles: count,
  additions: count,
  deletions: count,
});

/** `PullRequestData`: the refs and changed files of a PR conversation, or a review thread's path and hunk. */
const PullRequestDataSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("conversation"),
    refs: RefsSchema,
    files: z.array(
      z.object({ path: z.string(), previousPath: z.string().nullable(), status: z.string(), additions: count, deletions: count, patch: z.string().nullable() }),
    ),
    gitattributes: z.string().nullable(),
  }),
  z.object({
    kind: z.literal("review_thread"),
    refs: RefsSchema,
    thread: z.object({
      path: z.string(),
      line: lineNumber,
      startLine: lineNumber,
      originalLine: lineNumber,
      originalStartLine: lineNumber,
      diffSide: z.enum(["LEFT", "RIGHT"]),
      subjectType: z.enum(["LINE", "FILE"]),
      isOutdated: z.boolean(),
      isResolved: z.boolean(),
      diffHunk: z.string(),
    }),
  }),
]);

export const ThreadFileSchema = z.object({
  /** The app's bot login (`<slug>` or `<slug>[bot]`): its comments are the assistant's turns. */
  bot: z.string().min(1),
  kind: z.enum(["issue", "pull_request", "review_thread"]).default("issue"),
  owner: z.string().min(1),
  repo: z.string().min(1),
  number: z.number().int().positive(),
  title: z.string(),
  opening: CommentSchema.omit({ id: true }).extend({ id: z.literal("opening").default("opening") }),
  comments: z.array(CommentSchema).default([]),
  /** Pull requests and review threads: what the worker reads beside the thread (its own system block). */
  pullRequest: PullRequestDataSchema.optional(),
});

export interface ThreadFile {
  bot: BotIdentity;
  thread: Thread;
  pullRequest: PullRequestData | undefined;
}

export class ThreadFileError extends Error {
  override name = "ThreadFileError";
}

export function parseThreadFile(json: unknown): ThreadFile {
  const parsed = ThreadFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`).join("; ");
    throw new ThreadFileError(`not a threadbot thread file: ${problems}`);
  }
  const { bot, pullRequest, ...thread } = parsed.data;
  return { bot: { login: bot }, thread: thread as Thread, pullRequest };
}

export function toThreadFile(thread: Thread, bot: BotIdentity, pullRequest?: PullRequestData): Record<string, unknown> {
  return { bot: bot.login, ...thread, ...(pullRequest ? { pullRequest } : {}) };
}

/**
 * The bot of a live thread: `--bot`, else BOT_LOGIN, else the author of a Bot comment that carries a
 * context block, else "threadbot" (no replies of its own yet: the login changes nothing then).
 */
export function guessBot(thread: Thread, explicit: string | undefined): BotIdentity {
  if (explicit) return { login: explicit };
  const reply = thread.comments.find((c) => c.author?.type === "Bot" && c.body.includes("threadbot:context"));
  return { login: reply?.author?.login ?? "threadbot" };
}

/** `--comment ID`, else the newest comment (or the opening post) that mentions the bot, not by a bot. */
export function pickTrigger(thread: Thread, bot: BotIdentity, phrase: string, explicit: string | undefined): ThreadComment {
  if (explicit !== undefined) {
    const found = explicit === "opening" ? thread.opening : thread.comments.find((c) => c.id === explicit);
    if (!found) throw new ThreadFileError(`comment ${explicit} is not in ${thread.owner}/${thread.repo}#${thread.number}`);
    if (isBotComment(found, bot)) throw new ThreadFileError(`comment ${explicit} is the bot's own comment`);
    return found;
  }
  const candidates = [thread.opening, ...thread.comments];
  for (let i = candidates.length - 1; i >= 0; i--) {
    const c = candidates[i]!;
    if (c.isMinimized || c.author?.type === "Bot") continue;
    if (detectTrigger(c.body, { phrase }).triggered) return c;
  }
  throw new ThreadFileError(`no comment in ${thread.owner}/${thread.repo}#${thread.number} mentions ${phrase}; pass --comment ID`);
}
