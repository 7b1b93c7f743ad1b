// Starts a throwaway redis-server on 127.0.0.1 and a free port, with persistence off, for one test file.
// Without redis-server: in CI that is an error (the Redis backend must be tested there); locally the
// Redis suites are skipped with a loud warning.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

let checked: boolean | undefined;

/** Whether redis-server can run here. Call at collection time, to choose `describe` or `describe.skip`. */
export function redisAvailable(): boolean {
  if (checked !== undefined) return checked;
  checked = !spawnSync("redis-server", ["--version"], { stdio: "ignore" }).error;
  if (!checked) {
    if (process.env.CI) throw new Error("redis-server is not installed, but CI must run the Redis queue tests.");
    console.warn(
      "\n*** redis-server is not installed: SKIPPING the Redis queue tests. ***\n" +
        "*** Install it (e.g. apt-get install redis-server) to run them; in CI (CI set) this is an error. ***\n",
    );
  }
  return checked;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const child: ChildProcess = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
