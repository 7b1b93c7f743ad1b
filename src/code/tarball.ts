// A repository snapshot from GitHub's tarball endpoint, streamed: download → byte cap → gunzip → unpacked
// cap → tar entries → text files in memory. Nothing is buffered whole; every cap aborts the stream.
//
// How it is fetched: `octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}")` with
// `request.parseSuccessResponseBody: false`, so `@octokit/request` hands back the fetch `Response.body`
// (a web ReadableStream) instead of reading it into memory. GitHub answers 302 to codeload; fetch follows
// it (the default `redirect: "follow"`), and the codeload URL carries its own short-lived token, so the
// `authorization` header that fetch drops on the cross-origin hop is not needed. Going through Octokit
// keeps the app's base URL (GitHub Enterprise), installation auth, retries and throttling in one place;
// a plain fetch would have to rebuild all of them. test/code/tarball.test.ts runs it with a real Octokit.
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import {
  decodeText,
  DEFAULT_SNAPSHOT_CAPS,
  emptySkipped,
  stripArchivePrefix,
  type Snapshot,
  type SnapshotCaps,
} from "../core/code/snapshot.js";

export type ByteStream = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

export interface SnapshotRef {
  owner: string;
  repo: string;
  /** Full commit SHA. */
  sha: string;
}

export interface TarballDownload {
  body: ByteStream;
  /** From `content-length`, when the server sent one (codeload usually does not). */
  contentLength: number | null;
}

export type TarballFetcher = (ref: SnapshotRef, signal: AbortSignal) => Promise<TarballDownload>;

/** The compressed download is over `maxCompressedBytes`: use the API source instead. */
export class TarballTooLargeError extends Error {
  override name = "TarballTooLargeError";
  constructor(readonly limit: number) {
    super(`the repository tarball is larger than ${limit} bytes`);
  }
}

/** The part of an Octokit the tarball read needs (Probot's and @octokit/core's both fit). */
export interface OctokitRequestLike {
  request(
    route: string,
    params: Record<string, unknown>,
  ): Promise<{ data: unknown; headers: Record<string, string | number | undefined> }>;
}

export function octokitTarballFetcher(octokit: OctokitRequestLike): TarballFetcher {
  return async ({ owner, repo, sha }, signal) => {
    const response = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
      owner,
      repo,
      ref: sha,
      request: { parseSuccessResponseBody: false, signal },
    });
    const body = response.data;
    if (body === null || typeof body !== "object") throw new Error("the tarball response has no body");
    const length = Number(response.headers["content-length"]);
    return { body: body as ByteStream, contentLength: Number.isFinite(length) && length >= 0 ? length : null };
  };
}

/** Downloads and unpacks the tarball of `ref`; throws TarballTooLargeError over the compressed cap. */
export async function fetchSnapshot(
  fetcher: TarballFetcher,
  ref: SnapshotRef,
  caps: SnapshotCaps = DEFAULT_SNAPSHOT_CAPS,
  signal?: AbortSignal,
): Promise<Snapshot> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const download = await fetcher(ref, controller.signal);
    if (download.contentLength !== null && download.contentLength > caps.maxCompressedBytes) {
      throw new TarballTooLargeError(caps.maxCompressedBytes);
    }
    return await unpackTarball(download.body, ref, caps, controller.signal);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    controller.abort(); // releases the connection if the body was not read to the end
  }
}

class StopUnpacking extends Error {}

function counter(limit: number, onOver: () => Error): Transform & { count: number } {
  const t = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      t.count += chunk.length;
      if (t.count > limit) callback(onOver());
      else callback(null, chunk);
    },
  }) as Transform & { count: number };
  t.count = 0;
  return t;
}

function toReadable(body: ByteStream): Readable {
  if (body instanceof Readable) return body;
  if (typeof (body as ReadableStream).getReader === "function") {
    return Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>);
  }
  return Readable.from(body as AsyncIterable<Uint8Array>, { objectMode: false });
}

/**
 * Unpacks a gzip'd tar (GitHub's layout: one top directory, stripped whatever its name). Only regular
 * text files are kept; links, devices and unsafe paths are counted in `skipped` and never followed.
 */
export async function unpackTarball(
  body: ByteStream,
  meta: SnapshotRef,
  caps: SnapshotCaps = DEFAULT_SNAPSHOT_CAPS,
  signal?: AbortSignal,
): Promise<Snapshot> {
  const input = toReadable(body);
  const compressed = counter(caps.maxCompressedBytes, () => new TarballTooLargeError(caps.maxCompressedBytes));
  const unpacked = counter(caps.maxUnpackedBytes, () => new StopUnpacking());
  const extract = tar.extract();
  const onAbort = () => input.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const piping = pipeline(input, compressed, createGunzip(), unpacked, extract).then(
    () => null,
    (error: unknown) => error,
  );

  const files = new Map<string, string>();
  const skipped = emptySkipped();
  let bytes = 0;
  let truncated = false;
  let failure: unknown = null;
  try {
    for await (const entry of extract) {
      const { header } = entry;
      // tar-stream applies pax and GNU long-name headers itself (GitHub's tarballs open with a global one).
      const kind: string = header.type ?? "unknown"; // unknown type flags (GNU sparse, volume headers...) are skipped
      if (kind === "directory") {
        entry.resume();
        continue;
      }
      const path = stripArchivePrefix(header.name);
      if (kind === "symlink") skipped.symlink++;
      else if (kind === "link") skipped.hardlink++;
      else if (kind !== "file" && kind !== "contiguous-file") skipped.special++;
      else if (path === null) skipped.unsafePath++;
      else if ((header.size ?? 0) > caps.maxFileBytes) skipped.tooLarge++;
      else if (files.size >= caps.maxFiles && !files.has(path)) {
        skipped.overCap++;
        truncated = true;
      } else {
        const data = await readEntry(entry, caps.maxFileBytes);
        if (data === null) skipped.tooLarge++;
        else {
          const text = decodeText(data);
          if (text === null) skipped.binary++;
          else if (bytes + data.length > caps.maxTotalBytes) {
            skipped.overCap++;
            truncated = true;
          } else {
            const previous = files.get(path);
            if (previous !== undefined) bytes -= Buffer.byteLength(previous, "utf8");
            files.set(path, text);
            bytes += data.length;
          }
        }
        if (truncated) break;
        continue;
      }
      if (truncated) break;
      entry.resume();
    }
  } catch (error) {
    failure = error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (truncated) {
    input.destroy(); // stop the download: nothing more would be kept
  }
  const piped = truncated ? null : await piping;
  const problem = failure ?? piped;
  if (problem instanceof TarballTooLargeError) throw problem;
  if (problem instanceof StopUnpacking || (problem !== null && isStopCause(problem))) truncated = true;
  else if (problem !== null && !truncated) throw problem;
  return { owner: meta.owner, repo: meta.repo, sha: meta.sha, files, skipped, truncated, bytes };
}

function isStopCause(error: unknown): boolean {
  return error instanceof Error && error.cause instanceof StopUnpacking;
}

/** The entry's bytes, or null (drained) when it is longer than `max` whatever its header said. */
async function readEntry(entry: AsyncIterable<unknown>, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let length = 0;
  let over = false;
  for await (const raw of entry) {
    const chunk = raw as Buffer;
    if (over) continue;
    length += chunk.length;
    if (length > max) {
      over = true;
      chunks.length = 0;
    } else chunks.push(chunk);
  }
  return over ? null : Buffer.concat(chunks, length);
}
