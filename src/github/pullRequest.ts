// Reads a pull request's conversation for an answer there: one GraphQL query brings the pull request
// (title, body, refs), its first 100 comments, its first 100 reviews (a review's body is part of the
// conversation, as on GitHub's page) and the base branch's `.gitattributes`; beside it, REST lists the
// changed files with their patches (GraphQL has no patches). Further pages only for long threads.
import { fenceFor } from "../core/markdown/fences.js";
import type { ProbotOctokit } from "probot";
import type { ChangedFile } from "../core/pullRequest/diffBudget.js";
import { GITHUB_FILE_LIST_LIMIT } from "../core/pullRequest/diffBudget.js";
import type { PullRequestRefs } from "../core/pullRequest/prContext.js";
import type { AuthorAssociation, Thread, ThreadComment } from "../core/types.js";
import type { GraphqlClient } from "./clients.js";
import { allPages, COMMENT_FIELDS, toThreadComment, type GqlActor, type GqlComment, type Page } from "./graphqlShapes.js";
import { THREAD_COMMENTS_PAGE_QUERY, ThreadNotFoundError } from "./threadQuery.js";

export const PULL_REQUEST_FIELDS = `
  fragment ThreadbotPullRequestHead on PullRequest {
    id
    number
    title
    body
    createdAt
    lastEditedAt
    authorAssociation
    author { __typename login }
    baseRefName
    headRefName
    headRefOid
    isCrossRepository
    headRepository { nameWithOwner }
    changedFiles
    additions
    deletions
  }`;

const REVIEW_FIELDS = `
  fragment ThreadbotReview on PullRequestReview {
    id
    fullDatabaseId
    author { __typename login }
    authorAssociation
    body
    state
    createdAt
    submittedAt
    lastEditedAt
    isMinimized
    comments(first: 30) {
      totalCount
      nodes { fullDatabaseId path line startLine originalLine originalStartLine diffHunk body outdated }
    }
  }`;

export const PULL_REQUEST_CONVERSATION_QUERY = `
  query ThreadbotPullRequest($owner: String!, $repo: String!, $number: Int!) {
    repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) {
        ...ThreadbotPullRequestHead
        comments(first: 100) {
          pageInfo { hasNextPage endCursor }
          nodes { ...ThreadCommentFields }
        }
        reviews(first: 100) {
          pageInfo { hasNextPage endCursor }
          nodes { ...ThreadbotReview }
        }
        baseRef {
          target {
            ... on Commit { file(path: ".gitattributes") { object { ... on Blob { text } } } }
          }
        }
      }
    }
  }
  ${PULL_REQUEST_FIELDS}
  ${COMMENT_FIELDS}
  ${REVIEW_FIELDS}`;

export const PULL_REQUEST_REVIEWS_PAGE_QUERY = `
  query ThreadbotPullRequestReviews($id: ID!, $cursor: String!) {
    node(id: $id) {
      ... on PullRequest {
        reviews(first: 100, after: $cursor) {
          pageInfo { hasNextPage endCursor }
          nodes { ...ThreadbotReview }
        }
      }
    }
  }
  ${REVIEW_FIELDS}`;

export interface GqlPullRequestHead {
  id: string;
  number: number;
  title: string;
  body: string;
  createdAt: string;
  lastEditedAt: string | null;
  authorAssociation: AuthorAssociation;
  author: GqlActor | null;
  baseRefName: string;
  headRefName: string;
  headRefOid: string;
  isCrossRepository: boolean;
  headRepository: { nameWithOwner: string } | null;
  changedFiles: number;
  additions: number;
  deletions: number;
}
interface GqlReviewLineComment {
  fullDatabaseId: string | number | null;
  path: string;
  line: number | null;
  startLine: number | null;
  originalLine: number | null;
  originalStartLine: number | null;
  diffHunk: string;
  body: string;
  outdated: boolean;
}
interface GqlReview extends GqlComment {
  state: string;
  submittedAt: string | null;
  comments: { totalCount: number; nodes: (GqlReviewLineComment | null)[] };
}
interface GqlPullRequest extends GqlPullRequestHead {
  comments: Page<GqlComment>;
  reviews: Page<GqlReview>;
  baseRef: { target: { file?: { object: { text?: string | null } | null } | null } | null } | null;
}

export function toRefs(pr: GqlPullRequestHead): PullRequestRefs {
  return {
    number: pr.number,
    baseRef: pr.baseRefName,
    headRef: pr.headRefName,
    headSha: pr.headRefOid,
    headRepository: pr.headRepository?.nameWithOwner ?? null,
    isCrossRepository: pr.isCrossRepository,
    changedFiles: pr.changedFiles,
    additions: pr.additions,
    deletions: pr.deletions,
  };
}

/** The opening post of a thread whose subject is this pull request. */
export function openingOf(pr: GqlPullRequestHead): ThreadComment {
  return toThreadComment({ ...pr, fullDatabaseId: null, isMinimized: false }, "opening");
}

/** `text` with a closing line added when it ends inside a top-level fenced code block. */
function closeOpenFence(text: string): string {
  let fence: { char: string; length: number } | null = null;
  for (const line of text.split("\n")) {
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (!m) continue;
    const run = m[1]!;
    if (fence === null) {
      if (!(run[0] === "`" && m[2]!.includes("`"))) fence = { char: run[0]!, length: run.length };
    } else if (run[0] === fence.char && run.length >= fence.length && m[2]!.trim() === "") fence = null;
  }
  return fence === null ? text : `${text}\n${fence.char.repeat(fence.length)}`;
}

/**
 * A review as a comment of the conversation: its state and body, and, when it asks the bot something,
 * its own line comments (path, lines, the end of the hunk, the text) as the context of that request.
 */
export function reviewAsComment(review: GqlReview, mentions: (body: string) => boolean): ThreadComment {
  const state = review.state.toLowerCase().replace(/_/g, " ");
  const body = `_Review (${state})_\n\n${review.body}`;
  // The line comments (their paths are the pull request author's text) are composed by the app: shown to
  // Claude beside the review, never read as the reviewer's own text (a block there is not theirs).
  let composed = "";
  if (mentions(review.body) && review.comments.totalCount > 0) {
    const parts = ["", "---", "_Line comments of this review:_"];
    for (const c of review.comments.nodes) {
      if (!c) continue;
      const end = c.line ?? c.originalLine;
      const start = c.line !== null ? c.startLine : c.originalStartLine;
      const lines = end === null ? "" : ` line${start !== null && start !== end ? `s ${start}–${end}` : ` ${end}`}`;
      const tail = c.diffHunk.split("\n").slice(-6).join("\n");
      const fence = fenceFor(tail);
      parts.push("", `\`${c.path}\`${lines}${c.outdated ? " (outdated)" : ""}:`, "", `${fence}diff`, tail, fence, "", c.body);
    }
    const more = review.comments.totalCount - review.comments.nodes.length;
    if (more > 0) parts.push("", `_… and ${more} more line comments._`);
    // After a blank line, and with any fence the review left open closed: otherwise the review's last line
    // would become a setext heading over `---`, or an open fence would swallow the line comments.
    composed = `${closeOpenFence(body).slice(body.length)}\n${parts.join("\n")}`;
  }
  return { ...toThreadComment(review), body, ...(composed ? { composed } : {}), createdAt: review.submittedAt ?? review.createdAt };
}

export interface PullRequestConversation {
  thread: Thread;
  refs: PullRequestRefs;
  gitattributes: string | null;
}

/** The pull request's conversation: comments and reviews with a body, oldest first. */
export async function readPullRequestConversation(
  graphql: GraphqlClient,
  ref: { owner: string; repo: string; number: number },
  mentions: (body: string) => boolean,
): Promise<PullRequestConversation> {
  const data = await graphql<{ repository: { pullRequest: GqlPullRequest | null } | null }>(PULL_REQUEST_CONVERSATION_QUERY, {
    owner: ref.owner,
    repo: ref.repo,
    number: ref.number,
  });
  const pr = data.repository?.pullRequest;
  if (!pr) throw new ThreadNotFoundError(`${ref.owner}/${ref.repo}#${ref.number} is not a readable pull request.`);

  const [comments, reviews] = await Promise.all([
    allPages(pr.comments, async (cursor) =>
      (await graphql<{ node: { comments: Page<GqlComment> } | null }>(THREAD_COMMENTS_PAGE_QUERY, { id: pr.id, cursor })).node?.comments,
    ),
    allPages(pr.reviews, async (cursor) =>
      (await graphql<{ node: { reviews: Page<GqlReview> } | null }>(PULL_REQUEST_REVIEWS_PAGE_QUERY, { id: pr.id, cursor })).node?.reviews,
    ),
  ]);
  // Reviews without a body (a lone line comment makes one) and pending ones are not part of the page.
  const entries = [
    ...comments.map((c) => toThreadComment(c)),
    ...reviews.filter((r) => r.body.trim() !== "" && r.state !== "PENDING").map((r) => reviewAsComment(r, mentions)),
  ];
  // Stable merge by time (ISO-8601 sorts as text); same second: comments before reviews, as read.
  const order = new Map(entries.map((e, i) => [e, i]));
  entries.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : order.get(a)! - order.get(b)!));

  return {
    thread: {
      kind: "pull_request",
      owner: ref.owner,
      repo: ref.repo,
      number: ref.number,
      title: pr.title,
      opening: openingOf(pr),
      comments: entries,
    },
    refs: toRefs(pr),
    gitattributes: pr.baseRef?.target?.file?.object?.text ?? null,
  };
}

/**
 * Every changed file with its patch: the first page, then (when its `Link` header names a last page)
 * the other pages at once. GitHub lists at most 3000 files (30 pages of 100).
 */
export async function listPullRequestFiles(
  octokit: ProbotOctokit,
  ref: { owner: string; repo: string; number: number },
): Promise<ChangedFile[]> {
  const perPage = 100;
  const page = (n: number) =>
    octokit.rest.pulls.listFiles({ owner: ref.owner, repo: ref.repo, pull_number: ref.number, per_page: perPage, page: n });
  const first = await page(1);
  const last = Math.min(Number(/[?&]page=(\d+)[^>]*>;\s*rel="last"/.exec(first.headers.link ?? "")?.[1] ?? 1), GITHUB_FILE_LIST_LIMIT / perPage);
  const rest = await Promise.all(Array.from({ length: Math.max(0, last - 1) }, (_, i) => page(i + 2)));
  return [first, ...rest].flatMap((r) =>
    r.data.map((f) => ({
      path: f.filename,
      previousPath: f.previous_filename ?? null,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      patch: f.patch ?? null,
    })),
  );
}
