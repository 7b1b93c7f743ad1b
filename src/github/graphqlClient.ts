// The shape of a GraphQL read client: what the readers take, what the read retries wrap (its own module,
// so the client factory and the retry wrapper need not import each other).
export type GraphqlClient = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;
