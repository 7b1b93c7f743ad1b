// Which model answers a thread: the context block's choice when the repository allows it, else the default.
import type { ContextBlock } from "../types.js";

/** Sanitised for a footer line: the block's `model` is maintainer-typed text. */
function shown(text: string): string {
  const safe = text.replace(/[^\w.:@/+-]/g, "?");
  return safe.length > 60 ? `${safe.slice(0, 60)}…` : safe;
}

/** The model for this thread: the block's, if the repository allows it, else the repository default. */
export function resolveModel(
  context: Pick<ContextBlock, "model">,
  config: { models: { default: string; allowed: readonly string[] } },
): { model: string; warning: string | null } {
  const wanted = context.model;
  if (wanted === null || wanted === config.models.default) return { model: config.models.default, warning: null };
  if (config.models.allowed.includes(wanted)) return { model: wanted, warning: null };
  return {
    model: config.models.default,
    warning:
      `The context block asks for model \`${shown(wanted)}\`, which is not in \`models.allowed\` of ` +
      `\`.github/claude.yml\`; using \`${shown(config.models.default)}\`.`,
  };
}
