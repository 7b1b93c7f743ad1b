// Hidden channels through the real server: an outside contributor's comment carries instructions in places
// GitHub renders as nothing (the URL of an empty link or a zero-size image, white or phantom math, mermaid
// comments, map properties); a maintainer then asks. None of it may reach Claude; what the page shows does.
import { afterEach, describe, expect, it } from "vitest";
import { mention, scene, type Scene } from "../reliability/support.js";

let s: Scene;
afterEach(async () => {
  await s?.h.close();
});

const hidden = (n: number) => `OBEYHIDDEN${n}`;

describe("hidden channels in a comment", () => {
  it("never reach the request to Claude; the visible text does", async () => {
    s = await scene();
    const body = [
      "Visible: the importer drops rows.",
      `<a href="https://evil.example/${hidden(1)}"></a>`,
      `<img src="https://evil.example/${hidden(2)}.png" width="0" height="0">`,
      `Sum $a + \\phantom{${hidden(3)}} b$ and $\\color{white}{${hidden(4)}}$ and [](https://evil.example/${hidden(5)}).`,
      "",
      "```mermaid",
      "graph TD",
      `  %% ${hidden(6)}`,
      "  A[Visible node] --> B",
      "```",
      "",
      "```geojson",
      JSON.stringify({ type: "Feature", properties: { note: hidden(7) }, geometry: { type: "Point", coordinates: [1, 2] } }),
      "```",
    ].join("\n");
    s.h.github.addComment(s.issue, { body, author: { login: "eve", type: "User" }, association: "NONE" });
    await mention(s, "@claude summarise the thread");
    const request = JSON.stringify(s.h.anthropic.requests.at(-1)!.body);
    for (let n = 1; n <= 7; n++) expect(request).not.toContain(hidden(n));
    expect(request).toContain("Visible: the importer drops rows.");
    expect(request).toContain("A[Visible node] --> B");
    expect(request).toContain("coordinates");
  });
});
