// The `threadbot` command line (src/cli/main.ts is its entry point). One command for now: `inspect`.
import { parseArgs } from "node:util";
import { readSettings, SettingsError } from "../config/env.js";
import { inspect, UsageError, type CliIo } from "./inspect.js";

export const USAGE = `Usage:
  threadbot inspect owner/repo#123 [options]       read a live thread (GITHUB_TOKEN)
  threadbot inspect --thread-file thread.json [options]

Prints the conversation and the exact Claude request the bot would send for a mention,
built with the bot's own code. Nothing is posted.

Options:
  --comment ID          the mention to answer (default: the newest comment that mentions the bot)
  --review-comment ID   a pull request review comment: inspect its review thread (and answer
                        that comment if it mentions the bot, else the thread's newest mention)
  --json                machine-readable output (the request is under "request")
  --ask                 send the request to Claude (ANTHROPIC_API_KEY) and print the answer
  --config FILE         use this local .github/claude.yml instead of the repository's
  --bot LOGIN           the app's bot login (default: BOT_LOGIN, or found in the thread)
  --save-thread FILE    also write the thread as a --thread-file JSON file
  -h, --help            this text

Environment: GITHUB_TOKEN, GITHUB_API_URL (GitHub Enterprise), ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL,
and the app's CLAUDE_* and TRIGGER_PHRASE settings (see .env.example).`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        comment: { type: "string" },
        "review-comment": { type: "string" },
        json: { type: "boolean", default: false },
        ask: { type: "boolean", default: false },
        config: { type: "string" },
        bot: { type: "string" },
        "thread-file": { type: "string" },
        "save-thread": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    io.err(`threadbot: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ref, ...extra] = positionals;
  if (values.help || command === undefined || command === "help") {
    (values.help || command === "help" ? io.out : io.err)(USAGE);
    return values.help || command === "help" ? 0 : 2;
  }
  if (values["review-comment"] !== undefined && values["thread-file"] !== undefined) {
    io.err(`threadbot: --review-comment reads a live review thread; a thread file already holds one\n\n${USAGE}`);
    return 2;
  }
  if (command !== "inspect" || extra.length > 0 || (ref === undefined) === (values["thread-file"] === undefined)) {
    io.err(`threadbot: give either owner/repo#number or --thread-file\n\n${USAGE}`);
    return 2;
  }
  try {
    const settings = readSettings(io.env);
    return await inspect(
      {
        ref,
        threadFile: values["thread-file"],
        saveThread: values["save-thread"],
        configFile: values.config,
        comment: values.comment,
        reviewComment: values["review-comment"],
        bot: values.bot,
        json: values.json ?? false,
        ask: values.ask ?? false,
      },
      settings,
      io,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`threadbot: ${message}`);
    return error instanceof UsageError || error instanceof SettingsError ? 2 : 1;
  }
}
