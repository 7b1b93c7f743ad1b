// The read client at GitHub's real address: nock intercepts https://api.github.com, so this checks the
// exact requests the app's own clients make (token exchange, GraphQL endpoint, auth header), and that a
// transient 502 on a read is retried while a 401 is not.
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { installationClients } from "../../src/github/clients.js";
import { ThreadbotOctokit } from "../../src/github/octokit.js";
import { readIssueThread } from "../../src/github/threadQuery.js";
import { testPrivateKey } from "../helpers/harness.js";

const API = "https://api.github.com";

function installationOctokit() {
  return new ThreadbotOctokit({ auth: { appId: 1, privateKey: testPrivateKey(), installationId: 42 } });
}

function threadAnswer(comments: number) {
  return {
    data: {
      repository: {
        issueOrPullRequest: {
          __typename: "Issue",
          id: "I_1",
          title: "Crash on start",
          body: "It crashes.",
          createdAt: "2026-01-01T00:00:00Z",
          lastEditedAt: null,
          authorAssociation: "OWNER",
          author: { __typename: "User", login: "octocat" },
          comments: {
            pageInfo: { hasNextPage: false, endCursor: null },
            nodes: Array.from({ length: comments }, (_, i) => ({
              id: `IC_${i}`,
              fullDatabaseId: String(1000 + i),
              author: { __typename: i % 2 ? "Bot" : "User", login: i % 2 ? "threadbot" : "monalisa" },
              authorAssociation: i % 2 ? "NONE" : "MEMBER",
              body: `comment ${i}`,
              createdAt: "2026-01-01T00:01:00Z",
              lastEditedAt: null,
              isMinimized: false,
            })),
          },
        },
      },
    },
  };
}

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

describe("the installation's GraphQL read client, against api.github.com", () => {
  it("exchanges the app's JWT for an installation token and reads with it", async () => {
    const token = nock(API)
      .post("/app/installations/42/access_tokens")
      .matchHeader("authorization", /^bearer /)
      .reply(201, { token: "ghs_nocktoken", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    const read = nock(API, { reqheaders: { authorization: "token ghs_nocktoken" } })
      .post("/graphql", (body) => body.query.includes("query ThreadbotThread") && body.variables.number === 7)
      .reply(200, threadAnswer(3));

    const clients = await installationClients(installationOctokit());
    const thread = await readIssueThread(clients.graphql, { owner: "o", repo: "r", number: 7 });

    expect(token.isDone() && read.isDone()).toBe(true);
    expect(thread.title).toBe("Crash on start");
    expect(thread.opening).toMatchObject({ id: "opening", body: "It crashes.", author: { login: "octocat", type: "User" } });
    expect(thread.comments.map((c) => [c.id, c.author?.login, c.author?.type])).toEqual([
      ["1000", "monalisa", "User"],
      ["1001", "threadbot", "Bot"],
      ["1002", "monalisa", "User"],
    ]);
  });

  it("retries a 502 on a read, and does not retry a 401", async () => {
    nock(API).post("/app/installations/42/access_tokens").reply(201, { token: "ghs_t", expires_at: "2099-01-01T00:00:00Z" });
    const clients = await installationClients(installationOctokit());

    const flaky = nock(API).post("/graphql").reply(502, "Bad Gateway").post("/graphql").reply(200, threadAnswer(1));
    const thread = await readIssueThread(clients.graphql, { owner: "o", repo: "r", number: 7 });
    expect(flaky.isDone()).toBe(true);
    expect(thread.comments).toHaveLength(1);

    const denied = nock(API).post("/graphql").once().reply(401, { message: "Bad credentials" });
    await expect(readIssueThread(clients.graphql, { owner: "o", repo: "r", number: 7 })).rejects.toMatchObject({ status: 401 });
    expect(denied.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
