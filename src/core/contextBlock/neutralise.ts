// Neutralising model output: no marker of ours survives in it, and nothing it leaves open swallows our block.
import { isTooComplex } from "../markdown/markdown.js";
import { emptyContextBlock } from "../types.js";
import { topLevel, type Located } from "./locate.js";
import { renderContextBlock } from "./render.js";

/**
 * Makes Claude's text safe to post above our footer and block: no marker of ours survives in it, and no
 * construct it leaves open (a fence, an HTML comment, `<pre>`...) can swallow what we append after a
 * blank line. The result is meant to be followed by "\n\n" and then the footer or block.
 */
export function neutraliseContextBlocks(text: string): string {
  // A word joiner inside `threadbot:` breaks every marker (they must match exactly) and stays invisible
  // wherever the text lands: prose, code, or HTML.
  return closeOpenBlocks(text.replace(/threadbot(?=:)/gi, (word) => `${word}\u200D`));
}

let probe: string | undefined;

/**
 * Only a top-level fenced code block or an HTML block of types 1-5 (`<script|pre|style|textarea`,
 * `<!--`, `<?`, `<!X`, `<![CDATA[`) continues past a blank line, so only those can swallow a block
 * appended after one. Ask the parser whether something does, and close it.
 */
function closeOpenBlocks(text: string): string {
  probe ??= renderContextBlock(emptyContextBlock());
  let out = text;
  for (let attempt = 0; attempt < 4; attempt++) {
    let swallower: Located | null | undefined;
    try {
      swallower = findSwallower(out, probe);
    } catch (error) {
      if (!isTooComplex(error)) throw error;
      break; // unparseable: escape everything that could open a swallowing construct (below)
    }
    if (swallower === undefined) return out;
    const closer = swallower === null ? null : closerFor(swallower, out);
    if (closer === null) break;
    out += `\n${closer}`;
  }
  // Not expected to happen: escape every character that can open such a construct.
  return out.replace(/</g, "&lt;").replace(/`/g, "&#96;").replace(/~/g, "&#126;");
}

/** undefined: nothing swallows the probe; null: something does, but not a node we know how to close. */
function findSwallower(text: string, probeText: string): Located | null | undefined {
  const probeStart = text.length + 2;
  const nodes = topLevel(`${text}\n\n${probeText}`);
  const last = nodes.at(-1);
  if (last?.node.type === "html" && last.node.value === probeText && last.start === probeStart) return undefined;
  return nodes.find(({ start, end }) => start < probeStart && end > probeStart) ?? null;
}

function closerFor({ node, start }: Located, text: string): string | null {
  if (node.type === "code") {
    const fence = /^[ \t]*(`{3,}|~{3,})/.exec(text.slice(start));
    return fence?.[1] ?? null;
  }
  if (node.type !== "html") return null;
  const opening = node.value.trimStart();
  if (opening.startsWith("<!--")) return "-->";
  if (opening.startsWith("<?")) return "?>";
  if (opening.startsWith("<![CDATA[")) return "]]>";
  if (/^<![A-Za-z]/.test(opening)) return ">";
  const raw = /^<(script|pre|style|textarea)(?=[\s>]|$)/i.exec(opening);
  return raw ? `</${(raw[1] as string).toLowerCase()}>` : null;
}
