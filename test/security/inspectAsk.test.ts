// `threadbot inspect --ask` sends what the worker would send through the worker's own path to Claude: the
// request redacted (credentials in the repository instructions too), the worker's retry loop, the SDK's
// own retries off.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { startAnthropicMock, type AnthropicMock } from "../helpers/anthropicMock.js";

const EXAMPLE = "examples/thread.json";
const TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";

let anthropic: AnthropicMock;
let configFile: string;

beforeAll(async () => {
  anthropic = await startAnthropicMock();
  configFile = join(await mkdtemp(join(tmpdir(), "threadbot-ask-")), "claude.yml");
  await writeFile(configFile, `instructions: |\n  Deploy with the token ${TOKEN} when asked.\n`);
});
afterAll(async () => {
  await anthropic.close();
});

async function ask(env: NodeJS.ProcessEnv) {
  let out = "";
  let err = "";
  const code = await runCli(["inspect", "--thread-file", EXAMPLE, "--config", configFile, "--ask"], {
    out: (t) => (out += `${t}\n`),
    err: (t) => (err += `${t}\n`),
    env: { ANTHROPIC_API_KEY: "sk-ant-test-0000000000", ANTHROPIC_BASE_URL: anthropic.url, ...env },
  });
  return { code, out, err };
}

describe("inspect --ask", () => {
  it("redacts the request as the worker does", async () => {
    anthropic.queue.push({ kind: "answer", text: "Sure." });
    const run = await ask({});
    expect(run.code).toBe(0);
    const sent = JSON.stringify(anthropic.requests.at(-1)!.body);
    expect(sent).toContain("Deploy with the token");
    expect(sent).not.toContain(TOKEN);
    expect(run.out).not.toContain(TOKEN.slice(4));
  });

  it("retries through the worker's loop only: with one attempt allowed, one request", async () => {
    const before = anthropic.requests.length;
    // A dropped connection: the SDK, left to itself, would retry it.
    anthropic.queue.push({ kind: "reset" }, { kind: "answer", text: "Too late." });
    const run = await ask({ CLAUDE_MAX_ATTEMPTS: "1" });
    expect(run.code).not.toBe(0);
    expect(anthropic.requests.length - before).toBe(1);
    anthropic.queue.length = 0;
  });

  it("and with attempts allowed, the loop retries the overloaded answer", async () => {
    const before = anthropic.requests.length;
    anthropic.queue.push({ kind: "status", status: 529, type: "overloaded_error" }, { kind: "answer", text: "Second time lucky." });
    const run = await ask({ CLAUDE_MAX_ATTEMPTS: "3" });
    expect(run.code).toBe(0);
    expect(run.out).toContain("Second time lucky.");
    expect(anthropic.requests.length - before).toBe(2);
    expect(run.err).toContain("retrying");
  });
});
