// Who wrote a comment: this app's bot, another bot, a maintainer, or anyone else. Pure, no network: the
// permissions a decision needs are read by the worker (the collaborator-permission API, once per login per
// job) and handed in.
import type { AuthorAssociation, Author, BotIdentity, ThreadComment } from "../types.js";

/** Lower-case login without the `[bot]` suffix REST adds (GraphQL reports bot logins without it). */
export function normalizeLogin(login: string): string {
  const lower = login.toLowerCase().trim();
  return lower.endsWith("[bot]") ? lower.slice(0, -"[bot]".length) : lower;
}

/** A REST login of a GitHub App's bot account (`name[bot]`; a user login cannot contain brackets). */
export function isBotLogin(restLogin: string): boolean {
  return restLogin.toLowerCase().endsWith("[bot]");
}

/** A Bot-typed actor (GraphQL `__typename`), or a REST login with the `[bot]` suffix. */
export function isBotAuthor(author: Author | null): boolean {
  return author !== null && (author.type === "Bot" || isBotLogin(author.login));
}

/** Whether `login` (either spelling) is in `list` (either spelling). */
export function loginListed(login: string, list: readonly string[]): boolean {
  const wanted = normalizeLogin(login);
  return list.some((entry) => normalizeLogin(entry) === wanted);
}

/**
 * True when the comment was written by this app's bot account. The actor type must be "Bot": a *User*
 * who registered the same login (or a look-alike such as `threadbot[bot]` typed into a profile) is not us.
 */
export function isBotComment(comment: ThreadComment, bot: BotIdentity): boolean {
  const author = comment.author;
  if (author === null || author.type !== "Bot") return false;
  return normalizeLogin(author.login) === normalizeLogin(bot.login);
}

/** A repository permission as the collaborator-permission API names it (`role_name`). */
export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";
/** "error": GitHub could not say (after its retries). */
export type PermissionResult = Permission | "error";
/** The permissions read for one job, by normalised login (normalizeLogin). */
export type KnownPermissions = ReadonlyMap<string, PermissionResult>;

const RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** `permission` is at least `needed`; an error or an unknown permission is not. */
export function atLeast(permission: PermissionResult | undefined, needed: Permission): boolean {
  return permission !== undefined && permission !== "error" && RANK[permission] >= RANK[needed];
}

export function toPermission(value: string | undefined): Permission {
  return value !== undefined && value in RANK ? (value as Permission) : "none";
}

/**
 * The one maintainer rule: a person (never a Bot-typed actor, whatever its association) with write,
 * maintain or admin permission on the repository, as the collaborator-permission API reports it. The
 * association alone never makes a maintainer (a COLLABORATOR may have read or triage only; MEMBER is any
 * organisation member), with one exception: OWNER is the account that owns the repository, which always
 * has admin. "unknown": the permission has not been read (the caller reads it and asks again).
 */
export function maintainerStatus(
  author: Author | null,
  association: AuthorAssociation,
  permissions: KnownPermissions,
): boolean | "unknown" {
  if (author === null || isBotAuthor(author)) return false;
  if (association === "OWNER") return true;
  const permission = permissions.get(normalizeLogin(author.login));
  if (permission === undefined) return "unknown";
  return atLeast(permission, "write");
}

/** maintainerStatus, with an unread permission counting as no (the safe side). */
export function isMaintainer(author: Author | null, association: AuthorAssociation, permissions: KnownPermissions): boolean {
  return maintainerStatus(author, association, permissions) === true;
}
