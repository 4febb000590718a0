// Who may run a PR comment command, decided from plain values (pure): the caller
// asks GitHub for the commenter's permission and teams when the command runs, and
// passes undefined where GitHub did not answer, which refuses (fail closed).
// Read "Trust" in DESIGN.md.
import { AUTHOR_MAY_NOT_APPROVE, FROM_BOT, FROM_FORK, NO_SUCH_STAGE, NOT_ALLOWED, NOT_ANSWERED, type Requirement } from "../present/command-replies.js";
import { commandText, type Command } from "./commands.js";
import { atLeast, requiredPermission, type Approvers, type Permission, type StagePolicy } from "./policy.js";

export interface Actor {
  login: string;
  type: "User" | "Bot";
  /** On the repository; undefined: GitHub could not answer. */
  permission: Permission | "none" | undefined;
  /** `org/team` slugs, lower-case; undefined: they could not be read. */
  teams: ReadonlySet<string> | undefined;
}

export interface CommandContext {
  /** `owner/name`, for the replies. */
  repository: string;
  pullRequestAuthor: string;
  fork: boolean;
  /** The stage the command acts on: for `/rollout <stage>`, that stage; for `/rollback`, its resources' stage. */
  stage?: StagePolicy;
}

export type Authorization = { allowed: true } | { allowed: false; reason: string };

/** Commands that do something; an unknown one is answered without asking who wrote it. */
export type KnownCommand = Exclude<Command, { name: "unknown" }>;

const ALLOWED: Authorization = { allowed: true };
const refuse = (reason: string): Authorization => ({ allowed: false, reason });
const WRITE: Approvers = { teams: [], permission: "write" };

/** Whether `actor` may run `command` now; a refusal's reason is the reply, a complete sentence. */
export function authorize(command: KnownCommand, actor: Actor, context: CommandContext): Authorization {
  // Reading changes nothing: anyone, bots and forks included.
  if (command.name === "help" || (command.name === "rollout" && command.action === "status")) return ALLOWED;
  const said = commandText(command);
  if (context.fork) return refuse(FROM_FORK(said));
  if (actor.type === "Bot") return refuse(FROM_BOT(said, actor.login));
  const stage = context.stage;
  if (command.name === "rollout" && command.action === "approve") {
    // The flow finds the stage by name; a missing or different one must not borrow another's approvers.
    if (stage?.name !== command.stage) return refuse(NO_SUCH_STAGE(said, command.stage));
    // An auto stage has no gate to open: approving it is an ordinary change.
    if (stage.gate === "auto") return check(said, actor, context.repository, WRITE);
    if (!stage.authorMayApprove && sameLogin(actor.login, context.pullRequestAuthor)) return refuse(AUTHOR_MAY_NOT_APPROVE(said));
    return check(said, actor, context.repository, stage.approvers);
  }
  // Rolling back a gated stage changes it as much as opening it; the author bar is for opening only.
  if (command.name === "rollback" && stage?.gate === "comment") return check(said, actor, context.repository, stage.approvers);
  return check(said, actor, context.repository, WRITE);
}

// Either way in is enough: a team proven, or a permission proven. Unknown counts as neither.
function check(said: string, actor: Actor, repository: string, approvers: Approvers): Authorization {
  const teams = approvers.teams.map((team) => team.toLowerCase());
  const permission = requiredPermission(approvers);
  const member = !teams.length ? false : actor.teams && teams.some((team) => actor.teams!.has(team));
  const enough = !permission ? false : actor.permission && actor.permission !== "none" && atLeast(actor.permission, permission);
  if (member || enough) return ALLOWED;
  const requirement: Requirement = { teams: approvers.teams, permission, repository };
  if (member === undefined || enough === undefined) {
    return refuse(NOT_ANSWERED(said, requirement, { teams: member === undefined, permission: enough === undefined }));
  }
  return refuse(NOT_ALLOWED(said, requirement, actor.permission ?? "none"));
}

// GitHub logins are case-insensitive.
const sameLogin = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
