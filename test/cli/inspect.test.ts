// `threadbot inspect` prints the request the worker sends: the same bytes for the same thread, offline
// from a thread file or live from GitHub, and `--ask` sends it without posting anything.
import { execFile } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { issueCommentCreated } from "../helpers/payloads.js";

const EXAMPLE = "examples/thread.json";

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let out = "";
  let err = "";
  const code = await runCli(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), env });
  return { code, out, err };
}

let h: Harness;
let workerRequest: Record<string, unknown>;
let example: any;

beforeAll(async () => {
  // The worker answers the example thread's last mention, through the real server and SDK.
  example = JSON.parse(await readFile(EXAMPLE, "utf8"));
  h = await startHarness();
  const issue = h.github.addIssue(example.owner, example.repo, {
    number: example.number,
    title: example.title,
    body: example.opening.body,
    author: example.opening.author,
    association: example.opening.association,
    createdAt: example.opening.createdAt,
  });
  for (const c of example.comments) {
    h.github.addComment(issue, { id: Number(c.id), body: c.body, author: c.author, association: c.association, createdAt: c.createdAt, lastEditedAt: c.lastEditedAt });
  }
  const trigger = example.comments.at(-1);
  const payload = issueCommentCreated(trigger.body, { id: Number(trigger.id), login: trigger.author.login, association: trigger.association });
  payload.repository.owner.login = example.owner;
  payload.repository.name = example.repo;
  payload.repository.full_name = `${example.owner}/${example.repo}`;
  payload.issue.number = example.number;
  await h.deliver("issue_comment", payload);
  await h.idle();
  expect(h.anthropic.requests).toHaveLength(1);
  const { stream, ...sent } = h.anthropic.requests[0]!.body;
  expect(stream).toBe(true);
  workerRequest = sent;
});

afterAll(async () => {
  await h.close();
});

describe("threadbot inspect", () => {
  it("prints, from the thread file, exactly the request the worker sent for the same thread", async () => {
    const run = await cli(["inspect", "--thread-file", EXAMPLE, "--json"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.out);
    expect(printed.request).toEqual(workerRequest);
    expect(printed).toMatchObject({ trigger: example.comments.at(-1).id, model: "claude-sonnet-4-6", bot: "threadbot", config: ["defaults"] });
    expect(printed.turns.map((t: { role: string }) => t.role)).toEqual(["user", "assistant", "user"]);
  });

  it("reads a live thread with GITHUB_TOKEN and prints the same request; --save-thread writes a thread file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "threadbot-"));
    const saved = join(dir, "thread.json");
    const env = { GITHUB_TOKEN: "ghp_test", GITHUB_API_URL: h.github.url };
    const run = await cli(["inspect", `${example.owner}/${example.repo}#${example.number}`, "--comment", example.comments.at(-1).id, "--json", "--save-thread", saved], env);
    expect(run.err).toBe("");
    expect(JSON.parse(run.out).request).toEqual(workerRequest);
    const again = await cli(["inspect", "--thread-file", saved, "--comment", example.comments.at(-1).id, "--json"]);
    expect(JSON.parse(again.out).request).toEqual(workerRequest);
  });

  it("prints a readable conversation and the request by default", async () => {
    const run = await cli(["inspect", "--thread-file", EXAMPLE]);
    expect(run.out).toContain("acme/importer#42 (issue): Rows with a trailing comma are dropped");
    expect(run.out).toContain("assistant  comment 2113512450: The CSV parser treats the trailing comma");
    expect(run.out).toContain("request (POST /v1/messages, streamed):");
    expect(run.out).toContain(JSON.stringify(workerRequest, null, 2));
  });

  it("notes an already answered mention and a command", async () => {
    const answered = await cli(["inspect", "--thread-file", EXAMPLE, "--comment", "2113512402"]);
    expect(answered.out).toContain("note: comment 2113512402 is already answered");
  });

  it("--ask sends the request to Claude and prints the answer without posting", async () => {
    const writesBefore = h.github.calls.filter((c) => c.method !== "GET" && c.path !== "/graphql").length;
    h.anthropic.queue.push({ kind: "answer", text: "No: Excel writes no trailing comma.", usage: { input_tokens: 1000, output_tokens: 10 } });
    const run = await cli(["inspect", "--thread-file", EXAMPLE, "--ask"], { ANTHROPIC_API_KEY: "sk-ant-test-0000000000", ANTHROPIC_BASE_URL: h.anthropic.url });
    expect(run.code).toBe(0);
    expect(run.out).toContain("answer (claude-sonnet-4-6; not posted):");
    expect(run.out).toContain("No: Excel writes no trailing comma.");
    expect(run.out).toContain("tokens: 1000 input, 0 cache read, 0 cache write, 10 output · est. cost $0.0032");
    const { stream: _stream, ...sent } = h.anthropic.requests.at(-1)!.body;
    expect(sent).toEqual(workerRequest);
    expect(h.github.calls.filter((c) => c.method !== "GET" && c.path !== "/graphql").length).toBe(writesBefore);
  });

  it("explains usage errors", async () => {
    expect((await cli([])).code).toBe(2);
    const bad = await cli(["inspect", "not-a-ref"], { GITHUB_TOKEN: "x" });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("expected owner/repo#number");
    const noToken = await cli(["inspect", "a/b#1"]);
    expect(noToken.err).toContain("GITHUB_TOKEN is not set");
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("threadbot inspect owner/repo#123");
  });

  it("runs as a command (the bin entry point)", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli/main.ts", "inspect", "--thread-file", EXAMPLE, "--json"], {
      env: { PATH: process.env.PATH ?? "" },
    });
    expect(JSON.parse(stdout).request).toEqual(workerRequest);
  });
});
