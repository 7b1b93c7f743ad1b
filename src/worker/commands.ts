// Commands after the phrase: `help`, `status`, `reset`, `remember <text>`, `retry`. None but `retry` asks
// Claude (the decision, src/core/decision/plan.ts, turns `retry` into an answer). Their replies are notices
// (never replayed to Claude) that still carry the context block, so the mention counts as answered and
// `reset` / `remember` change the thread's state. Only maintainers (confirmed write access) may change it.
import { fenceFor } from "../core/markdown/fences.js";
import { estimateRequestTokens } from "../core/budget/fold.js";
import { neutraliseContextBlocks, renderContextBlock } from "../core/contextBlock/index.js";
import { NOTICE_MARKER, type Conversation } from "../core/conversation/conversation.js";
import { estimateCostUsd } from "../core/budget/pricing.js";
import type { JobPlan } from "../core/decision/plan.js";
import { resolveModel } from "../core/decision/model.js";
import { formatCost } from "../core/reply/compose.js";
import { buildClaudeRequest } from "../core/request/request.js";
import { redactSecrets } from "../core/redact/secrets.js";
import type { ContextBlock, Thread } from "../core/types.js";
import type { LoadedRepoConfig } from "../config/repo.js";
import type { ProgressSink } from "../reply/progressSink.js";

/** Longest text one `remember` may add. */
export const MAX_REMEMBER_CHARS = 2_000;

export interface CommandInput {
  plan: Extract<JobPlan, { kind: "command" }>;
  thread: Thread;
  /** Built for the trigger comment. */
  conversation: Conversation;
  repoConfig: LoadedRepoConfig;
  phrase: string;
  sink: ProgressSink;
}

export type CommandOutcome = "help" | "status" | "reset" | "remember" | "not-a-maintainer";

const sorry = (login: string, what: string) =>
  `Sorry @${login.replace(/[^A-Za-z0-9-]/g, "")}, only maintainers (people with write access to this repository) can use \`${what}\`. I'm happy to answer questions, though.`;

export async function runCommand(input: CommandInput): Promise<CommandOutcome> {
  const { plan, conversation, sink } = input;
  const { command, trigger } = plan;
  const reply = async (message: string, block: ContextBlock, outcome: CommandOutcome): Promise<CommandOutcome> => {
    await sink.finish(commandReply(message, block));
    return outcome;
  };
  const carried: ContextBlock = { ...conversation.context, answered: [trigger.id] };

  switch (command.name) {
    case "help":
      return reply(helpText(input.phrase), carried, "help");
    case "status":
      return reply(statusText(input), carried, "status");
    case "reset":
    case "remember": {
      if (!plan.byMaintainer) return reply(sorry(trigger.author?.login ?? "ghost", command.name), carried, "not-a-maintainer");
      if (command.name === "reset") {
        const block = { ...carried, since: trigger.id, summary: "", summary_until: null };
        return reply("Started a new session: I will not look at the conversation before this comment.", block, "reset");
      }
      let text = redactSecrets(command.argument).trim();
      if (text.length > MAX_REMEMBER_CHARS) text = `${text.slice(0, MAX_REMEMBER_CHARS)}…`;
      const before = conversation.context.instructions.trimEnd();
      const instructions = before === "" ? text : `${before}\n${text}`;
      const message = `Noted. Standing instructions for this thread are now:\n\n${fenced(instructions)}\n\nMaintainers can change or remove them in this comment's hidden context block (\`…\` → *Edit*).`;
      return reply(message, { ...carried, instructions }, "remember");
    }
  }
}

/** A notice (not replayed to Claude) that carries the context block. */
export function commandReply(message: string, block: ContextBlock): string {
  return `${NOTICE_MARKER}\n${neutraliseContextBlocks(message.trim())}\n\n${renderContextBlock(block)}\n`;
}

export function helpText(phrase: string): string {
  return [
    `I'm Claude, answering in this thread when someone mentions \`${phrase}\`. I read the whole thread (it is our conversation's memory) and answer the newest mention. Commands:`,
    "",
    "| command | what it does |",
    "| --- | --- |",
    `| \`${phrase} help\` | This message. |`,
    `| \`${phrase} status\` | What I know about this thread: turns, summary, model, instructions, tokens used. |`,
    `| \`${phrase} retry\` | Answer again the newest earlier mention that got no answer (after an error); otherwise answer the conversation. |`,
    `| \`${phrase} remember <text>\` | Maintainers: add a standing instruction for this thread. |`,
    `| \`${phrase} reset\` | Maintainers: start over; I ignore the conversation before that comment. |`,
    "",
    "Anything else is a question for me. Repository settings live in `.github/claude.yml`.",
  ].join("\n");
}

function fenced(text: string): string {
  const fence = fenceFor(text);
  return `${fence}text\n${text}\n${fence}`;
}

const n = new Intl.NumberFormat("en-US");

function statusText(input: CommandInput): string {
  const { conversation: conv, repoConfig, thread } = input;
  const config = repoConfig.config;
  const { model, warning } = resolveModel(conv.context, config);
  const people = conv.turns.filter((t) => t.role === "user").length;
  const omitted = [
    conv.omitted.beforeSince > 0 ? `${conv.omitted.beforeSince} before the last reset` : "",
    conv.omitted.summarised > 0 ? `${conv.omitted.summarised} folded into the summary` : "",
    conv.omitted.minimized > 0 ? `${conv.omitted.minimized} hidden` : "",
  ].filter(Boolean);
  const summary = conv.context.summary.trim();
  const u = conv.context.usage;
  const next = estimateRequestTokens(
    buildClaudeRequest(conv, thread, { model, maxTokens: config.max_output_tokens, standingInstructions: config.instructions, cacheTtl: config.cache_ttl }),
  );
  const lines = [
    "**What I know about this thread**",
    "",
    `- **Conversation:** ${conv.turns.length} ${conv.turns.length === 1 ? "turn" : "turns"} (${people} from people, ${conv.turns.length - people} from me)${omitted.length ? `; comments left out: ${omitted.join(", ")}` : ""}.`,
    `- **Summary:** ${summary === "" ? "none" : `${n.format(summary.length)} characters, covering comments up to ${conv.context.summary_until ?? "?"}`}.`,
    `- **Model:** \`${model}\` (${conv.context.model === null ? "repository default" : warning ? "the block's choice is not allowed" : "set in this thread's context block"}); output limit ${n.format(config.max_output_tokens)} tokens.`,
    `- **Tokens used so far:** ${n.format(u.input)} input, ${n.format(u.cache_read)} cache read, ${n.format(u.cache_write)} cache write, ${n.format(u.output)} output (about ${formatCost(estimateCostUsd(model, u))} at \`${model}\` prices).`,
    `- **Next request:** about ${n.format(next)} input tokens; older turns are folded into the summary above ${n.format(config.history.input_token_budget)}.`,
    `- **Code:** ${config.code.enabled ? "read-only code tools on" : "code tools off (`code.enabled: false`)"}${conv.context.code_ref ? `; code read at \`${conv.context.code_ref.slice(0, 7)}\` by the last answer` : ""}.`,
    `- **Settings:** ${repoConfig.sources.join(", ")}; progress \`${config.progress.mode}\`; who may ask: \`${config.access.allow}\`; prompt cache \`${config.cache_ttl}\`.`,
  ];
  const repoInstructions = config.instructions.trim();
  const threadInstructions = conv.context.instructions.trim();
  lines.push("", "**Standing instructions**", "");
  if (repoInstructions === "" && threadInstructions === "") lines.push("None.");
  if (repoInstructions !== "") lines.push("From `.github/claude.yml`:", "", fenced(repoInstructions), "");
  if (threadInstructions !== "") lines.push("For this thread (context block):", "", fenced(threadInstructions));
  const warnings = [...conv.warnings, ...repoConfig.warnings, ...(warning ? [warning] : [])];
  if (warnings.length > 0) lines.push("", "**Warnings**", "", ...warnings.map((w) => `- ${w.replace(/\s*\n\s*/g, " ")}`));
  return lines.join("\n");
}
