// Who may call the bot, decided from what GitHub says about the author: the repository's `access` policy
// (`.github/claude.yml`), the author's confirmed permission, and whether the author is a bot. Pure: the
// worker reads the permissions (the collaborator-permission API, once per login per job) and hands them in.
//
// - People: by default those with write, maintain or admin permission; `allow: triage` adds triagers;
//   `allow: everyone` answers anyone (a public Q&A repository). The webhook's `author_association` is never
//   taken as a permission (OWNER excepted: the account that owns the repository has admin).
// - Bots: never, unless `access.bots` names them (and the operator's TRIGGER_ALLOWED_BOTS let them through
//   intake); this app itself never.
import { atLeast, isBotLogin, loginListed, normalizeLogin, type KnownPermissions, type PermissionResult } from "../conversation/identity.js";
import type { AuthorAssociation, BotIdentity, Thread } from "../types.js";
import { isBotComment } from "../conversation/identity.js";

export interface AccessPolicy {
  allow: "write" | "triage" | "everyone";
  /** Bot logins (either spelling) that may call the bot. */
  bots: string[];
  /** Post the one-per-person refusal notice. */
  notice: boolean;
  /** Answers to allowed bots in a row (no person speaking in between) before the bot waits for a person. */
  bot_answers_in_a_row: number;
}

/** The author of a mention as the decision sees it. */
export interface MentionAuthor {
  /** Login in either spelling (REST adds `[bot]`, GraphQL does not); "ghost" for a deleted account. */
  login: string;
  /** A Bot-typed actor (GraphQL `__typename` "Bot", or a REST `[bot]` login). */
  isBot: boolean;
  association: AuthorAssociation;
}

export type Admission =
  | { kind: "admitted" }
  /** The permission of `login` must be read before deciding. */
  | { kind: "confirm"; login: string }
  /** Silent: this app itself, or a bot no allow-list names (no notice to a bot: that is how loops start). */
  | { kind: "skip"; reason: "self" | "from-a-bot" }
  | { kind: "refuse"; reason: "permission" | "unverified"; login: string };

/** The author of a job's trigger, from the webhook alone (REST login, association). */
export function payloadAuthor(trigger: { author: string; association: AuthorAssociation }): MentionAuthor {
  return { login: trigger.author, isBot: isBotLogin(trigger.author), association: trigger.association };
}

/** Whether `author` may call the bot under `policy`, given the permissions read so far. */
export function admit(author: MentionAuthor, policy: AccessPolicy, permissions: KnownPermissions, bot: BotIdentity): Admission {
  if (author.isBot) {
    if (normalizeLogin(author.login) === normalizeLogin(bot.login)) return { kind: "skip", reason: "self" };
    return loginListed(author.login, policy.bots) ? { kind: "admitted" } : { kind: "skip", reason: "from-a-bot" };
  }
  if (policy.allow === "everyone" || author.association === "OWNER") return { kind: "admitted" };
  if (author.login === "ghost") return { kind: "refuse", reason: "permission", login: author.login };
  const permission = permissions.get(normalizeLogin(author.login));
  if (permission === undefined) return { kind: "confirm", login: author.login };
  if (permission === "error") return { kind: "refuse", reason: "unverified", login: author.login };
  return atLeast(permission, policy.allow === "triage" ? "triage" : "write")
    ? { kind: "admitted" }
    : { kind: "refuse", reason: "permission", login: author.login };
}

/** Whether the permission of a trigger's author is worth reading as the job starts (not OWNER, not a bot). */
export function needsPermission(trigger: { author: string; association: AuthorAssociation }): boolean {
  return trigger.association !== "OWNER" && !isBotLogin(trigger.author) && trigger.author !== "ghost";
}

/**
 * The association suggests the author will be admitted, so the thread read starts beside the permission
 * check (no round trip added for maintainers). For anyone else the permission is read first: a refused
 * outsider's mention then costs no thread read.
 */
export function likelyAdmitted(trigger: { author: string; association: AuthorAssociation }): boolean {
  return isBotLogin(trigger.author) || ["OWNER", "MEMBER", "COLLABORATOR"].includes(trigger.association);
}

export function refusalMarker(login: string): string {
  return `<!-- threadbot:refused ${login.toLowerCase().replace(/[^a-z0-9-]/g, "")} -->`;
}

/** Whether this thread already holds the bot's refusal notice for `login`. */
export function alreadyRefused(thread: Thread, bot: BotIdentity, login: string): boolean {
  const marker = refusalMarker(login);
  return thread.comments.some((c) => isBotComment(c, bot) && c.body.includes(marker));
}

/** What a refusal posts: nothing, the "try again" notice (no thread needed), or the once-per-thread notice. */
export function refusalNoticeKind(
  refusal: { reason: "permission" | "unverified" },
  policy: AccessPolicy,
  options: { verifiedMention: boolean },
): "none" | "try-again" | "once-per-thread" {
  // A body intake could not verify as a mention is never parsed for an outsider: no notice, in doubt.
  if (!options.verifiedMention) return "none";
  if (refusal.reason === "unverified") return "try-again";
  return policy.notice ? "once-per-thread" : "none";
}

/** The notice for a refused person, or null when none should be posted (disabled, already told, unverified body). */
export function refusalNotice(
  refusal: { reason: "permission" | "unverified"; login: string },
  policy: AccessPolicy,
  options: { verifiedMention: boolean; alreadyTold: boolean },
): string | null {
  const kind = refusalNoticeKind(refusal, policy, options);
  const who = `@${refusal.login.replace(/[^A-Za-z0-9-]/g, "")}`;
  if (kind === "try-again") {
    return `Sorry ${who}, I could not check your access to this repository just now (GitHub did not answer). Please mention me again in a few minutes.`;
  }
  if (kind === "none" || options.alreadyTold) return null;
  const level = policy.allow === "triage" ? "triage or write access" : "write access";
  return `${refusalMarker(refusal.login)}\nThanks for the mention, ${who}! In this repository I only answer people with ${level}, so I'll leave this one to the maintainers (they can ask me on your behalf).`;
}

export type { PermissionResult };
