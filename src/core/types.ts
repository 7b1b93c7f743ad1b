// Shared data shapes of the pure core. Nothing here touches the network: the GitHub layer fills these
// from GraphQL, tests and the inspect CLI fill them from saved JSON.

/** GitHub's `author_association` / GraphQL `CommentAuthorAssociation`. */
export type AuthorAssociation =
  | "OWNER"
  | "MEMBER"
  | "COLLABORATOR"
  | "CONTRIBUTOR"
  | "FIRST_TIME_CONTRIBUTOR"
  | "FIRST_TIMER"
  | "MANNEQUIN"
  | "NONE";

export interface Author {
  /** Login as GraphQL reports it: a bot's login has no `[bot]` suffix there (REST adds it). */
  login: string;
  /** GraphQL `__typename` of the actor: "User", "Bot", "Organization", "Mannequin", "EnterpriseUserAccount". */
  type: string;
}

export interface ThreadComment {
  /** REST/database id (GraphQL `fullDatabaseId`), as a decimal string: stable, and what blocks refer to. */
  id: string;
  /** `null` for a deleted account ("ghost"). */
  author: Author | null;
  association: AuthorAssociation;
  body: string;
  /**
   * Text the app composed from other comments and the diff to show beside this comment (a review's line
   * comments with their file paths): shown to Claude, never read for state or mentions, since its author
   * did not write it here.
   */
  composed?: string;
  /** ISO-8601 creation time. */
  createdAt: string;
  /** ISO-8601 time of the last edit, or null if never edited. */
  lastEditedAt: string | null;
  isMinimized: boolean;
}

export type ThreadKind = "issue" | "pull_request" | "review_thread";

export interface Thread {
  kind: ThreadKind;
  owner: string;
  repo: string;
  /** Issue or pull request number. */
  number: number;
  title: string;
  /** The opening post (issue/PR body) as the first comment; its id is `opening`. */
  opening: ThreadComment;
  /** Every comment of the thread, oldest first, paginated to the end. */
  comments: ThreadComment[];
}

/** The identity of this app's bot account. */
export interface BotIdentity {
  /** App slug or bot login, with or without the `[bot]` suffix: both spellings are matched. */
  login: string;
}

/** Format v1 of the hidden context block (see README, "The context block"). */
export interface ContextBlock {
  version: 1;
  /** Maintainer-editable standing instructions for this thread ("" when none). */
  instructions: string;
  /** Bot-written summary of turns no longer replayed verbatim ("" when none). */
  summary: string;
  /** Id of the newest comment the summary covers, or null. */
  summary_until: string | null;
  /** Set by `@claude reset`: comments before this id are ignored. */
  since: string | null;
  /** The trigger comment ids this reply answers (each reply lists its own; the thread holds the history). */
  answered: string[];
  /** Model id to use for this thread, or null for the configured default. */
  model: string | null;
  /** The commit the latest answer read the repository's code at (code tools), or null. */
  code_ref: string | null;
  /** Token usage of the thread's answers so far (the answer model's calls; summary calls are not in it). */
  usage: Usage;
  /**
   * Token usage of the thread's summary calls so far (the summary model's), kept apart so that neither
   * figure mixes two models' prices. Absent until the thread's first fold.
   */
  summary_usage?: Usage;
}

export interface Usage {
  input: number;
  cache_read: number;
  cache_write: number;
  output: number;
}

export const EMPTY_USAGE: Usage = Object.freeze({ input: 0, cache_read: 0, cache_write: 0, output: 0 });

export function emptyContextBlock(): ContextBlock {
  return {
    version: 1,
    instructions: "",
    summary: "",
    summary_until: null,
    since: null,
    answered: [],
    model: null,
    code_ref: null,
    usage: { ...EMPTY_USAGE },
  };
}
