// The decision for one job, as one pure function: given the thread as read, the job's trigger, the
// repository's access policy and the permissions read so far, what the worker does: skip, refuse, run a
// command, or answer (which mention, and what the reply lists as answered). The worker is the I/O shell
// around it (src/worker/answer.ts); the inspect CLI calls it too.
//
// Order matters: nothing of an author's untrusted markdown is parsed before that author is admitted (a
// refused outsider costs no parse), and a permission is asked for only when the decision needs it, all
// the logins of one step at once: the plan says `confirm` with the logins, the caller reads them (in
// parallel, once per job) and plans again.
import { answeredTriggerIds } from "../conversation/answered.js";
import { blockAuthorsToConfirm } from "../conversation/conversation.js";
import { isBotAuthor, isBotComment, maintainerStatus, type KnownPermissions } from "../conversation/identity.js";
import { detectTrigger, parseCommand } from "../trigger/trigger.js";
import type { AuthorAssociation, BotIdentity, Thread, ThreadComment } from "../types.js";
import { admit, alreadyRefused, payloadAuthor, refusalNotice, type AccessPolicy, type MentionAuthor } from "./access.js";
import { echoesBotLines, liveMentionLines } from "./echo.js";

export interface PlanInput {
  thread: Thread;
  /** The job's trigger as the webhook described it. */
  trigger: { id: string; author: string; association: AuthorAssociation };
  /** Intake did not parse the body (too long for the webhook handler): not yet known to be a mention. */
  unverified?: boolean | undefined;
  bot: BotIdentity;
  phrase: string;
  access: AccessPolicy;
  /** Permissions read for this job so far, by normalised login. */
  permissions: KnownPermissions;
}

export type SkipReason = "trigger-gone" | "already-answered" | "no-longer-mentions" | "self" | "from-a-bot" | "bot-loop" | "echo";

export type CommandName = "help" | "status" | "reset" | "remember";

export type JobPlan =
  /** Read these logins' permissions, then plan again. */
  | { kind: "confirm"; logins: string[] }
  /**
   * Nothing to answer. `notice` (only for a maintainer's echo: never drop a maintainer's mention silently)
   * is posted as a reply that lists the trigger as answered.
   */
  | { kind: "skip"; reason: SkipReason; notice: string | null }
  /** Not allowed to call the bot; `notice` is posted when not null (once per person per thread). */
  | { kind: "refuse"; reason: "permission" | "unverified"; login: string; notice: string | null }
  /** A command answered without Claude; `byMaintainer` decides whether reset/remember may run. */
  | { kind: "command"; trigger: ThreadComment; command: { name: CommandName; argument: string }; byMaintainer: boolean }
  /**
   * Ask Claude about the conversation up to `answerFor` (the trigger, or for `retry` the mention it answers
   * again); the reply lists `answered`. `retryOf`: the failed mention whose placeholder becomes the answer.
   */
  | { kind: "answer"; trigger: ThreadComment; answerFor: string; answered: string[]; retryOf: string | null };

const confirm = (logins: Iterable<string>): JobPlan | null => {
  const unique = [...new Set(logins)];
  return unique.length > 0 ? { kind: "confirm", logins: unique } : null;
};

export function findTrigger(thread: Thread, id: string): ThreadComment | undefined {
  return id === "opening" || id === thread.opening.id ? thread.opening : thread.comments.find((c) => c.id === id);
}

/** The author of a comment as read from the thread (GraphQL knows the actor's type). */
export function commentAuthor(c: ThreadComment): MentionAuthor {
  return { login: c.author?.login ?? "ghost", isBot: isBotAuthor(c.author), association: c.association };
}

export function planJob(input: PlanInput): JobPlan {
  const { thread, bot, phrase, access, permissions } = input;
  const trigger = findTrigger(thread, input.trigger.id);
  if (!trigger || trigger.isMinimized) return { kind: "skip", reason: "trigger-gone", notice: null };
  if (isBotComment(trigger, bot)) return { kind: "skip", reason: "self", notice: null };
  const answered = answeredTriggerIds(thread, bot);
  if (answered.has(trigger.id)) return { kind: "skip", reason: "already-answered", notice: null };

  // Who wrote it, before anything of what they wrote is parsed. The thread's record of the author wins over
  // the webhook's (it has the actor's type); a deleted account falls back to the webhook's login.
  const author = trigger.author === null ? payloadAuthor(input.trigger) : commentAuthor(trigger);
  const admission = admit(author, access, permissions, bot);
  switch (admission.kind) {
    case "confirm":
      return confirm([admission.login])!;
    case "skip":
      return { kind: "skip", reason: admission.reason, notice: null };
    case "refuse": {
      const notice = refusalNotice(admission, access, {
        verifiedMention: !input.unverified,
        alreadyTold: alreadyRefused(thread, bot, admission.login),
      });
      return { kind: "refuse", reason: admission.reason, login: admission.login, notice };
    }
    case "admitted":
      break;
  }

  const mention = detectTrigger(trigger.body, { phrase });
  if (!mention.triggered) return { kind: "skip", reason: "no-longer-mentions", notice: null };
  if (author.isBot && botAnswersInARow(thread, bot, trigger, answered) >= access.bot_answers_in_a_row) {
    return { kind: "skip", reason: "bot-loop", notice: null };
  }
  const byMaintainer = maintainerStatus(trigger.author, trigger.association, permissions);
  if (byMaintainer === "unknown") return confirm([author.login])!;
  if (echoesBotLines(trigger.body, liveMentionLines(thread, bot, phrase), phrase)) {
    return {
      kind: "skip",
      reason: "echo",
      notice: byMaintainer
        ? `This mention repeats a line of one of my own earlier replies word for word, so I took it for my own text coming back and did not answer it. If you meant to ask it, please rephrase it, and I'll answer.`
        : null,
    };
  }

  // Before the conversation is built: the permissions of those whose context blocks might count.
  const command = parseCommand(mention.request);
  const retry = command.name === "retry" ? retryTarget(input, trigger, answered) : { target: null, confirm: [] };
  const pending = confirm([...blockAuthorsToConfirm(thread, { bot, triggerCommentId: trigger.id, permissions }), ...retry.confirm]);
  if (pending !== null) return pending;

  switch (command.name) {
    case null:
      return { kind: "answer", trigger, answerFor: trigger.id, answered: [trigger.id], retryOf: null };
    case "retry":
      if (retry.target === null) return { kind: "answer", trigger, answerFor: trigger.id, answered: [trigger.id], retryOf: null };
      return { kind: "answer", trigger, answerFor: retry.target, answered: [retry.target, trigger.id], retryOf: retry.target };
    default:
      return { kind: "command", trigger, command: { name: command.name, argument: command.argument }, byMaintainer };
  }
}

/** At most this many authors' permissions are asked for in one step of a `retry`. */
const MAX_RETRY_CONFIRMS = 10;

/**
 * `retry` answers the newest earlier mention that no reply of the bot lists as answered (a mention that
 * failed, or whose answer was deleted) and whose author may call the bot: a comment before the retry, by a
 * person, not hidden, that mentions the bot with a question (commands and other retries are not retried).
 * A refused outsider's mention is never a target. `confirm`: authors whose permission decides it.
 */
export function retryTarget(
  input: Pick<PlanInput, "thread" | "bot" | "phrase" | "access" | "permissions">,
  retry: ThreadComment,
  answered: ReadonlySet<string> = answeredTriggerIds(input.thread, input.bot),
): { target: string | null; confirm: string[] } {
  const { thread, bot, phrase } = input;
  const at = thread.comments.findIndex((c) => c.id === retry.id);
  const candidates: ThreadComment[] = [thread.opening, ...thread.comments.slice(0, Math.max(0, at))];
  const unknown: string[] = [];
  const lowerPhrase = phrase.toLowerCase();
  for (let i = candidates.length - 1; i >= 0; i--) {
    const c = candidates[i]!;
    if (c.isMinimized || answered.has(c.id) || isBotAuthor(c.author) || !c.body.toLowerCase().includes(lowerPhrase)) continue;
    const admission = admit(commentAuthor(c), input.access, input.permissions, bot);
    if (admission.kind === "confirm") {
      if (unknown.push(admission.login) >= MAX_RETRY_CONFIRMS) break;
      continue;
    }
    if (admission.kind !== "admitted") continue;
    if (unknown.length > 0) break; // newer candidates are still undecided
    const mention = detectTrigger(c.body, { phrase });
    if (mention.triggered && parseCommand(mention.request).name === null) return { target: c.id, confirm: [] };
  }
  return { target: null, confirm: unknown };
}

/**
 * How many answers in a row, right before `trigger`, went to bots: walking back over the thread, this app's
 * replies are passed over, answered mentions by bots are counted, and the first comment by a person ends
 * the run (a person spoke, so it is not two bots talking to each other).
 */
export function botAnswersInARow(thread: Thread, bot: BotIdentity, trigger: ThreadComment, answered: ReadonlySet<string>): number {
  const at = thread.comments.findIndex((c) => c.id === trigger.id);
  let count = 0;
  for (let i = at - 1; i >= 0; i--) {
    const c = thread.comments[i]!;
    if (isBotComment(c, bot)) continue;
    if (!isBotAuthor(c.author)) break;
    if (answered.has(c.id)) count++;
  }
  return count;
}
