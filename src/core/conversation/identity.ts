// Who wrote a comment: this app's bot, a maintainer, or anyone else. Pure, no network.
import type { AuthorAssociation, BotIdentity, ThreadComment } from "../types.js";

/** Lower-case login without the `[bot]` suffix REST adds (GraphQL reports bot logins without it). */
export function normalizeLogin(login: string): string {
  const lower = login.toLowerCase();
  return lower.endsWith("[bot]") ? lower.slice(0, -"[bot]".length) : lower;
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

const MAINTAINER_ASSOCIATIONS: ReadonlySet<AuthorAssociation> = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

/**
 * Maintainer = may steer the bot. GitHub's association can under-report org members (DESIGN.md), so a
 * caller that is about to *refuse* someone should confirm with the permission API; for trusting a context
 * block, under-reporting only errs on the safe side.
 */
export function isMaintainer(association: AuthorAssociation): boolean {
  return MAINTAINER_ASSOCIATIONS.has(association);
}
