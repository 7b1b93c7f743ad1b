// The pieces wired as the worker will wire them: the tarball through a real Octokit and the fake
// server → the snapshot cache → the tool loop with a scripted Claude → the citation check → footer lines.
import { Octokit } from "@octokit/core";
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCitations, sourceLineCounter } from "../../src/core/code/citations.js";
import { renderCodeFooterLines } from "../../src/core/code/footer.js";
import { snapshotSource } from "../../src/core/code/source.js";
import { runToolLoop, withCodeTools, type ModelTurn } from "../../src/core/code/toolLoop.js";
import { excludeMatcher } from "../../src/core/code/tools.js";
import { SnapshotCache } from "../../src/code/snapshotCache.js";
import { fetchSnapshot, octokitTarballFetcher } from "../../src/code/tarball.js";
import { defaultFakeRepo, FAKE_SHA, startFakeCodeServer } from "./fakeRepo.js";

let server: Awaited<ReturnType<typeof startFakeCodeServer>>;
beforeAll(async () => {
  server = await startFakeCodeServer([defaultFakeRepo()]);
});
afterAll(async () => server.close());

const OLD = "fedcba9876543210fedcba9876543210fedcba98";

describe("code answer flow", () => {
  it("answers from the snapshot and fixes the citations", async () => {
    const octokit = new Octokit({ baseUrl: server.url, auth: "ghs_fake" });
    const cache = new SnapshotCache({ maxBytes: 64 * 1024 * 1024, load: (ref) => fetchSnapshot(octokitTarballFetcher(octokit), ref) });
    const ref = { host: "github.com", owner: "acme", repo: "demo", sha: FAKE_SHA };
    // Two mentions at the same commit: one download.
    const [snapshot, again] = await Promise.all([cache.get(ref), cache.get(ref)]);
    expect(snapshot).toBe(again);
    expect(server.calls.filter((c) => c.path.startsWith("/codeload/"))).toHaveLength(1);

    const source = snapshotSource(snapshot);
    const exclude = ["docs/**"];
    const base: MessageCreateParamsNonStreaming = {
      model: "m",
      max_tokens: 1000,
      system: [
        { type: "text", text: "static" },
        { type: "text", text: "thread", cache_control: { type: "ephemeral" } },
      ],
      messages: [{ role: "user", content: [{ type: "text", text: "@claude how is the delay computed?", cache_control: { type: "ephemeral" } }] }],
    };
    const usage = { input_tokens: 10, output_tokens: 5 };
    const turns: ModelTurn[] = [
      { content: [{ type: "tool_use", id: "a", name: "search_code", input: { pattern: "baseDelayMs" } }], stop_reason: "tool_use", usage },
      { content: [{ type: "tool_use", id: "b", name: "read_file", input: { path: "src/retry.ts", start_line: 7, end_line: 18 } }], stop_reason: "tool_use", usage },
      {
        content: [
          {
            type: "text",
            text: `The delay doubles each attempt ([retry.ts](https://github.com/acme/demo/blob/${OLD}/src/retry.ts#L14)); see also https://github.com/acme/demo/blob/main/src/backoff.ts#L1 and [notes](https://github.com/acme/demo/blob/${FAKE_SHA}/docs/injection.md).`,
          },
        ],
        stop_reason: "end_turn",
        usage,
      },
    ];
    const progress: string[] = [];
    const result = await runToolLoop(withCodeTools(base, ref), source, async (_r, round) => turns[round]!, { tools: { exclude } }, (t) => progress.push(t));
    expect(progress).toEqual(["🔎 searching for `baseDelayMs`", "📄 reading `src/retry.ts` L7-L18"]);

    const hidden = excludeMatcher(exclude);
    const checked = checkCitations(result.text, ref, await sourceLineCounter(source, result.text, ref, hidden), result.filesRead);
    expect(checked.text).toContain(`https://github.com/acme/demo/blob/${FAKE_SHA}/src/retry.ts#L14`);
    expect(checked.text).toContain("src/backoff.ts#L1 (⚠ link not found in 0123456)");
    expect(checked.text).toContain("docs/injection.md) (⚠ link not found in 0123456)"); // excluded: the model cannot have seen it
    expect(checked.sources).toEqual(["src/retry.ts"]);

    const footer = renderCodeFooterLines({
      ref,
      sources: checked.sources,
      toolRounds: result.rounds.filter((r) => r.summaries.length > 0).length,
      searchLimited: result.searchLimited,
      listingTruncated: source.listingTruncated(),
      sourceKind: source.kind,
      invalidLinks: checked.invalid,
      endedBy: result.endedBy,
    });
    expect(footer[0]).toContain("2 tool rounds");
    expect(footer[1]).toBe("Limits: 2 links could not be verified.");
  });
});
