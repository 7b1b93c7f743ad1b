// Thread → conversation: which comments Claude sees, in which order, under which role, and the context
// block that steers it (DESIGN.md, "The thread is the session"). Pure: no network, no clock.
import { botText, humanText } from "./commentText.js";
import { findContextBlocks, parseContextBlock } from "../contextBlock/index.js";
import { isBotAuthor, isBotComment, isMaintainer, maintainerStatus, normalizeLogin, type KnownPermissions } from "./identity.js";
import { stripInvisible } from "../sanitize/index.js";
import { redactSecrets } from "../redact/secrets.js";
import {
  emptyContextBlock,
  type AuthorAssociation,
  type BotIdentity,
  type ContextBlock,
  type Thread,
  type ThreadComment,
} from "../types.js";

/** Marks a bot comment that is not an answer (refusal, error, progress placeholder): never replayed. */
export const NOTICE_MARKER = "<!-- threadbot:notice -->";

export interface UserTurnComment {
  id: string;
  /** Login, or "ghost" for a deleted account. */
  author: string;
  association: AuthorAssociation;
  createdAt: string;
  /** Another app's or a CI bot's account (a Bot-typed actor), not a person. */
  isBot?: boolean;
  /** Sanitised, secret-redacted markdown: safe to show the model, still untrusted. */
  text: string;
  mentionsBot: boolean;
  isOpening: boolean;
  edited: boolean;
}

export type Turn =
  | { role: "user"; comments: UserTurnComment[] }
  | { role: "assistant"; commentIds: string[]; text: string };

export interface Omitted {
  minimized: number;
  afterTrigger: number;
  beforeSince: number;
  summarised: number;
}

export { clearConversationCache } from "./commentText.js";

export interface Conversation {
  context: ContextBlock;
  /** Id of the comment whose block is `context`, or null when no valid block was found. */
  contextSourceId: string | null;
  /** Human-readable problems worth a line in the reply footer (e.g. an unreadable context block). */
  warnings: string[];
  turns: Turn[];
  trigger: ThreadComment;
  omitted: Omitted;
}

export interface BuildConversationOptions {
  bot: BotIdentity;
  phrase: string;
  triggerCommentId: string;
  /**
   * Permissions confirmed for this job, by normalised login: a context block in a comment counts only when
   * this app's bot wrote it or its author is a maintainer by these (identity.ts). Without them only the
   * bot's own blocks (and the repository owner's) count.
   */
  permissions?: KnownPermissions;
}

type Parsed = { ok: true; block: ContextBlock } | { ok: false; error: string } | null;

interface Item {
  comment: ThreadComment;
  isBot: boolean;
  /** Sort key: [slot, 0 for humans / 1 for bot replies, original index]. */
  key: [number, number, number];
}

export function buildConversation(thread: Thread, options: BuildConversationOptions): Conversation {
  const { bot, phrase, triggerCommentId } = options;
  const permissions = options.permissions ?? NO_PERMISSIONS;
  const comments = thread.comments;
  const isTriggerOpening = triggerCommentId === thread.opening.id;

  const indexById = new Map<string, number>();
  comments.forEach((c, i) => indexById.set(c.id, i));
  const triggerIndex = isTriggerOpening ? -1 : indexById.get(triggerCommentId);
  if (triggerIndex === undefined) throw new Error(`trigger comment ${triggerCommentId} is not in the thread`);
  const trigger = isTriggerOpening ? thread.opening : comments[triggerIndex]!;
  if (isBotComment(trigger, bot)) throw new Error(`trigger comment ${triggerCommentId} is the bot's own comment`);

  // Only the comment's own body: text the app composed beside it (a review's line comments) is not its state.
  const rawBlockOf = (c: ThreadComment): string | null => {
    if (!c.body.includes(BLOCK_MARKER_TEXT)) return null;
    return isBotComment(c, bot) ? botText(c.id, c.body).blockRaw : (findContextBlocks(c.body).at(-1)?.raw ?? null);
  };
  const parsedCache = new Map<string, Parsed>();
  const blockOf = (c: ThreadComment): Parsed => {
    let parsed = parsedCache.get(c.id);
    if (parsed === undefined) {
      const raw = rawBlockOf(c);
      parsedCache.set(c.id, (parsed = raw === null ? null : parseContextBlock(raw)));
    }
    return parsed;
  };

  const omitted: Omitted = { minimized: 0, afterTrigger: 0, beforeSince: 0, summarised: 0 };

  // 1. Candidates and their order. A bot reply is placed right after the newest trigger it answered, so
  //    humans who commented while the bot was thinking come after the answer, as they did for the bot.
  const items: Item[] = [];
  // Everything that may carry a context block, oldest first, with its index in the thread.
  const stateComments: { comment: ThreadComment; index: number }[] = [{ comment: thread.opening, index: -1 }];
  let runSlot: number | null = null; // slot of the current run of consecutive bot replies
  let lastBotSlot = -Infinity;
  let lastAnchor = -Infinity;
  comments.forEach((c, i) => {
    if (c.isMinimized && i !== triggerIndex) {
      omitted.minimized++;
      return;
    }
    const fromBot = isBotComment(c, bot);
    stateComments.push({ comment: c, index: i });
    if (fromBot && c.body.includes(NOTICE_MARKER)) return; // notices keep their block, never a turn
    if (!fromBot) {
      runSlot = null;
      items.push({ comment: c, isBot: false, key: [i, 0, i] });
      return;
    }
    // Only a reply that answers a newer trigger than the replies before it moves (and starts a new
    // turn slot); the rest of a split answer, or a reply answering nothing new, stays in place.
    const anchor = anchorOf(c, i);
    const answersNew = anchor !== undefined && anchor > lastAnchor;
    if (runSlot === null || answersNew) {
      runSlot = Math.max(lastBotSlot, answersNew ? anchor : i - 1);
      lastBotSlot = runSlot;
    }
    if (anchor !== undefined) lastAnchor = Math.max(lastAnchor, anchor);
    items.push({ comment: c, isBot: true, key: [runSlot, 1, i] });
  });
  items.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2]);

  // The newest answered trigger that precedes this reply; `opening` sorts before every comment.
  function anchorOf(c: ThreadComment, index: number): number | undefined {
    let answered = botText(c.id, c.body).answered;
    if (answered === null) {
      const parsed = blockOf(c);
      if (parsed === null || !parsed.ok) return undefined;
      answered = parsed.block.answered;
    }
    let best: number | undefined;
    for (const id of answered) {
      const at = id === thread.opening.id ? -1 : indexById.get(id);
      if (at !== undefined && at < index && (best === undefined || at > best)) best = at;
    }
    return best;
  }

  // 2. Cut at the trigger (in conversation order: later comments get their own turn).
  const cut = isTriggerOpening ? 0 : items.findIndex((it) => it.comment.id === triggerCommentId) + 1;
  omitted.afterTrigger = items.length - cut;
  const beforeCut = items.slice(0, cut);
  const beforeCutIds = new Set(beforeCut.map((it) => it.comment.id));
  const itemIds = new Set(items.map((it) => it.comment.id));

  // 3. Context: newest valid block among trusted comments up to the trigger.
  const warnings: string[] = [];
  let context = emptyContextBlock();
  let contextSourceId: string | null = null;
  const unreadable: { id: string; error: string }[] = [];
  // A comment's state counts when its turn is before the cut; notices (no turn) by their position.
  const upToTrigger = stateComments.filter(({ comment, index }) =>
    itemIds.has(comment.id) ? beforeCutIds.has(comment.id) : index <= triggerIndex,
  );
  for (let i = upToTrigger.length - 1; i >= 0; i--) {
    const c = upToTrigger[i]!.comment;
    if (!isBotComment(c, bot) && !isMaintainer(c.author, c.association, permissions)) continue; // blocks elsewhere are inert
    const parsed = blockOf(c);
    if (parsed === null) continue;
    if (parsed.ok) {
      context = parsed.block;
      contextSourceId = c.id;
      break;
    }
    unreadable.push({ id: c.id, error: parsed.error });
  }
  for (const u of unreadable) {
    const fallback = contextSourceId === null ? "starting from an empty context" : `using the one from comment ${contextSourceId}`;
    warnings.push(`The context block in comment ${u.id} could not be read (${u.error}); ${fallback}.`);
  }

  // 4. `since` (reset) and `summary_until` (folded into the summary) drop older comments.
  const position = new Map<string, number>();
  beforeCut.forEach((it, i) => position.set(it.comment.id, i));
  const kept = beforeCut.filter((it, i) => {
    const id = it.comment.id;
    if (id === triggerCommentId) return true;
    if (context.since !== null && isBefore(id, i, context.since, position, false)) {
      omitted.beforeSince++;
      return false;
    }
    if (context.summary_until !== null && isBefore(id, i, context.summary_until, position, true)) {
      omitted.summarised++;
      return false;
    }
    return true;
  });

  // 5. Turns: the opening post first, then merged runs of the same role.
  const toUser = (c: ThreadComment, isOpening: boolean): UserTurnComment => {
    const human = humanText(c.id, c.composed ? `${c.body}${c.composed}` : c.body, phrase);
    let text = human.text;
    if (isOpening) text = `# ${singleLine(thread.title)}\n\n${text.trim() === "" ? "(no description)" : text}`;
    return {
      id: c.id,
      author: c.author?.login ?? "ghost",
      association: c.association,
      isBot: isBotAuthor(c.author),
      createdAt: c.createdAt,
      text,
      mentionsBot: human.mentionsBot,
      isOpening,
      edited: c.lastEditedAt !== null,
    };
  };
  const turns: Turn[] = [{ role: "user", comments: [toUser(thread.opening, true)] }];
  for (const it of kept) {
    const last = turns[turns.length - 1]!;
    if (it.isBot) {
      const text = botText(it.comment.id, it.comment.body).text;
      if (last.role === "assistant") {
        last.commentIds.push(it.comment.id);
        last.text = last.text === "" ? text : text === "" ? last.text : `${last.text}\n\n${text}`;
      } else turns.push({ role: "assistant", commentIds: [it.comment.id], text });
    } else if (last.role === "user") last.comments.push(toUser(it.comment, false));
    else turns.push({ role: "user", comments: [toUser(it.comment, false)] });
  }

  return { context, contextSourceId, warnings, turns, trigger, omitted };
}

const NO_PERMISSIONS: KnownPermissions = new Map();
const BLOCK_MARKER_TEXT = "threadbot:context";
/** At most this many authors' permissions are read for their context blocks in one job. */
export const MAX_BLOCK_AUTHORS_TO_CONFIRM = 10;

/**
 * The logins whose permission decides whether a context block in their comments counts, and is not known
 * yet: people (not bots, not the repository owner) whose comment up to the trigger holds the block marker
 * in its own body. Newest first, at most MAX_BLOCK_AUTHORS_TO_CONFIRM: blocks of authors past that stay
 * inert (the safe side). No markdown is parsed here.
 */
export function blockAuthorsToConfirm(
  thread: Thread,
  options: { bot: BotIdentity; triggerCommentId: string; permissions: KnownPermissions },
): string[] {
  const at = options.triggerCommentId === thread.opening.id ? -1 : thread.comments.findIndex((c) => c.id === options.triggerCommentId);
  const upToTrigger = [thread.opening, ...thread.comments.slice(0, at + 1)];
  const logins = new Map<string, string>();
  for (let i = upToTrigger.length - 1; i >= 0 && logins.size < MAX_BLOCK_AUTHORS_TO_CONFIRM; i--) {
    const c = upToTrigger[i]!;
    if (c.isMinimized || c.author === null || !c.body.includes(BLOCK_MARKER_TEXT)) continue;
    if (maintainerStatus(c.author, c.association, options.permissions) !== "unknown") continue;
    logins.set(normalizeLogin(c.author.login), c.author.login);
  }
  return [...logins.values()];
}

/**
 * Is the comment at `index` before the comment `ref` (or at it, when `inclusive`)? By position when `ref`
 * is in the conversation; otherwise (deleted or hidden comment) by id, as ids grow with creation time.
 */
function isBefore(id: string, index: number, ref: string, position: Map<string, number>, inclusive: boolean): boolean {
  const refIndex = position.get(ref);
  const cmp = refIndex !== undefined ? index - refIndex : compareIds(id, ref);
  return inclusive ? cmp <= 0 : cmp < 0;
}

export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function singleLine(text: string): string {
  return redactSecrets(stripInvisible(text)).replace(/\s+/g, " ").trim();
}
