// Pull requests for the fake GitHub: changed files (REST, paginated with `Link` like GitHub), reviews and
// review threads (GraphQL, through GitHub's real schema), review replies, reactions. Installed as an
// extension of FakeGitHub: `const prs = new FakePullRequests(h.github)`.
import type { FakeActor, FakeComment, FakeGitHub, FakeIssue } from "./fakeGitHub.js";
import { FakeResponse } from "./fakeGitHub.js";

export interface FakeFile {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
  patch?: string;
  previous_filename?: string;
}

export interface FakeReviewComment extends FakeComment {
  path: string;
  line: number | null;
  startLine: number | null;
  diffHunk: string;
  replyTo: number | null;
  thread: FakeReviewThread;
}

export interface FakeReviewThread {
  nodeId: string;
  path: string;
  line: number | null;
  startLine: number | null;
  diffSide: "LEFT" | "RIGHT";
  isOutdated: boolean;
  isResolved: boolean;
  comments: FakeReviewComment[];
}

export interface FakeReview {
  id: number;
  nodeId: string;
  author: FakeActor | null;
  association: string;
  body: string;
  state: string;
  submittedAt: string;
  comments: FakeReviewComment[];
}

export interface FakePullRequest {
  issue: FakeIssue;
  baseRefName: string;
  headRefName: string;
  headRefOid: string;
  isCrossRepository: boolean;
  headRepository: string | null;
  files: FakeFile[];
  reviews: FakeReview[];
  threads: FakeReviewThread[];
  /** Files of the base branch readable through GraphQL (`.gitattributes`). */
  baseFiles: Map<string, string>;
  reactions: { content: string; subject: string }[];
}

type Init = Partial<Omit<FakePullRequest, "issue" | "reviews" | "threads" | "reactions">> & {
  number: number;
  title?: string;
  body?: string;
  author?: FakeActor;
  association?: string;
};

const cursor = (i: number) => Buffer.from(String(i)).toString("base64");
const uncursor = (c: string) => Number(Buffer.from(c, "base64").toString("utf8"));

/** A GraphQL connection over `items` (first/after or last/before). */
function connection<T>(items: T[], args: { first?: number; after?: string; last?: number; before?: string }, map: (item: T) => unknown) {
  let from = args.after ? uncursor(args.after) + 1 : 0;
  let to = args.before ? uncursor(args.before) : items.length;
  if (args.first !== undefined) to = Math.min(to, from + args.first);
  if (args.last !== undefined) from = Math.max(from, to - args.last);
  const slice = items.slice(from, to);
  return {
    totalCount: items.length,
    pageInfo: {
      hasNextPage: to < items.length,
      hasPreviousPage: from > 0,
      startCursor: slice.length ? cursor(from) : null,
      endCursor: slice.length ? cursor(to - 1) : null,
    },
    nodes: slice.map(map),
  };
}

export class FakePullRequests {
  readonly byIssue = new Map<FakeIssue, FakePullRequest>();

  constructor(readonly github: FakeGitHub) {
    github.extensions.push({
      route: (method, repo, rest, query, body) => {
        let m: RegExpExecArray | null;
        if (method === "GET" && (m = /^\/pulls\/(\d+)\/files$/.exec(rest))) {
          const pr = this.#pr(repo.issues.get(Number(m[1])));
          if (!pr) return [404, { message: "Not Found" }];
          return [200, this.#filesPage(pr, repo.owner, repo.name, query)];
        }
        if (method === "POST" && (m = /^\/pulls\/(\d+)\/comments\/(\d+)\/replies$/.exec(rest))) {
          const pr = this.#pr(repo.issues.get(Number(m[1])));
          const target = pr && this.#findReviewComment(pr, Number(m[2]));
          if (!pr || !target) return [404, { message: "Not Found" }];
          // GitHub: "replies to replies are not supported".
          if (target.replyTo !== null) return [422, { message: "Validation Failed", errors: ["in_reply_to must be a top-level comment"] }];
          const reply = this.reply(target.thread, { body: body.body, author: { login: github.appSlug, type: "Bot" }, association: "NONE" });
          return [201, { id: reply.id, node_id: reply.nodeId, body: reply.body, in_reply_to_id: target.id, user: { login: `${github.appSlug}[bot]`, type: "Bot" } }];
        }
        if (method === "GET" && (m = /^\/pulls\/(\d+)\/comments$/.exec(rest))) {
          // Review comments of the pull request, oldest first (`since` not applied: synthetic timestamps).
          const pr = this.#pr(repo.issues.get(Number(m[1])));
          if (!pr) return [404, { message: "Not Found" }];
          const all = pr.threads.flatMap((t) => t.comments).sort((a, b) => a.id - b.id);
          return [
            200,
            all.map((c) => ({
              id: c.id,
              node_id: c.nodeId,
              body: c.body,
              in_reply_to_id: c.replyTo ?? undefined,
              user: c.author ? { login: c.author.type === "Bot" ? `${c.author.login}[bot]` : c.author.login, type: c.author.type } : null,
            })),
          ];
        }
        if (method === "PATCH" && (m = /^\/pulls\/comments\/(\d+)$/.exec(rest))) {
          const found = [...this.byIssue.values()].map((pr) => this.#findReviewComment(pr, Number(m![1]))).find(Boolean);
          if (!found) return [404, { message: "Not Found" }];
          found.body = body.body;
          found.lastEditedAt = github.tick();
          return [200, { id: found.id, body: found.body }];
        }
        if (method === "POST" && (m = /^\/pulls\/comments\/(\d+)\/reactions$/.exec(rest))) {
          const pr = [...this.byIssue.values()].find((p) => this.#findReviewComment(p, Number(m![1])));
          if (!pr) return [404, { message: "Not Found" }];
          pr.reactions.push({ content: body.content, subject: `review_comment:${m[1]}` });
          return [201, { id: github.nextId(), content: body.content }];
        }
        return undefined;
      },
      issueFields: (issue) => {
        const pr = this.byIssue.get(issue);
        return pr ? this.#gqlPullRequest(pr) : {};
      },
      node: (id) => {
        for (const pr of this.byIssue.values()) {
          const thread = pr.threads.find((t) => t.nodeId === id);
          if (thread) return this.#gqlThread(thread);
          const review = pr.reviews.find((r) => r.nodeId === id);
          if (review) return this.#gqlReview(review);
        }
        return undefined;
      },
      root: {
        addReaction: ({ input }: { input: { subjectId: string; content: string } }) => {
          const pr = [...this.byIssue.values()].find((p) => p.reviews.some((r) => r.nodeId === input.subjectId));
          if (!pr) throw new Error(`Could not resolve to a node with the global id of '${input.subjectId}'`);
          pr.reactions.push({ content: input.content.toLowerCase(), subject: `review:${input.subjectId}` });
          return { reaction: { content: input.content }, subject: { id: input.subjectId } };
        },
      },
    });
  }

  add(owner: string, name: string, init: Init): FakePullRequest {
    const issue = this.github.addIssue(owner, name, {
      number: init.number,
      nodeId: `PR_${init.number}_${name}`,
      isPullRequest: true,
      title: init.title ?? `Pull request ${init.number}`,
      body: init.body ?? "",
      ...(init.author ? { author: init.author } : {}),
      ...(init.association ? { association: init.association } : {}),
    });
    const pr: FakePullRequest = {
      issue,
      baseRefName: init.baseRefName ?? "main",
      headRefName: init.headRefName ?? "feature",
      headRefOid: init.headRefOid ?? "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      isCrossRepository: init.isCrossRepository ?? false,
      headRepository: init.headRepository ?? `${owner}/${name}`,
      files: init.files ?? [],
      reviews: [],
      threads: [],
      baseFiles: init.baseFiles ?? new Map(),
      reactions: [],
    };
    this.byIssue.set(issue, pr);
    return pr;
  }

  /** A new review thread with its top-level comment. */
  addThread(
    pr: FakePullRequest,
    init: Partial<FakeComment> & { body: string; path: string; line: number | null; startLine?: number | null; diffHunk: string; side?: "LEFT" | "RIGHT" },
  ): FakeReviewThread {
    const thread: FakeReviewThread = {
      nodeId: `PRRT_${this.github.nextId()}`,
      path: init.path,
      line: init.line,
      startLine: init.startLine ?? null,
      diffSide: init.side ?? "RIGHT",
      isOutdated: false,
      isResolved: false,
      comments: [],
    };
    pr.threads.push(thread);
    this.#comment(thread, init, null);
    return thread;
  }

  reply(thread: FakeReviewThread, init: Partial<FakeComment> & { body: string }): FakeReviewComment {
    return this.#comment(thread, init, thread.comments[0]!.id);
  }

  addReview(pr: FakePullRequest, init: { body: string; state?: string; author?: FakeActor; association?: string; id?: number; lineComments?: { path: string; line: number; diffHunk: string; body: string }[] }): FakeReview {
    const id = init.id ?? this.github.nextId();
    const review: FakeReview = {
      id,
      nodeId: `PRR_${id}`,
      author: init.author ?? { login: "octocat", type: "User" },
      association: init.association ?? "MEMBER",
      body: init.body,
      state: init.state ?? "COMMENTED",
      submittedAt: this.github.tick(),
      comments: [],
    };
    for (const c of init.lineComments ?? []) {
      const thread = this.addThread(pr, { ...c, author: review.author, association: review.association });
      review.comments.push(thread.comments[0]!);
    }
    pr.reviews.push(review);
    return review;
  }

  #comment(thread: FakeReviewThread, init: Partial<FakeComment> & { body: string; diffHunk?: string }, replyTo: number | null): FakeReviewComment {
    const id = init.id ?? this.github.nextId();
    const comment: FakeReviewComment = {
      id,
      nodeId: `PRRC_${id}`,
      author: init.author ?? { login: "octocat", type: "User" },
      association: init.association ?? "OWNER",
      body: init.body,
      createdAt: init.createdAt ?? this.github.tick(),
      lastEditedAt: init.lastEditedAt ?? null,
      isMinimized: init.isMinimized ?? false,
      path: thread.path,
      line: thread.line,
      startLine: thread.startLine,
      diffHunk: init.diffHunk ?? thread.comments[0]?.diffHunk ?? "",
      replyTo,
      thread,
    };
    thread.comments.push(comment);
    return comment;
  }

  #pr(issue: FakeIssue | undefined): FakePullRequest | undefined {
    return issue ? this.byIssue.get(issue) : undefined;
  }

  #findReviewComment(pr: FakePullRequest, id: number): FakeReviewComment | undefined {
    for (const t of pr.threads) for (const c of t.comments) if (c.id === id) return c;
    return undefined;
  }

  #filesPage(pr: FakePullRequest, owner: string, name: string, query: URLSearchParams): FakeResponse {
    const perPage = Math.min(Number(query.get("per_page") ?? 30), 100);
    const page = Number(query.get("page") ?? 1);
    const listed = pr.files.slice(0, 3000); // GitHub lists at most 3000 files
    const last = Math.max(1, Math.ceil(listed.length / perPage));
    const url = (p: number) => `<https://api.github.com/repos/${owner}/${name}/pulls/${pr.issue.number}/files?per_page=${perPage}&page=${p}>`;
    const links = [];
    if (page < last) links.push(`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`);
    if (page > 1) links.push(`${url(1)}; rel="first"`, `${url(page - 1)}; rel="prev"`);
    const data = listed.slice((page - 1) * perPage, page * perPage).map((f) => ({ sha: "0".repeat(40), changes: f.additions + f.deletions, ...f }));
    return new FakeResponse(data, links.length ? { link: links.join(", ") } : {});
  }

  #actor(actor: FakeActor | null) {
    return actor ? { __typename: actor.type, login: actor.login } : null;
  }

  #gqlComment(c: FakeReviewComment) {
    return {
      id: c.nodeId,
      fullDatabaseId: String(c.id),
      author: this.#actor(c.author),
      authorAssociation: c.association,
      body: c.body,
      createdAt: c.createdAt,
      lastEditedAt: c.lastEditedAt,
      isMinimized: c.isMinimized,
      path: c.path,
      line: c.thread.isOutdated ? null : c.line,
      startLine: c.thread.isOutdated ? null : c.startLine,
      originalLine: c.line,
      originalStartLine: c.startLine,
      diffHunk: c.diffHunk,
      outdated: c.thread.isOutdated,
    };
  }

  #gqlThread(t: FakeReviewThread) {
    return {
      __typename: "PullRequestReviewThread",
      id: t.nodeId,
      path: t.path,
      line: t.isOutdated ? null : t.line,
      startLine: t.isOutdated ? null : t.startLine,
      originalLine: t.line,
      originalStartLine: t.startLine,
      diffSide: t.diffSide,
      subjectType: t.line === null ? "FILE" : "LINE",
      isOutdated: t.isOutdated,
      isResolved: t.isResolved,
      comments: (args: { first?: number; after?: string }) => connection(t.comments, args, (c) => this.#gqlComment(c)),
    };
  }

  #gqlReview(r: FakeReview) {
    return {
      __typename: "PullRequestReview",
      id: r.nodeId,
      fullDatabaseId: String(r.id),
      author: this.#actor(r.author),
      authorAssociation: r.association,
      body: r.body,
      state: r.state,
      createdAt: r.submittedAt,
      submittedAt: r.submittedAt,
      lastEditedAt: null,
      isMinimized: false,
      comments: (args: { first?: number; after?: string }) => connection(r.comments, args, (c) => this.#gqlComment(c)),
    };
  }

  #gqlPullRequest(pr: FakePullRequest) {
    return {
      baseRefName: pr.baseRefName,
      headRefName: pr.headRefName,
      headRefOid: pr.headRefOid,
      isCrossRepository: pr.isCrossRepository,
      headRepository: pr.headRepository ? { nameWithOwner: pr.headRepository } : null,
      changedFiles: pr.files.length,
      additions: pr.files.reduce((n, f) => n + f.additions, 0),
      deletions: pr.files.reduce((n, f) => n + f.deletions, 0),
      reviews: (args: { first?: number; after?: string }) => connection(pr.reviews, args, (r) => this.#gqlReview(r)),
      reviewThreads: (args: { first?: number; after?: string; last?: number; before?: string }) =>
        connection(pr.threads, args, (t) => this.#gqlThread(t)),
      baseRef: {
        target: {
          __typename: "Commit",
          file: ({ path }: { path: string }) => {
            const text = pr.baseFiles.get(path);
            return text === undefined ? null : { object: { __typename: "Blob", text } };
          },
        },
      },
    };
  }
}
