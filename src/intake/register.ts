// Thin Probot handlers: one per event of the table, each handing the delivery to decideIntake.
import type { Probot } from "probot";
import { decideIntake, type Delivery, type IntakeDecision, type IntakeDeps } from "./decide.js";
import { INTAKE_EVENT_NAMES, type IntakeEventName } from "./events.js";

/** Registers every event of the table; `onDecision` sees each decision (metrics) once it is made. */
export function registerIntake(
  probot: Probot,
  deps: IntakeDeps,
  onDecision: (decision: IntakeDecision, startedAt: number, event: IntakeEventName) => void = () => undefined,
): void {
  for (const event of INTAKE_EVENT_NAMES) {
    probot.on(event, async (context) => {
      const startedAt = Date.now();
      const { decision } = await decideIntake(event, context as unknown as Delivery<typeof event>, deps);
      onDecision(decision, startedAt, event);
    });
  }
}
