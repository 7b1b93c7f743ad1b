// Collecting edits from the tree: one walk gathers every construct that hides content, then each kind is
// turned into edits of the original string.
import type { Code, Image, ImageReference, Link, LinkReference, Nodes, Root } from "mdast";
import { parseMarkdown } from "../markdown/markdown.js";
import { cutNode, type Edit, Edits, endOf, startOf } from "./edits.js";
import { cutHiddenInRenderedCode, cutHiddenMath, mathRanges } from "./embedded.js";
import { type HtmlOccurrence, scanHtml } from "./html.js";
import { cutInvisibleReferences } from "./invisible.js";
import { dropTitleAndAlt, type FootnoteUses, inlineReference, renumberFootnotes } from "./links.js";

interface Collected extends FootnoteUses {
  source: string;
  definitions: Map<string, string>; // identifier → url of the first definition (the one that counts)
  definitionNodes: Nodes[];
  references: (LinkReference | ImageReference)[];
  html: HtmlOccurrence[];
  resources: (Link | Image)[];
  code: Code[];
  /** Inline code written as `` $`…`$ ``: GitHub renders it as math. */
  inlineMath: [number, number][];
  /** Links that render nothing: `[](url)`, `[ ](url)`. */
  emptyLinks: Nodes[];
  phrasing: { start: number; end: number; exclude: [number, number][] }[];
}

interface WalkContext {
  footnote: string | null;
  phrasing: { exclude: [number, number][] } | null;
}

export function collectEdits(source: string): Edit[] {
  const tree: Root = parseMarkdown(source);
  const found: Collected = {
    source,
    definitions: new Map(),
    definitionNodes: [],
    references: [],
    footnoteDefinitions: new Map(),
    deadFootnoteDefinitions: [],
    footnoteOrder: [],
    footnoteReferences: [],
    html: [],
    resources: [],
    code: [],
    inlineMath: [],
    emptyLinks: [],
    phrasing: [],
  };
  walk(tree, { footnote: null, phrasing: null }, found);

  const edits = new Edits(source);
  for (const node of found.definitionNodes) cutNode(edits, node);
  for (const node of found.references) inlineReference(source, edits, node, found.definitions);
  for (const node of found.resources) dropTitleAndAlt(source, edits, node);
  for (const node of found.code) dropFenceMeta(source, edits, node);
  for (const node of found.code) cutHiddenInRenderedCode(source, edits, node);
  for (const node of found.emptyLinks) cutNode(edits, node);
  for (const [start, end] of found.inlineMath) cutHiddenMath(source, start, end, edits);
  for (const root of found.phrasing) {
    for (const [start, end] of mathRanges(source, root.start, root.end, root.exclude)) cutHiddenMath(source, start, end, edits);
  }
  const rendered = renumberFootnotes(source, edits, found);
  for (const root of found.phrasing) cutInvisibleReferences(source, root.start, root.end, root.exclude, edits, true);
  scanHtml(source, found.html, rendered, edits);
  return edits.list;
}

function walk(node: Nodes, context: WalkContext, found: Collected): void {
  const start = startOf(node);
  const end = endOf(node);
  switch (node.type) {
    case "html":
      found.html.push({ node, footnote: context.footnote });
      context.phrasing?.exclude.push([start ?? 0, end ?? 0]);
      return;
    case "inlineCode":
      context.phrasing?.exclude.push([start ?? 0, end ?? 0]);
      if (start !== undefined && end !== undefined && found.source[start - 1] === "$" && found.source[end] === "$") {
        found.inlineMath.push([start, end]);
      }
      return;
    case "definition":
      if (!found.definitions.has(node.identifier)) found.definitions.set(node.identifier, node.url);
      found.definitionNodes.push(node);
      return;
    case "linkReference":
    case "imageReference":
      found.references.push(node);
      if (node.type === "imageReference") {
        context.phrasing?.exclude.push([start ?? 0, end ?? 0]);
        return;
      }
      break;
    case "image":
      found.resources.push(node);
      context.phrasing?.exclude.push([start ?? 0, end ?? 0]);
      return;
    case "link":
      // A link with no visible text renders as nothing: its destination would be text only a model sees.
      if (node.children.every((child) => child.type === "text" && child.value.trim() === "")) {
        found.emptyLinks.push(node);
        return;
      }
      if (node.title !== null && node.title !== undefined) found.resources.push(node);
      break;
    case "code":
      found.code.push(node);
      return;
    case "footnoteReference":
      if (!found.footnoteOrder.includes(node.identifier)) found.footnoteOrder.push(node.identifier);
      found.footnoteReferences.push({ node, identifier: node.identifier });
      return;
    case "footnoteDefinition": {
      if (found.footnoteDefinitions.has(node.identifier)) {
        found.deadFootnoteDefinitions.push(node);
        return;
      }
      found.footnoteDefinitions.set(node.identifier, node);
      for (const child of node.children) walk(child, { footnote: node.identifier, phrasing: null }, found);
      return;
    }
    case "paragraph":
    case "heading":
    case "tableCell":
      if (start !== undefined && end !== undefined) {
        const phrasing = { start, end, exclude: [] as [number, number][] };
        found.phrasing.push(phrasing);
        for (const child of node.children) walk(child, { ...context, phrasing }, found);
        return;
      }
      break;
    default:
      break;
  }
  if ("children" in node) for (const child of node.children) walk(child, context, found);
}

// GitHub shows a fenced block's language as highlighting only and never shows the rest of the info string.
function dropFenceMeta(source: string, edits: Edits, node: Code): void {
  const start = startOf(node);
  if (start === undefined || node.meta === null || node.meta === undefined) return;
  const lineEnd = source.indexOf("\n", start);
  const line = source.slice(start, lineEnd < 0 ? endOf(node) : lineEnd);
  const fence = /^[ \t]*(?:`{3,}|~{3,})[ \t]*\S*/.exec(line);
  if (fence) edits.cut(start + fence[0].length, start + line.length);
}
