// 5. Memory: resident set size of fresh child processes (node --expose-gc, TypeScript loaded through tsx
// as `npm run bench` does; tsx's own share is in the "node + tsx" floor), after forced GCs. See
// bench/memoryChild.ts for what each child loads.
import { issueCommentCreated } from "../test/helpers/payloads.js";
import { round, runChild, type BenchResult, type Row } from "./lib.js";

interface Snapshot {
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
}
interface ChildResult {
  mode: string;
  idle: Snapshot;
  withJobs?: Snapshot;
  queued?: number;
  running?: number;
  non200?: number;
}

function child(mode: string, env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return runChild<ChildResult>("memoryChild.ts", { nodeFlags: ["--expose-gc"], env: { BENCH_MEMORY_MODE: mode, ...env }, timeoutMs: 120_000 });
}

export async function memory(): Promise<BenchResult> {
  const bare = await child("bare");
  const probot = await child("probot");
  const payload = issueCommentCreated("@claude placeholder", { login: "alice", association: "OWNER" });
  const app = await child("app", { BENCH_PAYLOAD: JSON.stringify(payload) });
  if (!app.withJobs) throw new Error("the app child did not measure the queued jobs");

  const section = "5 memory";
  const rows: Row[] = [
    {
      section,
      metric: "RSS idle, app loaded and listening",
      value: round(app.idle.rssMB, 1),
      unit: "MB",
      baseline: round(probot.idle.rssMB, 1),
      baselineLabel: "bare Probot",
      goal: "< 150 MB",
      met: app.idle.rssMB < 150,
      note: `heap ${round(app.idle.heapUsedMB, 1)} MB; node + tsx alone ${round(bare.idle.rssMB, 1)} MB`,
    },
    {
      section,
      metric: "RSS with 1,000 queued jobs over 100 threads",
      value: round(app.withJobs.rssMB, 1),
      unit: "MB",
      baseline: round(app.idle.rssMB, 1),
      baselineLabel: "app idle",
      note: `heap ${round(app.withJobs.heapUsedMB, 1)} MB (+${round(app.withJobs.heapUsedMB - app.idle.heapUsedMB, 2)}); ${app.queued} jobs in queue (${app.running} held running), ${app.non200} non-200`,
    },
  ];
  return { rows, details: { bare, probot, app } };
}
