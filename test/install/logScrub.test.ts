// Probot's own log lines (its HTTP logger prints each request's URL and headers) are scrubbed under
// `npm start`, through Probot's real logger in the real entry point, in both log formats; and the shutdown
// lines are log lines of the same logger, not plain text among the JSON.
import { afterEach, describe, expect, it } from "vitest";
import { testPrivateKey, WEBHOOK_SECRET } from "../helpers/harness.js";
import { ANTHROPIC_KEY, cleanup, freePort, freshDir, startServer, track, until } from "../helpers/spawnedApp.js";

const TOKEN = `ghp_${"A1b2C3d4E5".repeat(3)}abcdef`; // a classic personal access token's shape (36 after ghp_)

afterEach(cleanup);

function env(format: "json" | "pretty"): NodeJS.ProcessEnv {
  return {
    APP_ID: "1",
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET,
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    BOT_LOGIN: "threadbot[bot]",
    HOST: "127.0.0.1",
    LOG_FORMAT: format,
    LOG_LEVEL: "info",
    // Never contacted: nothing here reaches GitHub or Anthropic.
    GHE_HOST: "127.0.0.1:9",
    GHE_PROTOCOL: "http",
  };
}

describe("Probot's own log lines are scrubbed (npm start)", () => {
  for (const format of ["json", "pretty"] as const) {
    it(`a request carrying a token in its URL and the process's Anthropic key in a header (LOG_FORMAT=${format})`, async () => {
      expect(TOKEN).toMatch(/^ghp_[A-Za-z0-9]{36}$/);
      const app = await startServer(track(freshDir("logs")), env(format), await freePort());
      const res = await fetch(`${app.url}/ping?token=${TOKEN}`, { headers: { "x-forwarded-key": ANTHROPIC_KEY, authorization: `Bearer ${ANTHROPIC_KEY}` } });
      expect(res.status).toBe(200);
      // Probot's HTTP logger writes the line when the response is done.
      await until(() => app.output().includes("GET /ping?token="), 5_000, () => `the request's log line:\n${app.output()}`);
      const out = app.output();
      expect(out).not.toContain(TOKEN);
      expect(out).not.toContain(ANTHROPIC_KEY);
      expect(out).toContain("GET /ping?token=[REDACTED");
      if (format === "json") {
        const line = JSON.parse(out.split("\n").find((l) => l.includes("GET /ping?token="))!);
        expect(line.req.url).toMatch(/^\/ping\?token=\[REDACTED/);
        expect(line.req.headers["x-forwarded-key"]).toMatch(/^\[REDACTED/);
      }
    }, 30_000);
  }

  it("the shutdown lines are JSON log lines", async () => {
    const app = await startServer(track(freshDir("logs")), env("json"), await freePort());
    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
    const lines = app.output().split("\n").filter((l) => l.trim() !== "");
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    const stopping = lines.map((l) => JSON.parse(l)).find((l) => String(l.msg).startsWith("SIGTERM: no longer taking webhooks"));
    expect(stopping).toMatchObject({ level: 30, signal: "SIGTERM" });
  }, 30_000);
});
