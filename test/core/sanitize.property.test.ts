import fc from "fast-check";
import type { Html } from "mdast";
import { visit } from "unist-util-visit";
import { describe, expect, it } from "vitest";
import { parseMarkdown } from "../../src/core/markdown/markdown.js";
import { sanitizeUntrustedMarkdown, stripInvisible } from "../../src/core/sanitize/index.js";
import { redactSecrets } from "../../src/core/redact/secrets.js";

const RUNS = Number(process.env.FC_RUNS ?? 1000);

// The brief's list, written independently of the implementation's table.
function isForbiddenCodePoint(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200d) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    cp === 0xfeff ||
    cp === 0x180e ||
    cp === 0x061c ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    (cp >= 0xe0000 && cp <= 0xe007f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef) ||
    cp === 0x00ad ||
    (cp < 0x20 && cp !== 0x09 && cp !== 0x0a) ||
    (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0xd800 && cp <= 0xdfff) // a lone surrogate (pairs are iterated as one code point)
  );
}

const forbiddenIn = (text: string): number[] =>
  [...text].map((c) => c.codePointAt(0) ?? 0).filter(isForbiddenCodePoint);

// Pieces that form (and half-form) every construct the sanitizer handles, so random joins exercise nesting,
// unterminated constructs, containers and cuts that join their neighbours.
const dangerousPiece = fc.constantFrom(
  "<!--",
  "-->",
  "--!>",
  "<!-->",
  "<",
  ">",
  "</",
  "<!",
  "<?",
  "![",
  "[",
  "]",
  "](",
  "]:",
  "[^",
  "[^a]",
  "[^a]: note",
  "[a]",
  "[a]: /u 't'",
  "[a](u \"t\")",
  "![x](y 'z')",
  "(",
  ")",
  '"',
  "'",
  "`",
  "```",
  "```js meta",
  "~~~",
  "\n",
  "\n\n",
  " ",
  "\t",
  "> ",
  "- ",
  "1. ",
  "    ",
  "| a | b |\n|---|---|\n",
  "&#8203;",
  "&zwj;",
  "&#xE0041;",
  "&amp;",
  "\\",
  "<div hidden>",
  "<span hidden>",
  "</span>",
  "</div>",
  "<div>",
  '<img alt="x" src="y">',
  "<a title='t' href=u>",
  "<script>",
  "</script>",
  "<style>",
  "<x-y>",
  "<details>",
  "<summary>",
  "\u200B",
  "\u202E",
  "\u{E0041}",
  "\uFE0F",
  "\uD800",
  "\r",
  "\r\n",
  "word",
  "x y",
  "*",
  "_",
  "#",
  "https://e.com",
  "<https://e.com>",
);

const markdownish = fc.array(dangerousPiece, { maxLength: 40 }).map((pieces) => pieces.join(""));
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  markdownish,
  fc.tuple(markdownish, fc.string({ unit: "binary", maxLength: 20 }), markdownish).map((parts) => parts.join("")),
);

function htmlCommentsIn(markdown: string): string[] {
  const found: string[] = [];
  visit(parseMarkdown(markdown), "html", (node: Html) => {
    if (node.value.includes("<!--")) found.push(node.value);
  });
  return found;
}

describe("sanitizeUntrustedMarkdown properties", () => {
  it("never throws", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(typeof sanitizeUntrustedMarkdown(text)).toBe("string");
      }),
      { numRuns: RUNS },
    );
  });

  it("never outputs an invisible, control or lone-surrogate code point", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(forbiddenIn(sanitizeUntrustedMarkdown(text))).toEqual([]);
        expect(forbiddenIn(stripInvisible(text))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it("never outputs an HTML comment outside code", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(htmlCommentsIn(sanitizeUntrustedMarkdown(text))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = sanitizeUntrustedMarkdown(text);
        expect(sanitizeUntrustedMarkdown(once)).toBe(once);
        expect(stripInvisible(stripInvisible(text))).toBe(stripInvisible(text));
      }),
      { numRuns: RUNS },
    );
  });

  it("leaves text without special characters unchanged", () => {
    const plain = fc.string({ unit: fc.constantFrom(...[..."abcXYZ019 .,;:?-*_#()\"'/+=%$@é漢🎉\n\t"]), maxLength: 200 });
    fc.assert(
      fc.property(plain, (text) => {
        expect(sanitizeUntrustedMarkdown(text)).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });

  it("leaves visible markdown unchanged, through the parsing path", () => {
    const visible = fc.constantFrom(
      "plain words",
      "**bold** and _em_ and ~~gone~~",
      "`code <!-- kept -->` and `![alt](x)`",
      "```js\nconst a = '<!-- kept -->';\n```",
      "```\n![alt](x \"t\")\n```",
      "> quote\n> > nested quote",
      "| a | b |\n|---|---|\n| 1 | 2 |",
      "[link](https://example.com/a_(b))",
      "![](https://example.com/i.png)",
      "<details><summary>Sum</summary>\n\ntext\n\n</details>",
      '<img width="40" src="https://e.com/i.png">',
      "- item\n- [ ] task",
      "1. one\n2. two",
      "# Heading",
      "https://example.com and www.example.com",
      "@user in #123",
      "a < b && c > d",
      "Ctrl<kbd>+</kbd>C<br>",
    );
    fc.assert(
      fc.property(fc.array(visible, { minLength: 1, maxLength: 8 }), (blocks) => {
        const text = blocks.join("\n\n");
        expect(sanitizeUntrustedMarkdown(text)).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("redactSecrets properties", () => {
  const base62 = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".split(""));
  const token = fc
    .tuple(fc.constantFrom("p", "o", "u", "s", "r"), fc.string({ unit: base62, minLength: 36, maxLength: 60 }))
    .map(([kind, body]) => `gh${kind}_${body}`);

  it("never throws", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(typeof redactSecrets(text)).toBe("string");
      }),
      { numRuns: RUNS },
    );
  });

  it("never lets a GitHub token through, wherever it is embedded", () => {
    fc.assert(
      fc.property(anyText, token, anyText, (before, secret, after) => {
        expect(redactSecrets(before + secret + after)).not.toContain(secret);
      }),
      { numRuns: RUNS },
    );
  });
});
