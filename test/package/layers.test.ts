// The dependency rule of src/: stages run earlier → later (core, config, observe, github, code, claude,
// reply, queue, intake, worker, then the wiring), and a module imports only from its own stage or an
// earlier one (docs/architecture.md). Type-only imports count: they are arrows a reader follows too.
import { describe, expect, it } from "vitest";
import { cycles, importsOf, sourceFiles, stageOf } from "../helpers/importGraph.js";

/** Which stages each stage may import, besides itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  config: ["core"],
  observe: ["core", "config"],
  github: ["core", "config", "observe"],
  code: ["core", "config", "observe", "github"],
  claude: ["core", "config", "observe"],
  reply: ["core", "config", "observe", "github"],
  queue: ["core", "config", "observe"],
  intake: ["core", "config", "observe", "queue"],
  worker: ["core", "config", "observe", "github", "code", "claude", "reply", "queue", "intake"],
};
/** The wiring, the entry point and the CLI may import anything. */
const ANYTHING = new Set(["app", "server", "cli"]);

/**
 * Arrows that run back today, in files other work is changing; each names its follow-up. An entry that
 * no longer matches an import fails the test, so the list only shrinks.
 */
const KNOWN_EXCEPTIONS: { from: string; to: string; followUp: string }[] = [];

const files = sourceFiles();
const graph = new Map(files.map((file) => [file, importsOf(file)]));

function backwardArrows(): { from: string; to: string }[] {
  const arrows: { from: string; to: string }[] = [];
  for (const [from, edges] of graph) {
    const stage = stageOf(from);
    if (ANYTHING.has(stage)) continue;
    for (const edge of edges) {
      if (!edge.target) continue;
      const target = stageOf(edge.target);
      if (target !== stage && !MAY_IMPORT[stage]?.includes(target)) arrows.push({ from, to: edge.target });
    }
  }
  return arrows;
}

describe("the dependency rule of src/", () => {
  it("knows every stage", () => {
    const stages = new Set(files.map(stageOf));
    for (const stage of stages) expect(ANYTHING.has(stage) || stage in MAY_IMPORT, `stage ${stage} is not in the allow-list`).toBe(true);
  });

  it("reads the imports it checks (the parser sees relative, type-only and re-exports)", () => {
    const app = graph.get("app.ts")!;
    expect(app.some((e) => e.target === "intake/register.ts" && !e.typeOnly)).toBe(true);
    expect(app.some((e) => e.target === "core/types.ts" && e.typeOnly)).toBe(true);
    expect(graph.get("github/clients.ts")!.some((e) => e.target === "github/graphqlClient.ts")).toBe(true);
  });

  it("has no import from a later stage into an earlier one, except the listed follow-ups", () => {
    const known = (a: { from: string; to: string }) => KNOWN_EXCEPTIONS.some((k) => k.from === a.from && k.to === a.to);
    expect(backwardArrows().filter((a) => !known(a))).toEqual([]);
  });

  it("lists only exceptions that still exist", () => {
    const arrows = backwardArrows();
    const stale = KNOWN_EXCEPTIONS.filter((k) => !arrows.some((a) => a.from === k.from && a.to === k.to));
    expect(stale, "remove these from KNOWN_EXCEPTIONS").toEqual([]);
  });

  it("has no import cycle between stages", () => {
    const stages = new Map<string, Set<string>>();
    for (const [from, edges] of graph) {
      const stage = stageOf(from);
      if (!stages.has(stage)) stages.set(stage, new Set());
      for (const edge of edges) if (edge.target && stageOf(edge.target) !== stage) stages.get(stage)!.add(stageOf(edge.target));
    }
    expect(cycles(stages)).toEqual([]);
  });

  it("has no import cycle between files", () => {
    const fileGraph = new Map([...graph].map(([file, edges]) => [file, new Set(edges.flatMap((e) => (e.target ? [e.target] : [])))]));
    expect(cycles(fileGraph)).toEqual([]);
  });
});
