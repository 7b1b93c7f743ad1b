// Snapshots in memory, shared across jobs: least recently used out first, bounded by bytes, keyed by
// `owner/repo@sha`; two mentions at the same commit while its download runs share one download.
import { LRUCache } from "lru-cache";
import { snapshotKey, type Snapshot, type SnapshotCaps } from "../core/code/snapshot.js";
import type { SnapshotRef } from "./tarball.js";

/** Bytes a snapshot is charged in the cache: its text plus a per-file allowance for the map and strings. */
export function snapshotWeight(snapshot: Snapshot): number {
  return Math.max(1, snapshot.bytes + snapshot.files.size * 160);
}

export interface SnapshotCacheOptions {
  /** Total weight kept (see snapshotWeight). A snapshot heavier than this is served but not kept. */
  maxBytes: number;
  load: (ref: SnapshotRef) => Promise<Snapshot>;
  /** Optional time to live (ms): a snapshot of a commit never changes, so this only frees memory. */
  ttlMs?: number;
}

export class SnapshotCache {
  readonly #cache: LRUCache<string, Snapshot>;
  readonly #inFlight = new Map<string, Promise<Snapshot>>();
  readonly #load: (ref: SnapshotRef) => Promise<Snapshot>;
  /** Downloads started (for metrics and tests). */
  loads = 0;

  constructor(options: SnapshotCacheOptions) {
    this.#load = options.load;
    this.#cache = new LRUCache<string, Snapshot>({
      maxSize: Math.max(1, options.maxBytes),
      sizeCalculation: snapshotWeight,
      ...(options.ttlMs ? { ttl: options.ttlMs } : {}),
    });
  }

  /** The snapshot of `ref`: cached, the running download's, or a new download. Failures are not cached. */
  get(ref: SnapshotRef): Promise<Snapshot> {
    const key = snapshotKey(ref.owner, ref.repo, ref.sha);
    const hit = this.#cache.get(key);
    if (hit) return Promise.resolve(hit);
    const running = this.#inFlight.get(key);
    if (running) return running;
    this.loads++;
    const loading = this.#load(ref).then(
      (snapshot) => {
        this.#inFlight.delete(key);
        this.#cache.set(key, snapshot); // ignored by lru-cache when heavier than maxSize
        return snapshot;
      },
      (error: unknown) => {
        this.#inFlight.delete(key);
        throw error;
      },
    );
    this.#inFlight.set(key, loading);
    return loading;
  }

  has(ref: SnapshotRef): boolean {
    return this.#cache.has(snapshotKey(ref.owner, ref.repo, ref.sha));
  }

  get size(): number {
    return this.#cache.size;
  }

  /** Total weight held. */
  get bytes(): number {
    return this.#cache.calculatedSize;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  clear(): void {
    this.#cache.clear();
  }
}

/**
 * Whether to try the tarball for a repository whose webhook payload says `repository.size` KB. That size is
 * the whole git repository (history included, as GitHub stores it), usually larger than one commit's
 * tarball, so up to twice the compressed cap is still tried: the streamed cap is the real guard, and over
 * it the API source takes over. An unknown size is tried.
 */
export function fitsTarball(repositorySizeKb: number | null | undefined, caps: Pick<SnapshotCaps, "maxCompressedBytes">): boolean {
  if (typeof repositorySizeKb !== "number" || !Number.isFinite(repositorySizeKb) || repositorySizeKb < 0) return true;
  return repositorySizeKb * 1024 <= caps.maxCompressedBytes * 2;
}
