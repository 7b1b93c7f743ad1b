// The code source for repositories over the tarball cap: the listing from the recursive git tree API,
// file contents from GraphQL, many paths per query (aliased `object(expression: "<sha>:<path>")`).
// Search reads at most `searchFileLimit` files per call, so it is limited (`searchFileLimit` is finite and
// tool outcomes say "search was limited"); reads are cached for the life of the source.
import { normaliseRepoPath } from "../core/code/snapshot.js";
import type { CodeSource, FileContent } from "../core/code/source.js";
import type { OctokitRequestLike, SnapshotRef } from "./tarball.js";

export type GraphqlLike = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

export interface ApiSourceClients {
  /** REST (the app's Octokit): the tree listing. */
  rest: OctokitRequestLike;
  /** GraphQL reads (src/github/clients.ts `graphql`). */
  graphql: GraphqlLike;
}

export interface ApiSourceOptions {
  /** Files one search may read. Default 60. */
  searchFileLimit?: number;
  /** Paths per GraphQL query. Default 50. */
  batchSize?: number;
  /** Larger blobs are reported too large. Default 512 KB. */
  maxFileBytes?: number;
}

/** The blob query for `count` paths: variables `$owner`, `$name`, `$e0`…`$e{count-1}` ("<sha>:<path>"). */
export function blobQuery(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$e${i}: String!`).join(", ");
  const fields = Array.from({ length: count }, (_, i) => `    f${i}: object(expression: $e${i}) { ...CodeBlob }`).join("\n");
  return `query CodeBlobs($owner: String!, $name: String!, ${vars}) {
  repository(owner: $owner, name: $name) {
${fields}
  }
}
fragment CodeBlob on GitObject {
  ... on Blob { text isBinary isTruncated byteSize }
}`;
}

interface BlobData {
  text?: string | null;
  isBinary?: boolean | null;
  isTruncated?: boolean;
  byteSize?: number;
}

interface TreeResponse {
  tree: { path: string; mode: string; type: string; size?: number }[];
  truncated: boolean;
}

export function apiCodeSource(clients: ApiSourceClients, ref: SnapshotRef, options: ApiSourceOptions = {}): CodeSource {
  const batchSize = Math.max(1, options.batchSize ?? 50);
  const maxFileBytes = options.maxFileBytes ?? 512 * 1024;
  const cache = new Map<string, FileContent>();
  let truncated = false;
  let listing: Promise<{ paths: string[]; sizes: Map<string, number> }> | undefined;

  const load = () =>
    (listing ??= clients.rest
      .request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", { owner: ref.owner, repo: ref.repo, tree_sha: ref.sha, recursive: "1" })
      .then(({ data }) => {
        const tree = data as TreeResponse;
        truncated = tree.truncated === true;
        const sizes = new Map<string, number>();
        for (const entry of tree.tree ?? []) {
          // Regular and executable files only: symlinks (120000) and submodules (type commit) are not followed.
          if (entry.type !== "blob" || (entry.mode !== "100644" && entry.mode !== "100755")) continue;
          const path = normaliseRepoPath(entry.path);
          if (path === null || path !== entry.path) continue;
          sizes.set(path, entry.size ?? 0);
        }
        return { paths: [...sizes.keys()].sort(), sizes };
      })
      .catch((error: unknown) => {
        listing = undefined; // a failed listing is retried by the next call
        throw error;
      }));

  return {
    owner: ref.owner,
    repo: ref.repo,
    sha: ref.sha,
    kind: "api",
    searchFileLimit: options.searchFileLimit ?? 60,
    listingTruncated: () => truncated,
    list: async () => (await load()).paths,
    read: async (paths) => {
      const { sizes } = await load();
      const wanted: string[] = [];
      for (const path of new Set(paths)) {
        if (cache.has(path)) continue;
        const size = sizes.get(path);
        if (size === undefined && !truncated) cache.set(path, { kind: "missing" });
        else if (size !== undefined && size > maxFileBytes) cache.set(path, { kind: "too_large", bytes: size });
        else wanted.push(path);
      }
      for (let i = 0; i < wanted.length; i += batchSize) {
        const batch = wanted.slice(i, i + batchSize);
        const variables: Record<string, unknown> = { owner: ref.owner, name: ref.repo };
        batch.forEach((path, j) => (variables[`e${j}`] = `${ref.sha}:${path}`));
        const data = await clients.graphql<{ repository: Record<string, BlobData | null> | null }>(blobQuery(batch.length), variables);
        batch.forEach((path, j) => cache.set(path, toContent(data.repository?.[`f${j}`] ?? null, maxFileBytes)));
      }
      const out = new Map<string, FileContent>();
      for (const path of paths) out.set(path, cache.get(path) ?? { kind: "missing" });
      return out;
    },
  };
}

function toContent(blob: BlobData | null, maxFileBytes: number): FileContent {
  if (blob === null || blob.isBinary === undefined) return { kind: "missing" }; // no object, or not a blob
  if (blob.isBinary) return { kind: "binary" };
  if (blob.isTruncated || (blob.byteSize ?? 0) > maxFileBytes || typeof blob.text !== "string") return { kind: "too_large", bytes: blob.byteSize ?? null };
  // GitHub decodes text leniently; apply the snapshot's rule too (a NUL in the first 8 KB = binary).
  if (blob.text.slice(0, 8192).includes("\u0000")) return { kind: "binary" };
  return { kind: "text", text: blob.text };
}
