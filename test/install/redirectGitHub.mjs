// Preloaded (`node --import`) into an app process that cannot be pointed at GitHub Enterprise: every
// fetch to https://api.github.com goes to the fake GitHub at FAKE_GITHUB_URL instead.
const target = process.env.FAKE_GITHUB_URL;
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!target || !url.startsWith("https://api.github.com")) return realFetch(input, init);
  return realFetch(url.replace("https://api.github.com", target), input instanceof Request ? { method: input.method, headers: input.headers, body: input.body, duplex: "half", ...init } : init);
};
