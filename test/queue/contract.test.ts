// Runs the JobQueue contract against both backends, and checks that createQueue picks the right one.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedQueue } from "../../src/queue/embedded.js";
import { createQueue } from "../../src/queue/index.js";
import { RedisQueue } from "../../src/queue/redis.js";
import { queueContract } from "./contract.js";
import { redisAvailable, startRedis, type RedisServer } from "./redisServer.js";

const noCleanup = async () => {};
queueContract("embedded", async ({ concurrency, onError }) => new EmbeddedQueue({ concurrency, onError }), noCleanup);

it("createQueue keeps the embedded queue without a Redis URL", () => {
  expect(createQueue({ concurrency: 1 })).toBeInstanceOf(EmbeddedQueue);
  expect(createQueue({ redisUrl: "", concurrency: 1 })).toBeInstanceOf(EmbeddedQueue);
});

describe.skipIf(!redisAvailable())("Redis backend", () => {
  let server: RedisServer;
  let admin: Redis;
  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    await admin?.quit();
    await server?.stop();
  });

  // A short lock keeps the takeover tests quick; production uses 30 s.
  queueContract(
    "redis",
    async ({ concurrency, onError }) => new RedisQueue({ url: server.url, concurrency, onError, lockMs: 1000 }),
    async () => void (await admin.flushall()),
    { shared: true },
  );

  it("createQueue picks Redis when REDIS_URL is set", async () => {
    const redis = createQueue({ redisUrl: server.url, concurrency: 1 });
    expect(redis).toBeInstanceOf(RedisQueue);
    await redis.close(0);
  });
});
