// 5. Memory: resident set size of fresh child processes after forced GCs (see bench/memoryChild.ts for
// what each child loads). The children run plain JavaScript, as `npm start` runs dist/: the child script
// and the app's sources are bundled with esbuild (tsx's own engine, already installed) into
// node_modules/.cache, with the packages left external so they load from node_modules as in production.
// Loading TypeScript through tsx instead would add its loader thread and transform cache to the figure;
// if esbuild cannot be loaded the children fall back to tsx, and results.json says so.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { issueCommentCreated } from "../test/helpers/payloads.js";
import { benchFile, round, runChild, type BenchResult, type Row } from "./lib.js";

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

/** Bundles bench/memoryChild.ts (and what it imports from src/) to plain JS; null when esbuild is unavailable. */
async function bundleChild(): Promise<string | null> {
  try {
    const esbuild = await import("esbuild");
    const dir = fileURLToPath(new URL("../node_modules/.cache/threadbot-bench/", import.meta.url));
    mkdirSync(dir, { recursive: true });
    await esbuild.build({
      entryPoints: [benchFile("memoryChild.ts")],
      outdir: dir,
      outExtension: { ".js": ".mjs" },
      // Each dynamic import of the child becomes its own chunk, so a mode loads only what it imports.
      splitting: true,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      logLevel: "silent",
    });
    return `${dir}memoryChild.mjs`;
  } catch {
    return null;
  }
}

async function runJs<T>(file: string, env: NodeJS.ProcessEnv): Promise<T> {
  const child = spawn(process.execPath, ["--expose-gc", file], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`memory child exited with ${code}: ${stderr.slice(-2000)}`);
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as T;
}

export async function memory(): Promise<BenchResult> {
  const bundle = await bundleChild();
  const child = (mode: string, env: NodeJS.ProcessEnv = {}): Promise<ChildResult> =>
    bundle
      ? runJs<ChildResult>(bundle, { BENCH_MEMORY_MODE: mode, ...env })
      : runChild<ChildResult>("memoryChild.ts", { nodeFlags: ["--expose-gc"], env: { BENCH_MEMORY_MODE: mode, ...env }, timeoutMs: 120_000 });
  const runner = bundle ? "node (esbuild bundle of bench/memoryChild.ts + src, packages external)" : "node + tsx";
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
      note: `heap ${round(app.idle.heapUsedMB, 1)} MB; empty node process ${round(bare.idle.rssMB, 1)} MB; run as ${bundle ? "bundled JS" : "TypeScript through tsx"}`,
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
  return { rows, details: { runner, bare, probot, app } };
}
