// `.github/claude.yml`, live progress, the cost footer and the daily budget, end to end.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderContextBlock } from "../../src/core/contextBlock/index.js";
import { emptyContextBlock } from "../../src/core/types.js";
import type { FakeComment, FakeIssue } from "../helpers/fakeGitHub.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { issueCommentCreated } from "../helpers/payloads.js";

const OWNER = "Codertocat";
let h: Harness;
let issue: FakeIssue;
let repo = "Hello-World";

beforeEach(async () => {
  h = await startHarness();
  repo = "Hello-World";
  issue = h.github.addIssue(OWNER, repo, { number: 1, title: "Importer drops rows", body: "Rows vanish.", author: { login: OWNER, type: "User" } });
});
afterEach(async () => {
  await h.close();
});

function configure(yaml: string, where = repo): void {
  h.github.repo(OWNER, where).files.set(".github/claude.yml", yaml);
}

async function mention(body = "@claude why?"): Promise<number> {
  const id = h.github.nextId();
  h.github.addComment(issue, { id, body, author: { login: OWNER, type: "User" }, association: "OWNER" });
  const payload = issueCommentCreated(body, { id });
  payload.repository.name = repo;
  payload.repository.full_name = `${OWNER}/${repo}`;
  await h.deliver("issue_comment", payload);
  await h.idle();
  return id;
}

const reply = (): FakeComment => h.github.botComments(issue).at(-1)!;
const request = () => h.anthropic.requests.at(-1)!.body;

describe(".github/claude.yml", () => {
  it("sets instructions, output limit, cache TTL and model for the request", async () => {
    configure(
      "instructions: |\n  Answer in French.\nmax_output_tokens: 777\ncache_ttl: 1h\nmodels:\n  default: claude-haiku-4-5\n",
    );
    await mention();
    const body = request();
    expect(body.model).toBe("claude-haiku-4-5");
    expect(body.max_tokens).toBe(777);
    expect(JSON.stringify(body.system)).toContain("Standing instructions from the repository configuration:\\nAnswer in French.");
    expect(body.system.at(-1).cache_control).toEqual({ type: "ephemeral", ttl: "1h" });
  });

  it("falls back to the owner's .github repository, read beside the repository's own file", async () => {
    configure("instructions: Org-wide rule.\n", ".github");
    h.github.latencyMs = 150;
    await mention();
    expect(JSON.stringify(request().system)).toContain("Org-wide rule.");
    const reads = h.github.calls.filter((c) => c.method === "GET" && decodeURIComponent(c.path).endsWith("/contents/.github/claude.yml"));
    expect(reads).toHaveLength(2);
    expect(reads.map((c) => c.path.split("/")[3])).toEqual(expect.arrayContaining(["Hello-World", ".github"]));
    // Both reads were in flight at once: the fallback costs no extra round trip.
    const [a, b] = reads;
    expect(Math.max(a!.start, b!.start)).toBeLessThan(Math.min(a!.end, b!.end));
  });

  it("answers with defaults and names the bad key in the footer", async () => {
    configure("models:\n  allowed: claude-opus-4-6\nmax_output_tokens: 900\n");
    await mention();
    expect(request().max_tokens).toBe(900); // the valid key still counts
    expect(reply().body).toContain(
      "> `.github/claude.yml`: `models.allowed` must be a list of model ids; using the default for this answer.",
    );
  });

  it("says so when the file is not valid YAML", async () => {
    configure("instructions: [unclosed\n");
    await mention();
    expect(h.anthropic.requests).toHaveLength(1);
    expect(reply().body).toMatch(/`\.github\/claude\.yml` could not be read \(.*invalid YAML.*\); using defaults for this answer\./);
  });

  it("honours a context block's model only when models.allowed lists it", async () => {
    h.github.addComment(issue, {
      body: `Earlier.\n\n${renderContextBlock({ ...emptyContextBlock(), model: "claude-opus-4-6", answered: ["1"] })}`,
      author: { login: "threadbot", type: "Bot" },
      association: "NONE",
    });
    await mention();
    expect(request().model).toBe("claude-sonnet-4-6");
    expect(reply().body).toContain("The context block asks for model `claude-opus-4-6`, which is not in `models.allowed`");
    configure("models:\n  allowed: [claude-opus-4-6]\n");
    await mention("@claude again?");
    expect(request().model).toBe("claude-opus-4-6");
  });

  it("warns that a different trigger phrase cannot take effect", async () => {
    configure('trigger: "@helper"\n');
    await mention();
    expect(reply().body).toContain('`trigger` is "@helper", but this app answers "@claude"');
  });
});

describe("progress and footer", () => {
  it("edits one comment as the answer streams, at most once per interval, and ends with the answer", async () => {
    configure("progress:\n  interval_seconds: 1\n");
    const text = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    h.anthropic.queue.push({ kind: "answer", text, delayMs: 4000, chunks: 20 });
    const started = Date.now();
    await mention();
    const elapsed = (Date.now() - started) / 1000;
    const creates = h.github.callsTo("POST", "/issues/1/comments");
    expect(creates).toHaveLength(1);
    expect(creates[0]!.body.body).toContain("still writing"); // created one interval after the first text, showing it
    const edits = h.github.callsTo("PATCH", "/issues/comments/");
    const progress = edits.filter((c) => String(c.body.body).includes("still writing"));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(elapsed / 1) + 1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.start - progress[i - 1]!.start).toBeGreaterThanOrEqual(990);
    expect(h.github.botComments(issue)).toHaveLength(1);
    expect(reply().body.startsWith(text)).toBe(true);
  });

  it("progress mode final posts one comment and edits nothing", async () => {
    configure("progress:\n  mode: final\n");
    await mention();
    expect(h.github.callsTo("POST", "/issues/1/comments")).toHaveLength(1);
    expect(h.github.callsTo("PATCH", "/issues/comments/")).toHaveLength(0);
  });

  it("shows model, tokens, estimated cost and time from the API's usage", async () => {
    h.anthropic.queue.push({
      kind: "answer",
      text: "Short answer.",
      usage: { input_tokens: 1200, output_tokens: 300, cache_read_input_tokens: 50_000, cache_creation_input_tokens: 2000 },
    });
    await mention();
    const body = reply().body;
    // (1200 + 0.1 × 50000 + 1.25 × 2000) × $3/M + 300 × $15/M = $0.0306
    expect(body).toMatch(/<details><summary>threadbot · model claude-sonnet-4-6 · \d+\.\d s · est\. cost \$0\.0306<\/summary>/);
    expect(body).toContain("| this answer | 1,200 | 50,000 | 2,000 | 300 |");
    expect(body).toContain("| thread so far | 1,200 | 50,000 | 2,000 | 300 |");
    expect(body.indexOf("</details>")).toBeLessThan(body.indexOf("<!-- threadbot:context"));
  });

  it("prices the 1-hour cache's writes at 2×", async () => {
    configure("cache_ttl: 1h\n");
    h.anthropic.queue.push({ kind: "answer", text: "x", usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 1_000_000 } });
    await mention();
    expect(reply().body).toContain("est. cost $6.00");
  });
});

describe("daily budget", () => {
  it("answers with a notice once the repository's tokens for the day are spent", async () => {
    repo = "budget-repo";
    issue = h.github.addIssue(OWNER, repo, { number: 1, title: "t", body: "b", author: { login: OWNER, type: "User" } });
    configure("budget:\n  daily_tokens: 150\n");
    h.anthropic.queue.push({ kind: "answer", text: "First.", usage: { input_tokens: 140, output_tokens: 20 } });
    await mention();
    await mention("@claude and again?");
    expect(h.anthropic.requests).toHaveLength(1);
    expect(reply().body).toContain("This repository has used today's budget for Claude (160 of 150 tokens");
  });
});
