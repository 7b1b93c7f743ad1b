// Pull-request webhook payloads, shaped from @octokit/webhooks-examples (Codertocat/Hello-World, PR #2).
import { examplePayload } from "./payloads.js";

type AnyPayload = Record<string, any>;
const INSTALLATION = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };

interface Who {
  login?: string;
  userType?: string;
  association?: string;
}

function author(target: AnyPayload, sender: AnyPayload, who: Who): void {
  if (who.login) target.user.login = sender.login = who.login;
  if (who.userType) target.user.type = sender.type = who.userType;
  if (who.association) target.author_association = who.association;
}

/** `issue_comment.created` on pull request #2 (the issue example with `issue.pull_request` set). */
export function prCommentCreated(body: string, id: number, who: Who = {}): AnyPayload {
  const payload = examplePayload("issue_comment", "created", (p) => Boolean(p.installation));
  payload.issue.number = 2;
  payload.issue.pull_request = {
    url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/2",
    html_url: "https://github.com/Codertocat/Hello-World/pull/2",
    diff_url: "https://github.com/Codertocat/Hello-World/pull/2.diff",
    patch_url: "https://github.com/Codertocat/Hello-World/pull/2.patch",
    merged_at: null,
  };
  payload.comment.body = body;
  payload.comment.id = id;
  payload.comment.node_id = `IC_${id}`;
  author(payload.comment, payload.sender, who);
  return payload;
}

/** `issue_comment.edited`: `body` now, `from` before (on issue #1, or PR #2 with `onPullRequest`). */
export function commentEdited(body: string, from: string, id: number, options: Who & { onPullRequest?: boolean } = {}): AnyPayload {
  const payload = examplePayload("issue_comment", "edited");
  payload.installation = INSTALLATION;
  payload.comment.body = body;
  payload.comment.id = id;
  payload.comment.node_id = `IC_${id}`;
  payload.changes = { body: { from } };
  if (options.onPullRequest) {
    payload.issue.number = 2;
    payload.issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/2", merged_at: null };
  } else delete payload.issue.pull_request;
  author(payload.comment, payload.sender, options);
  return payload;
}

/** `pull_request_review_comment.created` (or `.edited` with `from`) on PR #2. */
export function reviewCommentEvent(
  body: string,
  id: number,
  options: Who & { inReplyTo?: number; from?: string; path?: string; line?: number } = {},
): AnyPayload {
  const edited = options.from !== undefined;
  const payload = examplePayload("pull_request_review_comment", edited ? "edited" : "created", (p) => Boolean(p.installation));
  payload.comment.body = body;
  payload.comment.id = id;
  payload.comment.node_id = `PRRC_${id}`;
  if (options.path) payload.comment.path = options.path;
  if (options.line) payload.comment.line = options.line;
  if (options.inReplyTo !== undefined) payload.comment.in_reply_to_id = options.inReplyTo;
  else delete payload.comment.in_reply_to_id;
  if (edited) payload.changes = { body: { from: options.from } };
  author(payload.comment, payload.sender, options);
  return payload;
}

/** `pull_request_review.submitted` on PR #2. */
export function reviewSubmitted(body: string, id: number, who: Who = {}): AnyPayload {
  const payload = examplePayload("pull_request_review", "submitted", (p) => Boolean(p.installation));
  payload.review.body = body;
  payload.review.id = id;
  payload.review.node_id = `PRR_${id}`;
  author(payload.review, payload.sender, who);
  return payload;
}

/** `pull_request.opened` (PR #2) with the given body. */
export function pullRequestOpened(body: string, who: Who = {}): AnyPayload {
  const payload = examplePayload("pull_request", "opened", (p) => Boolean(p.installation));
  payload.pull_request.body = body;
  author(payload.pull_request, payload.sender, who);
  return payload;
}

/** `issues.opened` (issue #1) with the given body. */
export function issueOpened(body: string, who: Who = {}): AnyPayload {
  const payload = examplePayload("issues", "opened");
  payload.installation = INSTALLATION;
  payload.issue.body = body;
  author(payload.issue, payload.sender, who);
  return payload;
}
