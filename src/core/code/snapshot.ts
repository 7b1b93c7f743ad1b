// A read-only, in-memory copy of a repository's text files at one commit, and the path rules every code
// source and tool shares. Pure: no network, no file system.

export interface SnapshotCaps {
  /** A file larger than this (bytes) is skipped as too large. */
  maxFileBytes: number;
  /** Text bytes kept in total; past it the snapshot is `truncated`. */
  maxTotalBytes: number;
  /** Text files kept in total; past it the snapshot is `truncated`. */
  maxFiles: number;
  /** The compressed download: past it the tarball is refused (use the API source instead). */
  maxCompressedBytes: number;
  /** Decompressed tar bytes read (a gzip bomb is cut here); past it the snapshot is `truncated`. */
  maxUnpackedBytes: number;
}

export const DEFAULT_SNAPSHOT_CAPS: Readonly<SnapshotCaps> = Object.freeze({
  maxFileBytes: 512 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxFiles: 20_000,
  maxCompressedBytes: 64 * 1024 * 1024,
  maxUnpackedBytes: 512 * 1024 * 1024,
});

/** Why entries of the archive are not in `files`, by count. */
export interface SkippedCounts {
  /** NUL byte in the first 8 KB, or not valid UTF-8. */
  binary: number;
  /** Over `maxFileBytes`. */
  tooLarge: number;
  symlink: number;
  hardlink: number;
  /** Devices, FIFOs and other non-regular entries (directories are not counted). */
  special: number;
  /** Paths that escape the repository (`..`, absolute), contain NUL or are otherwise unusable. */
  unsafePath: number;
  /** Regular text files left out because a total cap was reached. */
  overCap: number;
}

export const emptySkipped = (): SkippedCounts => ({
  binary: 0,
  tooLarge: 0,
  symlink: 0,
  hardlink: 0,
  special: 0,
  unsafePath: 0,
  overCap: 0,
});

export interface Snapshot {
  readonly owner: string;
  readonly repo: string;
  /** Full commit SHA the snapshot was taken at. */
  readonly sha: string;
  /** Repository-relative path (normalised, `/`-separated) → UTF-8 text. */
  readonly files: ReadonlyMap<string, string>;
  readonly skipped: Readonly<SkippedCounts>;
  /** A total cap was reached: some text files are missing. */
  readonly truncated: boolean;
  /** UTF-8 bytes of the texts in `files`. */
  readonly bytes: number;
}

/** Cache key of a snapshot. */
export function snapshotKey(owner: string, repo: string, sha: string): string {
  return `${owner.toLowerCase()}/${repo.toLowerCase()}@${sha.toLowerCase()}`;
}

/**
 * A repository-relative path in canonical form (`a/b/c.ts`), or null when it is unusable: empty, absolute
 * (`/x`, `C:\x`, `\\host`), escaping the root through `..`, or containing NUL or other control characters.
 * Backslashes are read as separators; `.` segments and repeated slashes are dropped. A trailing slash is
 * dropped too (callers that care about directories check that themselves).
 */
export function normaliseRepoPath(input: string): string | null {
  if (typeof input !== "string" || input.length === 0 || input.length > 4096) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input)) return null;
  const unified = input.replace(/\\/g, "/");
  if (unified.startsWith("/")) return null;
  const out: string[] = [];
  for (const segment of unified.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") return null; // never resolved, even when it stays inside: a model asking for it is probing
    out.push(segment);
  }
  // A drive letter (`C:`, `./C:/x`) is absolute on Windows, wherever the dots put it.
  if (out.length === 0 || /^[A-Za-z]:/.test(out[0]!)) return null;
  return out.join("/");
}

/**
 * An archive entry's name without its first component (GitHub's `{owner}-{repo}-{sha7}/`, whatever it is),
 * normalised; null for the top directory itself or an unusable path.
 */
export function stripArchivePrefix(name: string): string | null {
  const unified = name.replace(/\\/g, "/");
  if (unified.startsWith("/")) return null;
  const slash = unified.indexOf("/");
  if (slash < 0) return null;
  const first = unified.slice(0, slash);
  if (first === ".." || first === "") return null;
  return normaliseRepoPath(unified.slice(slash + 1));
}

const BINARY_SNIFF_BYTES = 8 * 1024;
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The file's text, or null when it is binary: a NUL byte in the first 8 KB, or not valid UTF-8. */
export function decodeText(bytes: Uint8Array): string | null {
  const sniff = Math.min(bytes.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < sniff; i++) if (bytes[i] === 0) return null;
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/** Builds a snapshot from already-decoded texts (tests, the API source's cache, benches). */
export function snapshotFromFiles(
  meta: { owner: string; repo: string; sha: string },
  entries: Iterable<[string, string]>,
): Snapshot {
  const files = new Map<string, string>();
  let bytes = 0;
  const skipped = emptySkipped();
  for (const [raw, text] of entries) {
    const path = normaliseRepoPath(raw);
    if (path === null) {
      skipped.unsafePath++;
      continue;
    }
    files.set(path, text);
    bytes += Buffer.byteLength(text, "utf8");
  }
  return { ...meta, files, skipped, truncated: false, bytes };
}
