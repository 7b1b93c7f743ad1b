// `npm run bench`: runs every benchmark (or the ones named: `npm run bench -- rebuild tokens`), prints the
// table and writes bench/results.json. `--quick` runs fewer samples (a smoke test, not figures to keep).
// Offline: everything talks to local fakes.
import { writeFileSync } from "node:fs";
import { arch, cpus, loadavg, platform, release, totalmem } from "node:os";
import { code } from "./code.js";
import { criticalPath } from "./criticalPath.js";
import { hostileMix } from "./hostileMix.js";
import { intake } from "./intake.js";
import { longThreads } from "./longThreads.js";
import { benchFile, type BenchResult, type Row } from "./lib.js";
import { markdownGuard } from "./markdownGuard.js";
import { memory } from "./memory.js";
import { rebuild } from "./rebuild.js";
import { storm } from "./storm.js";
import { tokens } from "./tokens.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const names = args.filter((a) => !a.startsWith("--"));

const BENCHMARKS: Record<string, () => Promise<BenchResult>> = {
  criticalPath: () => criticalPath(quick ? { runs: 6, baselineRuns: 4, variantRuns: 3 } : {}),
  intake: () => intake({ amount: quick ? 3000 : 10_000 }),
  rebuild: () => rebuild(),
  tokens: () => tokens(),
  memory: () => memory(),
  longThreads: () => longThreads(),
  storm: () => storm(quick ? { mentions: 20, issues: 5 } : {}),
  markdownGuard: () => markdownGuard(quick ? 3 : 5),
  hostileMix: () => hostileMix(quick ? { maintainerMentions: 8, outsiderMentions: 100, unsignedFollowing: 3 } : {}),
  code: () => code(quick ? { rounds: 10, answers: 3 } : {}),
};

const selected = names.length ? names : Object.keys(BENCHMARKS);
for (const name of selected) if (!BENCHMARKS[name]) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHMARKS).join(", ")}`);

const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  os: `${platform()} ${release()} ${arch()}`,
  date: new Date().toISOString(),
  /** Other work on the machine skews the figures: 1-minute load average at the start and the end. */
  loadAverage: { start: loadavg()[0], end: 0 },
};

const started = Date.now();
const results: Record<string, { seconds: number; rows: Row[]; details: Record<string, unknown> } | { error: string }> = {};
const rows: Row[] = [];
for (const name of selected) {
  const t = Date.now();
  process.stderr.write(`running ${name}…\n`);
  try {
    const result = await BENCHMARKS[name]!();
    results[name] = { seconds: (Date.now() - t) / 1000, ...result };
    rows.push(...result.rows);
  } catch (error) {
    process.stderr.write(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    results[name] = { error: String(error) };
  }
  process.stderr.write(`  ${name}: ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
}
const totalSeconds = (Date.now() - started) / 1000;
machine.loadAverage.end = loadavg()[0]!;

// ---- the table
const fmt = (v: number | undefined, unit = "") =>
  v === undefined || Number.isNaN(v) ? "" : `${v.toLocaleString("en-US", { maximumFractionDigits: 2 })}${unit && unit !== "×" && unit !== "%" && unit !== "/s" ? " " : ""}${unit}`;
const table = rows.map((r) => ({
  section: r.section,
  metric: r.metric,
  value: fmt(r.value, r.unit),
  baseline: r.baseline === undefined ? "" : `${fmt(r.baseline, r.unit)} (${r.baselineLabel ?? "baseline"})`,
  vs: r.baseline === undefined || r.baseline === 0 || !Number.isFinite(r.value / r.baseline) ? "" : `${(r.value / r.baseline).toFixed(2)}×`,
  goal: r.goal ?? "",
  status: r.met === undefined || r.met === null ? "" : r.met ? "met" : "MISSED",
  note: r.note,
}));
const headers = { section: "bench", metric: "metric", value: "value", baseline: "baseline (same run)", vs: "vs base", goal: "goal", status: "status" };
type Col = keyof typeof headers;
const cols = Object.keys(headers) as Col[];
const width = Object.fromEntries(cols.map((c) => [c, Math.max(headers[c].length, ...table.map((t) => t[c].length))])) as Record<Col, number>;
const line = (cells: Record<Col, string>) => cols.map((c) => cells[c].padEnd(width[c])).join(" │ ").trimEnd();
const out: string[] = [];
out.push(`threadbot benchmarks · ${machine.cpu} · ${machine.cores} cores · ${machine.memoryGB} GB · node ${machine.node} · ${machine.date}`);
out.push(`load average (1 min) at start ${machine.loadAverage.start!.toFixed(1)}, at end ${machine.loadAverage.end.toFixed(1)}: other work on the machine skews the figures`);
out.push("");
out.push(line(headers));
out.push(cols.map((c) => "─".repeat(width[c])).join("─┼─"));
let lastSection = "";
for (const t of table) {
  out.push(line({ ...t, section: t.section === lastSection ? "" : t.section }));
  lastSection = t.section;
  if (t.note) out.push(`${" ".repeat(width.section)} │   ↳ ${t.note}`);
}
const tokenTurns = (results.tokens as { details?: { turns?: { turn: number; sharedPct: number; billed5mPct: number }[] } } | undefined)?.details?.turns;
if (tokenTurns) {
  out.push("");
  out.push("per turn (shared prefix % / billed 5 min % of uncached):");
  for (let i = 0; i < tokenTurns.length; i += 10) {
    out.push("  " + tokenTurns.slice(i, i + 10).map((t) => `${String(t.turn).padStart(2)}: ${t.sharedPct.toFixed(0)}/${t.billed5mPct.toFixed(0)}`).join("  "));
  }
}
const missed = rows.filter((r) => r.met === false).length;
const withGoal = rows.filter((r) => r.met === true || r.met === false).length;
out.push("");
out.push(`goals met: ${withGoal - missed}/${withGoal} · total ${totalSeconds.toFixed(0)} s${quick ? " · --quick (smoke test)" : ""}`);
console.log(out.join("\n"));

writeFileSync(
  benchFile("results.json"),
  JSON.stringify({ machine, quick, totalSeconds, benchmarks: selected, table: rows, results }, null, 2) + "\n",
);
process.stderr.write(`wrote bench/results.json\n`);
// Keep-alive sockets of the SDK or Octokit must not hold the process open.
process.exit(Object.values(results).some((r) => "error" in r) ? 1 : 0);
