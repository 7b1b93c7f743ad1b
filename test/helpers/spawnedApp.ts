// Spawning the real entry points (`src/server.ts` under tsx, as `npm start` runs its build; Probot's own CLI)
// in a working directory of their own, against the fake GitHub and the Anthropic mock.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SERVER = join(ROOT, "src/server.ts");
export const TSX = import.meta.resolve("tsx");
export const ANTHROPIC_KEY = "sk-ant-api03-install-test-key-0123456789abcdef";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** `what` may be a function, for a message (the app's output) read when the wait fails. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === "function" ? what() : what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A fresh directory as a clone has it for Probot: the app's `app.yml` and `package.json`, no `.env`. */
export function freshDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `threadbot-${prefix}-`));
  copyFileSync(join(ROOT, "app.yml"), join(dir, "app.yml"));
  copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
  return dir;
}

export interface Spawned {
  child: ChildProcess;
  url: string;
  port: number;
  output(): string;
  exited: Promise<number | null>;
  /** SIGKILL if still running. */
  kill(): Promise<void>;
  /** Peak resident set size so far, in MB (Linux: /proc/<pid>/status VmHWM). */
  peakRssMb(): number;
}

const running = new Set<Spawned>();
const dirs = new Set<string>();

export function track(dir: string): string {
  dirs.add(dir);
  return dir;
}

export async function cleanup(): Promise<void> {
  await Promise.all([...running].map((s) => s.kill()));
  running.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

/** Starts `args` (node arguments) in `cwd` with exactly `env` (plus PATH), and waits for `/ping`. */
export async function spawnApp(args: string[], cwd: string, env: NodeJS.ProcessEnv, port: number, timeoutMs = 20_000): Promise<Spawned> {
  let output = "";
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH, ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const spawned: Spawned = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
      running.delete(spawned);
    },
    peakRssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
    },
  };
  running.add(spawned);
  try {
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}):\n${output}`);
        return fetch(`${spawned.url}/ping`).then((r) => r.ok, () => false);
      },
      timeoutMs,
      () => `the app to start:\n${output}`,
    );
  } catch (error) {
    await spawned.kill();
    throw error;
  }
  return spawned;
}

/** `src/server.ts` as `npm start` runs it (tsx instead of the build). */
export function startServer(cwd: string, env: NodeJS.ProcessEnv, port: number): Promise<Spawned> {
  return spawnApp(["--import", TSX, SERVER], cwd, env, port);
}

/** The environment the app needs besides the GitHub App's credentials: where GitHub and Anthropic are. */
/**
 * The environment of an installed app (credentials, the bot's login) on `port`, against the fake GitHub and
 * the Anthropic mock: what every spawned server of the suites shares. `extra` adds or overrides.
 */
export function installedAppEnv(
  services: { githubUrl: string; anthropicUrl: string; privateKey: string; webhookSecret: string },
  port: number,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    APP_ID: "1",
    PRIVATE_KEY: services.privateKey,
    WEBHOOK_SECRET: services.webhookSecret,
    ...serviceEnv(services.githubUrl, services.anthropicUrl),
    ANTHROPIC_API_KEY: "sk-ant-test-key-0000000000",
    BOT_LOGIN: "threadbot[bot]",
    PORT: String(port),
    ...extra,
  };
}

export function serviceEnv(githubUrl: string, anthropicUrl: string): NodeJS.ProcessEnv {
  return {
    GHE_HOST: githubUrl.replace("http://", ""),
    GHE_PROTOCOL: "http",
    ANTHROPIC_BASE_URL: anthropicUrl,
    HOST: "127.0.0.1",
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
  };
}

/** A plain HTTP POST (node:http) whose response is reported as soon as its headers arrive, mid-upload. */
export function post(
  url: string,
  headers: Record<string, string>,
  body: AsyncIterable<Buffer> | Buffer,
): Promise<{ status: number; afterMs: number; bytesSent: number; text: string }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let answered = false;
    const req = httpRequest(url, { method: "POST", headers });
    req.on("response", (res: IncomingMessage) => {
      answered = true;
      const status = res.statusCode ?? 0;
      const afterMs = Date.now() - started;
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status, afterMs, bytesSent, text }));
      res.on("error", () => resolve({ status, afterMs, bytesSent, text }));
    });
    // The server closes the connection after a 413: the rest of the upload fails, which is expected.
    req.on("error", (error) => (answered ? undefined : reject(error)));
    if (Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    void (async () => {
      for await (const chunk of body) {
        if (answered || req.destroyed) break;
        bytesSent += chunk.length;
        if (!req.write(chunk)) {
          // Both listeners go once either fires: a long upload waits for drain many times.
          await new Promise<void>((r) => {
            const go = () => {
              req.off("drain", go);
              req.off("close", go);
              r();
            };
            req.on("drain", go);
            req.on("close", go);
          });
        }
      }
      if (!req.destroyed) req.end();
    })().catch(() => undefined);
  });
}

/** `total` bytes of `{"x":"aaaa…` in 1 MB chunks, generated as they are sent (nothing allocated whole). */
export async function* junk(total: number): AsyncGenerator<Buffer> {
  const chunk = Buffer.alloc(1024 * 1024, "a");
  yield Buffer.from('{"x":"');
  for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
}

/** A local stand-in for smee.io: one channel (server-sent events) that forwards what `send` gets. */
export async function startFakeSmee(): Promise<{ url: string; connected: () => boolean; send(headers: Record<string, string>, body: unknown): void; close(): Promise<void> }> {
  const clients = new Set<import("node:http").ServerResponse>();
  const server: Server = createHttpServer((req, res) => {
    if (req.method !== "GET" || !req.url?.startsWith("/channel")) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.write(`event: ready\ndata: {}\n\n`);
    clients.add(res);
    req.on("close", () => clients.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/channel`;
  return {
    url,
    connected: () => clients.size > 0,
    send: (headers, body) => {
      const data = JSON.stringify({ ...headers, body });
      for (const c of clients) c.write(`data: ${data}\n\n`);
    },
    close: async () => {
      for (const c of clients) c.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
