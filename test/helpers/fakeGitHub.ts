// A fake GitHub on a local port: enough REST and GraphQL for threadbot, backed by in-memory state.
// GraphQL requests are executed against GitHub's real public schema (@octokit/graphql-schema), so a
// query the real API would reject fails here too. Every request is recorded with its timing, and
// faults and latency can be injected, for the fault suite and the benchmarks.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { schema as publishedSchema } from "@octokit/graphql-schema";
import { buildSchema, graphql, type GraphQLSchema } from "graphql";
import { fakeCodeHandler, fakeRepositoryObject, type FakeCodeRepo, type FakeCodeServerCall } from "../code/fakeRepo.js";

export interface FakeActor {
  login: string;
  type: "User" | "Bot" | "Organization";
}

export interface FakeComment {
  id: number;
  nodeId: string;
  author: FakeActor | null;
  association: string;
  body: string;
  createdAt: string;
  lastEditedAt: string | null;
  isMinimized: boolean;
}

export interface FakeIssue {
  number: number;
  nodeId: string;
  isPullRequest: boolean;
  title: string;
  body: string;
  author: FakeActor | null;
  association: string;
  createdAt: string;
  lastEditedAt: string | null;
  comments: FakeComment[];
  reactions: { content: string; commentId: number | null }[];
}

export interface FakeRepo {
  owner: string;
  name: string;
  issues: Map<number, FakeIssue>;
  /** login → permission ("admin" | "maintain" | "write" | "triage" | "read" | "none"). */
  permissions: Map<string, string>;
  /** Contents of files (e.g. ".github/claude.yml"). */
  files: Map<string, string>;
}

export interface RecordedCall {
  method: string;
  path: string;
  /** GraphQL operation name, when it is a GraphQL call. */
  operation?: string;
  body: any;
  start: number;
  end: number;
  /** The status answered; -1 while or when never answered (a hang), -2 when the connection was dropped. */
  status: number;
  /** A fault that let GitHub act first: the status GitHub's own work had. */
  performedStatus?: number;
}

export interface InjectedFault {
  method?: string;
  /** Matched against the path with `includes`. */
  path?: string;
  /** GraphQL only: matched against the operation name (`ThreadbotThread`, `ThreadbotAddReaction`, …). */
  operation?: string;
  /** The status answered instead of GitHub's (after performing the request, when `performed`). */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests fail (default 1; Infinity for every one). */
  times?: number;
  /** GitHub does what was asked (creates the comment…), then answers `status` or drops the connection. */
  performed?: boolean;
  /** The connection is dropped (reset) instead of answered: the client sees a network error. */
  drop?: boolean;
  /** No answer at all: the request hangs until the client gives up (or the fake closes). */
  hang?: boolean;
  /** Latency added to matching requests (with nothing else set: a slow but correct answer). */
  delayMs?: number;
}

let schemaCache: GraphQLSchema | undefined;
export function githubSchema(): GraphQLSchema {
  // The published SDL defines two fields twice; GitHub's own schema is valid, so skip SDL validation.
  schemaCache ??= buildSchema(publishedSchema.idl, {
    assumeValidSDL: true,
  });
  return schemaCache;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A response body sent as-is (raw file contents), not as JSON. */
class RawText {
  constructor(readonly text: string) {}
}

/** A JSON response with headers (e.g. `Link` for pagination), from an extension's route. */
export class FakeResponse {
  constructor(
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** More of GitHub, added from outside (test/helpers/fakePullRequests.ts adds pull requests this way). */
export interface FakeExtension {
  /** A REST answer under /repos/{owner}/{repo}/…, or undefined to pass. `rest` is the part after the repo. */
  route?(method: string, repo: FakeRepo, rest: string, query: URLSearchParams, body: any): [number, unknown] | undefined;
  /** Extra GraphQL fields of an issue or pull request object. */
  issueFields?(issue: FakeIssue): Record<string, unknown>;
  /** A GraphQL node the fake itself does not know, or undefined. */
  node?(id: string): unknown;
  /** Extra GraphQL root fields (mutations). */
  root?: Record<string, unknown>;
}

export class FakeGitHub {
  readonly repos = new Map<string, FakeRepo>();
  readonly calls: RecordedCall[] = [];
  readonly faults: InjectedFault[] = [];
  readonly extensions: FakeExtension[] = [];
  /** Added before each answer. */
  latencyMs = 0;
  /** The app's slug; its comments are authored by `<slug>[bot]`. */
  appSlug = "threadbot";
  /** Repositories with code (tarball, tree, blobs): see `addCodeRepo`. */
  readonly codeRepos: FakeCodeRepo[] = [];
  /** The code routes' requests (tarball, its codeload redirect, trees), also in `calls`. */
  readonly codeCalls: FakeCodeServerCall[] = [];
  /** `owner/name` → the default branch head GraphQL reports, when a test wants it to differ from the code's commit. */
  readonly defaultBranchHeads = new Map<string, string>();
  #codeHandler: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  url = "";
  #server: Server | undefined;
  #nextId = 9_000_000_000;
  #clock = Date.parse("2026-01-01T00:00:00Z");

  /** Deterministic timestamps, one minute apart. */
  tick(): string {
    this.#clock += 60_000;
    return new Date(this.#clock).toISOString();
  }

  /**
   * Gives a repository code at one commit: the tarball and tree routes, GraphQL `object(expression:)`
   * blobs, and `defaultBranchRef` pointing at the commit (its default branch's head).
   */
  addCodeRepo(repo: FakeCodeRepo): FakeCodeRepo {
    this.repo(repo.owner, repo.repo);
    const at = this.codeRepos.findIndex((r) => r.owner === repo.owner && r.repo === repo.repo);
    if (at >= 0) this.codeRepos.splice(at, 1);
    this.codeRepos.push(repo);
    this.#codeHandler = fakeCodeHandler(this.codeRepos, this.codeCalls);
    return repo;
  }

  nextId(): number {
    return ++this.#nextId;
  }

  repo(owner: string, name: string): FakeRepo {
    const key = `${owner}/${name}`;
    let repo = this.repos.get(key);
    if (!repo) {
      repo = { owner, name, issues: new Map(), permissions: new Map(), files: new Map() };
      this.repos.set(key, repo);
    }
    return repo;
  }

  addIssue(
    owner: string,
    name: string,
    init: Partial<Omit<FakeIssue, "comments" | "reactions">> & { number: number },
  ): FakeIssue {
    const issue: FakeIssue = {
      nodeId: `I_${init.number}_${name}`,
      isPullRequest: false,
      title: `Issue ${init.number}`,
      body: "",
      author: { login: "octocat", type: "User" },
      association: "OWNER",
      createdAt: this.tick(),
      lastEditedAt: null,
      ...init,
      comments: [],
      reactions: [],
    };
    this.repo(owner, name).issues.set(issue.number, issue);
    return issue;
  }

  addComment(issue: FakeIssue, init: Partial<FakeComment> & { body: string }): FakeComment {
    const id = init.id ?? this.nextId();
    const comment: FakeComment = {
      id,
      nodeId: `IC_${id}`,
      author: { login: "octocat", type: "User" },
      association: "OWNER",
      createdAt: this.tick(),
      lastEditedAt: null,
      isMinimized: false,
      ...init,
    };
    issue.comments.push(comment);
    return comment;
  }

  issue(owner: string, name: string, number: number): FakeIssue {
    const issue = this.repos.get(`${owner}/${name}`)?.issues.get(number);
    if (!issue) throw new Error(`no issue ${owner}/${name}#${number}`);
    return issue;
  }

  /** Comments written by the app's bot in an issue. */
  botComments(issue: FakeIssue): FakeComment[] {
    return issue.comments.filter((c) => c.author?.type === "Bot" && c.author.login === this.appSlug);
  }

  callsTo(method: string, pathPart: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.path.includes(pathPart));
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", () => resolve()));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = Date.now();
    if (this.#codeHandler) {
      const codePath = (req.url ?? "/").split("?")[0]!.replace(/^\/api\/v3(?=\/)/, "");
      // Answered before the body is read (the handler streams the tarball); recorded like every call.
      if (this.#codeHandler(req, res)) {
        this.calls.push({ method: req.method ?? "GET", path: codePath, body: undefined, start, end: Date.now(), status: res.statusCode });
        return;
      }
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? JSON.parse(text) : undefined;
    const method = req.method ?? "GET";
    // GitHub Enterprise layout too (`GHE_HOST`, as a child-process server uses it): /api/v3/… and /api/graphql.
    const path = (req.url ?? "/").split("?")[0]!.replace(/^\/api\/v3(?=\/)/, "").replace(/^\/api\/graphql$/, "/graphql");
    const call: RecordedCall = { method, path, body, start, end: 0, status: 0 };
    if (path === "/graphql") call.operation = /(?:query|mutation)\s+(\w+)/.exec(body?.query ?? "")?.[1] ?? "anonymous";
    this.calls.push(call);
    if (this.latencyMs > 0) await sleep(this.latencyMs);

    let status = 200;
    let payload: unknown;
    let headers: Record<string, string> = {};
    const fault = this.#takeFault(method, path, call.operation);
    if (fault?.delayMs) await sleep(fault.delayMs);
    const perform = async (): Promise<[number, unknown]> => {
      try {
        return this.#extensionRoute(method, req.url ?? "/", body) ?? (await this.#route(method, path, body, String(req.headers.accept ?? ""), new URL(req.url ?? "/", "http://fake").searchParams));
      } catch (error) {
        return [500, { message: String(error) }];
      }
    };
    const faulty = fault && (fault.status !== undefined || fault.drop || fault.hang);
    if (faulty) {
      if (fault.performed) call.performedStatus = (await perform())[0];
      if (fault.hang) {
        call.status = -1; // never answered
        return;
      }
      if (fault.drop) {
        call.end = Date.now();
        call.status = -2; // connection reset
        req.socket.destroy();
        return;
      }
      status = fault.status!;
      headers = fault.headers ?? {};
      payload = fault.body ?? { message: `injected ${fault.status}` };
    } else {
      [status, payload] = await perform();
    }
    call.end = Date.now();
    call.status = status;
    if (payload instanceof FakeResponse) {
      headers = { ...headers, ...payload.headers };
      payload = payload.body;
    }
    if (payload instanceof RawText) {
      // A `mediaType: { format: "raw" }` read (what Probot's config plugin asks for).
      res.writeHead(status, { "content-type": "application/vnd.github.raw; charset=utf-8", ...headers });
      res.end(payload.text);
      return;
    }
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(status === 204 ? undefined : JSON.stringify(payload));
  }

  #extensionRoute(method: string, url: string, body: any): [number, unknown] | undefined {
    const parsed = new URL(url, "http://fake");
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(parsed.pathname);
    const repo = m ? this.repos.get(`${m[1]}/${m[2]}`) : undefined;
    if (!m || !repo) return undefined;
    for (const e of this.extensions) {
      const answer = e.route?.(method, repo, m[3]!, parsed.searchParams, body);
      if (answer) return answer;
    }
    return undefined;
  }

  #takeFault(method: string, path: string, operation?: string): InjectedFault | undefined {
    const index = this.faults.findIndex(
      (f) => (!f.method || f.method === method) && (!f.path || path.includes(f.path)) && (!f.operation || f.operation === operation),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  #restUser(actor: FakeActor | null) {
    if (!actor) return null;
    const login = actor.type === "Bot" ? `${actor.login}[bot]` : actor.login;
    return { login, type: actor.type, id: 1 };
  }

  #restComment(repo: FakeRepo, issue: FakeIssue, c: FakeComment) {
    return {
      id: c.id,
      node_id: c.nodeId,
      body: c.body,
      user: this.#restUser(c.author),
      author_association: c.association,
      created_at: c.createdAt,
      updated_at: c.lastEditedAt ?? c.createdAt,
      html_url: `https://github.com/${repo.owner}/${repo.name}/issues/${issue.number}#issuecomment-${c.id}`,
    };
  }

  #findComment(repo: FakeRepo, id: number): [FakeIssue, FakeComment] | undefined {
    for (const issue of repo.issues.values()) {
      const comment = issue.comments.find((c) => c.id === id);
      if (comment) return [issue, comment];
    }
    return undefined;
  }

  async #route(method: string, path: string, body: any, accept = "", query = new URLSearchParams()): Promise<[number, unknown]> {
    let m: RegExpExecArray | null;
    if (method === "POST" && (m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path))) {
      return [201, { token: `ghs_fake${m[1]}token`, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} }];
    }
    if (method === "GET" && path === "/app") return [200, { id: 1, slug: this.appSlug, name: this.appSlug }];
    if (method === "POST" && path === "/graphql") return this.#graphql(body);

    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(path);
    if (!repoMatch) return [404, { message: "Not Found" }];
    const repo = this.repos.get(`${repoMatch[1]}/${repoMatch[2]}`);
    if (!repo) return [404, { message: "Not Found" }];
    const rest = repoMatch[3]!;

    if (method === "POST" && (m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = repo.issues.get(Number(m[1]));
      if (!issue) return [404, { message: "Not Found" }];
      if (typeof body?.body !== "string" || body.body.length > 65_536) {
        return [422, { message: "Validation Failed", errors: [{ field: "body", code: "custom", message: "body is too long (maximum is 65536 characters)" }] }];
      }
      const comment = this.addComment(issue, { body: body.body, author: { login: this.appSlug, type: "Bot" }, association: "NONE" });
      return [201, this.#restComment(repo, issue, comment)];
    }
    if (method === "GET" && (m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      // `since` is not applied: the fake's timestamps are synthetic. Pages of `per_page`, oldest first.
      const issue = repo.issues.get(Number(m[1]));
      if (!issue) return [404, { message: "Not Found" }];
      const perPage = Math.min(Number(query.get("per_page") ?? 30), 100);
      const page = Number(query.get("page") ?? 1);
      return [200, issue.comments.slice((page - 1) * perPage, page * perPage).map((c) => this.#restComment(repo, issue, c))];
    }
    if (method === "PATCH" && (m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const found = this.#findComment(repo, Number(m[1]));
      if (!found) return [404, { message: "Not Found" }];
      if (typeof body?.body !== "string" || body.body.length > 65_536) return [422, { message: "Validation Failed" }];
      found[1].body = body.body;
      found[1].lastEditedAt = this.tick();
      return [200, this.#restComment(repo, found[0], found[1])];
    }
    if (method === "POST" && (m = /^\/issues\/comments\/(\d+)\/reactions$/.exec(rest))) {
      const found = this.#findComment(repo, Number(m[1]));
      if (!found) return [404, { message: "Not Found" }];
      found[0].reactions.push({ content: body.content, commentId: found[1].id });
      return [201, { id: this.nextId(), content: body.content }];
    }
    if (method === "POST" && (m = /^\/issues\/(\d+)\/reactions$/.exec(rest))) {
      const issue = repo.issues.get(Number(m[1]));
      if (!issue) return [404, { message: "Not Found" }];
      issue.reactions.push({ content: body.content, commentId: null });
      return [201, { id: this.nextId(), content: body.content }];
    }
    if (method === "GET" && (m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const login = decodeURIComponent(m[1]!);
      const permission = repo.permissions.get(login);
      if (!permission) return [404, { message: `${login} is not a user` }];
      return [200, { permission, role_name: permission, user: { login } }];
    }
    if (method === "GET" && (m = /^\/contents\/(.+)$/.exec(rest))) {
      const file = repo.files.get(decodeURIComponent(m[1]!));
      if (file === undefined) return [404, { message: "Not Found" }];
      if (accept.includes(".raw")) return [200, new RawText(file)];
      return [200, { type: "file", encoding: "base64", content: Buffer.from(file).toString("base64"), path: m[1] }];
    }
    return [404, { message: "Not Found" }];
  }

  async #graphql(body: { query: string; variables?: Record<string, unknown> }): Promise<[number, unknown]> {
    const result = await graphql({
      schema: githubSchema(),
      source: body.query,
      variableValues: body.variables ?? {},
      rootValue: {
        repository: ({ owner, name }: { owner: string; name: string }) => {
          const repo = this.repos.get(`${owner}/${name}`);
          return repo ? this.#gqlRepo(repo) : null;
        },
        node: ({ id }: { id: string }) => {
          for (const repo of this.repos.values())
            for (const issue of repo.issues.values()) if (issue.nodeId === id) return this.#gqlIssue(issue);
          for (const e of this.extensions) {
            const node = e.node?.(id);
            if (node !== undefined) return node;
          }
          return null;
        },
        ...Object.assign({}, ...this.extensions.map((e) => e.root ?? {})),
      },
    });
    // GitHub answers GraphQL errors with 200 and an `errors` array.
    return [200, result];
  }

  #gqlActor(actor: FakeActor | null) {
    return actor ? { __typename: actor.type, login: actor.login } : null;
  }

  #gqlRepo(repo: FakeRepo) {
    const code = this.codeRepos.find((r) => r.owner === repo.owner && r.repo === repo.name);
    return {
      ...(code ? { ...fakeRepositoryObject(code), defaultBranchRef: { name: "main", target: { __typename: "Commit", oid: this.defaultBranchHeads.get(`${repo.owner}/${repo.name}`) ?? code.sha } } } : {}),
      issueOrPullRequest: ({ number }: { number: number }) => {
        const issue = repo.issues.get(number);
        return issue ? this.#gqlIssue(issue) : null;
      },
      pullRequest: ({ number }: { number: number }) => {
        const issue = repo.issues.get(number);
        return issue?.isPullRequest ? this.#gqlIssue(issue) : null;
      },
    };
  }

  #gqlIssue(issue: FakeIssue) {
    return {
      __typename: issue.isPullRequest ? "PullRequest" : "Issue",
      id: issue.nodeId,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      createdAt: issue.createdAt,
      lastEditedAt: issue.lastEditedAt,
      authorAssociation: issue.association,
      author: this.#gqlActor(issue.author),
      comments: ({ first, after }: { first?: number; after?: string }) => {
        const from = after ? Number(Buffer.from(after, "base64").toString("utf8")) + 1 : 0;
        const count = Math.min(first ?? 100, 100);
        const slice = issue.comments.slice(from, from + count);
        return {
          totalCount: issue.comments.length,
          pageInfo: {
            hasNextPage: from + count < issue.comments.length,
            endCursor: slice.length ? Buffer.from(String(from + slice.length - 1)).toString("base64") : null,
          },
          nodes: slice.map((c) => ({
            id: c.nodeId,
            databaseId: c.id,
            fullDatabaseId: String(c.id),
            author: this.#gqlActor(c.author),
            authorAssociation: c.association,
            body: c.body,
            createdAt: c.createdAt,
            lastEditedAt: c.lastEditedAt,
            isMinimized: c.isMinimized,
          })),
        };
      },
      ...Object.assign({}, ...this.extensions.map((e) => e.issueFields?.(issue) ?? {})),
    };
  }
}
