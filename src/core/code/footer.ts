// The code part of the reply footer: which commit the answer is grounded in, the sources, and what
// limited it. Lines for the reply footer's `<details>` (src/core/reply/compose.ts). Pure.
import type { CodeRef } from "./citations.js";

export interface CodeFooterFacts {
  ref: CodeRef;
  /** checkCitations(...).sources: files cited or read. */
  sources: readonly string[];
  /** Tool rounds run (ToolLoopResult.rounds with calls). */
  toolRounds: number;
  searchLimited: boolean;
  /** The snapshot or listing is incomplete (over the caps). */
  listingTruncated: boolean;
  /** "api" when the answer used the API fallback instead of a snapshot. */
  sourceKind: "snapshot" | "api";
  /** checkCitations(...).invalid */
  invalidLinks: number;
  endedBy?: "end_turn" | "max_rounds" | "budget" | "max_tokens" | "other";
}

const MAX_LISTED = 8;

/** A path as a markdown link label and target that the path's characters cannot break. */
function sourceLink(ref: CodeRef, path: string): string {
  const label = path.replace(/[`\r\n]/g, "");
  // encodeURIComponent leaves ( ) ! ' * alone; a `)` would end the link destination.
  const target = path
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/[()!'*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join("/");
  return `[\`${label}\`](https://${ref.host}/${ref.owner}/${ref.repo}/blob/${ref.sha}/${target})`;
}

export function renderCodeFooterLines(facts: CodeFooterFacts): string[] {
  const short = facts.ref.sha.slice(0, 7);
  const commit = `[\`${short}\`](https://${facts.ref.host}/${facts.ref.owner}/${facts.ref.repo}/tree/${facts.ref.sha})`;
  const listed = facts.sources.slice(0, MAX_LISTED).map((p) => sourceLink(facts.ref, p));
  const more = facts.sources.length > MAX_LISTED ? ` and ${facts.sources.length - MAX_LISTED} more` : "";
  const lines = [
    `Code at ${commit}${facts.toolRounds > 0 ? ` · ${facts.toolRounds} tool round${facts.toolRounds === 1 ? "" : "s"}` : ""}${listed.length ? ` · sources: ${listed.join(", ")}${more}` : ""}`,
  ];
  const limits: string[] = [];
  if (facts.sourceKind === "api") limits.push("the repository is over the snapshot size limit, so files were read through the API");
  if (facts.searchLimited) limits.push("search was limited");
  else if (facts.listingTruncated) limits.push("some files were over the size limits and not visible");
  if (facts.endedBy === "max_rounds") limits.push("the tool-round limit was reached");
  if (facts.endedBy === "budget") limits.push("the tool-output budget was reached");
  if (facts.endedBy === "max_tokens") limits.push("the answer was cut at the output limit");
  if (facts.invalidLinks > 0) limits.push(`${facts.invalidLinks} link${facts.invalidLinks === 1 ? "" : "s"} could not be verified`);
  if (limits.length) lines.push(`Limits: ${limits.join("; ")}.`);
  return lines;
}
