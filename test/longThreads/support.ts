// Long threads for the fold tests: deterministic text with markers that say where each comment went.
import { renderContextBlock } from "../../src/core/contextBlock/index.js";
import { SUMMARY_SYSTEM_PROMPT } from "../../src/core/budget/fold.js";
import { emptyContextBlock } from "../../src/core/types.js";
import type { FakeGitHub, FakeIssue } from "../helpers/fakeGitHub.js";
import type { RecordedRequest } from "../helpers/anthropicMock.js";

const WORDS = "the importer drops rows when a trailing comma follows the last column and the parser counts an empty field so validation fails on width".split(" ");

/** `chars` characters of prose with three markers (start, middle, end) unique to `tag`. */
export function markedText(tag: string, chars: number, seed: number): string {
  const marks = [`zq${tag}start`, `zq${tag}mid`, `zq${tag}end`];
  const room = Math.max(0, chars - marks.join("  ").length);
  const words: string[] = [];
  let length = 0;
  let x = seed * 7919 + 17;
  while (length < room) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const word = WORDS[x % WORDS.length]!;
    words.push(word);
    length += word.length + 1;
  }
  const half = Math.floor(words.length / 2);
  return [marks[0], words.slice(0, half).join(" "), marks[1], words.slice(half).join(" "), marks[2]].join(" ");
}

export function markersOf(tag: string): string[] {
  return [`zq${tag}start`, `zq${tag}mid`, `zq${tag}end`];
}

export interface LongThread {
  issue: FakeIssue;
  /** Marker tags of every comment before the trigger (human comments and the bot's replies). */
  tags: string[];
}

/**
 * Grows a thread as the bot would have: `rounds` rounds of `perRound` human comments of `chars` characters
 * (the last one a mention) and, when `replies`, the bot's answer to it with its context block.
 */
export function growThread(
  github: FakeGitHub,
  issue: FakeIssue,
  options: { rounds: number; perRound: number; chars: number; replies: boolean },
): LongThread {
  const tags: string[] = [];
  let n = 0;
  for (let round = 0; round < options.rounds; round++) {
    let mentionId = 0;
    for (let i = 0; i < options.perRound; i++) {
      const tag = `h${n++}`;
      tags.push(tag);
      const mention = options.replies && i === options.perRound - 1;
      const body = `${mention ? "@claude what do you make of this? " : ""}${markedText(tag, options.chars, n)}`;
      const login = ["monalisa", "hubot", "octocat"][n % 3]!;
      mentionId = github.addComment(issue, { body, author: { login, type: "User" }, association: "MEMBER" }).id;
    }
    if (options.replies) {
      const tag = `b${round}`;
      tags.push(tag);
      const body = `${markedText(tag, options.chars, 100_000 + round)}\n\n${renderContextBlock({ ...emptyContextBlock(), answered: [String(mentionId)] })}`;
      github.addComment(issue, { body, author: { login: "threadbot", type: "Bot" }, association: "NONE" });
    }
  }
  return { issue, tags };
}

export const isSummaryRequest = (r: RecordedRequest) => r.body.system?.[0]?.text === SUMMARY_SYSTEM_PROMPT;

/** Every text block of a request, joined (system and messages). */
export function requestText(r: RecordedRequest): string {
  const parts: string[] = [];
  for (const b of r.body.system ?? []) parts.push(b.text);
  for (const m of r.body.messages ?? []) for (const b of typeof m.content === "string" ? [{ text: m.content }] : m.content) parts.push(b.text ?? "");
  return parts.join("\n");
}
