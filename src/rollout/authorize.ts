// Who may run a PR comment command, decided from plain values (pure): the caller
// asks GitHub for the commenter's permission and teams when the command runs, and
// passes undefined where GitHub did not answer, which refuses (fail closed).
// A refusal is data (what was missing); src/present/command-replies.ts words it.
// Read "Trust" in DESIGN.md.
import { commandText, type Command } from "./commands.js";
import { atLeast, type Permission, type StagePolicy } from "./policy.js";

export interface Actor {
  login: string;
  type: "User" | "Bot";
  /** On the repository; undefined: GitHub could not answer. */
  permission: Permission | "none" | undefined;
  /** `org/team` slugs, lower-case; undefined: they could not be read. */
  teams: ReadonlySet<string> | undefined;
  /**
   * GitHub refused (403) to say which teams the commenter is in: the app lacks the
   * organization permission Members: read. Only meaningful when `teams` is undefined.
   */
  teamsForbidden?: boolean;
}

export interface CommandContext {
  /** `owner/name`, for the replies. */
  repository: string;
  pullRequestAuthor: string;
  /**
   * The pull request comes from a fork and is not merged: its author's code, which no
   * maintainer has taken. Once merged, commenters are authorized one by one like any other.
   */
  fork: boolean;
  /**
   * The stages the command acts on: for `/rollout <stage>`, that stage (none if the rollout
   * has no such stage); for `/rollout resume`, the stage the rollout stands at; for
   * `/rollback <resource>`, its stage; for `/rollback`, every stage it would take back.
   */
  stages?: readonly StagePolicy[];
}

/** Who may run a command: members of any of `teams`, or anyone with at least `permission` on `repository`. */
export interface Requirement {
  teams: readonly string[];
  permission: Permission | undefined;
  repository: string;
  /**
   * A gated stage's approvers: for `opening` it (`/rollout <stage>`), or for a command that acts
   * on it (`/rollout resume`, `/rollback`); `unnamed`: it names none, so admins only.
   */
  gate?: { stage: string; opening: boolean; unnamed: boolean };
}

/** Why a command was refused; `said` is the command as Baryon writes it (`/rollout prod`). */
export type Refusal =
  | { kind: "fork"; said: string }
  | { kind: "bot"; said: string; login: string }
  | { kind: "no-such-stage"; said: string; stage: string }
  /** The pull request's author, at a stage with `authorMayApprove: false`. */
  | { kind: "author"; said: string; stage: string; opening: boolean }
  /** The commenter is in none of the teams and has too little access (`have`, as GitHub says it). */
  | { kind: "not-allowed"; said: string; requirement: Requirement; have: Permission | "none" }
  /** GitHub did not say whether the commenter is in the teams (`forbidden`: it refused, 403), or what access they have. */
  | { kind: "not-answered"; said: string; requirement: Requirement; teams: false | "unanswered" | "forbidden"; permission: boolean };

export type Authorization = { allowed: true } | { allowed: false; refusal: Refusal };

/** Commands that do something; an unknown one is answered without asking who wrote it. */
export type KnownCommand = Exclude<Command, { name: "unknown" }>;

const ALLOWED: Authorization = { allowed: true };
const refuse = (refusal: Refusal): Authorization => ({ allowed: false, refusal });

/** Whether `actor` may run `command` now. */
export function authorize(command: KnownCommand, actor: Actor, context: CommandContext): Authorization {
  // Reading changes nothing: anyone, bots and forks included.
  if (command.name === "help" || (command.name === "rollout" && command.action === "status")) return ALLOWED;
  const said = commandText(command);
  if (context.fork) return refuse({ kind: "fork", said });
  if (actor.type === "Bot") return refuse({ kind: "bot", said, login: actor.login });
  const write: Requirement = { teams: [], permission: "write", repository: context.repository };
  const stages = context.stages ?? [];
  if (command.name === "rollout" && command.action === "approve") {
    const stage = stages[0];
    // The flow finds the stage by name; a missing or different one must not borrow another's approvers.
    if (stage?.name !== command.stage) return refuse({ kind: "no-such-stage", said, stage: command.stage });
    // An auto stage has no gate to open: approving it is an ordinary change.
    if (stage.gate === "auto") return check(said, actor, write);
    if (!stage.authorMayApprove && sameLogin(actor.login, context.pullRequestAuthor)) return refuse({ kind: "author", said, stage: stage.name, opening: true });
    return check(said, actor, gateRequirement(stage, context.repository, true));
  }
  // Resuming at a gated stage goes on with what its opening allowed (an inconclusive verdict
  // accepted, failed resources retried): it needs what opening it needs, author bar included.
  // Rolling back changes each stage it touches: a gated one's approvers, an auto one's write
  // access, every one of them; the author bar is for going forward only. Pause and abort only
  // stop things: write.
  const resume = command.name === "rollout" && command.action === "resume";
  if ((resume || command.name === "rollback") && stages.length) {
    // Gated stages first: their refusal says the most.
    const gatedFirst = [...stages].sort((a, b) => Number(b.gate === "comment") - Number(a.gate === "comment"));
    for (const stage of gatedFirst) {
      if (resume && stage.gate === "comment" && !stage.authorMayApprove && sameLogin(actor.login, context.pullRequestAuthor)) {
        return refuse({ kind: "author", said, stage: stage.name, opening: false });
      }
      const decision = check(said, actor, stage.gate === "comment" ? gateRequirement(stage, context.repository, false) : write);
      if (!decision.allowed) return decision;
    }
    return ALLOWED;
  }
  return check(said, actor, write);
}

/** Who may open a gated stage: its approvers; none named, admins only (DESIGN: prod needs an explicit allow-list). */
function gateRequirement(stage: StagePolicy, repository: string, opening: boolean): Requirement {
  const { teams, permission } = stage.approvers;
  const unnamed = !teams.length && !permission;
  return { teams, permission: unnamed ? "admin" : permission, repository, gate: { stage: stage.name, opening, unnamed } };
}

// Either way in is enough: a team proven, or a permission proven. Unknown counts as neither.
function check(said: string, actor: Actor, requirement: Requirement): Authorization {
  const teams = requirement.teams.map((team) => team.toLowerCase());
  const permission = requirement.permission;
  const member = !teams.length ? false : actor.teams && teams.some((team) => actor.teams!.has(team));
  const enough = !permission ? false : actor.permission && actor.permission !== "none" && atLeast(actor.permission, permission);
  if (member || enough) return ALLOWED;
  if (member === undefined || enough === undefined) {
    const teamsAnswer = member !== undefined ? false : actor.teamsForbidden ? "forbidden" : "unanswered";
    return refuse({ kind: "not-answered", said, requirement, teams: teamsAnswer, permission: enough === undefined });
  }
  return refuse({ kind: "not-allowed", said, requirement, have: actor.permission ?? "none" });
}

// GitHub logins are case-insensitive.
const sameLogin = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
