// Runs the real app in the real Probot HTTP server, against the fake GitHub and the Anthropic mock.
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { createThreadbot, type Threadbot } from "../../src/app.js";
import { readSettings, type Settings } from "../../src/config/env.js";
import { startAnthropicMock, type AnthropicMock } from "./anthropicMock.js";
import { FakeGitHub } from "./fakeGitHub.js";
import { threadbotOctokit, type ThreadbotOctokitOptions } from "../../src/github/octokit.js";

export const WEBHOOK_SECRET = "test-webhook-secret";
let privateKey: string | undefined;
export function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return privateKey;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** A fetch that sends api.github.com requests to the fake GitHub instead. */
export function redirectTo(base: string): typeof fetch {
  return (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    return fetch(url.replace(/^https:\/\/api\.github\.com/, base), init);
  };
}

export function sign(body: string, secret = WEBHOOK_SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface Harness {
  github: FakeGitHub;
  anthropic: AnthropicMock;
  threadbot: Threadbot;
  server: Server;
  url: string;
  logs: string[];
  deliver(event: string, payload: unknown, options?: { id?: string; signature?: string }): Promise<Response>;
  /** Resolves when the queue has nothing waiting or running. */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /**
   * false: the app's Octokit neither paces writes nor retries rate limits. Only for tests of queue
   * behaviour at volume, where Probot's 1 s / 3 s write spacing per installation would be the whole run time.
   */
  throttle?: boolean;
  /** The app's Octokit options (per-attempt timeout, write pacing), as src/github/octokit.ts takes them. */
  octokit?: ThreadbotOctokitOptions;
  /**
   * true: the write lane exactly as in production, where a 👀 waits 1 s and is dropped when the answer is
   * quicker. By default the 👀 goes out at once and is never dropped, so suites asserting it do not depend
   * on the mock's speed (or on an earlier test's writes on the same installation).
   */
  productionPacing?: boolean;
}

export async function startHarness(overrides: Partial<Settings> = {}, env: NodeJS.ProcessEnv = {}, options: HarnessOptions = {}): Promise<Harness> {
  const github = await new FakeGitHub().start();
  const anthropic = await startAnthropicMock();
  const settings: Settings = {
    ...readSettings({ ANTHROPIC_API_KEY: "sk-ant-test-key-0000000000", ...env }),
    anthropicBaseUrl: anthropic.url,
    // Claude retries as in production, with short waits (a test that fails Claude fails every attempt).
    claudeRetry: { attempts: 3, deadlineMs: 20_000, attemptTimeoutMs: 5_000, baseDelayMs: 20, maxDelayMs: 100 },
    ...overrides,
  };
  const threadbot = createThreadbot({ settings });
  const logs: string[] = [];
  const log = pino({ level: "debug" }, { write: (line: string) => void logs.push(line) });
  const port = await freePort();
  const server = new Server({
    host: "127.0.0.1",
    port,
    log,
    Probot: Probot.defaults({
      appId: 1,
      privateKey: testPrivateKey(),
      secret: WEBHOOK_SECRET,
      log,
      // The app's Octokit, as src/server.ts passes it (secondary rate limits retried).
      Octokit: threadbotOctokit({
        ...(options.throttle === false ? { throttle: false } : {}),
        ...options.octokit,
        pacing: { ...(options.productionPacing ? {} : { ackDelayMs: 0, dropAckWhenAnswered: false }), ...options.octokit?.pacing },
      }),
    }),
    // Every GitHub request (the app's Octokit, its token requests, the GraphQL reader) goes to the fake.
    // (Passed to the Server: it hands its own `request` to Probot, over any Probot.defaults value.)
    request: { fetch: redirectTo(github.url) },
  });
  await server.load(threadbot.app);
  await server.start();
  const url = `http://127.0.0.1:${port}`;

  return {
    github,
    anthropic,
    threadbot,
    server,
    url,
    logs,
    deliver: (event, payload, options = {}) => {
      const body = JSON.stringify(payload);
      return fetch(`${url}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": event,
          "x-github-delivery": options.id ?? randomUUID(),
          "x-hub-signature-256": options.signature ?? sign(body),
        },
        body,
      });
    },
    idle: async (timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const stats = await threadbot.queue.stats();
        if (stats.waiting === 0 && stats.running === 0) return;
        if (Date.now() > deadline) throw new Error(`queue still busy: ${JSON.stringify(stats)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: async () => {
      await threadbot.shutdown();
      await server.stop();
      await github.close();
      await anthropic.close();
    },
  };
}
