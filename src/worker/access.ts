// What the worker remembers about refusals, so that a refused outsider's mention costs no thread read: the
// people already told in a thread (the notice itself, with its marker, is the record in the thread; this
// is only a cache of it, per process). Who may call the bot is decided in src/core/decision/access.ts.
import { LRUCache } from "lru-cache";
import { normalizeLogin } from "../core/conversation/identity.js";

export interface RefusalMemory {
  /** This person was told, in this thread, that they cannot call the bot. */
  told(threadKey: string, login: string): boolean;
  remember(threadKey: string, login: string): void;
}

export function createRefusalMemory(max = 50_000): RefusalMemory {
  const cache = new LRUCache<string, true>({ max });
  const key = (threadKey: string, login: string) => `${threadKey}\n${normalizeLogin(login)}`;
  return {
    told: (threadKey, login) => cache.has(key(threadKey, login)),
    remember: (threadKey, login) => void cache.set(key(threadKey, login), true),
  };
}
