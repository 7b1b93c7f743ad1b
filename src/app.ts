// Wiring: settings, queue, worker and intake handlers. Handlers stay thin; the work is in src/worker.
import type { ApplicationFunction, Probot } from "probot";
import { ClaudeClient } from "./claude/client.js";
import { readSettings, type Settings } from "./config/env.js";
import type { BotIdentity } from "./core/types.js";
import { installationClients } from "./github/clients.js";
import { registerIntake } from "./intake/register.js";
import { errorKind, Metrics } from "./observe/metrics.js";
import { createQueue } from "./queue/index.js";
import type { JobQueue, ThreadJob } from "./queue/types.js";
import { answerJob } from "./worker/answer.js";
import { notifyFailure } from "./reply/failureNotice.js";
import { createSpendLedger } from "./worker/spend/ledger.js";
import { redactingLogger, registerSecrets } from "./observe/logRedaction.js";

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
  const queue = options.queue ?? createQueue({ redisUrl: settings.redisUrl, concurrency: settings.queueConcurrency });
  // The SDK does not retry: src/claude/retry.ts does, within one deadline (see there why not both).
  const claude = settings.anthropicApiKey
    ? new ClaudeClient({ apiKey: settings.anthropicApiKey, baseURL: settings.anthropicBaseUrl, maxRetries: 0 })
    : null;
  registerSecrets([settings.anthropicApiKey]);
  const spend = createSpendLedger(settings.redisUrl);

  const metrics = new Metrics(queue);

  const app: ApplicationFunction = (probot, options) => {
    // Every string logged through it is scrubbed of credentials (src/observe/logRedaction.ts).
    const log = redactingLogger(probot.log.child({ name: "threadbot" }));
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

    queue.start(async (job) => {
      try {
        const outcome = await answerJob(job, {
          settings,
          bot,
          claude,
          log,
          metrics,
          spend,
          clients: async (installationId) => installationClients(await probot.auth(installationId)),
        });
        metrics.outcome(outcome);
      } catch (error) {
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
    registerIntake(probot, { queue, phrase: settings.triggerPhrase, allowedBots: settings.allowedBots }, (decision, startedAt) => metrics.intake(decision, startedAt));
  };

  return {
    app,
    queue,
    settings,
    metrics,
    shutdown: async () => {
      const unfinished = await queue.close(settings.shutdownGraceMs);
      await spend.close();
      return unfinished;
    },
  };
}

export default createThreadbot;
