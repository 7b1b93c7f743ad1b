// The one markdown parser of the project: CommonMark + GitHub Flavored Markdown, as GitHub renders comments.
// Every markdown decision (mentions, hidden content, the context block) is made on this tree, never by
// regular expressions over raw text.
import type { Root } from "mdast";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";

const processor = unified().use(remarkParse).use(remarkGfm);

export function parseMarkdown(markdown: string): Root {
  return processor.parse(markdown) as Root;
}
