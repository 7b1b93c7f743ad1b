// What the bot posts, made safe at the last step before GitHub, whatever the sink (final comment or
// progress edits) and whoever wrote the text (Claude may echo a credential from the thread; a context block
// may carry one a maintainer typed):
// - every body and every progress text is scrubbed of credentials (src/observe/logRedaction.ts: redactSecrets and the
//   process's own secret values);
// - a body over GitHub's comment limit is split (src/core/reply/split.ts): the first part goes where the sink
//   puts an answer (the progress placeholder, or a new comment), the others follow as new comments, in
//   order; the last carries the footer and the context block, so the mention counts as answered only once
//   every part is posted.
import type { ProbotOctokit } from "probot";
import { splitReply } from "../core/reply/split.js";
import { postReply } from "../github/writes.js";
import { scrubText } from "../observe/logRedaction.js";
import type { ThreadJob } from "../queue/types.js";
import type { ReplySink } from "./finalSink.js";

export function safeSink<S extends ReplySink>(sink: S, octokit: ProbotOctokit, job: ThreadJob, limit?: number): S {
  return {
    ...sink,
    progress: (textSoFar: string) => sink.progress(scrubText(textSoFar)),
    finish: async (body: string) => {
      const [first, ...rest] = splitReply(scrubText(body), limit);
      await sink.finish(first ?? body);
      for (const part of rest) await postReply(octokit, job, part);
    },
  };
}
