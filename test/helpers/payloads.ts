// Real webhook payloads from @octokit/webhooks-examples, adjusted per test.
import examples from "@octokit/webhooks-examples";

type AnyPayload = Record<string, any>;

export function examplePayload(event: string, action: string, predicate: (p: AnyPayload) => boolean = () => true): AnyPayload {
  const group = (examples as unknown as { name: string; examples: AnyPayload[] }[]).find((e) => e.name === event);
  const found = group?.examples.find((p) => p.action === action && predicate(p));
  if (!found) throw new Error(`no example payload for ${event}.${action}`);
  return structuredClone(found);
}

/** An `issue_comment.created` on issue Codertocat/Hello-World#1 with the given comment. */
export function issueCommentCreated(body: string, overrides: { id?: number; login?: string; userType?: string; association?: string; installationId?: number } = {}): AnyPayload {
  const payload = examplePayload("issue_comment", "created", (p) => Boolean(p.installation));
  payload.comment.body = body;
  if (overrides.id !== undefined) {
    payload.comment.id = overrides.id;
    payload.comment.node_id = `IC_${overrides.id}`;
  }
  if (overrides.login) {
    payload.comment.user.login = overrides.login;
    payload.sender.login = overrides.login;
  }
  if (overrides.userType) {
    payload.comment.user.type = overrides.userType;
    payload.sender.type = overrides.userType;
  }
  if (overrides.association) payload.comment.author_association = overrides.association;
  if (overrides.installationId) payload.installation.id = overrides.installationId;
  return payload;
}
