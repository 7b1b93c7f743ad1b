// A pull request's changed files → the patches that fit a character budget, and an account of the rest.
// Deterministic: the same files and budget always give the same bytes (whatever order GitHub's pages
// arrived in), so the block stays in Anthropic's prompt cache until the pull request changes.
//
// When the patches do not fit, generated files go first (lockfiles, build output, minified, snapshots,
// files marked generated), largest first; then the largest of the rest, until what is left fits. Every
// file left out is named with its reason, up to a quarter of the budget; past that, counts per reason.
import { generatedReason, type GitAttributes } from "./generated.js";
import { escapeAttr, escapeText } from "../request/escape.js";
import { stripInvisible } from "../sanitize/index.js";
import { redactSecrets } from "../redact/secrets.js";

/** One entry of `GET /repos/{owner}/{repo}/pulls/{number}/files`. */
export interface ChangedFile {
  path: string;
  /** For renames. */
  previousPath: string | null;
  /** added, removed, modified, renamed, copied, changed, unchanged */
  status: string;
  additions: number;
  deletions: number;
  /** Absent for binary files and for files whose diff GitHub finds too large. */
  patch: string | null;
}

export interface LeftOutFile {
  path: string;
  status: string;
  additions: number;
  deletions: number;
  reason: string;
}

export interface DiffSelection {
  budgetChars: number;
  /** Rendered `<file>` blocks, by path. */
  blocks: string[];
  /** Left-out files named in the request, generated ones last, then by path. */
  listed: LeftOutFile[];
  /** Left-out files not named (the list is capped): reason → count. */
  unlisted: [string, number][];
  /** Changed files GitHub did not list at all (it lists at most 3000). */
  notFromGitHub: number;
  totalFiles: number;
}

export const DEFAULT_DIFF_BUDGET_CHARS = 30_000;
/** GitHub's REST API lists at most this many files of a pull request. */
export const GITHUB_FILE_LIST_LIMIT = 3000;
const SUMMARY_RESERVE = 240;

const OVER_BUDGET = "over the diff budget";
const NO_PATCH = "no patch from GitHub (binary, or too large to diff)";
const NO_CHANGE = "no content change";

/**
 * Patch text as the model may see it: the invisible characters a reviewer must know about (bidi controls,
 * zero-width characters, Unicode tags) shown as `⟦U+202E⟧`, other controls removed, credentials redacted,
 * and nothing that could close the element it is wrapped in.
 */
export function cleanPatch(patch: string): string {
  const revealed = patch.replace(REVEAL, (ch) => `⟦U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}⟧`);
  return neutraliseTags(redactSecrets(stripInvisible(revealed)));
}
const REVEAL = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u{E0000}-\u{E007F}]/gu;

/** Our wrapper elements, written inside untrusted text, lose their `<` (the request's one escaping boundary). */
export const neutraliseTags: (text: string) => string = escapeText;

export function renderFileBlock(file: ChangedFile, cleanedPatch: string): string {
  let attrs = `path="${escapeAttr(cleanPath(file.path))}" status="${escapeAttr(file.status)}" additions="${file.additions}" deletions="${file.deletions}"`;
  if (file.previousPath) attrs += ` previous-path="${escapeAttr(cleanPath(file.previousPath))}"`;
  return `<file ${attrs}>\n${cleanedPatch.replace(/\n+$/, "")}\n</file>`;
}

export function renderLeftOutLine(f: LeftOutFile): string {
  return `- ${cleanPath(f.path)} (${f.status}, +${f.additions} −${f.deletions}): ${f.reason}\n`;
}

function cleanPath(path: string): string {
  return neutraliseTags(stripInvisible(path)).replace(/\s*\n\s*/g, " ");
}

interface Entry {
  file: ChangedFile;
  generated: string | null;
  block: string | null;
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export function selectDiff(
  files: readonly ChangedFile[],
  options: { budgetChars: number; attributes?: GitAttributes; totalFiles?: number },
): DiffSelection {
  const budget = Math.max(0, Math.floor(options.budgetChars));
  const listCap = Math.floor(budget / 4);
  const entries: Entry[] = [...files].sort(byPath).map((file) => ({
    file,
    generated: generatedReason(file.path, file.patch, options.attributes),
    block: file.patch === null || file.patch === "" ? null : renderFileBlock(file, cleanPatch(file.patch)),
  }));

  const leftOut: (LeftOutFile & { generated: boolean })[] = [];
  const leave = (e: Entry, reason: string) => leftOut.push({ ...pick(e.file), reason, generated: e.generated !== null });
  let includedChars = 0;
  let leftOutChars = 0;
  const included = new Set<Entry>();
  for (const e of entries) {
    if (e.block === null) leave(e, e.file.additions + e.file.deletions === 0 ? NO_CHANGE : NO_PATCH);
    else {
      included.add(e);
      includedChars += e.block.length;
    }
  }
  for (const l of leftOut) leftOutChars += renderLeftOutLine(l).length;

  const used = () => includedChars + Math.min(leftOutChars, listCap) + (leftOutChars > listCap ? SUMMARY_RESERVE : 0);
  const cutOrder = [...included].sort(
    (a, b) => Number(a.generated === null) - Number(b.generated === null) || b.block!.length - a.block!.length || byPath(a.file, b.file),
  );
  for (const e of cutOrder) {
    if (used() <= budget) break;
    included.delete(e);
    includedChars -= e.block!.length;
    leave(e, e.generated ?? `${OVER_BUDGET} (${e.block!.length} characters)`);
    leftOutChars += renderLeftOutLine(leftOut[leftOut.length - 1]!).length;
  }

  // Named first: what a reviewer would miss (too large, no patch), then generated files; each by path.
  leftOut.sort((a, b) => Number(a.generated) - Number(b.generated) || byPath(a, b));
  const listed: LeftOutFile[] = [];
  const unlisted = new Map<string, number>();
  let listChars = 0;
  for (const { generated: _g, ...l } of leftOut) {
    const cost = renderLeftOutLine(l).length;
    if (unlisted.size === 0 && listChars + cost <= listCap) {
      listed.push(l);
      listChars += cost;
    } else {
      const key = l.reason.startsWith(OVER_BUDGET) ? OVER_BUDGET : l.reason;
      unlisted.set(key, (unlisted.get(key) ?? 0) + 1);
    }
  }
  const totalFiles = Math.max(options.totalFiles ?? files.length, files.length);
  return {
    budgetChars: budget,
    blocks: entries.filter((e) => included.has(e)).map((e) => e.block!),
    listed,
    unlisted: [...unlisted].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    notFromGitHub: totalFiles - files.length,
    totalFiles,
  };
}

function pick(f: ChangedFile): Omit<LeftOutFile, "reason"> {
  return { path: f.path, status: f.status, additions: f.additions, deletions: f.deletions };
}

/** The patches and the account of what was left out, as it goes into the request. */
export function renderDiff(s: DiffSelection): string {
  const parts: string[] = [];
  const leftOut = s.listed.length + s.unlisted.reduce((n, [, c]) => n + c, 0);
  parts.push(
    `Changed files: ${s.totalFiles}. Patches below: ${s.blocks.length}.` +
      (leftOut + s.notFromGitHub > 0 ? ` Left out: ${leftOut + s.notFromGitHub} (listed after the patches, with the reason).` : ""),
  );
  parts.push(...s.blocks);
  if (leftOut + s.notFromGitHub > 0) {
    let text = `<left-out budget-chars="${s.budgetChars}">\nThese changed files are not shown as patches; you cannot see their changes, so do not guess them (ask for the lines you need, or a maintainer can raise \`pull_requests.diff_budget_chars\`):\n`;
    text += s.listed.map(renderLeftOutLine).join("");
    if (s.unlisted.length > 0) {
      const counts = s.unlisted.map(([reason, n]) => `${n} ${reason}`).join("; ");
      text += `- … and ${s.unlisted.reduce((n, [, c]) => n + c, 0)} more files not named here: ${counts}\n`;
    }
    if (s.notFromGitHub > 0) text += `- … and ${s.notFromGitHub} more changed files that GitHub does not list (it lists at most ${GITHUB_FILE_LIST_LIMIT})\n`;
    parts.push(`${text}</left-out>`);
  }
  return parts.join("\n\n");
}
