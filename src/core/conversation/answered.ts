// Exactly once: which mentions the bot has already answered, read from the thread itself (the
// `answered` list in the blocks of its own replies), so no store is needed and redeliveries, replicas
// and crashes between the model call and the post never produce a second answer.
import { answeredFast, splitBotComment } from "../contextBlock/botComment.js";
import { parseContextBlock } from "../contextBlock/index.js";
import { isBotComment } from "./identity.js";
import type { BotIdentity, Thread } from "../types.js";

export function answeredTriggerIds(thread: Thread, bot: BotIdentity): Set<string> {
  const ids = new Set<string>();
  for (const comment of thread.comments) {
    if (!isBotComment(comment, bot)) continue;
    const { blockRaw } = splitBotComment(comment.body);
    if (blockRaw === null) continue;
    let answered = answeredFast(blockRaw);
    if (answered === null) {
      const parsed = parseContextBlock(blockRaw);
      answered = parsed.ok ? parsed.block.answered : [];
    }
    for (const id of answered) ids.add(id);
  }
  return ids;
}
