// Baselines written the obvious way, measured in the same run as threadbot:
// - `NaiveGitHub`: the fake GitHub plus the REST comment listing (`GET /repos/o/r/issues/N/comments`,
//   paginated with per_page/page and a Link header) that the fake does not serve. It is a front server
//   that answers that route itself from the fake's state (same latency, recorded in the fake's call log)
//   and forwards every other request to the fake.
// - `naiveApp`: a Probot app that answers a mention inside the webhook handler, every step after the
//   previous one: comment pages, config, permission, 👀, Claude, reply (the opening post comes from the
//   webhook payload). Same Claude client, same fake, same mock as threadbot, and the same Octokit:
//   `app.auth(installationId)`, Probot's throttled client for that installation, as threadbot's worker
//   uses. (`context.octokit` would be the obvious choice, but Probot builds it with the app-level
//   throttle options, whose pacing key is shared by every installation: back-to-back runs would then
//   wait out the previous run's 3 s comment spacing, which is not the cost of one mention.)
// - `naiveBuildPrompt`: thread → prompt as one concatenated string, no sanitising and no structure (the
//   floor for the rebuild figures).
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ApplicationFunction } from "probot";
import { ClaudeClient } from "../src/claude/client.js";
import type { Thread } from "../src/core/types.js";
import type { FakeGitHub, RecordedCall } from "../test/helpers/fakeGitHub.js";
import { sleep } from "./lib.js";

export class NaiveGitHub {
  url = "";
  #server: Server | undefined;

  constructor(readonly fake: FakeGitHub) {}

  async start(): Promise<this> {
    const target = new URL(this.fake.url);
    this.#server = createServer((req, res) => void this.#handle(req, res, target));
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", () => resolve()));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse, target: URL): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
    if (req.method === "GET" && m) return this.#listComments(res, url, m[1]!, m[2]!, Number(m[3]));
    // Everything else: to the fake, as is.
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      },
    );
    forward.on("error", () => res.writeHead(502).end());
    forward.end(Buffer.concat(chunks));
  }

  async #listComments(res: ServerResponse, url: URL, owner: string, repo: string, number: number): Promise<void> {
    const call: RecordedCall = { method: "GET", path: url.pathname, body: undefined, start: Date.now(), end: 0, status: 200 };
    this.fake.calls.push(call);
    if (this.fake.latencyMs > 0) await sleep(this.fake.latencyMs);
    const issue = this.fake.repos.get(`${owner}/${repo}`)?.issues.get(number);
    if (!issue) {
      call.status = 404;
      call.end = Date.now();
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "Not Found" }));
      return;
    }
    const perPage = Math.min(100, Number(url.searchParams.get("per_page") ?? 30));
    const page = Math.max(1, Number(url.searchParams.get("page") ?? 1));
    const slice = issue.comments.slice((page - 1) * perPage, page * perPage);
    const last = Math.max(1, Math.ceil(issue.comments.length / perPage));
    const link = (p: number, rel: string) => `<${this.url}${url.pathname}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
    const links = page < last ? [link(page + 1, "next"), link(last, "last")] : [];
    const body = slice.map((c) => ({
      id: c.id,
      node_id: c.nodeId,
      body: c.body,
      user: c.author ? { login: c.author.type === "Bot" ? `${c.author.login}[bot]` : c.author.login, type: c.author.type, id: 1 } : null,
      author_association: c.association,
      created_at: c.createdAt,
      updated_at: c.lastEditedAt ?? c.createdAt,
    }));
    call.end = Date.now();
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", ...(links.length ? { link: links.join(", ") } : {}) });
    res.end(JSON.stringify(body));
  }
}

interface RestComment {
  id: number;
  body: string;
  user: { login: string; type: string } | null;
  author_association: string;
  created_at: string;
}

/** The naive pipeline: everything inside the webhook handler, one request after another. */
export function naiveApp(options: { anthropicUrl: string; model: string; phrase?: string }): ApplicationFunction {
  const claude = new ClaudeClient({ apiKey: "sk-ant-bench-0000000000", baseURL: options.anthropicUrl });
  const phrase = options.phrase ?? "@claude";
  return (app) => {
    app.on("issue_comment.created", async (context) => {
      const { comment, issue, repository, sender, installation } = context.payload;
      if (sender.type === "Bot" || !comment.body.includes(phrase) || !installation) return;
      const owner = repository.owner.login;
      const repo = repository.name;
      const octokit = await app.auth(installation.id);

      const comments: RestComment[] = [];
      for (let page = 1; ; page++) {
        const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
          owner,
          repo,
          issue_number: issue.number,
          per_page: 30,
          page,
        });
        comments.push(...(data as RestComment[]));
        if (data.length < 30) break;
      }
      await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner, repo, path: ".github/claude.yml" }).catch(() => null);
      await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner, repo, username: sender.login });
      await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: comment.id, content: "eyes" });

      const prompt = [
        `# ${issue.title}\n\n${issue.body ?? ""}`,
        ...comments.map((c) => `${c.user?.login ?? "ghost"} (${c.author_association}) at ${c.created_at}:\n${c.body}`),
      ].join("\n\n---\n\n");
      const answer = await claude.ask({ model: options.model, max_tokens: 4096, messages: [{ role: "user", content: prompt }] });
      await octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: answer.text });
    });
  };
}

/** Thread → one prompt string, the way a first version would: no sanitising, no turns, no escaping. */
export function naiveBuildPrompt(thread: Thread): string {
  const parts = [`# ${thread.title}\n\n${thread.opening.body}`];
  for (const c of thread.comments) parts.push(`${c.author?.login ?? "ghost"} (${c.association}) at ${c.createdAt}:\n${c.body}`);
  return parts.join("\n\n---\n\n");
}
