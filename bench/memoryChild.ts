// Child process of the memory benchmark (node --expose-gc; bundled to JS by bench/memory.ts). BENCH_MEMORY_MODE:
// - "bare": an empty node process (the floor of every child);
// - "probot": a Probot server listening, with an app that registers nothing;
// - "app": threadbot loaded in the Probot server and listening (worker held at a gate), measured idle,
//   then again after 1,000 signed mentions over 100 threads were delivered over HTTP and queued.
// Prints one JSON line.
import { request as httpRequest, Agent } from "node:http";

const mode = process.env.BENCH_MEMORY_MODE ?? "bare";
const NOWHERE = "http://127.0.0.1:9";

interface Snapshot {
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
}

async function settle(): Promise<Snapshot> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = process.memoryUsage();
  return { rssMB: m.rss / 2 ** 20, heapUsedMB: m.heapUsed / 2 ** 20, externalMB: m.external / 2 ** 20 };
}

function post(agent: Agent, url: URL, body: string, signature: string, delivery: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/api/github/webhooks",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-github-event": "issue_comment",
          "x-github-delivery": delivery,
          "x-hub-signature-256": signature,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  if (mode === "bare") {
    console.log(JSON.stringify({ mode, idle: await settle() }));
    return;
  }
  const { GatedQueue, signBody, startAppServer } = await import("./appServer.js");
  if (mode === "probot") {
    const server = await startAppServer(() => undefined, { githubUrl: NOWHERE });
    const idle = await settle();
    await server.close();
    console.log(JSON.stringify({ mode, idle }));
    return;
  }

  const { createThreadbot } = await import("../src/app.js");
  const { readSettings } = await import("../src/config/env.js");
  const settings = { ...readSettings({ ANTHROPIC_API_KEY: "sk-ant-bench-0000000000", BOT_LOGIN: "threadbot[bot]" }), anthropicBaseUrl: NOWHERE };
  const queue = new GatedQueue({ concurrency: settings.queueConcurrency });
  const threadbot = createThreadbot({ settings, queue });
  const server = await startAppServer(threadbot.app, { githubUrl: NOWHERE });
  const idle = await settle();

  const template = JSON.parse(process.env.BENCH_PAYLOAD ?? "null") as Record<string, any> | null;
  if (!template) throw new Error("BENCH_PAYLOAD is missing");
  const url = new URL(server.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 20 });
  const JOBS = 1000;
  const THREADS = 100;
  const statuses: number[] = [];
  for (let start = 0; start < JOBS; start += 50) {
    const batch: Promise<number>[] = [];
    for (let i = start; i < Math.min(JOBS, start + 50); i++) {
      template.issue.number = 1 + (i % THREADS);
      template.comment.id = 4_000_000_000 + i;
      template.comment.node_id = `IC_mem_${i}`;
      template.comment.body = `@claude please review the change to \`config.ts\` (request ${i}) and say whether the defaults still apply.`;
      const body = JSON.stringify(template);
      batch.push(post(agent, url, body, signBody(body), `mem-${i}`));
    }
    statuses.push(...(await Promise.all(batch)));
  }
  agent.destroy();
  const stats = await queue.stats();
  const withJobs = await settle();
  queue.release();
  await server.close();
  console.log(
    JSON.stringify({ mode, idle, withJobs, queued: stats.waiting + stats.running, running: stats.running, non200: statuses.filter((s) => s !== 200).length }),
  );
  await threadbot.shutdown();
  process.exit(0);
}

await main();
