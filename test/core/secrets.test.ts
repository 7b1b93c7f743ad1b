import { describe, expect, it } from "vitest";
import { redactKnownSecrets, redactSecrets } from "../../src/core/redact/secrets.js";

// Fake credentials are assembled from pieces so this file does not itself look like a leak.
const base62 = (n: number, seed = 7): string => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[(i * seed + 3) % alphabet.length];
  return out;
};
const ghp = "ghp" + "_" + base62(36);
const ghs = "ghs" + "_" + base62(36, 11);
const fineGrained = "github" + "_pat_" + "11ABCDEFG0" + base62(12) + "_" + base62(59, 13);
const anthropic = "sk-" + "ant-" + "api03-" + base62(93, 5).replace(/a/g, "-") + "AA";
const anthropicAdmin = "sk-" + "ant-" + "admin01-" + base62(80, 3);
const openai = "sk-" + "proj-" + base62(48, 17);
const openaiLegacy = "sk-" + base62(20) + "T3Blbk" + "FJ" + base62(20, 9);
const awsId = "AKIA" + "IOSFODNN7" + "EXAMPLE";
const awsSession = "ASIA" + "Y34FZKBOKMUTVV7A";
const awsSecret = "wJalrXUtnFEMI" + "/K7MDENG/bPxRfiCY" + "EXAMPLEKEY";
const slack = "xoxb" + "-" + "123456789012-1234567890123-" + base62(24);
const jwt = ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvZSJ9", "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"].join(".");
const hex40 = "f".repeat(8) + "0123456789abcdef".repeat(2);
const pemBody = ["MIIEowIBAAKCAQEA" + base62(48), base62(64, 11), base62(20, 13) + "=="].join("\n");
const pem = (label: string, body = pemBody): string =>
  `-----BEGIN ${label}PRIVATE KEY-----\n${body}\n-----END ${label}PRIVATE KEY-----`;

describe("redactSecrets", () => {
  it.each([
    ["classic GitHub token", `my token is ${ghp}, oops`, "my token is [REDACTED:github-token], oops"],
    ["GitHub app installation token", `GITHUB_TOKEN=${ghs}`, "GITHUB_TOKEN=[REDACTED:github-token]"],
    ["fine-grained GitHub token", `export GH_TOKEN="${fineGrained}"`, 'export GH_TOKEN="[REDACTED:github-token]"'],
    ["Anthropic API key", `ANTHROPIC_API_KEY=${anthropic}`, "ANTHROPIC_API_KEY=[REDACTED:anthropic-key]"],
    ["Anthropic admin key", `key: ${anthropicAdmin}\n`, "key: [REDACTED:anthropic-key]\n"],
    ["OpenAI project key", `OPENAI_API_KEY=${openai}`, "OPENAI_API_KEY=[REDACTED:openai-key]"],
    ["OpenAI legacy key", `"${openaiLegacy}"`, '"[REDACTED:openai-key]"'],
    ["AWS access key id", `aws_access_key_id = ${awsId}`, "aws_access_key_id = [REDACTED:aws-access-key-id]"],
    ["AWS session key id", `id=${awsSession};`, "id=[REDACTED:aws-access-key-id];"],
    ["AWS secret key (labelled)", `aws_secret_access_key = ${awsSecret}`, "aws_secret_access_key = [REDACTED:aws-secret-key]"],
    ["Slack token", `SLACK_BOT_TOKEN: ${slack}`, "SLACK_BOT_TOKEN: [REDACTED:slack-token]"],
    ["JWT", `cookie: session=${jwt}; Path=/`, "cookie: session=[REDACTED:jwt]; Path=/"],
    [
      "Authorization header",
      `curl -H "Authorization: Bearer abc123.def456-ghi" https://api.example.com`,
      `curl -H "Authorization: Bearer [REDACTED:authorization]" https://api.example.com`,
    ],
    ["token header", "authorization: token 0123456789abcdefXYZ", "authorization: token [REDACTED:authorization]"],
    ["x-api-key header", "x-api-key: some-opaque-value-123", "x-api-key: [REDACTED:api-key]"],
    ["labelled 40-hex token", `token: ${hex40}`, "token: [REDACTED:token]"],
    ["labelled 40-hex env var", `GITHUB_TOKEN=${hex40}`, "GITHUB_TOKEN=[REDACTED:token]"],
    [
      "URL with credentials",
      `git clone https://x-access-token:${"s3cr3t" + "value"}@github.com/o/r.git`,
      "git clone https://[REDACTED:url-credentials]@github.com/o/r.git",
    ],
    ["URL with credentials (other scheme)", "redis://default:hunter22@cache:6379/0", "redis://[REDACTED:url-credentials]@cache:6379/0"],
  ])("redacts a %s", (_kind, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it("redacts PEM private keys of every flavour through the END line", () => {
    for (const label of ["", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED ", "DSA "]) {
      expect(redactSecrets(`before\n${pem(label)}\nafter`)).toBe("before\n[REDACTED:private-key]\nafter");
    }
    const pgp = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQdGBF\n-----END PGP PRIVATE KEY BLOCK-----";
    expect(redactSecrets(pgp)).toBe("[REDACTED:private-key]");
  });

  it("redacts a PEM key with escaped newlines (env files, JSON)", () => {
    const escaped = pem("RSA ").replace(/\n/g, "\\n");
    expect(redactSecrets(`PRIVATE_KEY="${escaped}"`)).toBe('PRIVATE_KEY="[REDACTED:private-key]"');
  });

  it("redacts an unterminated PEM block to the end of the text", () => {
    expect(redactSecrets(`log:\n-----BEGIN PRIVATE KEY-----\n${pemBody}\n(truncated`)).toBe("log:\n[REDACTED:private-key]");
  });

  it("redacts a token glued to surrounding text", () => {
    expect(redactSecrets(`x${ghp}y`)).not.toContain(ghp);
  });

  it("redacts several secrets in one text", () => {
    const out = redactSecrets(`${ghp} and ${anthropic} and ${awsId}`);
    expect(out).toBe("[REDACTED:github-token] and [REDACTED:anthropic-key] and [REDACTED:aws-access-key-id]");
  });

  it("leaves ordinary prose and code alone", () => {
    const benign = [
      "We use sk-learn and sk-learn-contrib-imbalanced for the model; see task-runner-configuration-files.",
      "Fixed in commit 0123456789abcdef0123456789abcdef01234567 (merge 89abcdef0123).",
      "uuid: 123e4567-e89b-12d3-a456-426614174000",
      "Bearer tokens are described in RFC 6750; the header is `Authorization: Bearer <token>`.",
      "Clone with git@github.com:o/r.git or https://user@example.com/repo and ssh://git@host/x.",
      "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----",
      "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----",
      "![img](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)",
      "```\nconst key = process.env.ANTHROPIC_API_KEY; // sk-ant-...\n```",
      "ghp_short and github_pat_ and AKIA and xoxb- and eyJhbGciOi",
      "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "aws_secret_access_key = YOUR_SECRET_HERE",
    ].join("\n\n");
    expect(redactSecrets(benign)).toBe(benign);
  });

  it("never throws on odd input", () => {
    for (const input of ["", "\uD800", "-----BEGIN", "https://:@", "Authorization:", "sk-", "eyJ.eyJ."]) {
      expect(typeof redactSecrets(input)).toBe("string");
    }
  });

  it("completes on 1 MB adversarial inputs (linear-time patterns)", () => {
    const megabyte = (unit: string): string => unit.repeat(Math.ceil((1 << 20) / unit.length));
    const units = [
      "a",
      "ghp_",
      "sk-",
      "sk-ant-api03-",
      "eyJ",
      "eyJaaaaa.",
      "eyJaaaaa.eyJaaaaa.",
      "-----BEGIN ",
      "-----BEGIN PRIVATE KEY-----",
      "a://",
      "https://a:b",
      "Authorization: Bearer ",
      "token: ",
      "x-api-key: ",
      "aws_secret_access_key=",
      "xoxb-",
      "AKIA",
      "github_pat_",
      "0123456789abcdef",
    ];
    for (const unit of units) expect(typeof redactSecrets(megabyte(unit))).toBe("string");
  });
});

describe("redactKnownSecrets", () => {
  const webhookSecret = "whsec-" + base62(24);
  const apiKey = anthropic;
  const privateKey = pem("RSA ") + "\n";

  it("replaces exact occurrences of configured values", () => {
    const text = `webhook ${webhookSecret} failed with key ${apiKey}; again ${webhookSecret}`;
    expect(redactKnownSecrets(text, [webhookSecret, apiKey])).toBe("webhook [REDACTED] failed with key [REDACTED]; again [REDACTED]");
  });

  it("ignores values shorter than 8 characters and empty lists", () => {
    expect(redactKnownSecrets("the secret is abc and 1234567", ["abc", "1234567", ""])).toBe(
      "the secret is abc and 1234567",
    );
    expect(redactKnownSecrets("unchanged", [])).toBe("unchanged");
  });

  it("matches a PEM key with LF, CRLF, escaped \\n and JSON-escaped line endings", () => {
    const lf = privateKey.trim();
    const variants = [lf, lf.replace(/\n/g, "\r\n"), lf.replace(/\n/g, "\\n"), JSON.stringify(lf).slice(1, -1)];
    for (const variant of variants) {
      expect(redactKnownSecrets(`error: ${variant} end`, [privateKey])).toBe("error: [REDACTED] end");
    }
  });

  it("matches a PEM key configured with escaped newlines (env file form)", () => {
    const configured = privateKey.trim().replace(/\n/g, "\\n");
    expect(redactKnownSecrets(`dump ${privateKey.trim()} end`, [configured])).toBe("dump [REDACTED] end");
  });

  it("prefers the longest value when one contains another", () => {
    const short = "abcdefgh12";
    expect(redactKnownSecrets(`x ${short}XYZ0000 y ${short}`, [short, `${short}XYZ0000`])).toBe("x [REDACTED] y [REDACTED]");
  });
});
