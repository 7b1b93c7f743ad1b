// The live-progress sink: one comment per mention, created only when the answer is not done within one
// interval of its first text (a quick answer is one write), paced edits (never more than one per
// interval), the final edit is the answer, notices edit the comment, and no extra comments in any case.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NOTICE_MARKER } from "../../src/core/conversation/conversation.js";
import type { Thread } from "../../src/core/types.js";
import { findPlaceholder, progressMarker, progressSink, type CommentWriter } from "../../src/reply/progressSink.js";

interface Write {
  kind: "create" | "update";
  id: number;
  body: string;
  at: number;
}

function recordingWriter(options: { latencyMs?: number; failCreate?: boolean; updateStatus?: number } = {}) {
  const writes: Write[] = [];
  let nextId = 100;
  const wait = () => new Promise((r) => setTimeout(r, options.latencyMs ?? 50));
  const writer: CommentWriter = {
    create: async (body: string) => {
      await wait();
      if (options.failCreate) throw Object.assign(new Error("boom"), { status: 500 });
      const id = ++nextId;
      writes.push({ kind: "create", id, body, at: Date.now() });
      return id;
    },
    update: async (id: number, body: string) => {
      await wait();
      if (options.updateStatus) throw Object.assign(new Error("nope"), { status: options.updateStatus });
      writes.push({ kind: "update", id, body, at: Date.now() });
    },
  };
  return { writer, writes };
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse("2026-01-01T00:00:00Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Awaits a promise while the fake clock runs (writes take simulated time). */
async function run<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 1000 && !done; i++) await vi.advanceTimersByTimeAsync(50);
  return promise;
}

/** Streams `seconds` of text, one delta every 100 ms. */
async function stream(sink: { progress(t: string): void }, seconds: number): Promise<void> {
  let text = "";
  for (let i = 0; i < seconds * 10; i++) {
    text += `word${i} `;
    sink.progress(text);
    await vi.advanceTimersByTimeAsync(100);
  }
}

describe("progressSink", () => {
  it.each([1, 3, 5])("edits at most once per %i s while the answer streams, then writes the answer into the same comment", async (interval) => {
    const { writer, writes } = recordingWriter();
    const onFirstText = vi.fn();
    const sink = progressSink(writer, { triggerId: "42", intervalMs: interval * 1000, onFirstText });
    const start = Date.now();
    sink.begin();
    await stream(sink, 20);
    await run(sink.finish("FINAL ANSWER"));

    const creates = writes.filter((w) => w.kind === "create");
    expect(creates).toHaveLength(1);
    // Created one interval after the first text, already showing the text so far.
    expect(creates[0]!.at - start).toBeGreaterThanOrEqual(interval * 1000);
    expect(creates[0]!.body.startsWith(`${NOTICE_MARKER}\n${progressMarker("42")}\nword0 `)).toBe(true);
    const edits = writes.filter((w) => w.kind === "update");
    const progressEdits = edits.slice(0, -1);
    // No more edits than the rate allows over the 20 s of streaming, and each one at least `interval` apart.
    expect(progressEdits.length).toBeGreaterThan(0);
    expect(progressEdits.length).toBeLessThanOrEqual(Math.floor(20 / interval) + 1);
    const times = [creates[0]!.at, ...progressEdits.map((e) => e.at)];
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(interval * 1000);
    for (const e of progressEdits) {
      expect(e.id).toBe(creates[0]!.id);
      expect(e.body.startsWith(`${NOTICE_MARKER}\n${progressMarker("42")}\nword0 `)).toBe(true);
      expect(e.body).toContain("still writing");
    }
    expect(edits.at(-1)).toMatchObject({ id: creates[0]!.id, body: "FINAL ANSWER" });
    expect(onFirstText).toHaveBeenCalledTimes(1);
    expect(Date.now() - start).toBeLessThan(21_000);
  });

  it("shows nothing before begin() and creates no placeholder for a reply that never began", async () => {
    const { writer, writes } = recordingWriter();
    const sink = progressSink(writer, { triggerId: "1", intervalMs: 1000 });
    await stream(sink, 2);
    expect(writes).toHaveLength(0);
    await run(sink.finish("answer"));
    expect(writes.map((w) => w.kind)).toEqual(["create"]);
  });

  it("posts a quick answer in one write: no placeholder when the answer is done within an interval of its first text", async () => {
    const { writer, writes } = recordingWriter();
    const answering = vi.fn();
    const sink = progressSink({ ...writer, answering }, { triggerId: "1", intervalMs: 3000 });
    sink.begin();
    await stream(sink, 2);
    await run(sink.finish("quick answer"));
    expect(writes.map((w) => [w.kind, w.body])).toEqual([["create", "quick answer"]]);
    expect(answering).toHaveBeenCalledTimes(1); // a 👀 still waiting is dropped
  });

  it("waits for a placeholder still being created, then edits it (never two comments)", async () => {
    const { writer, writes } = recordingWriter({ latencyMs: 2000 });
    const sink = progressSink(writer, { triggerId: "1", intervalMs: 1000 });
    sink.begin();
    sink.progress("partial");
    await vi.advanceTimersByTimeAsync(1100); // the create has started, and takes 2 s
    const done = sink.finish("slow answer");
    await vi.advanceTimersByTimeAsync(5000);
    await done;
    expect(writes.map((w) => [w.kind, w.body])).toEqual([
      ["create", expect.stringContaining("partial")],
      ["update", "slow answer"],
    ]);
  });

  it("tries the placeholder again at the next interval when the write lane shed it, and never writes two comments", async () => {
    const writes: Write[] = [];
    let shed = 2;
    const writer: CommentWriter = {
      create: async (body, priority) => {
        if (priority === "progress" && shed-- > 0) return null;
        writes.push({ kind: "create", id: 5, body, at: Date.now() });
        return 5;
      },
      update: async (id, body) => {
        writes.push({ kind: "update", id, body, at: Date.now() });
        return true;
      },
    };
    const sink = progressSink(writer, { triggerId: "1", intervalMs: 1000 });
    sink.begin();
    await stream(sink, 5);
    await run(sink.finish("answer"));
    expect(writes.filter((w) => w.kind === "create")).toHaveLength(1);
    expect(writes.at(-1)).toMatchObject({ kind: "update", id: 5, body: "answer" });
  });

  it("turns the placeholder into the notice when something goes wrong", async () => {
    const { writer, writes } = recordingWriter();
    const sink = progressSink(writer, { triggerId: "7", intervalMs: 1000 });
    sink.begin();
    await stream(sink, 2);
    await run(sink.notice("Claude is overloaded; try again with `@claude retry`."));
    expect(writes.filter((w) => w.kind === "create")).toHaveLength(1);
    const last = writes.at(-1)!;
    expect(last.kind).toBe("update");
    expect(last.body).toBe(`${NOTICE_MARKER}\nClaude is overloaded; try again with \`@claude retry\`.\n${progressMarker("7")}\n`);
  });

  it("posts the answer as a new comment when the placeholder could not be created", async () => {
    const { writer, writes } = recordingWriter({ failCreate: true });
    const warn = vi.fn();
    const sink = progressSink(writer, { triggerId: "1", intervalMs: 1000, log: { warn } as never });
    sink.begin();
    await stream(sink, 2);
    expect(warn).toHaveBeenCalled();
    // No placeholder, so no progress edits were sent to a comment that does not exist.
    expect(writes).toEqual([]);
    await expect(run(sink.finish("answer"))).rejects.toThrow("boom"); // the fallback create fails the same way
  });

  it("posts anew when the placeholder was deleted meanwhile", async () => {
    const { writer, writes } = recordingWriter({ updateStatus: 404 });
    const sink = progressSink(writer, { triggerId: "1", intervalMs: 1000, existingPlaceholderId: 55 });
    sink.begin();
    await run(sink.finish("answer"));
    expect(writes).toEqual([expect.objectContaining({ kind: "create", body: "answer" })]);
  });

  it("reuses the placeholder an earlier attempt left (found in the thread by its marker)", async () => {
    const thread = {
      comments: [
        { id: "10", author: { login: "threadbot", type: "Bot" }, body: `${NOTICE_MARKER}\n${progressMarker("9")}\n⏳ Working on it…\n` },
        { id: "11", author: { login: "threadbot", type: "Bot" }, body: `${NOTICE_MARKER}\n${progressMarker("8")}\nother\n` },
        { id: "12", author: { login: "mallory", type: "User" }, body: `${NOTICE_MARKER}\n${progressMarker("9")}\n` },
      ],
    } as unknown as Thread;
    expect(findPlaceholder(thread, { login: "threadbot[bot]" }, "9")).toBe(10);
    expect(findPlaceholder(thread, { login: "threadbot[bot]" }, "7")).toBeNull();

    const { writer, writes } = recordingWriter();
    const sink = progressSink(writer, { triggerId: "9", intervalMs: 1000, existingPlaceholderId: 10 });
    sink.begin();
    await stream(sink, 3);
    await run(sink.finish("answer"));
    expect(writes.every((w) => w.kind === "update" && w.id === 10)).toBe(true);
  });

  it("keeps progress bodies under GitHub's size limit and never lets the partial text open a block", async () => {
    const { writer, writes } = recordingWriter();
    const sink = progressSink(writer, { triggerId: "1", intervalMs: 1000 });
    sink.begin();
    await vi.advanceTimersByTimeAsync(100);
    sink.progress("```js\n" + "x".repeat(70_000));
    await vi.advanceTimersByTimeAsync(2000);
    await run(sink.finish("answer"));
    const progress = writes.find((w) => w.body !== "answer")!;
    expect(progress.body.length).toBeLessThan(65_536);
    expect(progress.body).toMatch(/\n```\n\n_⏳ still writing…_\n$/);
  });
});
