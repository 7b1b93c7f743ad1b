// The tarball snapshot: GitHub's layout unpacked from a real gzip'd tar, hostile entries refused, caps
// enforced while streaming (a 200 MB download is refused with bounded memory), and the Octokit fetch
// path (302 to codeload) exercised with a real Octokit against a local server.
import { Readable } from "node:stream";
import { createGzip, gzipSync } from "node:zlib";
import { Octokit } from "@octokit/core";
import fc from "fast-check";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SNAPSHOT_CAPS, normaliseRepoPath, stripArchivePrefix, type SnapshotCaps } from "../../src/core/code/snapshot.js";
import { fetchSnapshot, octokitTarballFetcher, TarballTooLargeError, unpackTarball } from "../../src/code/tarball.js";
import { ThreadbotOctokit } from "../../src/github/octokit.js";
import { buildTarball, defaultFakeRepo, FAKE_SHA, RETRY_TS, startFakeCodeServer, type FakeCodeRepo } from "./fakeRepo.js";

const RUNS = Number(process.env.FC_RUNS ?? 200);
const ref = { owner: "acme", repo: "demo", sha: FAKE_SHA };
const caps = (over: Partial<SnapshotCaps>): SnapshotCaps => ({ ...DEFAULT_SNAPSHOT_CAPS, ...over });

describe("unpackTarball", () => {
  it("keeps regular text files under their repository paths and refuses every hostile entry", async () => {
    const snapshot = await unpackTarball(Readable.from([await buildTarball(defaultFakeRepo())]), ref);
    expect(snapshot.files.get("src/retry.ts")).toBe(RETRY_TS);
    expect([...snapshot.files.keys()].sort()).toEqual(
      [".env", ".gitattributes", "README.md", "dist/bundle.min.js", "docs/injection.md", "gen/api.ts", "package-lock.json", "src/index.ts", "src/retry.ts", "src/util/strings.ts", "third_party/lib/retry.js"].sort(),
    );
    expect(snapshot.skipped).toEqual({ binary: 2, tooLarge: 1, symlink: 2, hardlink: 1, special: 2, unsafePath: 3, overCap: 0 });
    expect(snapshot.truncated).toBe(false);
    expect(snapshot.bytes).toBe([...snapshot.files.values()].reduce((n, t) => n + Buffer.byteLength(t), 0));
    for (const path of snapshot.files.keys()) expect(normaliseRepoPath(path)).toBe(path);
  });

  it("strips the first component whatever it is", async () => {
    const repo: FakeCodeRepo = { ...defaultFakeRepo(), entries: [{ path: "weird-top/x.ts", content: "x\n", raw: true }] };
    const snapshot = await unpackTarball(Readable.from([await buildTarball(repo)]), ref);
    expect([...snapshot.files.keys()]).toEqual(["x.ts"]);
  });

  it("stops at the file-count and total-bytes caps and says truncated", async () => {
    const repo = defaultFakeRepo();
    const byCount = await unpackTarball(Readable.from([await buildTarball(repo)]), ref, caps({ maxFiles: 3 }));
    expect(byCount.files.size).toBe(3);
    expect(byCount.truncated).toBe(true);
    expect(byCount.skipped.overCap).toBeGreaterThan(0);
    const byBytes = await unpackTarball(Readable.from([await buildTarball(repo)]), ref, caps({ maxTotalBytes: 100 }));
    expect(byBytes.bytes).toBeLessThanOrEqual(100);
    expect(byBytes.truncated).toBe(true);
  });

  it("cuts a gzip bomb at the unpacked cap instead of inflating it", async () => {
    const repo: FakeCodeRepo = { ...defaultFakeRepo(), entries: [{ path: "a.txt", content: "a\n" }, { path: "bomb.txt", content: "0".repeat(8 * 1024 * 1024) }, { path: "z.txt", content: "z\n" }] };
    const gz = await buildTarball(repo, { level: 9 });
    expect(gz.length).toBeLessThan(64 * 1024);
    const snapshot = await unpackTarball(Readable.from([gz]), ref, caps({ maxUnpackedBytes: 1024 * 1024 }));
    expect(snapshot.truncated).toBe(true);
    expect(snapshot.files.has("a.txt")).toBe(true);
    expect(snapshot.files.has("z.txt")).toBe(false);
  });

  it("skips entries of unknown type (GNU sparse here) instead of storing them as files", async () => {
    const pack = tar.pack();
    pack.entry({ name: "top/sparse.txt" }, "hi\n");
    pack.entry({ name: "top/ok.txt" }, "ok\n");
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
    const raw = Buffer.concat(chunks);
    raw[156] = "S".charCodeAt(0);
    raw.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += raw[i]!;
    raw.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
    const snapshot = await unpackTarball(Readable.from([gzipSync(raw)]), ref);
    expect([...snapshot.files.keys()]).toEqual(["ok.txt"]);
    expect(snapshot.skipped.special).toBe(1);
  });

  it("rejects a corrupt download", async () => {
    await expect(unpackTarball(Readable.from([Buffer.from("not a gzip at all")]), ref)).rejects.toThrow();
    const notTar = gzipSync(Buffer.alloc(4096, 0x41));
    await expect(unpackTarball(Readable.from([notTar]), ref)).rejects.toThrow();
  });

  it("refuses a 200 MB download at the compressed cap with bounded memory, without reading it whole", async () => {
    const total = 200 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let produced = 0;
    // One 200 MB text file, gzip level 0 (stored): the compressed stream is as big as the content.
    const pack = tar.pack();
    const body = new Readable({
      read() {
        if (produced >= total) return void this.push(null);
        produced += chunk.length;
        this.push(chunk);
      },
    });
    const entry = pack.entry({ name: "acme-demo-0123456/huge.txt", size: total });
    body.on("data", (c: Buffer) => {
      if (!entry.write(c)) body.pause();
    });
    entry.on("drain", () => body.resume());
    body.on("end", () => {
      (entry as unknown as { end(): void }).end();
      pack.finalize();
    });
    const gz = Readable.from(pack as unknown as AsyncIterable<Buffer>).pipe(createGzip({ level: 0 }));

    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed + before.arrayBuffers;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed + now.arrayBuffers);
    }, 2);
    const started = Date.now();
    const error = await unpackTarball(gz, ref, caps({ maxCompressedBytes: 8 * 1024 * 1024 })).catch((e: unknown) => e);
    clearInterval(sampler);
    body.destroy();
    expect(error).toBeInstanceOf(TarballTooLargeError);
    expect(produced).toBeLessThan(32 * 1024 * 1024); // stopped near the cap, not at 200 MB
    expect(peakHeap - (before.heapUsed + before.arrayBuffers)).toBeLessThan(64 * 1024 * 1024);
    expect(peakRss - before.rss).toBeLessThan(128 * 1024 * 1024);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("unpacks every random entry name to a safe path or skips it (property)", async () => {
    const segment = fc.oneof(fc.constantFrom("..", ".", "", "a", "b.ts", "..x", "C:", "\\"), fc.stringMatching(/^[a-z0-9._-]{1,8}$/));
    const name = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.constantFrom("/", "\\")).map(([parts, sep]) => parts.join(sep));
    await fc.assert(
      fc.asyncProperty(fc.array(name, { minLength: 1, maxLength: 8 }), async (names) => {
        const repo: FakeCodeRepo = { ...defaultFakeRepo(), entries: names.map((n) => ({ path: `top/${n}`, content: "t\n", raw: true })) };
        const snapshot = await unpackTarball(Readable.from([await buildTarball(repo, { level: 1 })]), ref);
        for (const path of snapshot.files.keys()) {
          expect(path.split("/")).not.toContain("..");
          expect(path.startsWith("/")).toBe(false);
          expect(normaliseRepoPath(path)).toBe(path);
        }
        expect(snapshot.files.size + snapshot.skipped.unsafePath).toBeLessThanOrEqual(names.length);
      }),
      { numRuns: Math.max(10, Math.floor(RUNS / 10)) },
    );
  });
});

describe("path rules (properties)", () => {
  const anyPath = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.array(fc.constantFrom("..", ".", "", "src", "a.ts", "\\", "/", "\u0000", "C:", "x"), { maxLength: 8 }).map((p) => p.join("/")),
  );

  it("normaliseRepoPath: canonical, idempotent, never escapes", () => {
    fc.assert(
      fc.property(anyPath, (input) => {
        const out = normaliseRepoPath(input);
        if (out === null) return;
        expect(out.startsWith("/")).toBe(false);
        expect(out.split("/")).not.toContain("..");
        expect(out.split("/")).not.toContain(".");
        expect(out.split("/")).not.toContain("");
        expect(out).not.toMatch(/[\u0000-\u001f\\]/);
        expect(normaliseRepoPath(out)).toBe(out);
      }),
      { numRuns: RUNS },
    );
  });

  it("stripArchivePrefix drops exactly the first component of safe names", () => {
    const safe = fc.array(fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,8}$/), { minLength: 1, maxLength: 5 }).map((p) => p.join("/"));
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), safe, (top, rest) => {
        expect(stripArchivePrefix(`${top}/${rest}`)).toBe(normaliseRepoPath(rest));
        expect(stripArchivePrefix(`${top}/`)).toBeNull();
        expect(stripArchivePrefix(`/${top}/${rest}`)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });
});

describe("fetchSnapshot through a real Octokit", () => {
  let server: Awaited<ReturnType<typeof startFakeCodeServer>>;
  beforeAll(async () => {
    server = await startFakeCodeServer([defaultFakeRepo()]);
  });
  afterAll(async () => server.close());

  it("follows the 302 to codeload and streams the body", async () => {
    const octokit = new Octokit({ baseUrl: server.url, auth: "ghs_faketoken" });
    const snapshot = await fetchSnapshot(octokitTarballFetcher(octokit), ref);
    expect(snapshot.files.get("src/retry.ts")).toBe(RETRY_TS);
    expect(server.calls.map((c) => c.path)).toEqual([`/repos/acme/demo/tarball/${FAKE_SHA}`, `/codeload/acme/demo/legacy.tar.gz/${FAKE_SHA}`]);
  });

  it("works with the app's own Octokit (Probot's, throttled and retrying)", async () => {
    const before = server.calls.length;
    const octokit = new ThreadbotOctokit({ auth: { token: "ghs_faketoken" }, baseUrl: server.url });
    const snapshot = await fetchSnapshot(octokitTarballFetcher(octokit), ref);
    expect(snapshot.files.get("src/retry.ts")).toBe(RETRY_TS);
    expect(server.calls.slice(before).map((c) => c.path)).toEqual([`/repos/acme/demo/tarball/${FAKE_SHA}`, `/codeload/acme/demo/legacy.tar.gz/${FAKE_SHA}`]);
  });

  it("works on GitHub Enterprise's /api/v3 layout", async () => {
    const octokit = new Octokit({ baseUrl: `${server.url}/api/v3`, auth: "ghs_faketoken" });
    const snapshot = await fetchSnapshot(octokitTarballFetcher(octokit), ref);
    expect(snapshot.files.size).toBeGreaterThan(5);
  });

  it("refuses early when content-length is over the cap, and surfaces a 404", async () => {
    const fetcher = async () => ({ body: Readable.from([Buffer.alloc(10)]), contentLength: 10 * 1024 * 1024 });
    await expect(fetchSnapshot(fetcher, ref, caps({ maxCompressedBytes: 1024 }))).rejects.toBeInstanceOf(TarballTooLargeError);
    const octokit = new Octokit({ baseUrl: server.url, auth: "x" });
    await expect(fetchSnapshot(octokitTarballFetcher(octokit), { ...ref, sha: "f".repeat(40) })).rejects.toMatchObject({ status: 404 });
  });

  it("an abort signal stops the download", async () => {
    const controller = new AbortController();
    controller.abort(new Error("job cancelled"));
    const octokit = new Octokit({ baseUrl: server.url, auth: "x" });
    await expect(fetchSnapshot(octokitTarballFetcher(octokit), ref, DEFAULT_SNAPSHOT_CAPS, controller.signal)).rejects.toThrow();
  });
});
