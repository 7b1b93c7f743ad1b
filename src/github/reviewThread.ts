// Reads one review thread of a pull request (its top-level comment and the replies) with the pull
// request's head, in one GraphQL round trip in the usual case.
//
// GitHub's schema has no edge from a review comment to its thread (`PullRequestReviewComment` has
// `replyTo` and `pullRequestReview`, neither lists the replies), so the thread is found among the pull
// request's `reviewThreads`: the newest 100 first (`last: 100`: a new thread, the most common trigger, is
// on that page), each with its comments, and only the thread's first comment carries its `diffHunk`.
// Older pages of threads, and comments past 100 in the thread, cost one more request each.
import type { ReviewThreadInfo, PullRequestRefs } from "../core/pullRequest/prContext.js";
import type { Thread } from "../core/types.js";
import type { GraphqlClient } from "./clients.js";
import { allPages, toThreadComment, type GqlComment, type Page } from "./graphqlShapes.js";
import { openingOf, PULL_REQUEST_FIELDS, toRefs, type GqlPullRequestHead } from "./pullRequest.js";
import { ThreadNotFoundError } from "./threadQuery.js";

const REVIEW_COMMENT_FIELDS = `
  fragment ThreadbotReviewComment on PullRequestReviewComment {
    fullDatabaseId
    author { __typename login }
    authorAssociation
    body
    createdAt
    lastEditedAt
    isMinimized
  }`;

export const REVIEW_THREAD_QUERY = `
  query ThreadbotReviewThread($owner: String!, $repo: String!, $number: Int!, $before: String) {
    repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) {
        ...ThreadbotPullRequestHead
        reviewThreads(last: 100, before: $before) {
          pageInfo { hasPreviousPage startCursor }
          nodes {
            id
            path
            line
            startLine
            originalLine
            originalStartLine
            diffSide
            subjectType
            isOutdated
            isResolved
            root: comments(first: 1) { nodes { fullDatabaseId diffHunk } }
            comments(first: 100) {
              pageInfo { hasNextPage endCursor }
              nodes { ...ThreadbotReviewComment }
            }
          }
        }
      }
    }
  }
  ${PULL_REQUEST_FIELDS}
  ${REVIEW_COMMENT_FIELDS}`;

export const REVIEW_THREAD_COMMENTS_PAGE_QUERY = `
  query ThreadbotReviewThreadComments($id: ID!, $cursor: String!) {
    node(id: $id) {
      ... on PullRequestReviewThread {
        comments(first: 100, after: $cursor) {
          pageInfo { hasNextPage endCursor }
          nodes { ...ThreadbotReviewComment }
        }
      }
    }
  }
  ${REVIEW_COMMENT_FIELDS}`;

/** The thread's own fields as GitHub answers them; the hunk comes from the root comment. */
type GqlReviewThread = Omit<ReviewThreadInfo, "diffHunk"> & {
  id: string;
  root: { nodes: ({ fullDatabaseId: string | number | null; diffHunk: string } | null)[] };
  comments: Page<GqlComment>;
};
interface Response {
  repository: {
    pullRequest:
      | (GqlPullRequestHead & {
          reviewThreads: { pageInfo: { hasPreviousPage: boolean; startCursor: string | null }; nodes: (GqlReviewThread | null)[] };
        })
      | null;
  } | null;
}

export interface ReviewThreadRead {
  thread: Thread;
  refs: PullRequestRefs;
  review: ReviewThreadInfo;
}

/** The review thread whose top-level comment is `rootId` (decimal database id). */
export async function readReviewThread(
  graphql: GraphqlClient,
  ref: { owner: string; repo: string; number: number },
  rootId: string,
): Promise<ReviewThreadRead> {
  let before: string | null = null;
  for (;;) {
    const data: Response = await graphql<Response>(REVIEW_THREAD_QUERY, { owner: ref.owner, repo: ref.repo, number: ref.number, before });
    const pr = data.repository?.pullRequest;
    if (!pr) throw new ThreadNotFoundError(`${ref.owner}/${ref.repo}#${ref.number} is not a readable pull request.`);
    const found = pr.reviewThreads.nodes.find((t) => t !== null && String(t.root.nodes[0]?.fullDatabaseId) === rootId);
    if (found) return { thread: await toThread(graphql, ref, pr, found), refs: toRefs(pr), review: toInfo(found) };
    const page = pr.reviewThreads.pageInfo;
    if (!page.hasPreviousPage || !page.startCursor) {
      throw new ThreadNotFoundError(`review thread ${rootId} of ${ref.owner}/${ref.repo}#${ref.number} was not found.`);
    }
    before = page.startCursor;
  }
}

async function toThread(
  graphql: GraphqlClient,
  ref: { owner: string; repo: string; number: number },
  pr: GqlPullRequestHead,
  t: GqlReviewThread,
): Promise<Thread> {
  const nodes = await allPages(t.comments, async (cursor) =>
    (await graphql<{ node: { comments: Page<GqlComment> } | null }>(REVIEW_THREAD_COMMENTS_PAGE_QUERY, { id: t.id, cursor })).node?.comments,
  );
  return {
    kind: "review_thread",
    owner: ref.owner,
    repo: ref.repo,
    number: ref.number,
    title: pr.title,
    opening: openingOf(pr),
    comments: nodes.map((c) => toThreadComment(c)),
  };
}

function toInfo(t: GqlReviewThread): ReviewThreadInfo {
  return {
    path: t.path,
    line: t.line,
    startLine: t.startLine,
    originalLine: t.originalLine,
    originalStartLine: t.originalStartLine,
    diffSide: t.diffSide,
    subjectType: t.subjectType,
    isOutdated: t.isOutdated,
    isResolved: t.isResolved,
    diffHunk: t.root.nodes[0]?.diffHunk ?? "",
  };
}
