// Shared helpers of the benchmarks: statistics, rows of the results table, GC access, child processes.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** One line of the results table. `met` is null when the figure has no goal. */
export interface Row {
  section: string;
  metric: string;
  value: number;
  unit: string;
  /** The same figure for the baseline measured in the same run, when there is one. */
  baseline?: number;
  baselineLabel?: string;
  /** Human-readable goal, e.g. "≤ 1". */
  goal?: string;
  met?: boolean | null;
  note?: string;
}

export interface BenchResult {
  rows: Row[];
  /** Everything else worth keeping in results.json (per-run samples, per-turn figures). */
  details: Record<string, unknown>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least q of the samples at or below it.
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export const median = (values: readonly number[]) => quantile(values, 0.5);
export const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

let gcFn: (() => void) | undefined;
/** A full GC, whether or not node was started with --expose-gc. */
export function gc(): void {
  if (!gcFn) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) gcFn = exposed;
    else {
      setFlagsFromString("--expose-gc");
      gcFn = runInNewContext("gc") as () => void;
    }
  }
  gcFn();
}

/** Path of a file in bench/, for child processes. */
export function benchFile(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

/**
 * Runs a TypeScript file of bench/ in a fresh node process (through tsx) and parses the last line it
 * prints on stdout as JSON.
 */
export async function runChild<T>(
  file: string,
  options: { nodeFlags?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number; args?: string[] } = {},
): Promise<T> {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), "--import", "tsx", benchFile(file), ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  const last = stdout.trim().split("\n").at(-1) ?? "";
  if (code !== 0) throw new Error(`${file} exited with ${code}: ${stderr.slice(-2000)}`);
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`${file} printed no JSON result: ${stdout.slice(-500)} ${stderr.slice(-1000)}`);
  }
}
