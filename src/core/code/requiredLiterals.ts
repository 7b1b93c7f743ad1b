// Substrings every match of a regular expression must contain, so a search can skip a file with `indexOf`
// before running RE2 over it (pure-JS RE2 scans ~10× slower than a substring search). Conservative: when in
// doubt it returns nothing, and the file is searched as before. Only text outside groups and classes, in a
// pattern without alternation or inline flags, is read; a character a quantifier makes optional or repeats
// ends the run it is in.

const META = new Set(["\\", "^", "$", ".", "|", "?", "*", "+", "(", ")", "[", "]", "{", "}"]);
/** Escapes that stand for the character itself (`\.` is a dot); other escapes are classes or assertions. */
const ESCAPED_LITERAL = /[\\^$.|?*+()[\]{}/\-#&~!"',:;<=>@%`]/;
const MIN_LITERAL = 3;

/** The substrings (at least 3 characters each) any match of `pattern` contains; [] when none is known. */
export function requiredLiterals(pattern: string): string[] {
  if (pattern.includes("|") || pattern.includes("(?")) return [];
  const runs: string[] = [];
  let run = "";
  const end = () => {
    if (run.length >= MIN_LITERAL) runs.push(run);
    run = "";
  };
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    let literal: string | null = null;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) return [];
      i++;
      // Escapes with arguments (`\x41`, `\p{Greek}`, octal) or quoting (`\Q…\E`): not read.
      if (/[xpPQECo0-9]/.test(next)) return [];
      if (ESCAPED_LITERAL.test(next)) literal = next;
    } else if (c === "[") {
      // Skip the class: `]` first (or after `^`) is a member, `\]` is escaped.
      let j = i + 1;
      if (pattern[j] === "^") j++;
      if (pattern[j] === "]") j++;
      while (j < pattern.length && pattern[j] !== "]") j += pattern[j] === "\\" ? 2 : 1;
      if (j >= pattern.length) return [];
      i = j;
    } else if (c === "{") {
      // A repetition's bounds (`{2}`, `{0,3}`) are not text: skip them.
      const close = pattern.indexOf("}", i);
      if (close < 0) return [];
      i = close;
    } else if (c === "(") {
      depth++;
    } else if (c === ")") {
      depth--;
    } else if (!META.has(c)) {
      literal = c;
    }
    if (literal === null || depth > 0) {
      end();
      continue;
    }
    const after = pattern[i + 1];
    if (after === "?" || after === "*" || after === "{") {
      end(); // this character may be absent (or its count is not known): the run stops before it
    } else if (after === "+") {
      run += literal;
      end(); // present at least once, but what follows may be more of it
    } else {
      run += literal;
    }
  }
  if (depth !== 0) return [];
  end();
  return runs;
}
