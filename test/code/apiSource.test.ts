// The API source (tree listing over REST, blobs over GraphQL) against the fake repository: the blob query
// validates against GitHub's published schema and is executed against it; the tools run on it with
// search marked limited.
import { Octokit } from "@octokit/core";
import { graphql, parse, validate } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCodeSource, blobQuery, type GraphqlLike } from "../../src/code/apiSource.js";
import { runTool } from "../../src/core/code/tools.js";
import { githubSchema } from "../helpers/fakeGitHub.js";
import { defaultFakeRepo, FAKE_ANTHROPIC_KEY, fakeRepositoryObject, RETRY_TS, startFakeCodeServer, type FakeCodeRepo } from "./fakeRepo.js";

const repo = defaultFakeRepo();
const ref = { owner: repo.owner, repo: repo.repo, sha: repo.sha };

/** A GraphQL client that executes against GitHub's real schema with the fake repository behind it. */
function schemaGraphql(fake: FakeCodeRepo, queries: string[] = []): GraphqlLike {
  return async <T>(query: string, variables?: Record<string, unknown>) => {
    queries.push(query);
    const result = await graphql({
      schema: githubSchema(),
      source: query,
      variableValues: variables ?? {},
      rootValue: { repository: ({ owner, name }: { owner: string; name: string }) => (owner === fake.owner && name === fake.repo ? fakeRepositoryObject(fake) : null) },
    });
    if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join("; "));
    return result.data as T;
  };
}

let server: Awaited<ReturnType<typeof startFakeCodeServer>>;
const truncatedRepo: FakeCodeRepo = { ...defaultFakeRepo(), repo: "huge", treeTruncated: true, treeLimit: 6 };
beforeAll(async () => {
  server = await startFakeCodeServer([repo, truncatedRepo]);
});
afterAll(async () => server.close());

const rest = () => new Octokit({ baseUrl: server.url, auth: "ghs_fake" });

describe("blobQuery", () => {
  it.each([1, 3, 50])("validates against GitHub's schema with %i paths", (n) => {
    expect(validate(githubSchema(), parse(blobQuery(n))).map((e) => e.message)).toEqual([]);
  });

  it("would catch a field Blob does not have", () => {
    expect(validate(githubSchema(), parse(blobQuery(2).replace("isTruncated", "isTooBig"))).length).toBeGreaterThan(0);
  });
});

describe("apiCodeSource", () => {
  it("lists regular files from the recursive tree, without symlinks or escaping names", async () => {
    const source = apiCodeSource({ rest: rest(), graphql: schemaGraphql(repo) }, ref);
    const paths = await source.list();
    expect(paths).toContain("src/retry.ts");
    expect(paths).toContain("assets/logo.png");
    expect(paths).not.toContain("link-to-passwd");
    expect(paths.some((p) => p.includes(".."))).toBe(false);
    expect(source.listingTruncated()).toBe(false);
    expect(server.calls.some((c) => c.path === `/repos/acme/demo/git/trees/${repo.sha}`)).toBe(true);
  });

  it("reads many paths in one GraphQL query and caches them", async () => {
    const queries: string[] = [];
    const source = apiCodeSource({ rest: rest(), graphql: schemaGraphql(repo, queries) }, ref);
    const files = await source.read(["src/retry.ts", "README.md", "assets/logo.png", "nope.ts", "big/data.txt"]);
    expect(files.get("src/retry.ts")).toEqual({ kind: "text", text: RETRY_TS });
    expect(files.get("assets/logo.png")).toEqual({ kind: "binary" });
    expect(files.get("nope.ts")).toEqual({ kind: "missing" });
    expect(files.get("big/data.txt")).toMatchObject({ kind: "too_large" });
    expect(queries).toHaveLength(1);
    expect(queries[0]).toContain("f1: object(expression: $e1)");
    await source.read(["src/retry.ts", "README.md"]);
    expect(queries).toHaveLength(1);
  });

  it("splits large reads into batches", async () => {
    const queries: string[] = [];
    const source = apiCodeSource({ rest: rest(), graphql: schemaGraphql(repo, queries) }, ref, { batchSize: 2 });
    await source.read(["src/retry.ts", "README.md", "src/index.ts", ".env", "docs/injection.md"]);
    expect(queries).toHaveLength(3);
  });

  it("serves the tools, redacting as for the snapshot and saying search was limited", async () => {
    const source = apiCodeSource({ rest: rest(), graphql: schemaGraphql(repo) }, ref, { searchFileLimit: 3 });
    const read = await runTool(source, { id: "1", name: "read_file", input: { path: ".env" } });
    expect(read.text).not.toContain(FAKE_ANTHROPIC_KEY);
    expect(read.text).toContain("[REDACTED:anthropic-key]");
    const search = await runTool(source, { id: "2", name: "search_code", input: { pattern: "retry" } });
    expect(search.searchLimited).toBe(true);
    expect(search.text).toContain("Search was limited: only 3 files were searched");
    const binary = await runTool(source, { id: "3", name: "read_file", input: { path: "assets/logo.png" } });
    expect(binary).toMatchObject({ isError: true });
    expect(binary.text).toContain("binary");
  });

  it("reports a truncated tree", async () => {
    const source = apiCodeSource({ rest: rest(), graphql: schemaGraphql(truncatedRepo) }, { ...ref, repo: "huge" });
    expect((await source.list()).length).toBeLessThanOrEqual(6);
    expect(source.listingTruncated()).toBe(true);
    const search = await runTool(source, { id: "1", name: "search_code", input: { pattern: "x" } });
    expect(search.searchLimited).toBe(true);
    // A path missing from a truncated listing is still looked up.
    expect((await source.read(["src/retry.ts"])).get("src/retry.ts")).toEqual({ kind: "text", text: RETRY_TS });
  });
});
