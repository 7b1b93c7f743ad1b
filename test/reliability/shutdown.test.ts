// Shutdown of the real entry point (src/server.ts, run with tsx in a child process) against the fake GitHub
// and the Anthropic mock: on SIGTERM it stops taking webhooks, lets answers in flight finish within the
// grace period, logs every accepted mention it could not finish (with its thread), and exits 0.
import { freePort, installedAppEnv, until } from "../helpers/spawnedApp.js";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startAnthropicMock, type AnthropicMock } from "../helpers/anthropicMock.js";
import { FakeGitHub } from "../helpers/fakeGitHub.js";
import { sign, testPrivateKey, WEBHOOK_SECRET } from "../helpers/harness.js";
import { issueCommentCreated } from "../helpers/payloads.js";

const SERVER = fileURLToPath(new URL("../../src/server.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");

let github: FakeGitHub;
let anthropic: AnthropicMock;
let child: ChildProcess | undefined;
let workdir: string | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  if (workdir) rmSync(workdir, { recursive: true, force: true });
  await github?.close();
  await anthropic?.close();
});


interface Running {
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startServer(graceSeconds: number, extraEnv: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  let output = "";
  // An empty working directory: Probot loads `.env` from there, and a developer's `.env` must not apply.
  child = spawn(process.execPath, ["--import", TSX, SERVER], {
    cwd: (workdir = mkdtempSync(join(tmpdir(), "threadbot-shutdown-"))),
    env: installedAppEnv({ githubUrl: github.url, anthropicUrl: anthropic.url, privateKey: testPrivateKey(), webhookSecret: WEBHOOK_SECRET }, port, { SHUTDOWN_GRACE_SECONDS: String(graceSeconds), ...extraEnv }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const proc = child;
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}/ping`).then((r) => r.ok, () => false)), 30_000, "the server to start");
  return { url, output: () => output, exited };
}

async function deliver(url: string, commentId: number, body: string): Promise<void> {
  const payload = JSON.stringify(issueCommentCreated(body, { id: commentId }));
  const response = await fetch(`${url}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-github-delivery": `delivery-${commentId}`,
      "x-hub-signature-256": sign(payload),
    },
    body: payload,
  });
  expect(response.status).toBe(200);
}

async function setup(answerDelayMs: number): Promise<void> {
  github = await new FakeGitHub().start();
  anthropic = await startAnthropicMock(() => ({ kind: "answer", text: "Finished answer.", delayMs: answerDelayMs, chunks: 4 }));
  const issue = github.addIssue("Codertocat", "Hello-World", { number: 1, body: "Rows vanish." });
  github.addComment(issue, { id: 101, body: "@claude first" });
  github.addComment(issue, { id: 102, body: "@claude second" });
}

describe("SIGTERM", () => {
  it("finishes the answer in flight within the grace period, then exits 0", async () => {
    await setup(1_500);
    const server = await startServer(20);
    await deliver(server.url, 101, "@claude first");
    await until(() => anthropic.requests.length === 1, 10_000, "the model call");
    child!.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    const replies = github.botComments(github.issue("Codertocat", "Hello-World", 1));
    expect(replies.some((c) => c.body.startsWith("Finished answer."))).toBe(true);
    expect(server.output()).toContain("SIGTERM: no longer taking webhooks");
    expect(server.output()).not.toContain("not answered before shutdown");
  }, 60_000);

  it("spends the grace period on the mentions still waiting, in order, and logs nothing as left", async () => {
    await setup(1_000);
    const server = await startServer(15);
    await deliver(server.url, 101, "@claude first");
    await until(() => anthropic.requests.length === 1, 10_000, "the model call");
    await deliver(server.url, 102, "@claude second"); // waits behind the first: same thread
    child!.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    const replies = github.botComments(github.issue("Codertocat", "Hello-World", 1)).filter((c) => c.body.startsWith("Finished answer."));
    expect(replies).toHaveLength(2);
    expect(anthropic.requests.map((r) => JSON.stringify(r.body.messages).includes("second"))).toEqual([false, true]);
    expect(server.output()).not.toContain("not answered before shutdown");
  }, 60_000);

  it("logs what it could not finish, with its thread, and still exits 0", async () => {
    await setup(30_000);
    const server = await startServer(0.5);
    await deliver(server.url, 101, "@claude first");
    await until(() => anthropic.requests.length === 1, 10_000, "the model call");
    await deliver(server.url, 102, "@claude second"); // waits behind the first: same thread
    const signalled = Date.now();
    child!.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    const out = server.output();
    expect(out).toContain("not answered before shutdown: Codertocat/Hello-World#1 comment 101");
    expect(out).toContain("not answered before shutdown: Codertocat/Hello-World#1 comment 102");
  }, 60_000);

  it("exits 1 shortly after the grace when the shutdown itself cannot finish (Redis unreachable)", async () => {
    await setup(1_000);
    // Nothing listens there: the Redis queue's close waits on a connection that never comes.
    const server = await startServer(1, { REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const signalled = Date.now();
    child!.kill("SIGTERM");
    expect(await server.exited).toBe(1);
    expect(Date.now() - signalled).toBeLessThan(1_000 + 5_000 + 4_000);
    expect(server.output()).toContain("shutdown did not finish in time");
  }, 60_000);
});
