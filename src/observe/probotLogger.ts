// The logger `npm start` gives Probot, so that Probot's own lines (HTTP requests, webhooks, setup) are
// scrubbed like the app's: every serialised line goes through `scrubText` (credential shapes and this
// process's own secret values) before it is formatted and written. Formats follow Probot's environment
// variables (LOG_LEVEL, LOG_FORMAT, LOG_LEVEL_IN_STRING, LOG_MESSAGE_KEY, SENTRY_DSN) as Probot's own
// logger does; without Sentry every line is written synchronously, so nothing is lost on process.exit.
import { writeSync } from "node:fs";
import { getTransformStream } from "@probot/pino";
import { pino, type Logger } from "pino";
import { prettyFactory } from "pino-pretty";
import { scrubText } from "./logRedaction.js";

export interface LogOptions {
  level: string;
  format: "json" | "pretty";
  levelInString: boolean;
  messageKey: string;
  sentryDsn: string | undefined;
}

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
const LEVEL_NAMES: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

/** Probot's reading of the same variables (its `readEnvOptions`): JSON in production, else pretty. */
export function logOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LogOptions {
  const format = env.LOG_FORMAT ? (env.LOG_FORMAT === "pretty" ? "pretty" : "json") : env.NODE_ENV === "production" ? "json" : "pretty";
  const level = env.LOG_LEVEL && LEVELS.includes(env.LOG_LEVEL) ? env.LOG_LEVEL : "info";
  return { level, format, levelInString: env.LOG_LEVEL_IN_STRING === "true", messageKey: env.LOG_MESSAGE_KEY || "msg", sentryDsn: env.SENTRY_DSN || undefined };
}

/** Formats one serialised (and already scrubbed) line as Probot's transform does without Sentry. */
function formatter(options: LogOptions): (line: string) => string {
  if (options.format === "pretty") {
    const pretty = prettyFactory({ ignore: "time,pid,hostname,req,res,responseTime", errorProps: "event,status,headers,request,sentryEventId", messageKey: options.messageKey });
    return (line) => pretty(line);
  }
  if (options.levelInString) {
    return (line) => {
      const data = JSON.parse(line) as { level?: number | string };
      if (typeof data.level === "number") data.level = LEVEL_NAMES[data.level] ?? data.level;
      return `${JSON.stringify(data)}\n`;
    };
  }
  return (line) => (line.endsWith("\n") ? line : `${line}\n`);
}

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text, "utf8");
  for (let offset = 0; offset < buffer.length; ) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (error) {
      // A non-blocking pipe that is full: try again (the reader drains it).
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
    }
  }
}

/** A pino logger whose every line is scrubbed, written to stdout. */
export async function scrubbingLog(options: LogOptions = logOptionsFromEnv(), fd = 1): Promise<Logger> {
  const pinoOptions = { level: options.level, name: "probot", messageKey: options.messageKey };
  if (options.sentryDsn) {
    // Probot's Sentry transform (errors reported to Sentry), fed scrubbed lines.
    const transform = await getTransformStream({ logFormat: options.format, logLevelInString: options.levelInString, sentryDsn: options.sentryDsn });
    transform.pipe(pino.destination(fd) as unknown as NodeJS.WritableStream);
    return pino(pinoOptions, { write: (line: string) => void transform.write(scrubText(line)) });
  }
  const format = formatter(options);
  return pino(pinoOptions, { write: (line: string) => writeAll(fd, format(scrubText(line))) });
}
