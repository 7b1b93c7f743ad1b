// Edits on the original string: the sanitiser never re-serialises markdown, it cuts or replaces ranges of the
// text located on the mdast tree, so everything a reader can see keeps its bytes.
import type { Nodes } from "mdast";

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export class Edits {
  readonly list: Edit[] = [];
  constructor(private readonly source: string) {}

  replace(start: number, end: number, text: string): void {
    if (start < end && this.source.slice(start, end) !== text) this.list.push({ start, end, text });
  }

  cut(start: number, end: number): void {
    this.replace(start, end, "");
  }
}

// Overlaps only happen when a cut contains another edit (a hidden element around an image); a partial
// overlap, should one occur, becomes the union cut: removing a little more is the safe side.
export function applyEdits(source: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Edit[] = [];
  for (const edit of sorted) {
    const last = merged[merged.length - 1];
    if (last && edit.start < last.end) {
      if (edit.end > last.end) merged[merged.length - 1] = { start: last.start, end: edit.end, text: "" };
      continue;
    }
    merged.push(edit);
  }
  let out = "";
  let at = 0;
  for (const edit of merged) {
    out += source.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + source.slice(at);
}

export function startOf(node: Nodes): number | undefined {
  return node.position?.start.offset;
}

export function endOf(node: Nodes): number | undefined {
  return node.position?.end.offset;
}

export function cutNode(edits: Edits, node: Nodes): void {
  const start = startOf(node);
  const end = endOf(node);
  if (start !== undefined && end !== undefined) edits.cut(start, end);
}
