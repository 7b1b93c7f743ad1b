// What the bot posts, made safe at the last step before GitHub, whatever the sink (final comment or
// progress edits) and whoever wrote the text (Claude may echo a credential from the thread; a context block
// may carry one a maintainer typed):
// - the answer itself was redacted before the footer and block were added (composeReply); the whole body is
//   scrubbed once more here (src/observe/logRedaction.ts: redactSecrets and the process's own secret values),
//   which can never cut the app's structure: no credential pattern spans a blank line or runs past its match;
// - every progress text is the model's text alone: scrubbed and its mentions defused (`defuseMentions`:
//   the phrase and every `@login`), exactly as the final answer is, so no edit pages anybody;
// - a body over GitHub's comment limit is split (src/core/reply/split.ts): the first part goes where the sink
//   puts an answer (the progress placeholder, or a new comment), the others follow as new comments, in
//   order; the last carries the footer and the context block, so the mention counts as answered only once
//   every part is posted.
import type { ProbotOctokit } from "probot";
import { splitReply } from "../core/reply/split.js";
import { defuseMentions } from "../core/trigger/loops.js";
import { postReply } from "../github/writes.js";
import { scrubText } from "../observe/logRedaction.js";
import type { MentionTarget } from "../core/target.js";
import type { ReplySink } from "./finalSink.js";

/** A progress edit's text: what the final answer's text gets (redacted, mentions defused). */
export function progressText(textSoFar: string, phrase = DEFAULT_PHRASE): string {
  return defuseMentions(scrubText(textSoFar), phrase);
}

// Without the configured phrase, every `@login` is still defused; the phrase matters only when it is not
// an `@` mention, and then it pages nobody.
const DEFAULT_PHRASE = "@claude";

export function safeSink<S extends ReplySink>(sink: S, octokit: ProbotOctokit, job: MentionTarget, limit?: number, phrase?: string): S {
  return {
    ...sink,
    progress: (textSoFar: string) => sink.progress(progressText(textSoFar, phrase)),
    finish: async (body: string) => {
      const [first, ...rest] = splitReply(scrubText(body), limit);
      await sink.finish(first ?? body);
      for (const part of rest) await postReply(octokit, job, part);
    },
  };
}
