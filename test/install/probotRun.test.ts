// The package's default export is a Probot application function: Probot's own CLI runs the built app
// (`probot run ./dist/app.js`), which serves /metrics and answers a mention.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAnthropicMock, type AnthropicMock } from "../helpers/anthropicMock.js";
import { FakeGitHub } from "../helpers/fakeGitHub.js";
import { sign, testPrivateKey, WEBHOOK_SECRET } from "../helpers/harness.js";
import { issueCommentCreated } from "../helpers/payloads.js";
import { ANTHROPIC_KEY, cleanup, freePort, freshDir, ROOT, serviceEnv, spawnApp, track, until } from "../helpers/spawnedApp.js";

const REDIRECT = new URL("./redirectGitHub.mjs", import.meta.url).href;
let dir: string;
let github: FakeGitHub;
let anthropic: AnthropicMock;

beforeAll(() => {
  // The package as built (`npm run build`), in a directory of its own with the app's dependencies.
  dir = track(freshDir("probot-run"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json"), "--outDir", join(dir, "dist")], { stdio: "pipe" });
}, 60_000);

afterAll(async () => {
  await cleanup();
  await github?.close();
  await anthropic?.close();
});

describe("probot run ./dist/app.js", () => {
  it("serves /metrics and answers a mention", async () => {
    github = await new FakeGitHub().start();
    anthropic = await startAnthropicMock(() => ({ kind: "answer", text: "Answered under Probot's CLI." }));
    const issue = github.addIssue("Codertocat", "Hello-World", { number: 1, body: "Rows vanish." });
    github.addComment(issue, { id: 101, body: "@claude why?" });
    // Not GHE_HOST: under Probot's CLI the app uses Probot's Octokit, whose installation-token requests
    // ignore GHE_HOST's base URL (src/server.ts passes an Octokit that fixes it), so api.github.com is
    // redirected to the fake at the fetch level instead.
    const { GHE_HOST, GHE_PROTOCOL, ...env } = serviceEnv(github.url, anthropic.url);
    const app = await spawnApp(["--import", REDIRECT, join(ROOT, "node_modules/probot/bin/probot.js"), "run", "./dist/app.js"], dir, {
      ...env,
      FAKE_GITHUB_URL: github.url,
      APP_ID: "1",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET,
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    }, await freePort());

    const metrics = await fetch(`${app.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("threadbot_webhook_deliveries_total");

    const body = JSON.stringify(issueCommentCreated("@claude why?", { id: 101 }));
    const delivered = await fetch(`${app.url}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "issue_comment", "x-github-delivery": randomUUID(), "x-hub-signature-256": sign(body) },
      body,
    });
    expect(delivered.status).toBe(200);
    await until(() => github.botComments(issue).some((c) => c.body.startsWith("Answered under Probot's CLI.")), 15_000, () => `the answer:\n${app.output()}`);
    expect(github.botComments(issue)).toHaveLength(1);
    expect(anthropic.requests).toHaveLength(1);
  }, 30_000);
});
