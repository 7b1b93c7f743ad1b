// The sanitiser's fallback for text the markdown parser must not see (MarkdownTooComplexError): hidden
// constructs are removed textually and every character that could still open one is replaced by its
// full-width look-alike. Chosen over fencing the text as code, which would show the model exactly what a
// human cannot see (comments, alt text, hidden elements), and over dropping the comment, which would
// lose what a human can see. It removes more than the exact path (a literal `<` becomes `＜`), which is
// the safe side for input that is pathological to begin with. The result is a fixpoint of
// sanitizeUntrustedMarkdown: it contains none of the characters that make the sanitiser look again.

// Elements whose content GitHub or browsers never show (the exact path's list is longer; these are the
// ones that carry text).
const HIDDEN_ELEMENTS = new Set(["script", "style", "template", "noscript", "title", "rp", "textarea"]);
// Every pattern below stops at a character it cannot contain, so each scan is linear in the input.
const TAG = /<[A-Za-z/!?][^<>]*>/g;
const DEFINITION_LINE = /^ {0,3}\[[^\]\n]+\]:[^\n]*(?:\n|$)/gm;
const LINK_TITLE = /\]\([ \t]*([^\s()]*)[ \t\n]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\))[ \t]*\)/g;

export function plainTextFallback(text: string): string {
  let out = removeTags(removeComments(text));
  out = removeImageAlt(out.replace(DEFINITION_LINE, "")).replace(LINK_TITLE, "]($1)");
  out = out.replace(/</g, "\uFF1C").replace(/&/g, "\uFF06").replace(/\[/g, "\uFF3B").replace(/\]/g, "\uFF3D");
  return out.split("\n").map(dropFenceMeta).join("\n");
}

/** Tags go; a hidden element (by name or `hidden` attribute) goes with its content, unclosed: to the end. */
function removeTags(text: string): string {
  const lower = text.toLowerCase();
  let out = "";
  let at = 0;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(text); m !== null; m = TAG.exec(text)) {
    out += text.slice(at, m.index);
    at = m.index + m[0].length;
    const name = /^<([A-Za-z][A-Za-z0-9-]*)/.exec(m[0])?.[1]?.toLowerCase();
    if (name === undefined || !(HIDDEN_ELEMENTS.has(name) || /\shidden(?=[\s=/>]|$)/i.test(m[0]))) continue;
    const close = lower.indexOf(`</${name}`, at);
    if (close < 0) return out;
    const gt = text.indexOf(">", close);
    at = gt < 0 ? text.length : gt + 1;
    TAG.lastIndex = at;
  }
  return out + text.slice(at);
}

/** `![alt]` → `!`: alt text is not shown. Brackets are matched within each line, in one pass. */
function removeImageAlt(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      if (!line.includes("![")) return line;
      const closeOf = new Map<number, number>();
      const open: number[] = [];
      for (let i = 0; i < line.length; i++) {
        if (line[i] === "[") open.push(i);
        else if (line[i] === "]" && open.length > 0) closeOf.set(open.pop()!, i);
      }
      let out = "";
      for (let i = 0; i < line.length; i++) {
        const close = line[i] === "!" ? closeOf.get(i + 1) : undefined;
        out += line[i];
        if (close !== undefined) i = close;
      }
      return out;
    })
    .join("\n");
}

/** `<!-- … -->` (or `--!>`); an unterminated comment hides the rest of the page, so the rest goes. */
function removeComments(text: string): string {
  let out = "";
  let at = 0;
  for (let open = text.indexOf("<!--"); open >= 0; open = text.indexOf("<!--", at)) {
    out += text.slice(at, open);
    const a = text.indexOf("-->", open + 4);
    const b = text.indexOf("--!>", open + 4);
    const close = a < 0 ? (b < 0 ? -1 : b + 4) : b < 0 || a < b ? a + 3 : b + 4;
    if (close < 0) return out;
    at = close;
  }
  return out + text.slice(at);
}

/** The info string of a fence shows only its first word; the rest of the line is hidden. */
function dropFenceMeta(line: string): string {
  const backticks = line.indexOf("```");
  const tildes = line.indexOf("~~~");
  const at = backticks < 0 ? tildes : tildes < 0 ? backticks : Math.min(backticks, tildes);
  if (at < 0) return line;
  const run = /^[`~]+[ \t]*/.exec(line.slice(at))![0];
  const info = line.slice(at + run.length);
  if (!/\S[ \t]+\S/.test(info)) return line;
  return line.slice(0, at) + run + (info.split(/[ \t]/)[0] ?? "");
}
