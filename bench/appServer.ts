// A Probot HTTP server for the benchmarks, like test/helpers/harness.ts but with a queue of our own and a
// quiet logger, and without importing the fake GitHub (whose GraphQL schema would weigh on the memory
// figures). The logger keeps Probot's production level (info) and serialises every line, then drops it:
// the cost of logging is counted, the cost of a terminal is not.
import { createHmac, generateKeyPairSync } from "node:crypto";
import { createServer } from "node:net";
import { Writable } from "node:stream";
import { pino } from "pino";
import { Probot, Server, type ApplicationFunction } from "probot";
import { EmbeddedQueue } from "../src/queue/embedded.js";
import type { JobHandler } from "../src/queue/types.js";

export const BENCH_WEBHOOK_SECRET = "bench-webhook-secret";

let key: string | undefined;
export function benchPrivateKey(): string {
  key ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return key;
}

export function signBody(body: string, secret = BENCH_WEBHOOK_SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export function quietLogger(level = "info") {
  const sink = new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
  return pino({ level }, sink);
}

/**
 * The embedded queue with its worker held at the door: jobs are accepted, ordered and deduplicated for
 * real, the ones picked up wait on a gate, so nothing reaches GitHub or Claude. `release()` lets the held
 * and the waiting jobs through without running them.
 */
export class GatedQueue extends EmbeddedQueue {
  #open!: () => void;
  readonly #gate = new Promise<void>((resolve) => (this.#open = resolve));
  #released = false;

  override start(handler: JobHandler): void {
    super.start(async (job) => {
      await this.#gate;
      if (!this.#released) await handler(job);
    });
  }

  release(): void {
    this.#released = true;
    this.#open();
  }
}

export interface BenchServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startAppServer(app: ApplicationFunction, options: { githubUrl: string; level?: string }): Promise<BenchServer> {
  const log = quietLogger(options.level);
  const port = await freePort();
  const server = new Server({
    host: "127.0.0.1",
    port,
    log,
    Probot: Probot.defaults({ appId: 1, privateKey: benchPrivateKey(), secret: BENCH_WEBHOOK_SECRET, baseUrl: options.githubUrl, log }),
  });
  await server.load(app);
  await server.start();
  return { url: `http://127.0.0.1:${port}`, server, close: () => server.stop() };
}
