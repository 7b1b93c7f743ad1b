// Credential redaction for text that leaves the process: prompts (a commenter may paste a token into a
// thread), replies, logs and error messages.
//
// Every pattern runs in linear time. Each starts with a literal prefix; where that prefix could occur inside
// a run of the token's own characters, a lookbehind forbids starting there, so every run is scanned from one
// start only. Each run is followed by a lookahead that is the complement of its class (or by nothing), so a
// greedy run is never backtracked into. Label and header forms use bounded quantifiers.
import { LRUCache } from "lru-cache";

interface SecretPattern {
  kind: string;
  /** `prefix` (kept) and `secret` (replaced) named groups, or the whole match is the secret. */
  regex: RegExp;
  /** Extra check on the secret (and the match's named groups), for shapes that ordinary text can take. */
  accept?: (secret: string, groups: Record<string, string | undefined>) => boolean;
  /** What a match may end with that is not part of the secret (kept in the text). */
  trimEnd?: RegExp;
}

// Random keys mix cases and digits; package names (`sk-learn-contrib-imbalanced`) and prose do not.
const looksRandom = (secret: string): boolean => /[0-9]/.test(secret) && /[A-Z]/.test(secret) && /[a-z]/.test(secret);

// A PEM private key needs a key: the BEGIN line, then lines of base64 (or the armor headers of encrypted
// PEM and PGP blocks), then the END line. Without the END line (a truncated paste) the body must hold at
// least a key's worth of base64. A BEGIN line that an answer shows on its own, or followed by prose, is not
// a key, and the match can never run past the block. Lines may be separated by escaped `\n` (env files,
// JSON) and carry a quote or indentation prefix (a pasted key in a quote or an indented block).
const PEM_SEPARATOR = String.raw`(?:\r?\n|\\(?:r\\)?n)[ \t>]{0,8}`;
const PEM_HEADER = String.raw`(?:Proc-Type|DEK-Info|Version|Comment|Hash|Charset): [^\r\n\\]{0,200}`;
const PEM_LINE = String.raw`(?:${PEM_HEADER}|[A-Za-z0-9+/=]{0,4096})`;
const PEM_LABEL = String.raw`[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----`;
const PRIVATE_KEY = new RegExp(
  String.raw`-----BEGIN${PEM_LABEL}(?<body>(?:${PEM_SEPARATOR}${PEM_LINE}(?=\r?\n|\\(?:r\\)?n|$)){1,2000})(?<end>${PEM_SEPARATOR}-----END${PEM_LABEL})?`,
  "g",
);
const PEM_NOT_BODY = new RegExp(String.raw`${PEM_HEADER}|[^A-Za-z0-9+/=]`, "g");
const MIN_UNTERMINATED_KEY_BODY = 60;

// The credential shapes. Sources: the rules of secretlint's recommended preset
// (@secretlint/secretlint-rule-preset-recommend 12.x: -privatekey, -github, -gitlab, -npm, -slack, -sendgrid,
// -huggingface, -anthropic, -openai, -aws, -basicauth, -database-connection-string, -shopify, -linear,
// -1password), and for shapes that preset does not cover, gitleaks' rules of the same names (gcp-api-key,
// stripe-access-token, discord-webhook, azure storage account keys). Ported rather than depended on: their
// runtime reports findings, this replaces them, and every pattern here must be linear-time (see the top).
// Order matters: more specific shapes first, so an Anthropic key is not reported as an OpenAI one, and a
// private key block is matched before its base64 body could match anything else.
const PATTERNS: readonly SecretPattern[] = [
  {
    kind: "private-key",
    regex: PRIVATE_KEY,
    accept: (_secret, groups) => {
      const body = (groups.body ?? "").replace(PEM_NOT_BODY, "");
      return groups.end !== undefined ? body.length > 0 : body.length >= MIN_UNTERMINATED_KEY_BODY;
    },
    // An unterminated block's match may end with the blank line after the body.
    trimEnd: /(?:\r?\n|\\(?:r\\)?n|[ \t>])+$/,
  },
  {
    // Incoming-webhook URLs are credentials by themselves (secretlint-rule-slack; gitleaks discord-webhook).
    kind: "webhook-url",
    regex: /https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9]{1,40}\/B[A-Za-z0-9]{1,40}\/[A-Za-z0-9]{1,40}(?![A-Za-z0-9])/gi,
  },
  {
    kind: "webhook-url",
    regex: /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/[0-9]{5,30}\/[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])/gi,
  },
  {
    // https://user:password@host (also git remotes with an embedded token, database URLs). The scheme may
    // follow any non-word character, `+` and `-` included: a line of a diff (`+https://deploy:pw@…`).
    kind: "url-credentials",
    regex: /(?<prefix>(?<![A-Za-z0-9.])[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)(?<secret>[^\s/?#@]{1,256})@/g,
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
  { kind: "gitlab-token", regex: /(?<![A-Za-z0-9])gl(?:pat|dt|ptt|rt|cbt|imt|agent|oas|ft|soat)-[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])/g },
  { kind: "npm-token", regex: /(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36,}(?![A-Za-z0-9_])/g },
  { kind: "huggingface-token", regex: /(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}(?![A-Za-z0-9])/g, accept: (token) => /[A-Z]/.test(token) && /[a-z]/.test(token.slice(3)) },
  { kind: "google-api-key", regex: /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { kind: "stripe-key", regex: /(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test|prod)_[0-9A-Za-z]{10,}(?![0-9A-Za-z])/g },
  { kind: "sendgrid-key", regex: /(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])/g },
  { kind: "shopify-token", regex: /(?<![A-Za-z0-9])shp(?:pa|ca|at|ss)_[A-Za-z0-9]{32,}(?![A-Za-z0-9])/g },
  { kind: "linear-key", regex: /(?<![A-Za-z0-9])lin_api_[A-Za-z0-9]{32,}(?![A-Za-z0-9_])/g },
  { kind: "1password-token", regex: /(?<![A-Za-z0-9])ops_ey[A-Za-z0-9+/]{100,}={0,2}(?![A-Za-z0-9+/=])/g },
  {
    // Azure storage connection strings: `AccountKey=<base64>` (also `SharedAccessKey=` of Service Bus).
    kind: "azure-key",
    regex: /(?<prefix>(?<![A-Za-z0-9])(?:AccountKey|SharedAccessKey)=)(?<secret>[A-Za-z0-9+/]{20,}={0,2})(?![A-Za-z0-9+/=])/g,
  },
  {
    kind: "openai-key",
    regex: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])/g,
    accept: looksRandom,
  },
  { kind: "aws-access-key-id", regex: /(?<![A-Za-z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  {
    kind: "aws-secret-key",
    regex:
      /(?<prefix>(?<![A-Za-z0-9])aws_?secret_?access_?key["']?[ \t]{0,3}[:=][ \t]{0,3}["']?)(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
  },
  { kind: "slack-token", regex: /(?<![A-Za-z0-9])(?:xox[baprso]|xapp)-[A-Za-z0-9-]{10,}(?![A-Za-z0-9-])/g },
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
    // `_authToken=` lines of .npmrc (secretlint-rule-npm).
    kind: "npm-token",
    regex: /(?<prefix>_authToken=)(?<secret>[A-Za-z0-9._~+/=-]{8,})/g,
  },
  {
    // Old 40-hex OAuth tokens look exactly like commit SHAs: only when labelled as a token.
    kind: "token",
    regex:
      /(?<prefix>(?<![A-Za-z0-9])(?:[A-Za-z]{1,20}[_-])?token["']?[ \t]{0,3}[:=][ \t]{0,3}["']?)(?<secret>[0-9a-fA-F]{40})(?![0-9A-Za-z])/gi,
  },
];

/** The kinds of credential `redactSecrets` recognises (for documentation and tests). */
export const SECRET_KINDS: readonly string[] = [...new Set(PATTERNS.map((p) => p.kind))];

// Code points that render as nothing: a token split by them (`ghp_\u200B…`) reads as the token to a model
// and to anyone who copies it. Matching runs on the text without them; a match is mapped back and replaces
// the whole original range, the invisible characters inside it included.
const INVISIBLE =
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\u{E0000}-\u{E0FFF}]/gu;

const HAS_INVISIBLE = new RegExp(INVISIBLE.source, "u");

interface Found {
  start: number;
  end: number;
  text: string;
}

/** Replaces credentials that appear in `text` with `[REDACTED:<kind>]`. Never throws. */
// Log lines and request texts repeat the same short strings (messages, thread keys, ids) many times a
// second; redaction is pure, so short strings are remembered (bounded by count, least recently used out).
const SHORT = 512;
const shortResults = new LRUCache<string, string>({ max: 4096 });

export function redactSecrets(text: string): string {
  const input = String(text);
  if (input.length > SHORT) return redactUncached(input);
  const hit = shortResults.get(input);
  if (hit !== undefined) return hit;
  const out = redactUncached(input);
  shortResults.set(input, out);
  return out;
}

function redactUncached(original: string): string {
  // The text without invisible characters and, for each of its indices, the index in the original.
  let visible = original;
  let toOriginal: number[] | null = null;
  if (HAS_INVISIBLE.test(original)) {
    toOriginal = [];
    visible = "";
    let at = 0;
    for (const m of original.matchAll(INVISIBLE)) {
      for (let i = at; i < m.index; i++) toOriginal.push(i);
      visible += original.slice(at, m.index);
      at = m.index + m[0].length;
    }
    for (let i = at; i < original.length; i++) toOriginal.push(i);
    visible += original.slice(at);
  }

  // Earlier patterns win: a later match overlapping an earlier one is dropped. Matches are sorted, so the
  // overlap check is a binary search.
  const found: Found[] = [];
  for (const { kind, regex, accept, trimEnd } of PATTERNS) {
    const mine: Found[] = [];
    for (const m of visible.matchAll(regex)) {
      const groups = (m.groups ?? {}) as Record<string, string | undefined>;
      const prefix = groups.prefix ?? "";
      let secret = groups.secret ?? m[0].slice(prefix.length);
      if (trimEnd) secret = secret.replace(trimEnd, "");
      if (accept && !accept(secret, groups)) continue;
      const start = m.index + prefix.length;
      const end = start + secret.length;
      if (!overlaps(found, start, end)) mine.push({ start, end, text: `[REDACTED:${kind}]` });
    }
    if (mine.length > 0) {
      found.push(...mine);
      found.sort((a, b) => a.start - b.start);
    }
  }
  if (found.length === 0) return original;
  const map = (i: number) => (toOriginal ? toOriginal[i]! : i);
  let out = "";
  let at = 0;
  for (const f of found) {
    // A match ends just after its last visible character: invisible characters after it are kept.
    out += original.slice(at, map(f.start)) + f.text;
    at = map(f.end - 1) + 1;
  }
  return out + original.slice(at);
}

function overlaps(sorted: readonly Found[], start: number, end: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  const next = sorted[lo];
  return next !== undefined && next.start < end;
}

/** Configured values shorter than this are not redacted: they would match ordinary text. */
const MIN_KNOWN_SECRET_LENGTH = 12;

/**
 * A configured value is replaced only where it looks like a secret, so a weak one (`WEBHOOK_SECRET=development`)
 * does not erase a word from every answer and log: at least 12 characters, not mostly one repeated character
 * (entropy ≥ 2.5 bits per character), and under 24 characters it must mix two of lower case, upper case,
 * digits and symbols (`developmentserver` is a word; `dev-hook-2026` is a value).
 */
export function looksLikeSecretValue(value: string): boolean {
  if (value.length < MIN_KNOWN_SECRET_LENGTH) return false;
  if (entropyPerChar(value) < 2.5) return false;
  if (value.length >= 24) return true;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((c) => c.test(value)).length;
  return classes >= 2;
}

function entropyPerChar(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Replaces each exact occurrence of the app's own secret values (API key, webhook secret, private key) that
 * looks like a secret (`looksLikeSecretValue`) with `[REDACTED]`. A multi-line value (a PEM key) is also matched with `\r\n` or `\n` line endings and with
 * escaped `\n` (as env files and JSON carry it). For logs and error messages.
 */
export function redactKnownSecrets(text: string, secrets: readonly string[]): string {
  let out = String(text);
  for (const variant of knownSecretVariants(secrets)) {
    if (out.includes(variant)) out = out.split(variant).join("[REDACTED]");
  }
  return out;
}

// The variants to look for depend only on the secrets, which a process rarely changes, while the logs
// redact every string of every line: a PEM private key's seven variants cost an entropy count of about
// 1.7 KB each, which made logging the largest cost of a webhook under a burst. The last list's variants
// are kept and reused while the same values are asked for.
let lastSecrets: readonly string[] = [];
let lastVariants: readonly string[] = [];

function knownSecretVariants(secrets: readonly string[]): readonly string[] {
  if (secrets.length === lastSecrets.length && secrets.every((s, i) => s === lastSecrets[i])) return lastVariants;
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string") continue;
    for (const variant of secretVariants(secret)) {
      if (looksLikeSecretValue(variant)) variants.add(variant);
    }
  }
  // Longest first, so a value that contains another is replaced whole.
  lastVariants = [...variants].sort((a, b) => b.length - a.length);
  lastSecrets = [...secrets];
  return lastVariants;
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
