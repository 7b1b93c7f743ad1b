// The two GitHub clients of a job. Writes go through Probot's Octokit, whose throttling paces them the
// way GitHub asks (and so keeps the app clear of secondary rate limits). Reads go through a separate
// `@octokit/graphql` client on the same installation token: GraphQL requests are POSTs, and the
// throttling would hold them behind the writes (the 👀 reaction) for a second or more.
import { graphql as baseGraphql } from "@octokit/graphql";
import type { ProbotOctokit } from "probot";
import type { GraphqlClient } from "./graphqlClient.js";
import { withReadRetries } from "./readRetry.js";

export type { GraphqlClient } from "./graphqlClient.js";

export interface InstallationClients {
  /** Probot's throttled, retrying REST client: reactions, comments, permission checks, config. */
  rest: ProbotOctokit;
  /** Unthrottled GraphQL reads. */
  graphql: GraphqlClient;
}

export async function installationClients(octokit: ProbotOctokit): Promise<InstallationClients> {
  const auth = (await octokit.auth({ type: "installation" })) as { token: string };
  const defaults = octokit.request.endpoint.DEFAULTS;
  const client = baseGraphql.defaults({
    // Same host (GitHub Enterprise too) and same fetch as the app's Octokit.
    baseUrl: defaults.baseUrl,
    request: defaults.request?.fetch ? { fetch: defaults.request.fetch } : {},
    headers: { authorization: `token ${auth.token}` },
  });
  return {
    rest: octokit,
    // 502/503/504 and dropped connections are retried (bounded): see readRetry.ts.
    graphql: withReadRetries(<T>(query: string, variables?: Record<string, unknown>) => client<T>(query, variables)),
  };
}
