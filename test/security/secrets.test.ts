// Credentials planted everywhere a thread can hold text (title, opening post, comments, the trigger, a
// maintainer-edited context block) and in error messages (Anthropic's and GitHub's) reach neither Claude,
// nor any comment the bot posts, nor the logs. Neither does the app's own API key.
import { afterEach, describe, expect, it } from "vitest";
import { renderContextBlock } from "../../src/core/contextBlock/index.js";
import { emptyContextBlock } from "../../src/core/types.js";
import { finalState, mention, scene, type Scene } from "../reliability/support.js";

let s: Scene;
afterEach(async () => {
  await s?.h.close();
});

const GITHUB_TOKEN = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
const ANTHROPIC_KEY = "sk-ant-api03-Xy9_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7";
const PEM_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun";
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\nVRLaAT5x0iQ3Vb6RcSnVAoGBAOUdM1s1r2\n-----END RSA PRIVATE KEY-----`;
const OWN_KEY = "sk-ant-test-key-0000000000"; // the harness's ANTHROPIC_API_KEY
const PLANTED = [GITHUB_TOKEN, ANTHROPIC_KEY, PEM_BODY];

/** What the bot sent to Claude and wrote to GitHub after `since` (planted comments are older), and the logs. */
function expectNoSecretsOut(since = 0): void {
  const logs = s.h.logs.join("\n");
  const written = finalState(s).all.filter((c) => c.id > since);
  expect(written.length).toBeGreaterThan(0);
  const botOut = [JSON.stringify(s.h.anthropic.requests.map((r) => r.body)), ...written.map((c) => c.body)].join("\n");
  for (const secret of [...PLANTED, OWN_KEY]) {
    expect(botOut).not.toContain(secret);
    expect(logs).not.toContain(secret);
  }
}

describe("planted credentials", () => {
  it("in the title, the opening post, comments, the trigger and a context block: redacted before Claude", async () => {
    s = await scene();
    s.issue.title = `Importer fails with token ${GITHUB_TOKEN}`;
    s.issue.body = `My config:\n\n\`\`\`\nANTHROPIC_API_KEY=${ANTHROPIC_KEY}\n\`\`\``;
    s.h.github.addComment(s.issue, { body: `Here is the key I used:\n\n${PEM}`, author: { login: "bob", type: "User" }, association: "CONTRIBUTOR" });
    const block = { ...emptyContextBlock(), answered: ["1"], instructions: `Deploy with ${GITHUB_TOKEN}`, summary: `They shared ${ANTHROPIC_KEY}.` };
    s.h.github.addComment(s.issue, { body: `Earlier answer.\n\n${renderContextBlock(block)}`, author: { login: "threadbot", type: "Bot" }, association: "NONE" });
    const since = s.h.github.nextId();
    const id = await mention(s, `@claude is ${GITHUB_TOKEN} still valid?`);
    expect(finalState(s, id).answers).toHaveLength(1);
    const sent = JSON.stringify(s.h.anthropic.requests[0]!.body);
    expect(sent).toContain("[REDACTED:github-token]");
    expect(sent).toContain("[REDACTED:anthropic-key]");
    expect(sent).toContain("[REDACTED:private-key]");
    expectNoSecretsOut(since);
  });

  it("echoed back by Claude: the posted answer is redacted too", async () => {
    s = await scene();
    s.h.anthropic.queue.push({ kind: "answer", text: `Your token ${GITHUB_TOKEN} and key ${ANTHROPIC_KEY} look fine.` });
    const id = await mention(s, "@claude check my setup");
    expect(finalState(s, id).answers[0]!.body).toContain("[REDACTED:github-token]");
    expectNoSecretsOut();
  });
});

describe("credentials in errors", () => {
  it("an Anthropic error carrying credentials: the notice and the logs are clean", async () => {
    s = await scene();
    for (let i = 0; i < 3; i++) {
      s.h.anthropic.queue.push({ kind: "status", status: 500, message: `upstream said ${GITHUB_TOKEN} ${ANTHROPIC_KEY} ${OWN_KEY}` });
    }
    const id = await mention(s, "@claude hello");
    expect(finalState(s, id).notices).toHaveLength(1);
    expect(s.h.logs.some((l) => l.includes("could not answer a mention"))).toBe(true);
    expectNoSecretsOut();
  });

  it("Claude's API rejecting the request with credentials in its message: the notice shows it redacted", async () => {
    s = await scene();
    s.h.anthropic.queue.push({ kind: "status", status: 400, type: "invalid_request_error", message: `bad header ${OWN_KEY} / ${GITHUB_TOKEN}` });
    const id = await mention(s, "@claude hello");
    const notice = finalState(s, id).notices[0]!.body;
    expect(notice).toContain("HTTP 400");
    expect(notice).toContain("[REDACTED");
    expectNoSecretsOut();
  });

  it("a GitHub error carrying credentials: the logs are clean", async () => {
    s = await scene();
    s.h.github.faults.push({ method: "POST", path: "/graphql", status: 502, times: 5, body: { message: `proxy error for ${GITHUB_TOKEN}` } });
    await mention(s, "@claude hello");
    expect(finalState(s).notices).toHaveLength(1);
    expectNoSecretsOut();
  });
});

describe("the app's logger", () => {
  it("scrubs messages, fields, nested errors and children's bindings", async () => {
    const { pino } = await import("pino");
    const { redactingLogger, registerSecrets } = await import("../../src/observe/logRedaction.js");
    registerSecrets(["own-secret-value-123"]);
    const lines: string[] = [];
    const log = redactingLogger(pino({ level: "debug" }, { write: (l: string) => void lines.push(l) }));
    const cause = Object.assign(new Error(`inner ${ANTHROPIC_KEY}`), { headers: { "x-api-key": "own-secret-value-123" } });
    const error = Object.assign(new Error(`outer ${GITHUB_TOKEN}`, { cause }), { status: 500, response: { data: PEM } });
    log.child({ token: GITHUB_TOKEN }).error({ err: error, note: [`key ${ANTHROPIC_KEY}`] }, `failed with own-secret-value-123`);
    const out = lines.join("\n");
    for (const secret of [...PLANTED, "own-secret-value-123"]) expect(out).not.toContain(secret);
    expect(out).toContain("[REDACTED:github-token]");
    expect(out).toContain('"type":"Error"');
    expect(out).toContain('"status":500');
  });
});
