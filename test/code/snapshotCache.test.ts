// The snapshot cache: bounded by bytes (LRU), keyed by owner/repo@sha, one download for concurrent
// requests at the same commit, failures not cached; and the tarball-or-API decision.
import { describe, expect, it } from "vitest";
import { DEFAULT_SNAPSHOT_CAPS, snapshotFromFiles, type Snapshot } from "../../src/core/code/snapshot.js";
import { fitsTarball, SnapshotCache, snapshotWeight } from "../../src/code/snapshotCache.js";
import type { SnapshotRef } from "../../src/code/tarball.js";

const sha = (n: number) => n.toString(16).padStart(40, "0");
const ref = (n: number, repo = "demo"): SnapshotRef => ({ owner: "acme", repo, sha: sha(n) });
const snapshotOf = (r: SnapshotRef, bytes: number): Snapshot => snapshotFromFiles(r, [["f.txt", "x".repeat(bytes)]]);

describe("SnapshotCache", () => {
  it("downloads once for concurrent requests at the same commit", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const cache = new SnapshotCache({
      maxBytes: 1_000_000,
      load: async (r) => {
        await gate;
        return snapshotOf(r, 10);
      },
    });
    const a = cache.get(ref(1));
    const b = cache.get({ ...ref(1), owner: "ACME" }); // owner/repo are case-insensitive on GitHub
    expect(cache.inFlight).toBe(1);
    release();
    expect(await a).toBe(await b);
    expect(cache.loads).toBe(1);
    expect(cache.inFlight).toBe(0);
    await cache.get(ref(1));
    expect(cache.loads).toBe(1);
    await cache.get(ref(2));
    expect(cache.loads).toBe(2);
  });

  it("evicts least recently used snapshots past maxBytes, and never keeps one heavier than the cache", async () => {
    const cache = new SnapshotCache({ maxBytes: 2_500, load: async (r) => snapshotOf(r, r.sha.endsWith("9") ? 10_000 : 900) });
    await cache.get(ref(1));
    await cache.get(ref(2));
    await cache.get(ref(1)); // 1 is now the most recent
    await cache.get(ref(3)); // evicts 2
    expect(cache.has(ref(1))).toBe(true);
    expect(cache.has(ref(2))).toBe(false);
    expect(cache.has(ref(3))).toBe(true);
    expect(cache.bytes).toBeLessThanOrEqual(2_500);
    const heavy = await cache.get(ref(9));
    expect(heavy.bytes).toBe(10_000);
    expect(cache.has(ref(9))).toBe(false);
    expect(snapshotWeight(heavy)).toBeGreaterThan(10_000);
  });

  it("does not cache failures", async () => {
    let calls = 0;
    const cache = new SnapshotCache({
      maxBytes: 10_000,
      load: async (r) => {
        if (++calls === 1) throw new Error("502");
        return snapshotOf(r, 1);
      },
    });
    await expect(cache.get(ref(1))).rejects.toThrow("502");
    await expect(cache.get(ref(1))).resolves.toBeTruthy();
    expect(calls).toBe(2);
  });
});

describe("fitsTarball", () => {
  const caps = { maxCompressedBytes: DEFAULT_SNAPSHOT_CAPS.maxCompressedBytes };
  it("tries the tarball up to twice the compressed cap (history inflates repository.size)", () => {
    expect(fitsTarball(1_000, caps)).toBe(true);
    expect(fitsTarball((caps.maxCompressedBytes * 2) / 1024, caps)).toBe(true);
    expect(fitsTarball((caps.maxCompressedBytes * 2) / 1024 + 1, caps)).toBe(false);
    expect(fitsTarball(undefined, caps)).toBe(true);
    expect(fitsTarball(null, caps)).toBe(true);
    expect(fitsTarball(Number.NaN, caps)).toBe(true);
  });
});
