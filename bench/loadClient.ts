// Child process of the intake benchmark: signs every webhook body before the clock starts, then fires
// them with autocannon at the server named in BENCH_LOAD (JSON). Runs apart from the server so that the
// load generator does not share the server's event loop. Prints one JSON line.
import autocannon from "autocannon";
import { issueCommentCreated } from "../test/helpers/payloads.js";
import { signBody } from "./appServer.js";

interface LoadSpec {
  url: string;
  /** "comment": not a mention (a pool of 200 distinct bodies, reused); "mention": every body unique. */
  kind: "comment" | "mention";
  amount: number;
  warmup: number;
  connections: number;
  /** Distinguishes comment ids between loads sent to the same server. */
  idBase: number;
}

const spec = JSON.parse(process.env.BENCH_LOAD ?? "{}") as LoadSpec;

interface Prepared {
  body: Buffer;
  signature: string;
}

function prepare(count: number, offset: number): Prepared[] {
  const template = issueCommentCreated("placeholder", { login: "alice", association: "OWNER" });
  const out: Prepared[] = [];
  for (let i = 0; i < count; i++) {
    const id = spec.idBase + offset + i;
    template.comment.id = id;
    template.comment.node_id = `IC_bench_${id}`;
    template.issue.number = 1 + (i % 100);
    template.comment.body =
      spec.kind === "mention"
        ? `@claude could you look at why \`widgets build\` fails on an empty config? (request ${id})`
        : `Thanks, that fixed it for me. I also checked the \`--strict\` flag on run ${id}.`;
    const text = JSON.stringify(template);
    out.push({ body: Buffer.from(text), signature: signBody(text) });
  }
  return out;
}

async function fire(pool: Prepared[], amount: number, tag: string) {
  let next = 0;
  return autocannon({
    url: `${spec.url}/api/github/webhooks`,
    connections: spec.connections,
    amount,
    timeout: 30,
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "issue_comment" },
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const n = next++;
          const p = pool[n % pool.length]!;
          return {
            ...request,
            body: p.body,
            headers: { ...(request.headers ?? {}), "x-hub-signature-256": p.signature, "x-github-delivery": `${tag}-${n}` },
          };
        },
      },
    ],
  });
}

// autocannon builds one request per connection before it starts: keep a margin so mentions stay unique.
const margin = spec.connections * 2;
const poolSize = spec.kind === "mention" ? spec.amount + margin : 200;
const warm = prepare(spec.kind === "mention" ? spec.warmup + margin : 200, 0);
const pool = prepare(poolSize, 10_000_000);
await fire(warm, spec.warmup, `warm-${spec.idBase}`);
const result = await fire(pool, spec.amount, `load-${spec.idBase}`);
const ok = result["2xx"];
console.log(
  JSON.stringify({
    kind: spec.kind,
    requests: ok + result.non2xx,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: result.duration,
    perSecond: ok / result.duration,
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    bodyBytes: pool[0]!.body.length,
  }),
);
