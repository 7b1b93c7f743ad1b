// Wiring: settings, queue, worker and intake handlers. Handlers stay thin; the work is in src/worker.
import type { ApplicationFunction, Probot } from "probot";
import { ClaudeClient } from "./claude/client.js";
import { readSettings, type Settings } from "./config/env.js";
import type { BotIdentity } from "./core/types.js";
import { installationClients } from "./github/clients.js";
import { onIssueCommentCreated } from "./intake/issueComment.js";
import { createQueue } from "./queue/index.js";
import type { JobQueue, ThreadJob } from "./queue/types.js";
import { answerJob } from "./worker/answer.js";

export interface ThreadbotOptions {
  settings?: Settings;
  queue?: JobQueue;
}

export interface Threadbot {
  app: ApplicationFunction;
  queue: JobQueue;
  settings: Settings;
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
  const claude = settings.anthropicApiKey
    ? new ClaudeClient({ apiKey: settings.anthropicApiKey, baseURL: settings.anthropicBaseUrl })
    : null;

  const app: ApplicationFunction = (probot) => {
    const log = probot.log.child({ name: "threadbot" });
    if (!claude) log.error("ANTHROPIC_API_KEY is not set: mentions will get a notice instead of an answer.");
    const bot = botIdentity(probot, settings);

    queue.start(async (job) => {
      try {
        await answerJob(job, {
          settings,
          bot,
          claude,
          log,
          clients: async (installationId) => installationClients(await probot.auth(installationId)),
        });
      } catch (error) {
        log.error({ err: error, thread: job.threadKey, trigger: job.trigger.id }, "could not answer a mention");
        throw error;
      }
    });

    probot.on("issue_comment.created", async (context) => {
      await onIssueCommentCreated(context, { queue, phrase: settings.triggerPhrase });
    });
  };

  return {
    app,
    queue,
    settings,
    shutdown: () => queue.close(settings.shutdownGraceMs),
  };
}

export default createThreadbot;
