// The one interface the code tools read through, and its in-memory implementation over a snapshot.
// The API fallback (src/code/apiSource.ts) implements it with GitHub reads. Pure.
import type { Snapshot } from "./snapshot.js";

export type FileContent =
  | { kind: "text"; text: string }
  | { kind: "binary" }
  | { kind: "too_large"; bytes: number | null }
  | { kind: "missing" };

export interface CodeSource {
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  readonly kind: "snapshot" | "api";
  /**
   * How many files one `search_code` call may read. Infinity for a snapshot (everything is in memory);
   * small for the API source, whose search is then limited (the footer should say so).
   */
  readonly searchFileLimit: number;
  /** The listing is incomplete (snapshot over a cap, or the tree API's `truncated`). */
  listingTruncated(): boolean;
  /** Every visible file path, sorted. */
  list(): Promise<readonly string[]>;
  /** Contents of the given (normalised) paths; every path asked for has an entry. */
  read(paths: readonly string[]): Promise<ReadonlyMap<string, FileContent>>;
}

const sources = new WeakMap<Snapshot, CodeSource>();

/**
 * The CodeSource over an in-memory snapshot: no I/O, answers at once. One per snapshot (memoised), so what
 * the tools prepare per file (redacted text) is shared by every job that reads the same cached snapshot.
 */
export function snapshotSource(snapshot: Snapshot): CodeSource {
  let source = sources.get(snapshot);
  if (!source) sources.set(snapshot, (source = makeSnapshotSource(snapshot)));
  return source;
}

function makeSnapshotSource(snapshot: Snapshot): CodeSource {
  let sorted: readonly string[] | undefined;
  return {
    owner: snapshot.owner,
    repo: snapshot.repo,
    sha: snapshot.sha,
    kind: "snapshot",
    searchFileLimit: Number.POSITIVE_INFINITY,
    listingTruncated: () => snapshot.truncated,
    list: async () => (sorted ??= Object.freeze([...snapshot.files.keys()].sort())),
    read: async (paths) => {
      const out = new Map<string, FileContent>();
      for (const path of paths) {
        const text = snapshot.files.get(path);
        out.set(path, text === undefined ? { kind: "missing" } : { kind: "text", text });
      }
      return out;
    },
  };
}
