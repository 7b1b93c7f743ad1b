// Wiring: settings, queue, worker and intake handlers. Handlers stay thin; the work is in src/worker.
import type { ApplicationFunction, Probot } from "probot";
import { ClaudeClient } from "./claude/client.js";
import { readSettings, type Settings } from "./config/env.js";
import type { BotIdentity } from "./core/types.js";
import { installationClients } from "./github/clients.js";
import { registerIntake } from "./intake/register.js";
import { errorKind, Metrics } from "./observe/metrics.js";
import { createQueue, withOnQueued } from "./queue/index.js";
import type { JobQueue, ThreadJob } from "./queue/types.js";
import { createRefusalMemory } from "./worker/access.js";
import { acknowledgesAtIntake, answerJob } from "./worker/answer.js";
import { addEyesReaction } from "./github/writes.js";
import { notifyFailure } from "./reply/failureNotice.js";
import { createSpendLedger } from "./worker/spend/ledger.js";
import { redactingLogger, registerSecrets } from "./observe/logRedaction.js";
import { boundWebhooks } from "./intake/bodyLimit.js";
import { createCodeSnapshots, type CodeSnapshots } from "./worker/codeAnswer.js";

export interface ThreadbotOptions {
  settings?: Settings;
  queue?: JobQueue;
}

export interface Threadbot {
  app: ApplicationFunction;
  queue: JobQueue;
  settings: Settings;
  /** Prometheus metrics, served on `/metrics`. */
  metrics: Metrics;
  /** Repository snapshots shared by every job of the process (memory-bounded LRU). */
  code: CodeSnapshots;
  /** Stops taking jobs, waits for the ones in flight up to the grace period, returns what did not finish. */
  shutdown(): Promise<ThreadJob[]>;
}

/** Learns the bot's login once (`<slug>[bot]`), unless the operator set BOT_LOGIN. */
function botIdentity(app: Probot, settings: Settings): () => Promise<BotIdentity> {
  let known: Promise<BotIdentity> | undefined = settings.botLogin ? Promise.resolve({ login: settings.botLogin }) : undefined;
  return () => {
    known ??= app.auth().then(async (octokit) => {
      const { data } = await octokit.rest.apps.getAuthenticated();
      if (!data?.slug) throw new Error("GitHub did not return this app's slug");
      return { login: `${data.slug}[bot]` };
    });
    known.catch(() => (known = undefined));
    return known;
  };
}

export function createThreadbot(options: ThreadbotOptions = {}): Threadbot {
  const settings = options.settings ?? readSettings();
  // Failures the queue sees outside a job's own handler (a Redis thread lock lost mid-job, a job failed as
  // stalled): logged and counted once the app's logger exists; the handler reports its own failures.
  const reportedByHandler = new WeakSet<object>();
  let onQueueFailure = (error: unknown, job: ThreadJob): void => console.warn(`threadbot: job ${job.id} failed:`, error);
  const queue =
    options.queue ??
    createQueue({
      redisUrl: settings.redisUrl,
      concurrency: settings.queueConcurrency,
      onError: (error, job) => {
        if (typeof error === "object" && error !== null && reportedByHandler.has(error)) return;
        onQueueFailure(error, job);
      },
    });
  // The SDK does not retry: src/claude/retry.ts does, within one deadline (see there why not both).
  const claude = settings.anthropicApiKey
    ? new ClaudeClient({ apiKey: settings.anthropicApiKey, baseURL: settings.anthropicBaseUrl, maxRetries: 0 })
    : null;
  registerSecrets([settings.anthropicApiKey]);
  const spend = createSpendLedger(settings.redisUrl);
  // Who was refused where, so a flood of outsider mentions costs no thread reads (src/worker/access.ts).
  const refusals = createRefusalMemory();
  // One snapshot store per process: mentions at the same commit, in any thread, share one download.
  const code = createCodeSnapshots(settings);

  const metrics = new Metrics(queue);

  const app: ApplicationFunction = (probot, options) => {
    // Every string logged through it is scrubbed of credentials (src/observe/logRedaction.ts).
    const log = redactingLogger(probot.log.child({ name: "threadbot" }));
    // Webhook bodies bounded at GitHub's 25 MB before anything buffers them, and deliveries to `/` (the
    // URL Probot's manifest flow registers) received like those to WEBHOOK_PATH (src/intake/bodyLimit.ts).
    boundWebhooks(probot);
    try {
      options?.addHandler(metrics.handler);
    } catch {
      log.warn("no HTTP server to serve /metrics on");
    }
    probot.onAny(async (context) => {
      metrics.deliveries.inc({ event: context.name });
    });
    if (!claude) log.error("ANTHROPIC_API_KEY is not set: mentions will get a notice instead of an answer.");
    const bot = botIdentity(probot, settings);
    onQueueFailure = (error, job) => {
      metrics.error(errorKind(error));
      log.error({ err: error, thread: job.threadKey, trigger: job.trigger.id }, "the queue reported a failed job");
    };
    // The 👀 of a maintainer's mention is queued in the installation's write lane as the webhook is taken,
    // not when its job starts (behind the thread's earlier jobs); it is dropped if the answer goes first.
    const intakeQueue = withOnQueued(queue, (job) => {
      if (!acknowledgesAtIntake(job)) return;
      void probot
        .auth(job.installationId)
        .then((octokit) => addEyesReaction(octokit, job))
        .catch((err: unknown) => log.warn({ err, thread: job.threadKey }, "could not add the 👀 reaction"));
    });

    queue.start(async (job) => {
      try {
        const outcome = await answerJob(job, {
          settings,
          bot,
          claude,
          log,
          metrics,
          spend,
          refusals,
          code,
          clients: async (installationId) => installationClients(await probot.auth(installationId)),
        });
        metrics.outcome(outcome);
      } catch (error) {
        if (typeof error === "object" && error !== null) reportedByHandler.add(error);
        metrics.error(errorKind(error));
        log.error({ err: error, thread: job.threadKey, trigger: job.trigger.id }, "could not answer a mention");
        // A failure the worker could not report itself (a read that failed for good): one notice, if GitHub takes it.
        await notifyFailure(error, job, settings.triggerPhrase, () => probot.auth(job.installationId)).catch(
          (err: unknown) => log.warn({ err, thread: job.threadKey }, "could not post the failure notice"),
        );
        throw error;
      }
    });

    // Every event that can carry a mention, from one table (src/intake/events.ts).
    registerIntake(probot, { queue: intakeQueue, phrase: settings.triggerPhrase, allowedBots: settings.allowedBots }, (decision, startedAt) => metrics.intake(decision, startedAt));
  };

  return {
    app,
    queue,
    settings,
    metrics,
    code,
    shutdown: async () => {
      const unfinished = await queue.close(settings.shutdownGraceMs);
      await spend.close();
      return unfinished;
    },
  };
}

/**
 * The app as a Probot application function, with settings from the environment: what Probot's own CLI
 * loads (`probot run ./dist/app.js`) and what `run()` or `createNodeMiddleware()` take. `npm start`
 * (src/server.ts) adds the scrubbing logger for Probot's own lines, the Octokit that retries secondary rate
 * limits, the repair of a glued `.env` and the graceful shutdown on SIGTERM. The factory stays a named export.
 */
const threadbotApp: ApplicationFunction = (probot, options) => {
  return createThreadbot().app(probot, options);
};

export default threadbotApp;
