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

describe("redaction never cuts the bot's own reply", () => {
  it("an answer showing a bare private-key header is posted whole, with footer and block; retry adds no second answer", async () => {
    s = await scene();
    const answer = [
      "An OpenSSH private key file always starts with this line:",
      "",
      "-----BEGIN OPENSSH PRIVATE KEY-----",
      "",
      "If you see it in a repository, rotate the key. The rest of the file is base64.",
    ].join("\n");
    s.h.anthropic.queue.push({ kind: "answer", text: answer });
    const first = await mention(s, "@claude what does a private key file look like?");
    const answers = finalState(s, first).answers;
    expect(answers).toHaveLength(1);
    const body = answers[0]!.body;
    expect(body).toContain("If you see it in a repository, rotate the key. The rest of the file is base64.");
    expect(body).toContain("-----BEGIN OPENSSH PRIVATE KEY-----");
    expect(body).toContain("<!-- threadbot:footer -->");
    expect(body).toContain("<!-- threadbot:context");
    expect(body).not.toContain("[REDACTED");

    const retry = await mention(s, "@claude retry");
    expect(finalState(s, first).answers).toHaveLength(1); // still only the first reply lists it
    const retried = finalState(s, retry).answers;
    expect(retried).toHaveLength(1);
    expect(retried[0]!.id).not.toBe(answers[0]!.id);
  });

  it("a real key in the answer is redacted inside the answer only: the text after it, footer and block stay", async () => {
    s = await scene();
    s.h.anthropic.queue.push({ kind: "answer", text: `The key you pasted:\n\n${PEM}\n\nRotate it today.` });
    const id = await mention(s, "@claude is this key safe to share?");
    const body = finalState(s, id).answers[0]!.body;
    expect(body).toContain("[REDACTED:private-key]");
    expect(body).toContain("Rotate it today.");
    expect(body).toContain("<!-- threadbot:context");
    expect(body).not.toContain(PEM_BODY);
  });
});

describe("credential shapes the rule set covers, echoed back by Claude", () => {
  const fake = (prefix: string, n: number, seed = 7): string => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let out = prefix;
    for (let i = 0; i < n; i++) out += alphabet[(i * seed + 5) % alphabet.length];
    return out;
  };
  const shapes = {
    npm: fake("npm" + "_", 36),
    gitlab: fake("glpat" + "-", 20, 11),
    google: fake("AIza" + "Sy", 33, 13),
    stripe: fake("sk" + "_live_", 24, 17),
    stripeRestricted: fake("rk" + "_live_", 24, 19),
    sendgrid: fake("SG" + ".", 22, 23) + fake(".", 43, 29),
    huggingface: fake("hf" + "_", 34, 31).replace(/[0-9]/g, "x"),
    slackHook: "https://hooks.slack.com/services/" + fake("T0", 8, 37) + "/" + fake("B0", 8, 41) + "/" + fake("", 24, 43),
    discordHook: "https://discord.com/api/webhooks/123456789012345678/" + fake("", 68, 47),
    azure: fake("", 86, 53) + "==",
    diffPassword: "pw-" + fake("", 12, 59),
    splitToken: GITHUB_TOKEN,
  };

  it("none reaches the posted answer, and the answer's other text does", async () => {
    s = await scene();
    const text = [
      `npm: ${shapes.npm}`,
      `GitLab: ${shapes.gitlab}`,
      `Google: ${shapes.google}`,
      `Stripe: ${shapes.stripe} and ${shapes.stripeRestricted}`,
      `SendGrid: ${shapes.sendgrid}`,
      `Hugging Face: ${shapes.huggingface}`,
      `Slack: ${shapes.slackHook}`,
      `Discord: ${shapes.discordHook}`,
      `Azure: DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${shapes.azure};EndpointSuffix=core.windows.net`,
      "```diff",
      `+  url: https://deploy:${shapes.diffPassword}@git.example.com/app.git`,
      "```",
      `Split: ${GITHUB_TOKEN.slice(0, 12)}\u200B${GITHUB_TOKEN.slice(12)}`,
      "That is all of them.",
    ].join("\n");
    s.h.anthropic.queue.push({ kind: "answer", text });
    const id = await mention(s, "@claude list the tokens in this thread");
    const body = finalState(s, id).answers[0]!.body;
    for (const secret of Object.values(shapes)) expect(body).not.toContain(secret);
    expect(body).not.toContain(GITHUB_TOKEN.slice(12));
    expect(body).toContain("That is all of them.");
    expect(body).toContain("https://[REDACTED:url-credentials]@git.example.com/app.git");
  });

  it("a weak configured secret (WEBHOOK_SECRET=development) does not erase the word from answers", async () => {
    const saved = process.env.WEBHOOK_SECRET;
    process.env.WEBHOOK_SECRET = "development";
    try {
      s = await scene();
      s.h.anthropic.queue.push({ kind: "answer", text: "Run the importer in development mode first." });
      const id = await mention(s, "@claude how do I test this?");
      expect(finalState(s, id).answers[0]!.body).toContain("Run the importer in development mode first.");
    } finally {
      if (saved === undefined) delete process.env.WEBHOOK_SECRET;
      else process.env.WEBHOOK_SECRET = saved;
    }
  });
});
