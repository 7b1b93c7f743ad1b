// Entry point of `npm start`. Without APP_ID and PRIVATE_KEY, Probot serves its own setup page (the
// app.yml manifest flow) instead of the app.
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { run } from "probot";
import { createThreadbot } from "./app.js";
import { readSettings, repairGluedEnv, SettingsError, type Settings } from "./config/env.js";
import { ThreadbotOctokit } from "./github/octokit.js";
import { registerSecrets } from "./observe/logRedaction.js";
import { logOptionsFromEnv, scrubbingLog } from "./observe/probotLogger.js";

// Probot applies `.env` (over the environment) only inside run(); the settings are read before that.
if (existsSync(".env")) Object.assign(process.env, parseEnv(readFileSync(".env", "utf8")));
// `echo KEY=… >> .env` onto Probot's `.env` (no final newline) glues the line onto the last one: split it.
const glued = repairGluedEnv(process.env);
Object.assign(process.env, glued.env);

// Probot's own lines (requests, webhooks, setup) and the app's go through this logger: every line scrubbed.
const log = await scrubbingLog(logOptionsFromEnv(process.env));
for (const warning of glued.warnings) log.warn(warning);

function fail(message: string): never {
  log.fatal(message);
  process.exit(1);
}

let settings: Settings;
try {
  settings = readSettings();
} catch (error) {
  fail(error instanceof SettingsError ? error.message : String(error));
}
registerSecrets([settings.anthropicApiKey]);
const configured = Boolean(process.env.APP_ID && (process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH));
if (configured && settings.production && !settings.anthropicApiKey) {
  fail("ANTHROPIC_API_KEY is not set. threadbot needs it to answer; set it in the environment (see .env.example).");
}

const threadbot = createThreadbot({ settings });
const server = await run(threadbot.app, {
  log,
  // The app's Octokit retries secondary rate limits, which Probot's only logs (src/github/octokit.ts).
  Octokit: ThreadbotOctokit,
  // run() applies `.env` again, over the repair above: Probot reads its options from the repaired copy.
  env: { ...process.env, ...glued.env },
}).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
// Probot's own SIGINT handler exits at once; ours lets answers in flight finish first.
process.removeAllListeners("SIGINT");

/** How long past the grace a stuck shutdown may take before the process exits anyway. */
const SHUTDOWN_OVERRUN_MS = 5_000;

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  // A shutdown that cannot finish (Redis unreachable: the queue's close waits on it) must still end the
  // process, before an orchestrator's kill: five seconds after the grace, exit 1 and say so.
  setTimeout(() => {
    log.error({ signal, graceMs: settings.shutdownGraceMs }, `${signal}: shutdown did not finish in time; exiting`);
    process.exit(1);
  }, settings.shutdownGraceMs + SHUTDOWN_OVERRUN_MS).unref();
  log.info({ signal }, `${signal}: no longer taking webhooks; finishing answers in flight`);
  await server.stop().catch(() => undefined);
  const unfinished = await threadbot.shutdown();
  for (const job of unfinished) {
    // Embedded queue: these are lost with the process (GitHub does not redeliver by itself); on Redis,
    // another replica takes them over.
    const fate = settings.redisUrl ? "handed back to the shared queue" : "not answered before shutdown";
    log.warn(
      { thread: job.threadKey, trigger: job.trigger.id, delivery: job.deliveryId },
      `${fate}: ${job.threadKey} comment ${job.trigger.id} (delivery ${job.deliveryId})`,
    );
  }
  log.info({ signal, unfinished: unfinished.length }, "stopped");
  process.exit(0);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
