// Long answers: a sink whose `finish` splits a body over GitHub's comment limit (src/core/split.ts). The
// first part goes where the sink puts an answer (the progress placeholder, or a new comment), the others
// follow as new comments, in order; the last one carries the footer and the context block, so the mention
// counts as answered only once every part is posted.
import type { ProbotOctokit } from "probot";
import { splitReply } from "../core/split.js";
import { postReply } from "../github/writes.js";
import type { ThreadJob } from "../queue/types.js";
import type { ReplySink } from "./replySink.js";

export function splittingSink<S extends ReplySink>(sink: S, octokit: ProbotOctokit, job: ThreadJob, limit?: number): S {
  return {
    ...sink,
    finish: async (body: string) => {
      const [first, ...rest] = splitReply(body, limit);
      await sink.finish(first ?? body);
      for (const part of rest) await postReply(octokit, job, part);
    },
  };
}
