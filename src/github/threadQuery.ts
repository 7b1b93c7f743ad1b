// Reads a whole issue or pull-request conversation in one GraphQL round trip (more only past 100
// comments: one page of 100 per further request, oldest first, to the very end).
import type { AuthorAssociation, Thread } from "../core/types.js";
import type { GraphqlClient } from "./clients.js";
import { allPages, COMMENT_FIELDS, toThreadComment, type GqlActor, type GqlComment, type Page } from "./graphqlShapes.js";

/** First page: the issue or PR itself and its first 100 comments. */
export const THREAD_QUERY = `
  query ThreadbotThread($owner: String!, $repo: String!, $number: Int!) {
    repository(owner: $owner, name: $repo) {
      defaultBranchRef { name target { oid } }
      issueOrPullRequest(number: $number) {
        __typename
        ... on Issue {
          id
          title
          body
          createdAt
          lastEditedAt
          authorAssociation
          author { __typename login }
          comments(first: 100) {
            pageInfo { hasNextPage endCursor }
            nodes { ...ThreadCommentFields }
          }
        }
        ... on PullRequest {
          id
          title
          body
          createdAt
          lastEditedAt
          authorAssociation
          author { __typename login }
          comments(first: 100) {
            pageInfo { hasNextPage endCursor }
            nodes { ...ThreadCommentFields }
          }
        }
      }
    }
  }
  ${COMMENT_FIELDS}`;

/** Further pages of comments, by the issue's or PR's node id. */
export const THREAD_COMMENTS_PAGE_QUERY = `
  query ThreadbotThreadComments($id: ID!, $cursor: String!) {
    node(id: $id) {
      __typename
      ... on Issue {
        comments(first: 100, after: $cursor) {
          pageInfo { hasNextPage endCursor }
          nodes { ...ThreadCommentFields }
        }
      }
      ... on PullRequest {
        comments(first: 100, after: $cursor) {
          pageInfo { hasNextPage endCursor }
          nodes { ...ThreadCommentFields }
        }
      }
    }
  }
  ${COMMENT_FIELDS}`;

interface GqlThread {
  __typename: "Issue" | "PullRequest";
  id: string;
  title: string;
  body: string;
  createdAt: string;
  lastEditedAt: string | null;
  authorAssociation: AuthorAssociation;
  author: GqlActor | null;
  comments: Page<GqlComment>;
}

export class ThreadNotFoundError extends Error {
  override name = "ThreadNotFoundError";
}

/** The default branch and its head commit, as the thread read saw them (null: empty repository, or unreadable). */
export interface DefaultBranchHead {
  name: string;
  oid: string;
}

/** Reads the issue or PR `number` with every one of its comments. */
export async function readIssueThread(graphql: GraphqlClient, ref: { owner: string; repo: string; number: number }): Promise<Thread> {
  return (await readIssueThreadWithHead(graphql, ref)).thread;
}

/** The thread, and the default branch's head from the same query (the commit an issue's code tools read). */
export async function readIssueThreadWithHead(
  graphql: GraphqlClient,
  ref: { owner: string; repo: string; number: number },
): Promise<{ thread: Thread; defaultBranch: DefaultBranchHead | null }> {
  const first = await graphql<{
    repository: { defaultBranchRef?: { name: string; target: { oid?: string } | null } | null; issueOrPullRequest: GqlThread | null } | null;
  }>(THREAD_QUERY, {
    owner: ref.owner,
    repo: ref.repo,
    number: ref.number,
  });
  const item = first.repository?.issueOrPullRequest;
  if (!item) throw new ThreadNotFoundError(`${ref.owner}/${ref.repo}#${ref.number} was not found or is not readable.`);

  const nodes = await allPages(item.comments, async (cursor) =>
    (await graphql<{ node: { comments: Page<GqlComment> } | null }>(THREAD_COMMENTS_PAGE_QUERY, { id: item.id, cursor })).node?.comments,
  );

  const branch = first.repository?.defaultBranchRef;
  const oid = branch?.target?.oid;
  const defaultBranch = branch && typeof oid === "string" && /^[0-9a-f]{40}$/i.test(oid) ? { name: branch.name, oid: oid.toLowerCase() } : null;
  const thread: Thread = {
    kind: item.__typename === "PullRequest" ? "pull_request" : "issue",
    owner: ref.owner,
    repo: ref.repo,
    number: ref.number,
    title: item.title,
    opening: toThreadComment({ ...item, fullDatabaseId: null, isMinimized: false }, "opening"),
    comments: nodes.map((node) => toThreadComment(node)),
  };
  return { thread, defaultBranch };
}
