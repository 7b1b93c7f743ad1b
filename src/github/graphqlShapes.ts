// What every GraphQL thread reader shares: the comment fragment, the shapes GitHub answers with, the
// conversion to the core's ThreadComment, and cursor pagination to the end.
import type { AuthorAssociation, ThreadComment } from "../core/types.js";

/** The fields of an issue or PR conversation comment (`...ThreadCommentFields`). */
export const COMMENT_FIELDS = `
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

export interface GqlActor {
  __typename: string;
  login: string;
}

/** A comment-like node: issue comments, review comments and reviews all have these fields. */
export interface GqlComment {
  fullDatabaseId: string | number | null;
  author: GqlActor | null;
  authorAssociation: AuthorAssociation;
  body: string;
  createdAt: string;
  lastEditedAt: string | null;
  isMinimized: boolean;
}

export interface Page<T> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: (T | null)[];
}

export function toThreadComment(node: GqlComment, id = String(node.fullDatabaseId)): ThreadComment {
  return {
    id,
    author: node.author ? { login: node.author.login, type: node.author.__typename } : null,
    association: node.authorAssociation,
    body: node.body ?? "",
    createdAt: node.createdAt,
    lastEditedAt: node.lastEditedAt,
    isMinimized: node.isMinimized,
  };
}

/** Every node of a connection, fetching further pages (one request each) until GitHub says there are no more. */
export async function allPages<T>(first: Page<T>, next: (cursor: string) => Promise<Page<T> | undefined>): Promise<T[]> {
  const out: T[] = [];
  let page: Page<T> | undefined = first;
  for (;;) {
    for (const node of page.nodes) if (node) out.push(node);
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return out;
    page = await next(page.pageInfo.endCursor);
    if (!page) return out;
  }
}
