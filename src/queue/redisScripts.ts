// Redis keys and Lua scripts of the per-thread gate that RedisQueue puts in front of BullMQ. Each script
// is one atomic round trip. A thread has a sorted set of its pending jobs (ordered by trigger comment id)
// and a lock holding `<job id>|<fencing token>`; the token makes renew and release act only for the
// holder that took the lock, never for a slow holder whose lock already expired and went to someone else.
import type { Redis } from "ioredis";
import type { ThreadJob } from "./types.js";

export interface ThreadKeys {
  pending: string;
  lock: string;
  fence: string;
}

export const keysFor = {
  seenJob: (base: string, id: string) => `${base}:seen:job:${id}`,
  seenDelivery: (base: string, id: string) => `${base}:seen:delivery:${id}`,
  thread: (base: string, threadKey: string): ThreadKeys => ({
    pending: `${base}:thread:${threadKey}:pending`,
    lock: `${base}:thread:${threadKey}:lock`,
    fence: `${base}:thread:${threadKey}:fence`,
  }),
};

/** BullMQ refuses custom ids with ":" or that look like integers; ours have both risks, so encode. */
export function bullJobId(jobId: string): string {
  return `job-${encodeURIComponent(jobId)}`;
}

/**
 * A pending-set member: `<trigger sort key> <enqueued at ms> <job id>`. All scores are 0, so Redis orders
 * members bytewise: by trigger id (zero-padded to 20 digits, "opening" first), then by age.
 */
export function pendingMember(job: ThreadJob, enqueuedAt: number): string {
  const id = job.trigger.id;
  if (id !== "opening" && !/^\d{1,20}$/.test(id)) throw new Error(`Trigger id must be decimal or "opening": ${id}`);
  const sortKey = (id === "opening" ? "0" : id).padStart(20, "0");
  return `${sortKey} ${enqueuedAt} ${job.id}`;
}

export function parseMember(member: string): { enqueuedAt: number; jobId: string } {
  const first = member.indexOf(" ");
  const second = member.indexOf(" ", first + 1);
  return { enqueuedAt: Number(member.slice(first + 1, second)), jobId: member.slice(second + 1) };
}

const ENQUEUE = `
if redis.call("EXISTS", KEYS[1]) == 1 or redis.call("EXISTS", KEYS[2]) == 1 then return 0 end
redis.call("SET", KEYS[1], "1", "EX", ARGV[1])
redis.call("SET", KEYS[2], "1", "EX", ARGV[1])
redis.call("ZADD", KEYS[3], 0, ARGV[2])
return 1`;

// ARGV: member, job id, lock ms, fence ttl ms, peek ("1": only report whether the lock could be taken).
// Returns {1, fence} when taken (or takeable, on peek); {0, "order", head} when an earlier job of the
// thread is pending; {0, "lock", pttl} when another job holds the lock.
const ACQUIRE = `
redis.call("ZADD", KEYS[1], "NX", 0, ARGV[1])
local head = redis.call("ZRANGE", KEYS[1], 0, 0)[1]
if head ~= ARGV[1] then return {0, "order", head} end
if redis.call("EXISTS", KEYS[2]) == 1 then return {0, "lock", tostring(redis.call("PTTL", KEYS[2]))} end
if ARGV[5] == "1" then return {1, "0"} end
local fence = redis.call("INCR", KEYS[3])
redis.call("PEXPIRE", KEYS[3], ARGV[4])
redis.call("SET", KEYS[2], ARGV[2] .. "|" .. fence, "PX", ARGV[3])
return {1, tostring(fence)}`;

const RENEW = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0`;

// Drops the member and the lock (if still ours); returns the thread's next pending member, if any.
const RELEASE = `
redis.call("ZREM", KEYS[1], ARGV[1])
if redis.call("GET", KEYS[2]) == ARGV[2] then redis.call("DEL", KEYS[2]) end
return redis.call("ZRANGE", KEYS[1], 0, 0)[1]`;

export type Gate =
  | { ok: true; lockValue: string }
  | { ok: false; reason: "order"; head: string }
  | { ok: false; reason: "lock"; pttl: number };

interface ScriptClient {
  tbEnqueue(k1: string, k2: string, k3: string, ttlSeconds: number, member: string): Promise<number>;
  tbAcquire(k1: string, k2: string, k3: string, ...argv: (string | number)[]): Promise<[number, string, string?]>;
  tbRenew(lock: string, value: string, ms: number): Promise<number>;
  tbRelease(pending: string, lock: string, member: string, lockValue: string): Promise<string | null>;
}

/** Registers the scripts on a client (ioredis runs them with EVALSHA, sending the source once). */
export function threadScripts(redis: Redis) {
  redis.defineCommand("tbEnqueue", { numberOfKeys: 3, lua: ENQUEUE });
  redis.defineCommand("tbAcquire", { numberOfKeys: 3, lua: ACQUIRE });
  redis.defineCommand("tbRenew", { numberOfKeys: 1, lua: RENEW });
  redis.defineCommand("tbRelease", { numberOfKeys: 2, lua: RELEASE });
  const r = redis as unknown as ScriptClient;
  const fenceTtlMs = 24 * 3600_000;
  return {
    /** 1 when new; 0 when the job id or the delivery id was seen within the TTL. */
    enqueue: (seenJob: string, seenDelivery: string, pending: string, ttlSeconds: number, member: string) =>
      r.tbEnqueue(seenJob, seenDelivery, pending, ttlSeconds, member),
    async acquire(k: ThreadKeys, member: string, jobId: string, lockMs: number, peek = false): Promise<Gate> {
      const argv = [member, jobId, lockMs, fenceTtlMs, peek ? "1" : "0"];
      const [ok, a, b] = await r.tbAcquire(k.pending, k.lock, k.fence, ...argv);
      if (ok === 1) return { ok: true, lockValue: `${jobId}|${a}` };
      if (a === "order") return { ok: false, reason: "order", head: b ?? "" };
      return { ok: false, reason: "lock", pttl: Number(b) };
    },
    renew: (k: ThreadKeys, lockValue: string, lockMs: number) => r.tbRenew(k.lock, lockValue, lockMs),
    release: (k: ThreadKeys, member: string, lockValue: string) => r.tbRelease(k.pending, k.lock, member, lockValue),
  };
}

export type ThreadScripts = ReturnType<typeof threadScripts>;
