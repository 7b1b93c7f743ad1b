// An unauthenticated POST cannot make the app buffer more than GitHub's 25 MB cap: a declared
// Content-Length over it gets 413 at once, a chunked body is cut at the cap, and the process's memory stays
// flat, at every path that receives webhooks; a normal signed delivery is still answered.
import { randomUUID } from "node:crypto";
import { Probot, Server } from "probot";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createThreadbot } from "../../src/app.js";
import { readSettings } from "../../src/config/env.js";
import { MAX_WEBHOOK_BYTES } from "../../src/intake/bodyLimit.js";
import { startAnthropicMock, type AnthropicMock } from "../helpers/anthropicMock.js";
import { FakeGitHub } from "../helpers/fakeGitHub.js";
import { sign, testPrivateKey, WEBHOOK_SECRET } from "../helpers/harness.js";
import { issueCommentCreated } from "../helpers/payloads.js";
import { ANTHROPIC_KEY, cleanup, freePort, freshDir, junk, post, serviceEnv, startServer, track, until } from "../helpers/spawnedApp.js";

const MB = 1024 * 1024;
// A bogus signature: what an attacker without the secret sends.
const UNSIGNED = { "content-type": "application/json", "x-github-event": "issue_comment", "x-github-delivery": "attack", "x-hub-signature-256": `sha256=${"0".repeat(64)}` };

let github: FakeGitHub | undefined;
let anthropic: AnthropicMock | undefined;

afterEach(async () => {
  await cleanup();
  await github?.close();
  await anthropic?.close();
  github = anthropic = undefined;
});

describe("webhook bodies are bounded (npm start)", () => {
  it("a 300 MB unsigned upload gets 413 quickly and memory stays flat; a signed delivery is still answered", async () => {
    github = await new FakeGitHub().start();
    anthropic = await startAnthropicMock(() => ({ kind: "answer", text: "Still answering." }));
    const issue = github.addIssue("Codertocat", "Hello-World", { number: 1, body: "Rows vanish." });
    github.addComment(issue, { id: 101, body: "@claude why?" });
    const app = await startServer(track(freshDir("bodylimit")), {
      ...serviceEnv(github.url, anthropic.url),
      APP_ID: "1",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET,
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      BOT_LOGIN: "threadbot[bot]",
    }, await freePort());
    const before = app.peakRssMb();

    // Chunked (no Content-Length): counted as it arrives and cut at the cap.
    const chunked = await post(`${app.url}/api/github/webhooks`, UNSIGNED, junk(300 * MB));
    expect(chunked.status).toBe(413);
    expect(chunked.afterMs).toBeLessThan(8_000);
    expect(chunked.bytesSent).toBeLessThan(100 * MB);
    // Declared too large: refused before a byte of the body is read, at `/` as well.
    const declared = await post(`${app.url}/`, { ...UNSIGNED, "content-length": String(300 * MB) }, junk(300 * MB));
    expect(declared.status).toBe(413);
    expect(declared.afterMs).toBeLessThan(2_000);
    expect(declared.bytesSent).toBeLessThan(50 * MB);

    const peak = app.peakRssMb();
    expect(peak, `peak RSS ${peak} MB (at start ${before} MB)`).toBeLessThan(300);

    const body = JSON.stringify(issueCommentCreated("@claude why?", { id: 101 }));
    const ok = await fetch(`${app.url}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "issue_comment", "x-github-delivery": randomUUID(), "x-hub-signature-256": sign(body) },
      body,
    });
    expect(ok.status).toBe(200);
    await until(() => github!.botComments(issue).some((c) => c.body.startsWith("Still answering.")), 15_000, () => `the answer:\n${app.output()}`);
    expect(app.child.exitCode).toBeNull();
  }, 45_000);
});

describe("webhook bodies are bounded at every webhook path (in process)", () => {
  it("with WEBHOOK_PATH=/hooks: over the cap at /hooks and at / is 413; under it, the signature decides", async () => {
    const threadbot = createThreadbot({ settings: readSettings({ ANTHROPIC_API_KEY: ANTHROPIC_KEY, BOT_LOGIN: "threadbot[bot]" }) });
    const log = pino({ level: "silent" });
    const port = await freePort();
    const server = new Server({
      host: "127.0.0.1",
      port,
      webhookPath: "/hooks",
      log,
      Probot: Probot.defaults({ appId: 1, privateKey: testPrivateKey(), secret: WEBHOOK_SECRET, log }),
    });
    await server.load(threadbot.app);
    await server.start();
    try {
      const url = `http://127.0.0.1:${port}`;
      for (const path of ["/hooks", "/"]) {
        const over = await post(`${url}${path}`, UNSIGNED, junk(MAX_WEBHOOK_BYTES + MB));
        expect(over.status, path).toBe(413);
        const declared = await post(`${url}${path}`, { ...UNSIGNED, "content-length": String(MAX_WEBHOOK_BYTES + 1) }, junk(MAX_WEBHOOK_BYTES));
        expect(declared.status, path).toBe(413);
        // Under the cap it is read, and the signature check refuses it (not the size).
        const small = await post(`${url}${path}`, UNSIGNED, Buffer.from(JSON.stringify({ x: "a".repeat(MB) })));
        expect([400, 401], `${path}: ${small.status} ${small.text}`).toContain(small.status);
        expect(small.text).toMatch(/signature/i);
      }
      // The old default path is not a webhook path any more, and GET / is not taken by the webhook endpoint.
      expect((await fetch(`${url}/api/github/webhooks`, { method: "POST", headers: UNSIGNED, body: "{}" })).status).toBe(404);
      expect((await fetch(`${url}/`)).status).toBe(404);
    } finally {
      await threadbot.shutdown();
      await server.stop();
    }
  }, 30_000);
});
