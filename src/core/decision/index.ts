// The decision for a job (skip / refuse / command / answer) and the rules it is made of.
export {
  admit,
  alreadyRefused,
  likelyAdmitted,
  needsPermission,
  payloadAuthor,
  refusalMarker,
  refusalNotice,
  refusalNoticeKind,
  type AccessPolicy,
  type Admission,
  type MentionAuthor,
} from "./access.js";
export { echoesBotLines, echoesBotText, liveMentionLines } from "./echo.js";
export { resolveModel } from "./model.js";
export { botAnswersInARow, commentAuthor, findTrigger, planJob, retryTarget, type CommandName, type JobPlan, type PlanInput, type SkipReason } from "./plan.js";
