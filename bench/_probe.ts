import { performance } from "node:perf_hooks";
import { buildConversation, clearConversationCache } from "../src/core/conversation.js";
import { buildClaudeRequest } from "../src/core/request.js";
import { BOT, PHRASE } from "../test/fixtures/threads.js";
import { workerShapedThread } from "./threads.js";
for (const n of [1000, 2500]) {
  let t = performance.now();
  const { thread, triggerId } = workerShapedThread({ comments: n, seed: 7 });
  console.log("gen", n, (performance.now() - t).toFixed(0));
  for (let i = 0; i < 6; i++) {
    clearConversationCache();
    t = performance.now();
    const c = buildConversation(thread, { bot: BOT, phrase: PHRASE, triggerCommentId: triggerId });
    const t1 = performance.now();
    buildClaudeRequest(c, thread, { model: "m", maxTokens: 10 });
    console.log("cold", n, (t1 - t).toFixed(0), (performance.now() - t1).toFixed(1));
  }
}
