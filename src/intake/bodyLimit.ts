// The webhook endpoint, bounded and also at `/`.
//
// Probot's webhook middleware (@octokit/webhooks) buffers the whole request body before it checks the
// signature, so one unauthenticated POST could take any amount of memory. GitHub never sends more than
// 25 MB, so here a body is read at most that far: a declared Content-Length over the cap gets 413 at once,
// a chunked body is counted and cut at the cap, and nothing past it is kept. The body that fits is handed to
// the same middleware (as `req.body`), which verifies the signature as before.
//
// Probot's setup page registers `<base URL>/` as the app's webhook URL (its manifest flow), while its server
// receives webhooks at `WEBHOOK_PATH` (default `/api/github/webhooks`): POSTs to `/` are accepted too, with
// the same verification, so the URL the manifest registered works.
//
// Installed by wrapping the Probot instance's `getNodeMiddleware`, which Probot's `Server` (`run()`,
// `probot run`) and `createNodeMiddleware` call after loading the app: every way of running the app gets it.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";

/** GitHub caps webhook payloads at 25 MB. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- the type Probot declares
type Middleware = (req: IncomingMessage, res: ServerResponse, next?: Function) => Promise<boolean>;

const installed = new WeakSet<object>();

/** The path as @octokit/webhooks' middleware compares it: trailing slashes of the whole URL dropped. */
function pathname(url: string | undefined): string | undefined {
  try {
    return new URL((url ?? "/").replace(/\/+$/, "") || "/", "http://localhost").pathname;
  } catch {
    return undefined;
  }
}

/** Grace for a client that keeps sending after its 413, before the connection is cut. */
const LINGER_MS = 2_000;

function refuse(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  // What the client still sends is read and dropped (never kept), so that it gets to read the 413: closing a
  // socket with unread data resets it, and the client would see ECONNRESET instead. One that keeps sending
  // is cut off after a grace period.
  req.on("data", () => undefined);
  req.on("error", () => undefined);
  req.resume();
  const cut = setTimeout(() => req.destroy(), LINGER_MS);
  cut.unref();
  req.socket.once("close", () => clearTimeout(cut));
  if (res.headersSent) return;
  // No `Connection: close`: Node would close the socket as soon as the response is out, unread data and all.
  res.writeHead(413, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: `Payload too large: webhook bodies are at most ${maxBytes} bytes` }));
}

/** The body as text, or undefined when it was over the cap (413 sent) or the request failed. */
export function readBoundedBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<string | undefined> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    refuse(req, res, maxBytes);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = (value: string | undefined) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        chunks.length = 0;
        done(undefined);
        refuse(req, res, maxBytes);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(Buffer.concat(chunks, total).toString("utf8"));
    const onError = () => {
      req.destroy();
      done(undefined);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

export interface WebhookBoundOptions {
  maxBytes?: number;
  /** Also receive webhooks with a POST to `/` (what Probot's manifest flow registers). Default true. */
  acceptRoot?: boolean;
}

/** Wraps `probot.getNodeMiddleware` so that its webhook endpoint is bounded (and answers at `/`). */
export function boundWebhooks(probot: Probot, options: WebhookBoundOptions = {}): void {
  if (installed.has(probot)) return;
  installed.add(probot);
  const maxBytes = options.maxBytes ?? MAX_WEBHOOK_BYTES;
  const original = probot.getNodeMiddleware.bind(probot);
  probot.getNodeMiddleware = async (opts: Parameters<Probot["getNodeMiddleware"]>[0] = {}) => {
    const path = pathname(opts?.path || probot.webhookPath) ?? "/api/github/webhooks";
    const inner = (await original(opts)) as Middleware;
    const atRoot = options.acceptRoot !== false && path !== "/" ? ((await original({ ...opts, path: "/" })) as Middleware) : undefined;
    const bounded: Middleware = async (req, res, next) => {
      const at = pathname(req.url);
      const target = at === path ? inner : atRoot && at === "/" && req.method === "POST" ? atRoot : undefined;
      // Anything else (and a GET to the webhook path, which it refuses) goes to Probot's middleware unchanged.
      if (!target || req.method !== "POST") return inner(req, res, next);
      const body = await readBoundedBody(req, res, maxBytes);
      if (body === undefined) return true;
      (req as IncomingMessage & { body?: string }).body = body;
      return target(req, res, next);
    };
    return bounded;
  };
}
