// What people read when a mention could not be answered: one short notice that says what failed and what
// to do, never a stack trace, never a secret (every notice goes through both redactions).
import type { ProbotOctokit } from "probot";
import { scrubText } from "../observe/logRedaction.js";
import type { MentionTarget } from "../core/target.js";
import { octokitWriter, progressSink } from "./progressSink.js";
import { ClaudeUnavailableError, classifyError, describeGitHubFailure, elapsedText, type ClaudeFailureKind } from "../core/errors.js";

const REASONS: Record<ClaudeFailureKind, string> = {
  overloaded: "Claude's API is overloaded right now",
  "rate-limited": "Claude's API is rate-limiting this app right now",
  "server-error": "Claude's API kept answering with server errors",
  timeout: "Claude did not answer in time",
  interrupted: "the connection to Claude kept breaking off in the middle of the answer",
  rejected: "Claude's API rejected the request",
};

/** Strings that leave the process: secrets redacted, to one line, bounded. */
export function scrub(text: string, max = 300): string {
  const clean = scrubText(String(text)).replace(/\s+/g, " ").trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export function answerFailureNotice(error: unknown, phrase: string): string {
  const retry = `Mention me with \`${phrase} retry\` to try again`;
  if (error instanceof ClaudeUnavailableError) {
    const status = error.status ? ` (HTTP ${error.status})` : "";
    const tries = error.attempts > 1 ? `; I tried ${error.attempts} times over ${elapsedText(error.elapsedMs)}` : "";
    return scrub(`Sorry, I could not answer: ${REASONS[error.kind]}${status}${tries}. ${retry}, preferably in a few minutes.`, 600);
  }
  const name = String((error as { name?: unknown } | null)?.name ?? "");
  if (name === "ReplyTooLargeError") return scrub(`Sorry, I could not post this answer: it is too large for GitHub comments. ${retry}.`, 600);
  const f = classifyError(error);
  if (f.service === "github") {
    return scrub(`Sorry, I could not finish this answer: ${describeGitHubFailure(f)}. ${retry}.`, 600);
  }
  if (f.service === "anthropic") {
    if (f.status === 401 || f.status === 403) {
      return scrub(
        `Sorry, I could not answer: Claude's API refused this app's credentials (HTTP ${f.status}). An operator needs to check \`ANTHROPIC_API_KEY\`.`,
        600,
      );
    }
    if (f.status !== undefined) {
      const message = (error as { error?: { error?: { message?: string } } }).error?.error?.message;
      const detail = message ? `: ${scrub(message, 200)}` : "";
      return scrub(`Sorry, I could not answer: Claude's API rejected the request (HTTP ${f.status}${detail}). ${retry}.`, 600);
    }
    if (f.kind === "timeout") return scrub(`Sorry, I could not answer: ${REASONS.timeout}. ${retry}.`, 600);
  }
  return scrub(`Sorry, I could not finish this answer (an unexpected error). ${retry}.`, 600);
}

const notified = new WeakSet<object>();

/** The worker already told people about this failure (so the queue-level handler does not again). */
export function markNotified(error: unknown): void {
  if (typeof error === "object" && error !== null) notified.add(error);
}

export function wasNotified(error: unknown): boolean {
  return typeof error === "object" && error !== null && notified.has(error);
}

/**
 * The queue-level fallback: a job failed before the worker could tell anyone (the thread could not be read
 * even after retries, say). Posts the one notice, with the progress marker so `retry` answers in it.
 */
export async function notifyFailure(
  error: unknown,
  job: MentionTarget,
  phrase: string,
  octokit: () => Promise<ProbotOctokit>,
): Promise<void> {
  if (wasNotified(error)) return;
  markNotified(error);
  const sink = progressSink(octokitWriter(await octokit(), job), { triggerId: job.trigger.id, intervalMs: 1000 });
  await sink.notice(answerFailureNotice(error, phrase));
}
