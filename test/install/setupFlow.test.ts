// A fresh install as the README's quick start has it: `npm start` without credentials serves Probot's setup
// page; the page posts app.yml's manifest to GitHub, GitHub redirects back with a code, the app exchanges it
// (POST /app-manifests/{code}/conversions) and writes `.env`; the maintainer adds the Anthropic key as the
// README says and starts again; GitHub delivers to the webhook URL the manifest registered. Here GitHub is a
// local stand-in (its manifest pages in front of the fake GitHub), reached through GHE_HOST.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { repairGluedEnv } from "../../src/config/env.js";
import { startAnthropicMock, type AnthropicMock } from "../helpers/anthropicMock.js";
import { FakeGitHub } from "../helpers/fakeGitHub.js";
import { sign, testPrivateKey } from "../helpers/harness.js";
import { issueCommentCreated } from "../helpers/payloads.js";
import { ANTHROPIC_KEY, cleanup, freePort, freshDir, ROOT, serviceEnv, startFakeSmee, startServer, track, until } from "../helpers/spawnedApp.js";

const WEBHOOK_SECRET = "manifest-flow-webhook-secret";

interface StandIn {
  url: string;
  manifests: Record<string, any>[];
  conversions: string[];
  close(): Promise<void>;
}

/** GitHub's manifest pages (create the app, convert the code) in front of the fake GitHub's API. */
async function startGitHubStandIn(github: FakeGitHub): Promise<StandIn> {
  const manifests: Record<string, any>[] = [];
  const conversions: string[] = [];
  let url = "";
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (req.method === "POST" && path === "/settings/apps/new") {
      let form = "";
      for await (const chunk of req) form += chunk;
      const manifest = JSON.parse(new URLSearchParams(form).get("manifest") ?? "null");
      manifests.push(manifest);
      // GitHub creates the app and sends the browser back to the manifest's redirect_url with a code.
      res.writeHead(302, { location: `${manifest.redirect_url}?code=code-${manifests.length}` }).end();
      return;
    }
    const m = /^\/api\/v3\/app-manifests\/([^/]+)\/conversions$/.exec(path);
    if (req.method === "POST" && m) {
      conversions.push(m[1]!);
      res.writeHead(201, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: 4242,
          slug: github.appSlug,
          name: github.appSlug,
          client_id: "Iv1.installtestclient",
          client_secret: "0123456789abcdef0123456789abcdef01234567",
          webhook_secret: WEBHOOK_SECRET,
          pem: testPrivateKey(),
          html_url: `${url}/apps/${github.appSlug}`,
        }),
      );
      return;
    }
    // Everything else is the API: the fake GitHub.
    const upstream = httpRequest(`${github.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    manifests,
    conversions,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let github: FakeGitHub | undefined;
let anthropic: AnthropicMock | undefined;
let standIn: StandIn | undefined;

afterEach(async () => {
  await cleanup();
  await standIn?.close();
  await github?.close();
  await anthropic?.close();
  standIn = github = anthropic = undefined;
});

async function services(): Promise<{ github: FakeGitHub; anthropic: AnthropicMock; standIn: StandIn }> {
  github = await new FakeGitHub().start();
  anthropic = await startAnthropicMock(() => ({ kind: "answer", text: "Here is the answer." }));
  standIn = await startGitHubStandIn(github);
  const issue = github.addIssue("Codertocat", "Hello-World", { number: 1, body: "Rows vanish." });
  github.addComment(issue, { id: 101, body: "@claude why?" });
  return { github, anthropic, standIn };
}

/** The key the app called Anthropic with (the SDK sends it as a bearer token, or as x-api-key). */
function sentKey(mock: AnthropicMock): string | undefined {
  const headers = mock.requests[0]?.headers ?? {};
  return (headers["x-api-key"] as string | undefined) ?? headers.authorization?.replace(/^Bearer /, "");
}

/** The README's own command for adding the key (the quick start's `printf … >> .env` line), run in `dir`. */
function addKeyAsTheReadmeSays(dir: string, key: string): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("\n## ", readme.indexOf("## Quick start") + 5));
  const line = quickStart.split("\n").find((l) => l.includes("ANTHROPIC_API_KEY=") && l.includes(">> .env"));
  expect(line, "the quick start says how to add the key to .env").toBeDefined();
  const command = line!.trim().replace(/^\$\s*/, "").replace(/sk-ant-…|sk-ant-\.\.\./, key);
  execFileSync("sh", ["-c", command], { cwd: dir });
  return command;
}

/** Runs the setup page as the browser and GitHub do; returns the manifest GitHub got. */
async function runManifestFlow(url: string, stand: StandIn, dir: string): Promise<Record<string, any>> {
  const page = await fetch(`${url}/probot`).then((r) => r.text());
  // The page's form posts the manifest (a button's value) to GitHub's "new app" page.
  const action = /<form action="([^"]+)" method="post"/.exec(page)?.[1];
  const manifestJson = /name="manifest" id="manifest" value='([^']*)'/.exec(page)?.[1];
  expect(action).toBe(`${stand.url}/settings/apps/new`);
  expect(manifestJson).toBeDefined();
  const created = await fetch(action!, { method: "POST", body: new URLSearchParams({ manifest: manifestJson! }), redirect: "manual" });
  expect(created.status).toBe(302);
  // GitHub sends the browser to the app's callback, which exchanges the code and writes `.env`.
  const callback = await fetch(created.headers.get("location")!, { redirect: "manual" });
  expect(callback.status).toBe(302);
  expect(callback.headers.get("location")).toBe(`${stand.url}/apps/threadbot/installations/new`);
  expect(stand.conversions).toEqual(["code-1"]);
  expect(existsSync(join(dir, ".env"))).toBe(true);
  return stand.manifests[0]!;
}

async function deliverTo(hookUrl: string, secret: string): Promise<Response> {
  const body = JSON.stringify(issueCommentCreated("@claude why?", { id: 101 }));
  return fetch(hookUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "issue_comment", "x-github-delivery": randomUUID(), "x-hub-signature-256": sign(body, secret) },
    body,
  });
}

describe("a fresh install through Probot's setup page", () => {
  it("answers a delivery to the webhook URL the manifest registered, with the key added as the README says", async () => {
    const { github, anthropic, standIn } = await services();
    const dir = track(freshDir("setup"));
    const port = await freePort();
    // No credentials at all: setup mode. NO_SMEE_SETUP: no smee.io channel (no internet here), so the
    // manifest registers the app's own URL, as for a deployment behind a public URL.
    const env = { ...serviceEnv(standIn.url, anthropic.url), NO_SMEE_SETUP: "true" as const };
    const setup = await startServer(dir, env, port);
    const manifest = await runManifestFlow(setup.url, standIn, dir);
    await setup.kill();

    expect(manifest.default_events).toContain("issue_comment");
    expect(manifest.default_permissions).toMatchObject({ issues: "write", contents: "read" });
    const hookUrl: string = manifest.hook_attributes.url;
    expect(hookUrl.startsWith(setup.url)).toBe(true);

    const written = readFileSync(join(dir, ".env"), "utf8");
    expect(parseEnv(written)).toMatchObject({ APP_ID: "4242", WEBHOOK_SECRET });
    addKeyAsTheReadmeSays(dir, ANTHROPIC_KEY);
    expect(parseEnv(readFileSync(join(dir, ".env"), "utf8")).ANTHROPIC_API_KEY).toBe(ANTHROPIC_KEY);

    // `npm start` again, from the same directory: everything else comes from `.env`.
    const app = await startServer(dir, env, port);
    const delivered = await deliverTo(hookUrl, WEBHOOK_SECRET);
    expect(delivered.status).toBe(200);
    const issue = github.issue("Codertocat", "Hello-World", 1);
    await until(() => github.botComments(issue).some((c) => c.body.startsWith("Here is the answer.")), 15_000, () => `the answer:\n${app.output()}`);
    await new Promise((r) => setTimeout(r, 300)); // a second answer would have been posted by now
    expect(github.botComments(issue)).toHaveLength(1);
    expect(anthropic.requests).toHaveLength(1);
    expect(sentKey(anthropic)).toBe(ANTHROPIC_KEY);
    // A delivery with another secret is still refused at that URL.
    expect((await deliverTo(hookUrl, "not-the-secret")).status).toBeGreaterThanOrEqual(400);
    expect(github.botComments(issue)).toHaveLength(1);
  }, 40_000);

  it("reads a key appended with `echo … >> .env` onto Probot's .env (no final newline), and says how to fix the file", async () => {
    const { github, anthropic, standIn } = await services();
    const dir = track(freshDir("glued"));
    const port = await freePort();
    const env = { ...serviceEnv(standIn.url, anthropic.url), NO_SMEE_SETUP: "true" as const };
    const setup = await startServer(dir, env, port);
    const manifest = await runManifestFlow(setup.url, standIn, dir);
    await setup.kill();
    const envFile = join(dir, ".env");
    expect(readFileSync(envFile, "utf8").endsWith("\n")).toBe(false); // Probot's way of writing it
    appendFileSync(envFile, `ANTHROPIC_API_KEY=${ANTHROPIC_KEY}\n`); // what `echo … >> .env` does
    expect(parseEnv(readFileSync(envFile, "utf8")).ANTHROPIC_API_KEY).toBeUndefined(); // glued, as parsed

    const app = await startServer(dir, env, port);
    expect((await deliverTo(manifest.hook_attributes.url, WEBHOOK_SECRET)).status).toBe(200);
    const issue = github.issue("Codertocat", "Hello-World", 1);
    await until(() => github.botComments(issue).some((c) => c.body.startsWith("Here is the answer.")), 15_000, () => `the answer:\n${app.output()}`);
    expect(github.botComments(issue)).toHaveLength(1);
    expect(sentKey(anthropic)).toBe(ANTHROPIC_KEY);
    expect(app.output()).toContain("ANTHROPIC_API_KEY= is glued onto the end of GITHUB_CLIENT_SECRET");
    expect(app.output()).not.toContain(ANTHROPIC_KEY);
  }, 40_000);

  it("receives deliveries through a webhook proxy (WEBHOOK_PROXY_URL): Probot finds smee-client", async () => {
    const { github, anthropic } = await services();
    const smee = await startFakeSmee();
    try {
      const dir = track(freshDir("smee"));
      const port = await freePort();
      const app = await startServer(dir, {
        ...serviceEnv(github.url, anthropic.url),
        APP_ID: "4242",
        PRIVATE_KEY: testPrivateKey(),
        WEBHOOK_SECRET,
        ANTHROPIC_API_KEY: ANTHROPIC_KEY,
        WEBHOOK_PROXY_URL: smee.url,
      }, port);
      await until(() => smee.connected(), 10_000, () => `the proxy client to connect:\n${app.output()}`);
      const payload = issueCommentCreated("@claude why?", { id: 101 });
      smee.send(
        { "x-github-event": "issue_comment", "x-github-delivery": randomUUID(), "x-hub-signature-256": sign(JSON.stringify(payload), WEBHOOK_SECRET), "content-type": "application/json" },
        payload,
      );
      const issue = github.issue("Codertocat", "Hello-World", 1);
      await until(() => github.botComments(issue).some((c) => c.body.startsWith("Here is the answer.")), 15_000, () => `the answer:\n${app.output()}`);
      expect(github.botComments(issue)).toHaveLength(1);
      expect(app.output()).not.toContain("npm install --save-dev smee-client");
    } finally {
      await smee.close();
    }
  }, 40_000);
});

describe("repairGluedEnv", () => {
  it("splits a known variable glued onto another's value, and leaves ordinary values alone", () => {
    const { env, warnings } = repairGluedEnv({ GITHUB_CLIENT_SECRET: "abc123ANTHROPIC_API_KEY=sk-ant-x", WEBHOOK_PROXY_URL: "https://smee.io/x?a=b", OTHER: "zANTHROPIC_API_KEY=q" });
    expect(env).toEqual({ GITHUB_CLIENT_SECRET: "abc123", ANTHROPIC_API_KEY: "sk-ant-x" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("put ANTHROPIC_API_KEY=… on a line of its own");
  });

  it("splits several glued lines, and keeps a value also set on its own line", () => {
    const { env } = repairGluedEnv({ WEBHOOK_SECRET: "sLOG_LEVEL=debugANTHROPIC_API_KEY=glued", ANTHROPIC_API_KEY: "own" });
    expect(env).toEqual({ WEBHOOK_SECRET: "s", LOG_LEVEL: "debug" });
  });
});
