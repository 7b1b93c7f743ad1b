// Every GraphQL query the app sends must be valid against GitHub's public schema.
import { parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import * as pullRequestQueries from "../../src/github/pullRequest.js";
import * as reviewThreadQueries from "../../src/github/reviewThread.js";
import * as reviewWrites from "../../src/github/reviewWrites.js";
import * as threadQueries from "../../src/github/threadQuery.js";
import { githubSchema } from "../helpers/fakeGitHub.js";

const modules = [threadQueries, pullRequestQueries, reviewThreadQueries, reviewWrites];
const queries: [string, string][] = modules.flatMap((module) =>
  Object.entries(module as Record<string, unknown>).flatMap(([name, value]) =>
    typeof value === "string" && /^\s*(query|mutation)\b/.test(value) ? [[name, value] as [string, string]] : [],
  ),
);

describe("GraphQL queries against GitHub's schema", () => {
  it("finds the queries to check", () => {
    expect(queries.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        "THREAD_QUERY",
        "THREAD_COMMENTS_PAGE_QUERY",
        "PULL_REQUEST_CONVERSATION_QUERY",
        "PULL_REQUEST_REVIEWS_PAGE_QUERY",
        "REVIEW_THREAD_QUERY",
        "REVIEW_THREAD_COMMENTS_PAGE_QUERY",
        "ADD_REACTION_MUTATION",
      ]),
    );
  });

  it.each(queries)("%s validates", (_name, query) => {
    const errors = validate(githubSchema(), parse(query));
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it("would catch a field GitHub does not have", () => {
    const broken = threadQueries.THREAD_QUERY.replace("isMinimized", "isHiddenByMagic");
    expect(validate(githubSchema(), parse(broken)).length).toBeGreaterThan(0);
  });
});
