// Realistic threads for the rebuild benchmark, built from the pieces of test/fixtures/threads.ts (people,
// markdown with code, diffs, quotes, links, tables, hidden content; edits, minimized comments, notices,
// split answers) with the same mix as its generateThread. One difference: each bot reply's context block
// lists only the trigger it answered, as src/worker/answer.ts writes it (`answered: [trigger.id]`).
// generateThread carries `answered` forward (every id answered so far, in every reply), which makes the
// bodies, and so the input, grow with the square of the thread length: a rebuild figure measured on it
// would mix that growth into the builder's.
import { DEFAULT_MODEL } from "../src/config/env.js";
import { emptyContextBlock, type ContextBlock, type Thread } from "../src/core/types.js";
import { BOT_AUTHOR, botBody, markdown, PEOPLE, rng, ThreadBuilder } from "../test/fixtures/threads.js";

export function workerShapedThread(options: { comments: number; seed?: number }): { thread: Thread; triggerId: string } {
  const r = rng(options.seed ?? 1);
  const b = new ThreadBuilder({ body: markdown(r, "long") });
  const humans = [PEOPLE.owner, PEOPLE.member, PEOPLE.collaborator, PEOPLE.contributor, PEOPLE.outsider, PEOPLE.newcomer, PEOPLE.ghost, PEOPLE.otherBot];
  const person = () => humans[Math.floor(r() * humans.length)]!;
  let block: ContextBlock = emptyContextBlock();
  const reply = (answer: string, answered: string[]) => {
    block = {
      ...block,
      answered,
      model: DEFAULT_MODEL,
      usage: { input: block.usage.input + 1200, cache_read: block.usage.cache_read + 9000, cache_write: block.usage.cache_write + 800, output: block.usage.output + 300 },
    };
    b.comment({ author: BOT_AUTHOR, association: "NONE" }, botBody(answer, block));
  };
  while (b.thread.comments.length < options.comments - 1) {
    const roll = r();
    if (roll < 0.55) {
      b.human(markdown(r, r() < 0.3 ? "short" : "medium"), person(), { minimized: r() < 0.04, edited: r() < 0.08 });
    } else if (roll < 0.97) {
      const trigger = b.mention(markdown(r, "short"), person());
      if (r() < 0.15) b.human(`Also: ${markdown(r, "short")}`, person());
      if (r() < 0.05) b.notice("Working on it…");
      const answer = markdown(r, r() < 0.2 ? "long" : "medium");
      if (r() < 0.06) {
        reply(answer, [trigger.id]);
        reply(`(continued) ${markdown(r, "short")}`, []);
      } else reply(answer, [trigger.id]);
    } else b.notice("Sorry, only maintainers can ask me to do that.");
  }
  const trigger = b.mention(`can you summarise where we are? ${markdown(r, "short")}`, PEOPLE.owner);
  return { thread: b.thread, triggerId: trigger.id };
}
