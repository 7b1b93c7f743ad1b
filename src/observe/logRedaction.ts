// Logs never carry a credential. The app's logger is wrapped so that every string that reaches it (messages,
// fields, error messages and stacks, at any depth) goes through `redactSecrets` (credential shapes: a token
// a commenter pasted, echoed back in an API error) and `redactKnownSecrets` (this process's own values, in
// whatever shape). Errors are logged as { type, message, stack, status, code } only: SDK errors carry
// response headers and bodies as extra properties, which pino would otherwise print whole.
// Probot's own lines (its HTTP and webhook logs) do not go through `redactingLogger`: under `npm start`
// Probot is given a logger that runs `scrubText` over every serialised line (src/observe/probotLogger.ts).
import type { Logger } from "pino";
import { secretValues } from "../config/env.js";
import { redactKnownSecrets, redactSecrets } from "../core/redact/secrets.js";

const extra = new Set<string>();

/** Adds values (e.g. settings not read from the environment) to the known secrets. */
export function registerSecrets(values: readonly (string | undefined)[]): void {
  for (const v of values) if (typeof v === "string" && v.length >= 8) extra.add(v);
}

/** The process's secret values: from the environment and registered. */
export function knownSecrets(): string[] {
  return [...secretValues(), ...extra];
}

export function scrubText(text: string, known: readonly string[] = knownSecrets()): string {
  return redactKnownSecrets(redactSecrets(text), known);
}

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);
const MAX_DEPTH = 6;

export function scrubValue(value: unknown, known: readonly string[], depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return scrubText(value, known);
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value) || depth > MAX_DEPTH) return "[…]";
  seen.add(value);
  if (value instanceof Error) {
    const e = value as Error & { status?: unknown; code?: unknown };
    const out: Record<string, unknown> = { type: e.name, message: scrubText(e.message, known) };
    if (e.stack) out.stack = scrubText(e.stack, known);
    if (typeof e.status === "number") out.status = e.status;
    if (typeof e.code === "string" || typeof e.code === "number") out.code = e.code;
    if (e.cause !== undefined) out.cause = scrubValue(e.cause, known, depth + 1, seen);
    // pino's err serializer reports `type` from the constructor's name: keep the original one.
    const named = { [e.name]: function () {} }[e.name];
    Object.defineProperty(out, "constructor", { value: named, enumerable: false });
    return out;
  }
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => scrubValue(v, known, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, 100)) {
    if (typeof v !== "function") out[k] = scrubValue(v, known, depth + 1, seen);
  }
  return out;
}

/** `log`, with every argument of every level method (and of every child's) scrubbed. */
export function redactingLogger<L extends Logger>(log: L, known: () => readonly string[] = knownSecrets): L {
  return new Proxy(log, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === "child") {
        return (bindings: Record<string, unknown>, options?: object) =>
          redactingLogger(target.child(scrubValue(bindings, known()) as Record<string, unknown>, options), known);
      }
      if (typeof prop === "string" && LEVELS.has(prop) && typeof value === "function") {
        return (...args: unknown[]) => {
          const secrets = known();
          return (value as (...a: unknown[]) => unknown).apply(target, args.map((a) => scrubValue(a, secrets)));
        };
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
