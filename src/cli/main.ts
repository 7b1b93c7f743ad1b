#!/usr/bin/env node
// Entry point of the `threadbot` command (package.json "bin"). See src/cli/run.ts.
import { existsSync } from "node:fs";
import { runCli } from "./run.js";

// The app's `.env` (if run from its directory) supplies CLAUDE_* settings and keys; real variables win.
if (existsSync(".env")) process.loadEnvFile(".env");

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
});
