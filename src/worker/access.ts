// Who may call the bot (`access` in `.github/claude.yml`): by default people with write, maintain or admin
// permission; `triage` adds triagers; `everyone` answers anyone (a public Q&A repository). Bots never,
// unless `access.bots` names them (and the operator's TRIGGER_ALLOWED_BOTS let them through intake); this
// app itself never.
//
// The webhook's `author_association` answers for free when it is OWNER, MEMBER or COLLABORATOR. It
// under-reports org members (they can show as CONTRIBUTOR or NONE), so anyone else is confirmed with the
// collaborator-permission API before being refused. That request starts with the job, beside the thread
// and config reads: no extra round trip. Refused people get no model call, and one short notice per person
// per thread: the notice carries a marker naming them, found in the thread next time (no store).
import type { ProbotOctokit } from "probot";
import { isBotComment, normalizeLogin } from "../core/conversation/identity.js";
import type { AuthorAssociation, BotIdentity, Thread, ThreadComment } from "../core/types.js";
import type { RepoConfig } from "../config/repo.js";
import type { ThreadJob } from "../queue/types.js";

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";
/** "error": GitHub could not say (after its retries). */
export type PermissionResult = Permission | "error";

const FREE: ReadonlySet<AuthorAssociation> = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);
const RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };
const NEEDED: Record<Exclude<RepoConfig["access"]["allow"], "everyone">, Permission> = { write: "write", triage: "triage" };

/** The trigger's author may be answered on the webhook's word alone (and so gets the 👀 at once). */
export function allowedByAssociation(job: Pick<ThreadJob, "trigger">): boolean {
  return FREE.has(job.trigger.association) && !job.trigger.author.endsWith("[bot]");
}

/** Starts the permission lookup when the association cannot settle it; null when not needed. */
export function startPermissionCheck(octokit: ProbotOctokit, job: ThreadJob): Promise<PermissionResult> | null {
  if (allowedByAssociation(job) || job.trigger.author.endsWith("[bot]") || job.trigger.author === "ghost") return null;
  return permissionOf(octokit, job, job.trigger.author);
}

// One lookup per login per Octokit instance (each job gets its own): commands that need write access
// (src/worker/commands.ts) reuse the one started beside the thread read.
const lookups = new WeakMap<object, Map<string, Promise<PermissionResult>>>();

/** The collaborator permission of `login` (role_name, so `maintain` and `triage` are told apart). */
export function permissionOf(octokit: ProbotOctokit, repo: { owner: string; repo: string }, login: string): Promise<PermissionResult> {
  let byLogin = lookups.get(octokit);
  if (byLogin === undefined) lookups.set(octokit, (byLogin = new Map()));
  const key = `${repo.owner}/${repo.repo}:${login.toLowerCase()}`;
  let lookup = byLogin.get(key);
  if (lookup === undefined) {
    lookup = octokit.rest.repos.getCollaboratorPermissionLevel({ owner: repo.owner, repo: repo.repo, username: login }).then(
      ({ data }) => toPermission((data as { role_name?: string }).role_name ?? data.permission),
      (error: unknown) => ((error as { status?: number })?.status === 404 ? "none" : "error"),
    );
    byLogin.set(key, lookup);
  }
  return lookup;
}

/** At least write access (a maintainer), by permission. */
export function canWrite(permission: PermissionResult): boolean {
  return permission !== "error" && RANK[permission] >= RANK.write;
}

function toPermission(value: string | undefined): Permission {
  return value !== undefined && value in RANK ? (value as Permission) : "none";
}

export type AccessDecision =
  | { allowed: true }
  /** Silent: bots (no notice to a bot, that is a loop). */
  | { allowed: false; reason: "self" | "bot" }
  | { allowed: false; reason: "permission" | "unverified"; login: string };

export function decideAccess(input: {
  trigger: ThreadComment;
  job: Pick<ThreadJob, "trigger">;
  bot: BotIdentity;
  access: RepoConfig["access"];
  permission: PermissionResult | null;
}): AccessDecision {
  const { trigger, bot, access } = input;
  if (isBotComment(trigger, bot)) return { allowed: false, reason: "self" };
  if (trigger.author?.type === "Bot" || input.job.trigger.author.endsWith("[bot]")) {
    const login = normalizeLogin(trigger.author?.login ?? input.job.trigger.author);
    return access.bots.some((b) => normalizeLogin(b) === login) ? { allowed: true } : { allowed: false, reason: "bot" };
  }
  if (access.allow === "everyone" || allowedByAssociation(input.job)) return { allowed: true };
  const login = trigger.author?.login ?? input.job.trigger.author;
  if (input.permission === "error") return { allowed: false, reason: "unverified", login };
  if (input.permission !== null && RANK[input.permission] >= RANK[NEEDED[access.allow]]) return { allowed: true };
  return { allowed: false, reason: "permission", login };
}

export function refusalMarker(login: string): string {
  return `<!-- threadbot:refused ${login.toLowerCase().replace(/[^a-z0-9-]/g, "")} -->`;
}

/** Whether this thread already holds the bot's refusal notice for `login`. */
export function alreadyRefused(thread: Thread, bot: BotIdentity, login: string): boolean {
  const marker = refusalMarker(login);
  return thread.comments.some((c) => isBotComment(c, bot) && c.body.includes(marker));
}

/** The notice for a refused person, or null when none should be posted (bots, already told, disabled). */
export function refusalNotice(decision: AccessDecision, thread: Thread, bot: BotIdentity, access: RepoConfig["access"]): string | null {
  if (decision.allowed || !("login" in decision)) return null;
  const who = `@${decision.login.replace(/[^A-Za-z0-9-]/g, "")}`;
  if (decision.reason === "unverified") {
    return `Sorry ${who}, I could not check your access to this repository just now (GitHub did not answer). Please mention me again in a few minutes.`;
  }
  if (!access.notice || alreadyRefused(thread, bot, decision.login)) return null;
  const level = access.allow === "triage" ? "triage or write access" : "write access";
  return `${refusalMarker(decision.login)}\nThanks for the mention, ${who}! In this repository I only answer people with ${level}, so I'll leave this one to the maintainers (they can ask me on your behalf).`;
}
