import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { looksLikeSecretValue, redactKnownSecrets, redactSecrets } from "../../src/core/redact/secrets.js";

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

  it("redacts an unterminated PEM block through its body, and nothing after it", () => {
    expect(redactSecrets(`log:\n-----BEGIN PRIVATE KEY-----\n${pemBody}\n(truncated`)).toBe("log:\n[REDACTED:private-key]\n(truncated");
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
      "-----BEGIN PRIVATE KEY-----\nAAAA",
      "\nAAAAAAAA",
      "\\nAAAAAAAA",
      "> AAAAAAAA\n",
      "Proc-Type: 4,ENCRYPTED\n",
      "hf_",
      "glpat-",
      "AccountKey=",
      "SG.aaaaaaaaaaaaaaaaaaaa.",
      "+https://",
      "https://hooks.slack.com/services/T",
      "ghp_\u200B",
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

  it("follows a changed list of secrets, call after call (what is looked for is kept only for the same values)", () => {
    const other = "Zq9-" + base62(30).split("").reverse().join("");
    const text = `a ${webhookSecret} b ${other}`;
    expect(redactKnownSecrets(text, [webhookSecret])).toBe(`a [REDACTED] b ${other}`);
    expect(redactKnownSecrets(text, [other])).toBe(`a ${webhookSecret} b [REDACTED]`);
    const list = [webhookSecret];
    expect(redactKnownSecrets(text, list)).toBe(`a [REDACTED] b ${other}`);
    list.push(other); // the same array, changed in place
    expect(redactKnownSecrets(text, list)).toBe("a [REDACTED] b [REDACTED]");
    expect(redactKnownSecrets(text, [])).toBe(text);
  });

  it("prefers the longest value when one contains another", () => {
    const short = "abcdefgh12-k";
    expect(redactKnownSecrets(`x ${short}XYZ0000 y ${short}`, [short, `${short}XYZ0000`])).toBe("x [REDACTED] y [REDACTED]");
  });
});

// Shapes from secretlint's recommended preset and gitleaks (see src/core/redact/secrets.ts), each planted
// in the sentence an answer or a comment would carry it in.
describe("redactSecrets: the maintained rule set's shapes", () => {
  const npm = "npm" + "_" + base62(36, 19);
  const glpat = "glpat" + "-" + base62(20, 23);
  const google = "AIza" + "Sy" + base62(33, 29);
  const stripe = "sk" + "_live_" + base62(24, 31);
  const stripeRestricted = "rk" + "_live_" + base62(24, 37);
  const sendgrid = "SG" + "." + base62(22, 41) + "." + base62(43, 43);
  const huggingface = "hf" + "_" + base62(34, 47).replace(/[0-9]/g, "q");
  const slackHook = "https://hooks.slack.com/services/" + "T0" + base62(8, 53) + "/B0" + base62(8, 59) + "/" + base62(24, 61);
  const discordHook = "https://discord.com/api/webhooks/" + "123456789012345678/" + base62(68, 67);
  const azure = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + base62(86, 71) + "==;EndpointSuffix=core.windows.net";
  const ghoToken = "gho" + "_" + base62(36, 73);
  const ghuToken = "ghu" + "_" + base62(36, 79);
  const ghrToken = "ghr" + "_" + base62(76, 83);
  it.each([
    ["npm token", `//registry.npmjs.org/:_authToken=${npm}`, npm],
    ["GitLab token", `GITLAB_TOKEN=${glpat}`, glpat],
    ["Google API key", `key=${google}&q=x`, google],
    ["Stripe secret key", `STRIPE_KEY=${stripe}`, stripe],
    ["Stripe restricted key", `use ${stripeRestricted} here`, stripeRestricted],
    ["SendGrid key", `SENDGRID_API_KEY=${sendgrid}`, sendgrid],
    ["Hugging Face token", `HF_TOKEN=${huggingface}`, huggingface],
    ["Slack webhook URL", `post to ${slackHook} please`, slackHook],
    ["Discord webhook URL", `post to ${discordHook} please`, discordHook],
    ["Azure AccountKey", azure, azure.slice(azure.indexOf("AccountKey=") + 11, azure.indexOf(";EndpointSuffix"))],
    ["GitHub OAuth token", `t=${ghoToken}`, ghoToken],
    ["GitHub user-to-server token", `t=${ghuToken}`, ghuToken],
    ["GitHub refresh token", `t=${ghrToken}`, ghrToken],
    ["URL credentials on an added diff line", "+  url: https://deploy:" + "pw-Hunter22" + "@git.example.com/x.git", "pw-Hunter22"],
    ["URL credentials on a removed diff line", "-https://deploy:" + "pw-Hunter22" + "@git.example.com/x.git", "pw-Hunter22"],
    ["database URL", "DATABASE_URL=postgres://app:" + "s3cretPw" + "@db:5432/app", "s3cretPw"],
  ])("redacts a %s", (_kind, input, secret) => {
    const out = redactSecrets(input);
    expect(out).not.toContain(secret);
    expect(out).toContain("[REDACTED:");
  });

  it("keeps what surrounds a match: the Azure connection string's other fields, the URL's host", () => {
    expect(redactSecrets(azure)).toBe("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[REDACTED:azure-key];EndpointSuffix=core.windows.net");
    expect(redactSecrets("+https://deploy:pw@git.example.com/x")).toBe("+https://[REDACTED:url-credentials]@git.example.com/x");
  });

  it("redacts a token split by invisible characters, and keeps the text around it byte for byte", () => {
    const split = ghp.slice(0, 10) + "\u200B" + ghp.slice(10, 20) + "\u2060\uFEFF" + ghp.slice(20);
    const text = `Here\u200B: ${split} (done)\u200D`;
    expect(redactSecrets(text)).toBe("Here\u200B: [REDACTED:github-token] (done)\u200D");
    const anthropicSplit = anthropic.replace("api03", "api\u200C03");
    expect(redactSecrets(`key ${anthropicSplit}.`)).toBe("key [REDACTED:anthropic-key].");
  });

  it("a private key needs a key: a bare BEGIN line, or one followed by prose, is left alone", () => {
    const bare = "-----BEGIN OPENSSH PRIVATE KEY-----";
    const answers = [
      `An OpenSSH key file starts with\n\n\`\`\`\n${bare}\n\`\`\`\n\nand the rest is base64. Keep it out of the repo.`,
      `${bare}\nis the first line of the file; then comes the body.`,
      `${bare}\n\nThat header means the file is a private key.`,
      `${bare}\nExample\n-----\nMore text`,
    ];
    for (const answer of answers) expect(redactSecrets(answer)).toBe(answer);
  });

  it("a redacted private key never takes the text after it", () => {
    const text = `Leaked:\n${pem("OPENSSH ")}\n\nRotate it now.\n\n<!-- threadbot:context\nversion: 1\n-->`;
    expect(redactSecrets(text)).toBe("Leaked:\n[REDACTED:private-key]\n\nRotate it now.\n\n<!-- threadbot:context\nversion: 1\n-->");
    const truncated = `-----BEGIN RSA PRIVATE KEY-----\n${pemBody}\n\nRotate it.`;
    expect(redactSecrets(truncated)).toBe("[REDACTED:private-key]\n\nRotate it.");
    const encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF\n\n" + pemBody + "\n-----END RSA PRIVATE KEY-----\nafter";
    expect(redactSecrets(encrypted)).toBe("[REDACTED:private-key]\nafter");
  });

  it("is idempotent, never throws, and leaves any text without a credential shape as it was", () => {
    const fragment = fc.constantFrom(
      "ghp_", "sk-", "sk-ant-", "npm_", "glpat-", "AIza", "sk_live_", "SG.", "hf_", "https://", "+https://a:b@", "AccountKey=",
      "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "\n", "\\n", " ", "AAAA", "a", "Z9", "=", "@", ":", "/", "\u200B",
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 200 }), (parts) => {
        const text = parts.join("");
        const once = redactSecrets(text);
        expect(redactSecrets(once)).toBe(once);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 1000) },
    );
  });
});

describe("configured secrets: only values that look like secrets are replaced", () => {
  it("a weak configured value is not erased from answers", () => {
    expect(redactKnownSecrets("Run it in development mode.", ["development"])).toBe("Run it in development mode.");
    expect(redactKnownSecrets("the developmentserver starts", ["developmentserver"])).toBe("the developmentserver starts");
    expect(redactKnownSecrets("aaaaaaaaaaaaaaaaaaaaaaaaa", ["aaaaaaaaaaaaaaaaaaaaaaaaa"])).toBe("aaaaaaaaaaaaaaaaaaaaaaaaa");
  });

  it("a strong one still is", () => {
    expect(redactKnownSecrets("x test-webhook-secret y", ["test-webhook-secret"])).toBe("x [REDACTED] y");
    expect(looksLikeSecretValue("sk-ant-test-key-0000000000")).toBe(true);
    expect(looksLikeSecretValue("dev-hook-2026")).toBe(true);
    expect(looksLikeSecretValue("development")).toBe(false);
  });
});
