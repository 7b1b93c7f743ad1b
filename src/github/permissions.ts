// The collaborator-permission API, read for one job: each login at most once, the logins of one decision
// step in parallel. The decision itself (src/core/decision/) is pure and asks for the logins it needs.
import type { ProbotOctokit } from "probot";
import { normalizeLogin, toPermission, type KnownPermissions, type PermissionResult } from "../core/conversation/identity.js";

export interface PermissionReader {
  /** What has been read so far, by normalised login. */
  readonly known: KnownPermissions;
  /** Reads the logins not read yet, all at once. Never throws: a failure is recorded as "error". */
  read(logins: readonly string[]): Promise<void>;
  /** How many requests this reader sent. */
  readonly requests: number;
}

export function permissionReader(octokit: ProbotOctokit, repo: { owner: string; repo: string }): PermissionReader {
  const known = new Map<string, PermissionResult>();
  const inFlight = new Map<string, Promise<void>>();
  let requests = 0;
  const readOne = (login: string): Promise<void> => {
    const key = normalizeLogin(login);
    let pending = inFlight.get(key);
    if (pending === undefined) {
      requests++;
      pending = octokit.rest.repos
        // role_name tells `maintain` and `triage` apart (`permission` folds them into write and read).
        .getCollaboratorPermissionLevel({ owner: repo.owner, repo: repo.repo, username: login })
        .then(
          ({ data }) => toPermission((data as { role_name?: string }).role_name ?? data.permission),
          (error: unknown): PermissionResult => ((error as { status?: number })?.status === 404 ? "none" : "error"),
        )
        .then((permission) => void known.set(key, permission));
      inFlight.set(key, pending);
    }
    return pending;
  };
  return {
    known,
    read: async (logins) => {
      await Promise.all(logins.map(readOne));
    },
    get requests() {
      return requests;
    },
  };
}
