// `threadbot inspect` names the file and the place when a thread file or config file is missing or broken,
// and says which comment's context block is in force.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), env: {} });
  return { code, out, err };
}

describe("inspect: files it cannot use", () => {
  it("a missing thread file: a usage error naming it, not a raw ENOENT", async () => {
    const dir = await mkdtemp(join(tmpdir(), "threadbot-inspect-"));
    const missing = join(dir, "nope.json");
    const run = await cli(["inspect", "--thread-file", missing]);
    expect(run.code).toBe(2);
    expect(run.err).toBe(`threadbot: cannot read thread file ${missing}: no such file\n`);
    expect(run.err).not.toContain("ENOENT");
  });

  it("a truncated thread file: its name, and the end of the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "threadbot-inspect-"));
    const file = join(dir, "thread.json");
    const text = await readFile("examples/thread.json", "utf8");
    await writeFile(file, text.slice(0, 200));
    const lines = text.slice(0, 200).split("\n");
    const run = await cli(["inspect", "--thread-file", file]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`${file} is not valid JSON (line ${lines.length}, column ${lines.at(-1)!.length + 1}, the end of the file)`);
  });

  it("a syntax error inside a thread file: its line and column", async () => {
    const dir = await mkdtemp(join(tmpdir(), "threadbot-inspect-"));
    const file = join(dir, "thread.json");
    await writeFile(file, '{\n  "bot": "threadbot",\n  "owner": x\n}\n');
    const run = await cli(["inspect", "--thread-file", file]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`${file} is not valid JSON (line 3, column 12)`);
  });

  it("a missing --config file: a usage error naming it", async () => {
    const run = await cli(["inspect", "--thread-file", "examples/thread.json", "--config", "no/such/claude.yml"]);
    expect(run.code).toBe(2);
    expect(run.err).toBe("threadbot: cannot read config file no/such/claude.yml: no such file\n");
  });
});

describe("inspect: the context block in force", () => {
  it("names the comment whose block the request is built from", async () => {
    const run = await cli(["inspect", "--thread-file", "examples/thread.json"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("context block: comment 2113512450 by threadbot\n");
    const json = await cli(["inspect", "--thread-file", "examples/thread.json", "--json"]);
    expect(JSON.parse(json.out).contextSource).toBe("2113512450");
  });

  it("says when none is in force", async () => {
    const example = JSON.parse(await readFile("examples/thread.json", "utf8"));
    example.comments = example.comments.filter((c: { author: { type: string } }) => c.author.type !== "Bot");
    const dir = await mkdtemp(join(tmpdir(), "threadbot-inspect-"));
    const file = join(dir, "thread.json");
    await writeFile(file, JSON.stringify(example));
    const run = await cli(["inspect", "--thread-file", file]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("context block: none in force");
  });
});
