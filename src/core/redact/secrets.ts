// Credential redaction for text that leaves the process: prompts (a commenter may paste a token into a
// thread), replies, logs and error messages.
//
// Every pattern runs in linear time. Each starts with a literal prefix; where that prefix could occur inside
// a run of the token's own characters, a lookbehind forbids starting there, so every run is scanned from one
// start only. Each run is followed by a lookahead that is the complement of its class (or by nothing), so a
// greedy run is never backtracked into. Label and header forms use bounded quantifiers.

interface SecretPattern {
  kind: string;
  /** `prefix` (kept) and `secret` (replaced) named groups, or the whole match is the secret. */
  regex: RegExp;
  /** Extra check on the secret, for shapes that ordinary words can take. */
  accept?: (secret: string) => boolean;
}

// Random keys mix cases and digits; package names (`sk-learn-contrib-imbalanced`) and prose do not.
const looksRandom = (secret: string): boolean => /[0-9]/.test(secret) && /[A-Z]/.test(secret) && /[a-z]/.test(secret);

// Order matters: more specific shapes first, so an Anthropic key is not reported as an OpenAI one, and a
// private key block is gone before its base64 body could match anything else.
const PATTERNS: readonly SecretPattern[] = [
  {
    // PEM private keys (PKCS#1/#8, EC, OpenSSH, encrypted, PGP) through the END line; unterminated: to the end.
    kind: "private-key",
    regex:
      /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  {
    // https://user:password@host (also git remotes with an embedded token).
    kind: "url-credentials",
    regex: /(?<prefix>(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)(?<secret>[^\s/?#@]{1,256})@/g,
    accept: (userinfo) => userinfo.includes(":") || userinfo.length >= 20,
  },
  {
    kind: "anthropic-key",
    regex: /(?<![A-Za-z0-9])sk-ant-[a-z]{2,12}[0-9]{2}-[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])/g,
  },
  // No lookbehind: a token glued to other text (`xghp_…`) is still a token, and the `_` of the prefix is
  // outside the run's class, so runs started at different prefixes never overlap.
  { kind: "github-token", regex: /github_pat_[A-Za-z0-9_]{22,}(?![A-Za-z0-9_])/g },
  { kind: "github-token", regex: /gh[pousr]_[A-Za-z0-9]{36,}(?![A-Za-z0-9])/g },
  {
    kind: "openai-key",
    regex: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])/g,
    accept: looksRandom,
  },
  { kind: "aws-access-key-id", regex: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  {
    kind: "aws-secret-key",
    regex:
      /(?<prefix>(?<![A-Za-z0-9])aws_?secret_?access_?key["']?[ \t]{0,3}[:=][ \t]{0,3}["']?)(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
  },
  { kind: "slack-token", regex: /(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9-]{10,}(?![A-Za-z0-9-])/g },
  {
    kind: "jwt",
    regex: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*(?![A-Za-z0-9_-])/g,
  },
  {
    // `Authorization: Bearer …`, `Authorization: token …` (curl -H, HTTP dumps, JSON headers).
    kind: "authorization",
    regex:
      /(?<prefix>(?<![A-Za-z0-9-])(?:proxy-)?authorization["']?[ \t]{0,3}[:=][ \t]{0,3}["']?(?:bearer|basic|token|digest|bot|apikey)[ \t]{1,3})(?<secret>[A-Za-z0-9._~+/=-]{8,})/gi,
  },
  {
    kind: "api-key",
    regex:
      /(?<prefix>(?<![A-Za-z0-9-])(?:x-api-key|api-key|x-auth-token)["']?[ \t]{0,3}[:=][ \t]{0,3}["']?)(?<secret>[A-Za-z0-9._~+/=-]{8,})/gi,
  },
  {
    // Old 40-hex OAuth tokens look exactly like commit SHAs: only when labelled as a token.
    kind: "token",
    regex:
      /(?<prefix>(?<![A-Za-z0-9])(?:[A-Za-z]{1,20}[_-])?token["']?[ \t]{0,3}[:=][ \t]{0,3}["']?)(?<secret>[0-9a-fA-F]{40})(?![0-9A-Za-z])/gi,
  },
];

/** Replaces credentials that appear in `text` with `[REDACTED:<kind>]`. Never throws. */
export function redactSecrets(text: string): string {
  let out = String(text);
  for (const { kind, regex, accept } of PATTERNS) {
    out = out.replace(regex, (match: string, ...rest: unknown[]) => {
      // With named groups, the replacer's last argument is the groups object.
      const last = rest[rest.length - 1];
      const groups = typeof last === "object" && last !== null ? (last as { prefix?: string; secret?: string }) : {};
      const prefix = groups.prefix ?? "";
      const secret = groups.secret ?? match.slice(prefix.length);
      if (accept && !accept(secret)) return match;
      return `${prefix}[REDACTED:${kind}]${match.slice(prefix.length + secret.length)}`;
    });
  }
  return out;
}

/** Values shorter than this are not redacted: they would match ordinary text. */
const MIN_KNOWN_SECRET_LENGTH = 8;

/**
 * Replaces each exact occurrence of the app's own secret values (API key, webhook secret, private key) with
 * `[REDACTED]`. A multi-line value (a PEM key) is also matched with `\r\n` or `\n` line endings and with
 * escaped `\n` (as env files and JSON carry it). For logs and error messages.
 */
export function redactKnownSecrets(text: string, secrets: readonly string[]): string {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string") continue;
    for (const variant of secretVariants(secret)) {
      if (variant.length >= MIN_KNOWN_SECRET_LENGTH) variants.add(variant);
    }
  }
  // Longest first, so a value that contains another is replaced whole.
  let out = String(text);
  for (const variant of [...variants].sort((a, b) => b.length - a.length)) {
    if (out.includes(variant)) out = out.split(variant).join("[REDACTED]");
  }
  return out;
}

function secretVariants(secret: string): string[] {
  const trimmed = secret.trim();
  // One canonical form with real `\n` line endings, whichever way the value was configured.
  const lf = (/[\r\n]/.test(trimmed) ? trimmed : trimmed.replace(/\\r\\n|\\n/g, "\n")).replace(/\r\n?/g, "\n");
  const variants = [secret, trimmed, lf];
  if (lf.includes("\n")) {
    variants.push(
      lf.replace(/\n/g, "\r\n"),
      lf.replace(/\n/g, "\\n"),
      lf.replace(/\n/g, "\\r\\n"),
      JSON.stringify(lf).slice(1, -1),
    );
  }
  return variants;
}
