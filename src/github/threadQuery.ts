// Reads a whole issue or pull-request conversation in one GraphQL round trip (more only past 100
// comments: one page of 100 per further request, oldest first, to the very end).
import type { AuthorAssociation, Thread, ThreadComment } from "../core/types.js";
import type { GraphqlClient } from "./clients.js";

const COMMENT_FIELDS = `
  fragment ThreadCommentFields on IssueComment {
    id
    fullDatabaseId
    author { __typename login }
    authorAssociation
    body
    createdAt
    lastEditedAt
    isMinimized
  }`;

/** First page: the issue or PR itself and its first 100 comments. */
export const THREAD_QUERY = `
  query ThreadbotThread($owner: String!, $repo: String!, $number: Int!) {
    repository(owner: $owner, name: $repo) {
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

interface GqlActor {
  __typename: string;
  login: string;
}
interface GqlComment {
  id: string;
  fullDatabaseId: string | number | null;
  author: GqlActor | null;
  authorAssociation: AuthorAssociation;
  body: string;
  createdAt: string;
  lastEditedAt: string | null;
  isMinimized: boolean;
}
interface GqlCommentPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: (GqlComment | null)[];
}
interface GqlThread {
  __typename: "Issue" | "PullRequest";
  id: string;
  title: string;
  body: string;
  createdAt: string;
  lastEditedAt: string | null;
  authorAssociation: AuthorAssociation;
  author: GqlActor | null;
  comments: GqlCommentPage;
}

export class ThreadNotFoundError extends Error {
  override name = "ThreadNotFoundError";
}

function toComment(node: GqlComment): ThreadComment {
  return {
    id: String(node.fullDatabaseId),
    author: node.author ? { login: node.author.login, type: node.author.__typename } : null,
    association: node.authorAssociation,
    body: node.body ?? "",
    createdAt: node.createdAt,
    lastEditedAt: node.lastEditedAt,
    isMinimized: node.isMinimized,
  };
}

function collect(page: GqlCommentPage, into: ThreadComment[]): void {
  for (const node of page.nodes) if (node) into.push(toComment(node));
}

/** Reads the issue or PR `number` with every one of its comments. */
export async function readIssueThread(
  graphql: GraphqlClient,
  ref: { owner: string; repo: string; number: number },
): Promise<Thread> {
  const first = await graphql<{ repository: { issueOrPullRequest: GqlThread | null } | null }>(THREAD_QUERY, {
    owner: ref.owner,
    repo: ref.repo,
    number: ref.number,
  });
  const item = first.repository?.issueOrPullRequest;
  if (!item) throw new ThreadNotFoundError(`${ref.owner}/${ref.repo}#${ref.number} was not found or is not readable.`);

  const comments: ThreadComment[] = [];
  collect(item.comments, comments);
  let page = item.comments.pageInfo;
  while (page.hasNextPage && page.endCursor) {
    const next = await graphql<{ node: { comments: GqlCommentPage } | null }>(THREAD_COMMENTS_PAGE_QUERY, {
      id: item.id,
      cursor: page.endCursor,
    });
    if (!next.node) break;
    collect(next.node.comments, comments);
    page = next.node.comments.pageInfo;
  }

  return {
    kind: item.__typename === "PullRequest" ? "pull_request" : "issue",
    owner: ref.owner,
    repo: ref.repo,
    number: ref.number,
    title: item.title,
    opening: {
      id: "opening",
      author: item.author ? { login: item.author.login, type: item.author.__typename } : null,
      association: item.authorAssociation,
      body: item.body ?? "",
      createdAt: item.createdAt,
      lastEditedAt: item.lastEditedAt,
      isMinimized: false,
    },
    comments,
  };
}
