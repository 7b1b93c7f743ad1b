// Entry point of `npm start`. Without APP_ID and PRIVATE_KEY, Probot serves its own setup page (the
// app.yml manifest flow) instead of the app.
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { run } from "probot";
import { createThreadbot } from "./app.js";
import { readSettings, SettingsError, type Settings } from "./config/env.js";
import { ThreadbotOctokit } from "./github/octokit.js";
import { registerSecrets, scrubProcessOutput } from "./observe/logRedaction.js";

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

// Probot applies `.env` (over the environment) only inside run(); the settings are read before that.
if (existsSync(".env")) Object.assign(process.env, parseEnv(readFileSync(".env", "utf8")));

let settings: Settings;
try {
  settings = readSettings();
} catch (error) {
  fail(error instanceof SettingsError ? error.message : String(error));
}
const configured = Boolean(process.env.APP_ID && (process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH));
if (configured && settings.production && !settings.anthropicApiKey) {
  fail("ANTHROPIC_API_KEY is not set. threadbot needs it to answer; set it in the environment (see .env.example).");
}

// Probot's own logs (requests, webhooks) are scrubbed of credentials too, at the process's output.
registerSecrets([settings.anthropicApiKey]);
scrubProcessOutput();
const threadbot = createThreadbot({ settings });
// The app's Octokit retries secondary rate limits, which Probot's only logs (src/github/octokit.ts).
const server = await run(threadbot.app, { Octokit: ThreadbotOctokit });
// Probot's own SIGINT handler exits at once; ours lets answers in flight finish first.
process.removeAllListeners("SIGINT");

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.info(`${signal}: no longer taking webhooks; finishing answers in flight`);
  await server.stop().catch(() => undefined);
  const unfinished = await threadbot.shutdown();
  for (const job of unfinished) {
    // Embedded queue: these are lost with the process (GitHub does not redeliver by itself); on Redis,
    // another replica takes them over.
    const fate = settings.redisUrl ? "handed back to the shared queue" : "not answered before shutdown";
    console.warn(`${fate}: ${job.threadKey} comment ${job.trigger.id} (delivery ${job.deliveryId})`);
  }
  process.exit(0);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
