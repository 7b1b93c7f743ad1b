// Hidden channels inside content GitHub renders as something other than text: math (MathJax), mermaid
// diagrams and geojson/topojson maps. Their source reaches a model byte for byte while the page shows a
// formula, a diagram or a map, so what the rendering never shows is cut:
// - math: `\phantom`-family commands with their argument, and text coloured invisible (white, black or
//   transparent, or near them: one of the two GitHub themes shows it as nothing) by `\color`,
//   `\textcolor`, `\mathcolor`, `\fcolorbox`, and `\style`/`\class`/`\cssId` (CSS can hide anything);
// - mermaid: `%%` comments and directives, `accTitle`/`accDescr` (accessibility text, not drawn);
// - geojson/topojson: every member that is not geometry (`properties`, `id`, foreign members): the
//   block is rewritten with the structural members only, so the same map renders.
// Every scan here is one pass over its range (brace matching included).
import type { Code } from "mdast";
import { type Edits, endOf, startOf } from "./edits.js";

/** Cheap check for the sanitiser's fast path: false only when nothing here can apply. */
export function mayHaveEmbeddedHidden(text: string): boolean {
  if (text.includes("\\") && MATH_COMMAND_HINT.test(text)) return true;
  return /(?:`{3,}|~{3,})[ \t]*(?:mermaid|geojson|topojson)/i.test(text);
}

const MATH_COMMAND_HINT = /\\(?:[hv]?phantom|smash|color|textcolor|mathcolor|fcolorbox|style|class|cssId)(?![A-Za-z])/;
const MATH_COMMAND = /\\([hv]?phantom|color|textcolor|mathcolor|fcolorbox|style|class|cssId)(?![A-Za-z])/g;

// Colours one of GitHub's themes renders as (close to) its background.
const INVISIBLE_COLOR_NAMES = new Set([
  "white", "black", "transparent", "none", "snow", "ivory", "ghostwhite", "whitesmoke", "floralwhite", "seashell", "mintcream", "aliceblue", "honeydew", "azure",
]);

export function invisibleColor(spec: string): boolean {
  const color = spec.trim().toLowerCase().replace(/\s+/g, "");
  if (INVISIBLE_COLOR_NAMES.has(color)) return true;
  const hex = /^#?([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(color)?.[1];
  if (hex !== undefined) {
    const full = hex.length === 3 ? hex.replace(/./g, "$&$&") : hex;
    if (full.length === 8 && parseInt(full.slice(6, 8), 16) < 64) return true;
    return extremeLuminance(parseInt(full.slice(0, 2), 16), parseInt(full.slice(2, 4), 16), parseInt(full.slice(4, 6), 16));
  }
  const rgb = /^rgba?\((\d+),(\d+),(\d+)(?:,([\d.]+))?\)$/.exec(color);
  if (rgb) {
    if (rgb[4] !== undefined && Number(rgb[4]) < 0.25) return true;
    return extremeLuminance(Number(rgb[1]), Number(rgb[2]), Number(rgb[3]));
  }
  // `\color[rgb]{1,1,1}` and `[gray]{1}` forms arrive as "model:values" (see below).
  const model = /^(rgb|gray|rgba):([\d.,]+)$/.exec(color);
  if (model) {
    const values = model[2]!.split(",").map(Number);
    if (model[1] === "gray") return values[0]! >= 0.9 || values[0]! <= 0.1;
    return extremeLuminance(values[0]! * 255, (values[1] ?? 0) * 255, (values[2] ?? 0) * 255);
  }
  return false;
}

function extremeLuminance(r: number, g: number, b: number): boolean {
  const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  return luminance >= 0.9 || luminance <= 0.1;
}

/** The end (exclusive) of a `{…}` group opening at `open`, or -1 when it is not closed before `limit`. */
function groupEnd(text: string, open: number, limit: number): number {
  let depth = 0;
  for (let i = open; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x7b /* { */) depth++;
    else if (c === 0x7d /* } */ && --depth === 0) return i + 1;
  }
  return -1;
}

function skipSpaces(text: string, i: number, limit: number): number {
  while (i < limit && (text[i] === " " || text[i] === "\t" || text[i] === "\n")) i++;
  return i;
}

/** A command argument at `i`: a `{…}` group, else one character (or control word). End index, or -1. */
function argumentEnd(text: string, i: number, limit: number): number {
  const at = skipSpaces(text, i, limit);
  if (at >= limit) return -1;
  if (text[at] === "{") return groupEnd(text, at, limit);
  if (text[at] === "\\") {
    let j = at + 1;
    while (j < limit && /[A-Za-z]/.test(text[j]!)) j++;
    return Math.max(j, at + 2);
  }
  return at + 1;
}

/** The end of the group enclosing `i` (before its `}`), or `limit`. */
function enclosingGroupEnd(text: string, i: number, limit: number): number {
  let depth = 0;
  for (let j = i; j < limit; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d) {
      if (depth === 0) return j;
      depth--;
    }
  }
  return limit;
}

/** Cuts what a math range `[from, to)` of `source` never shows. */
export function cutHiddenMath(source: string, from: number, to: number, edits: Edits): void {
  const slice = source.slice(from, to);
  if (!slice.includes("\\")) return;
  for (const m of slice.matchAll(MATH_COMMAND)) {
    const start = from + m.index;
    const name = m[1]!;
    const after = start + m[0].length;
    if (name.endsWith("phantom")) {
      const end = argumentEnd(source, after, to);
      edits.cut(start, end < 0 ? to : end);
      continue;
    }
    if (name === "style" || name === "class" || name === "cssId") {
      const first = argumentEnd(source, after, to);
      const second = first < 0 ? -1 : argumentEnd(source, first, to);
      edits.cut(start, second < 0 ? to : second);
      continue;
    }
    // Colour commands: `\color[model]{spec}`, `\textcolor{spec}{text}`, `\fcolorbox{frame}{back}{text}`.
    let i = skipSpaces(source, after, to);
    let model = "";
    if (source[i] === "[") {
      const close = source.indexOf("]", i);
      if (close < 0 || close >= to) continue;
      model = source.slice(i + 1, close).trim().toLowerCase();
      i = close + 1;
    }
    const specEnd = argumentEnd(source, i, to);
    if (specEnd < 0) continue;
    const specStart = skipSpaces(source, i, to);
    const raw = source.slice(specStart, specEnd).replace(/^\{|\}$/g, "");
    const spec = model === "" || model === "html" ? raw : `${model}:${raw}`;
    if (name === "fcolorbox") {
      // The frame is drawn; the text is hidden when its own colour is (a `\color` inside) — handled there.
      continue;
    }
    if (!invisibleColor(spec)) continue;
    if (name === "textcolor" || name === "mathcolor") {
      const end = argumentEnd(source, specEnd, to);
      edits.cut(start, end < 0 ? to : end);
    } else {
      // `\color` switches the colour for the rest of its group (MathJax also reads `\color{c}{x}`: the
      // `{x}` is inside that rest).
      edits.cut(start, enclosingGroupEnd(source, specEnd, to));
    }
  }
}

/**
 * The math ranges of a phrasing range: `$…$` and `$$…$$` (not backslash-escaped, not in code), and the
 * `$`…`$` form. Pairs are taken left to right, as GitHub does.
 */
export function mathRanges(source: string, from: number, to: number, exclude: readonly [number, number][]): [number, number][] {
  const ranges: [number, number][] = [];
  let open: { at: number; length: number } | null = null;
  for (let i = source.indexOf("$", from); i >= 0 && i < to; i = source.indexOf("$", i + 1)) {
    if (exclude.some(([s, e]) => i >= s && i < e)) continue;
    let backslashes = 0;
    while (i - backslashes - 1 >= from && source.charCodeAt(i - backslashes - 1) === 0x5c) backslashes++;
    if (backslashes % 2 === 1) continue;
    const length = source[i + 1] === "$" ? 2 : 1;
    if (open === null) open = { at: i, length };
    else {
      ranges.push([open.at + open.length, i]);
      open = null;
    }
    i += length - 1;
  }
  // An unclosed `$` opens no math; but a `\phantom` after it is then shown as text, so nothing to cut.
  return ranges;
}

/** Code blocks GitHub renders: math, mermaid, geojson/topojson. */
export function cutHiddenInRenderedCode(source: string, edits: Edits, node: Code): void {
  const start = startOf(node);
  const end = endOf(node);
  const lang = node.lang?.toLowerCase();
  if (start === undefined || end === undefined || lang === undefined) return;
  if (lang === "math") cutHiddenMath(source, start, end, edits);
  else if (lang === "mermaid") cutMermaidHidden(source, start, end, edits);
  else if (lang === "geojson" || lang === "topojson") rewriteGeometry(source, start, end, edits, node);
}

// `%%` to the end of the line (comments, `%%{init: …}%%` directives), and accessibility text.
function cutMermaidHidden(source: string, start: number, end: number, edits: Edits): void {
  const firstLineEnd = source.indexOf("\n", start);
  if (firstLineEnd < 0 || firstLineEnd >= end) return;
  for (let lineStart = firstLineEnd + 1; lineStart < end; ) {
    let lineEnd = source.indexOf("\n", lineStart);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    const line = source.slice(lineStart, lineEnd);
    const comment = line.indexOf("%%");
    const access = /^[ \t>]*(accTitle|accDescr)\b/.exec(line);
    if (access) {
      if (/^[ \t>]*accDescr\s*\{/.test(line) && !line.includes("}")) {
        // Multi-line description: through the line with the closing brace.
        const close = source.indexOf("}", lineEnd);
        const stop = close < 0 || close >= end ? end : close + 1;
        edits.cut(lineStart + access[0].length - access[1]!.length, stop);
        lineStart = stop;
        continue;
      }
      edits.cut(lineStart + access[0].length - access[1]!.length, lineEnd);
    } else if (comment >= 0) edits.cut(lineStart + comment, lineEnd);
    lineStart = lineEnd + 1;
  }
}

const GEOMETRY_MEMBERS = new Set(["type", "features", "geometry", "geometries", "coordinates", "bbox", "arcs", "objects", "transform", "scale", "translate"]);

function geometryOnly(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => geometryOnly(v, key));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // Under `objects` (topojson) the keys are names of layers, not members.
    if (key === "objects" || GEOMETRY_MEMBERS.has(k)) out[k] = geometryOnly(v, k);
  }
  // A feature without properties is not valid GeoJSON: keep the member, empty.
  if (out.type === "Feature") out.properties = null;
  return out;
}

// The map is drawn from the geometry alone; everything else (properties, ids, foreign members) is text
// only the source shows. Rewritten as compact JSON of the geometry; a block that does not parse is not
// rendered as a map, and GitHub shows its source, so it stays as it is.
function rewriteGeometry(source: string, start: number, end: number, edits: Edits, node: Code): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(node.value);
  } catch {
    return;
  }
  const json = JSON.stringify(geometryOnly(parsed), null, 1);
  if (json === node.value) return;
  const firstLineEnd = source.indexOf("\n", start);
  const fence = /^[ \t]*(`{3,}|~{3,})/.exec(source.slice(start, firstLineEnd < 0 ? end : firstLineEnd))?.[1];
  const nested = (node.position?.start.column ?? 1) !== 1 || fence === undefined;
  // Inside a quote or list item the lines carry prefixes that a rewrite would have to repeat: drop the map.
  if (nested) {
    edits.cut(start, end);
    return;
  }
  edits.replace(start, end, `${fence}${node.lang}\n${json}\n${fence}`);
}
