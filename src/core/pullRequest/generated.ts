// Which changed files of a pull request are generated (lockfiles, build output, minified bundles,
// snapshots, files marked generated): their patches are the first cut when a diff is over budget. Pure.
//
// `.gitattributes` is read from the pull request's *base* branch only: a pull request (a fork's, say)
// could otherwise mark its own files `linguist-generated` to keep them out of the model's sight.
import picomatch from "picomatch";

const LOCKFILES = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "bun.lockb",
  "deno.lock",
  "cargo.lock",
  "gemfile.lock",
  "poetry.lock",
  "pipfile.lock",
  "uv.lock",
  "pdm.lock",
  "composer.lock",
  "go.sum",
  "mix.lock",
  "pubspec.lock",
  "podfile.lock",
  "package.resolved",
  "packages.lock.json",
  "flake.lock",
  "gradle.lockfile",
  "paket.lock",
]);

const BUILD_DIRS = new Set(["dist", "build", "out", ".next", ".nuxt", "coverage", "node_modules", "vendor", "__generated__"]);

/** The reason a path is generated, or null. `patch` (when GitHub sent one) is looked at for markers. */
export function generatedReason(path: string, patch: string | null, attributes: GitAttributes = NO_ATTRIBUTES): string | null {
  const lower = path.toLowerCase();
  const segments = lower.split("/");
  const base = segments[segments.length - 1] ?? lower;
  const marked = attributes.generated(path);
  if (marked === false) return null; // `-linguist-generated`: the maintainers say it is source
  if (marked === true) return "marked generated in .gitattributes";
  if (LOCKFILES.has(base)) return "lockfile";
  if (segments.slice(0, -1).some((s) => BUILD_DIRS.has(s))) return "build output or vendored";
  if (/\.min\.(js|mjs|cjs|css)$/.test(base) || /\.(js|css)\.map$/.test(base)) return "minified";
  if (base.endsWith(".snap") || segments.includes("__snapshots__")) return "snapshot";
  if (/\.(pb\.go|g\.dart|generated\.\w+|designer\.cs)$/.test(base) || /_pb2(_grpc)?\.pyi?$/.test(base)) return "generated";
  if (patch !== null && hasGeneratedMarker(patch)) return "marked generated in the file";
  if (patch !== null && looksMinified(patch)) return "minified";
  return null;
}

/** `@generated`, or "Code generated … DO NOT EDIT" (Go), near the top of the file. */
function hasGeneratedMarker(patch: string): boolean {
  const header = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(patch);
  if (header === null || Number(header[1]) > 1) return false; // the file's first lines are not in the patch
  const head = patch.split("\n", 12).join("\n");
  return /@generated\b/.test(head) || /\bgenerated\b[^\n]*\bdo not (edit|modify)\b/i.test(head);
}

/** Added lines averaging over 300 characters: a bundle, not something a human wrote. */
function looksMinified(patch: string): boolean {
  let chars = 0;
  let lines = 0;
  for (const line of patch.split("\n")) {
    if (!line.startsWith("+")) continue;
    chars += line.length;
    lines++;
  }
  return lines > 0 && chars > 2_000 && chars / lines > 300;
}

export interface GitAttributes {
  /** true: `linguist-generated` set; false: unset (`-linguist-generated`, `=false`); null: not mentioned. */
  generated(path: string): boolean | null;
}

const NO_ATTRIBUTES: GitAttributes = { generated: () => null };

/** The `linguist-generated` rules of a `.gitattributes` file (the last matching line wins, as in git). */
export function parseGitAttributes(text: string | null): GitAttributes {
  const generated = linguistAttribute(text, "linguist-generated");
  return generated === null ? NO_ATTRIBUTES : { generated };
}

/**
 * One boolean attribute's rules in a `.gitattributes` file (`linguist-generated`, `linguist-vendored`), as
 * a lookup: true when set, false when unset (`-attr`, `attr=false`), null when not mentioned or reset
 * (`!attr`); the last matching line wins, as in git. null when the file never names the attribute.
 */
export function linguistAttribute(text: string | null, name: string): ((path: string) => boolean | null) | null {
  if (text === null || text.trim() === "") return null;
  const rules: { matches: (path: string) => boolean; value: boolean | null }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [pattern, ...attrs] = line.split(/\s+/);
    if (pattern === undefined || pattern.startsWith("!") || pattern.startsWith('"')) continue;
    for (const attr of attrs) {
      const value = attributeValue(attr, name);
      if (value !== undefined) rules.push({ matches: gitattributesMatcher(pattern), value });
    }
  }
  if (rules.length === 0) return null;
  return (path) => {
    for (let i = rules.length - 1; i >= 0; i--) if (rules[i]!.matches(path)) return rules[i]!.value;
    return null;
  };
}

function attributeValue(attr: string, name: string): boolean | null | undefined {
  if (attr === name || attr === `${name}=true`) return true;
  if (attr === `-${name}` || attr === `${name}=false`) return false;
  if (attr === `!${name}`) return null;
  return undefined;
}

/**
 * A gitattributes pattern as a matcher (picomatch, git's wildmatch rules): a pattern without a slash
 * matches the name at any depth; one with a leading or middle slash matches from the root; `**` spans
 * directories; `[!a]` is a negated class. A pattern picomatch cannot compile (`[z-a]`) matches nothing:
 * a bad line in a repository's file must not stop an answer.
 */
export function gitattributesMatcher(pattern: string): (path: string) => boolean {
  const hasSlash = pattern.replace(/\/$/, "").includes("/");
  try {
    return picomatch(pattern.replace(/^\//, ""), { dot: true, posix: true, basename: !hasSlash });
  } catch {
    return () => false;
  }
}
