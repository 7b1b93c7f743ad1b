// Invisible code points, and character references that decode to them (`&#8203;`, `&zwj;`, `&#xE0049;`).
import type { Edits } from "./edits.js";

// Code points that render as nothing (or nothing a reader notices) but reach a model. The list is the
// brief's (zero-width, bidi controls, Tags block, variation selectors, soft hyphen, C0/C1 controls) plus the
// rest of Unicode's Default_Ignorable_Code_Point set (Hangul fillers, Mongolian free variation selectors,
// combining grapheme joiner, musical/shorthand format controls, interlinear annotation), spelled out rather
// than `\p{DI}` so the output does not change with the Node version's Unicode tables.
// ZWJ (U+200D) and the variation selectors are removed too, although emoji sequences use them: without them
// a family emoji shows as its members and ❤️ as ❤, which loses nothing a reader needs, while keeping them
// would leave a channel open (zero-width binary encodings use ZWJ/ZWNJ; "ASCII smuggling" uses selectors).
const INVISIBLE_RANGES =
  "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F" + // C0 except \t \n (\r is normalised), C1
  "\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F" +
  "\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0\\uFFF0-\\uFFFB" +
  "\\u{1BCA0}-\\u{1BCA3}\\u{1D173}-\\u{1D17A}\\u{E0000}-\\u{E0FFF}"; // E0000–E007F Tags, E0100–E01EF VS 17–256

// With the `u` flag a surrogate range matches only lone surrogates: paired ones form one code point.
const INVISIBLE = new RegExp(`\\r\\n?|[\\uD800-\\uDFFF]|[${INVISIBLE_RANGES}]`, "gu");
const HAS_INVISIBLE = new RegExp(`[\\r\\uD800-\\uDFFF${INVISIBLE_RANGES}]`, "u");
const INVISIBLE_CODE_POINT = new RegExp(`^[${INVISIBLE_RANGES}]$`, "u");

/**
 * Removes code points that hide content from a human reader but reach a model, turns lone surrogates into
 * U+FFFD and normalises line endings to `\n`. One pass, so a removal can never join a surrogate pair or a
 * `\r\n` out of its neighbours, and the result is a fixpoint.
 */
export function stripInvisible(text: string): string {
  if (!HAS_INVISIBLE.test(text)) return text;
  return text.replace(INVISIBLE, (match) => {
    if (match.charCodeAt(0) === 0x0d) return "\n";
    if (match.length === 1 && (match.charCodeAt(0) & 0xf800) === 0xd800) return "\uFFFD";
    return "";
  });
}

const CHARACTER_REFERENCE = /&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9]{0,31}));/g;

const INVISIBLE_NAMED_REFERENCES = new Set([
  "shy",
  "zwnj",
  "zwj",
  "lrm",
  "rlm",
  "ZeroWidthSpace",
  "NegativeVeryThinSpace",
  "NegativeThinSpace",
  "NegativeMediumSpace",
  "NegativeThickSpace",
  "NoBreak",
  "ApplyFunction",
  "af",
  "InvisibleTimes",
  "it",
  "InvisibleComma",
  "ic",
]);

function decodesInvisible(hex: string | undefined, decimal: string | undefined, name: string | undefined): boolean {
  if (name !== undefined) return INVISIBLE_NAMED_REFERENCES.has(name);
  const codePoint = hex !== undefined ? parseInt(hex, 16) : parseInt(decimal ?? "", 10);
  // Renderers differ on controls and out-of-range values (U+FFFD or the raw control); both are cut.
  if (!(codePoint > 0) || codePoint > 0x10ffff) return false;
  if (codePoint === 0x09 || codePoint === 0x0a || codePoint === 0x0d) return false;
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) return true;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return false;
  return INVISIBLE_CODE_POINT.test(String.fromCodePoint(codePoint));
}

// Scans `text[from, to)` (source offsets via `map`) for references; in markdown text a reference preceded
// by an odd run of backslashes is escaped, in HTML there are no escapes.
export function cutInvisibleReferences(
  text: string,
  from: number,
  to: number,
  exclude: readonly [number, number][],
  edits: Edits,
  markdown: boolean,
  map: (i: number) => number = (i) => i,
): void {
  const slice = text.slice(from, to);
  if (!slice.includes("&")) return;
  for (const match of slice.matchAll(CHARACTER_REFERENCE)) {
    const at = from + (match.index ?? 0);
    if (!decodesInvisible(match[1], match[2], match[3])) continue;
    if (exclude.some(([s, e]) => at >= s && at < e)) continue;
    if (markdown) {
      let backslashes = 0;
      while (at - backslashes - 1 >= from && text.charCodeAt(at - backslashes - 1) === 0x5c) backslashes++;
      if (backslashes % 2 === 1) continue;
    }
    edits.cut(map(at), map(at + match[0].length));
  }
}
