import { describe, expect, it } from "vitest";
import { refusalReply } from "../../src/present/command-replies.js";
import { authorize, type Actor, type CommandContext, type KnownCommand } from "../../src/rollout/authorize.js";
import { parseCommand } from "../../src/rollout/commands.js";
import { DEFAULT_STAGE, type StagePolicy } from "../../src/rollout/policy.js";

// acme/templates; pat authored the pull request that published the version.
const prod: StagePolicy = { ...DEFAULT_STAGE, name: "prod", gate: "comment", approvers: { teams: ["acme/platform-team"] }, authorMayApprove: false };
const test: StagePolicy = { ...DEFAULT_STAGE, name: "test" }; // gate auto, approvers: none named (write)
// Gated, approvers named nowhere: admins only (DESIGN: prod needs an explicit allow-list).
const bare: StagePolicy = { ...DEFAULT_STAGE, name: "prod", gate: "comment", authorMayApprove: false };
/** `stages`: those the command acts on; `fork`: the pull request comes from a fork and is not merged. */
const context = (stages: StagePolicy[] = [], fork = false): CommandContext => ({ repository: "acme/templates", pullRequestAuthor: "pat", fork, stages });

/** The decision as the commenter reads it: allowed, or the reply that refuses. */
function decide(command: KnownCommand, actor: Actor, ctx: CommandContext) {
  const answer = authorize(command, actor, ctx);
  return answer.allowed ? answer : { allowed: false, reason: refusalReply(answer.refusal) };
}

/** `teams: "unanswered"`: GitHub did not say which teams the user is in. */
const user = (login: string, permission: Actor["permission"], teams: string[] | "unanswered" = []): Actor => ({
  login, type: "User", permission, teams: teams === "unanswered" ? undefined : new Set(teams),
});
const actors = {
  admin: { actor: user("ada", "admin"), fork: false },
  write: { actor: user("wes", "write"), fork: false },
  read: { actor: user("rae", "read"), fork: false },
  author: { actor: user("pat", "admin"), fork: false },
  member: { actor: user("tom", "read", ["acme/platform-team"]), fork: false },
  nonMember: { actor: user("nia", "write", ["acme/app-team"]), fork: false },
  forkPr: { actor: user("ada", "admin"), fork: true },
  bot: { actor: { login: "deployer[bot]", type: "Bot", permission: "admin", teams: new Set<string>() } as Actor, fork: false },
  silent: { actor: user("sam", undefined, "unanswered"), fork: false }, // GitHub did not answer
};
type Column = keyof typeof actors;
const columns = Object.keys(actors) as Column[];

// What each cell expects: allowed, or the reply that refuses, word for word.
const ok = "allowed";
const TEAM = (cmd: string) => `\`${cmd}\` needs membership in acme/platform-team; you are not a member. Nothing was done.`;
const WRITE = (cmd: string, a: Actor) => `\`${cmd}\` needs write access to acme/templates; you have ${a.permission}. Nothing was done.`;
const AUTHOR = (cmd: string) => `\`${cmd}\` may not be approved by the author of the pull request (authorMayApprove: false). Nothing was done.`;
const FORK = (cmd: string) =>
  `\`${cmd}\` does nothing on a pull request from a fork that is not merged: changes from a fork are reviewed, never published, rolled out or deployed before a maintainer merges them. Nothing was done.`;
const BOT = (cmd: string, a: Actor) => `\`${cmd}\` came from a bot (${a.login}); only people may run commands that change something. Nothing was done.`;
const NO_TEAMS = (cmd: string) => `\`${cmd}\` needs membership in acme/platform-team; GitHub did not answer whether you are a member; nothing was done. Try again.`;
const NO_ACCESS = (cmd: string) => `\`${cmd}\` needs write access to acme/templates; GitHub did not answer what access you have; nothing was done. Try again.`;
// Commands that act on the gated prod without opening it: resume there, roll back there.
const ON_PROD_TEAM = (cmd: string) => `\`${cmd}\` acts on prod, so it needs what opening prod needs: membership in acme/platform-team; you are not a member. Nothing was done.`;
const ON_PROD_NO_TEAMS = (cmd: string) => `\`${cmd}\` acts on prod, so it needs what opening prod needs: membership in acme/platform-team; GitHub did not answer whether you are a member; nothing was done. Try again.`;
const AUTHOR_ON_PROD = (cmd: string) => `\`${cmd}\` acts on prod, which the author of the pull request may not open (authorMayApprove: false); another approver of prod must. Nothing was done.`;
// The gated prod that names no approvers.
const HINT = "prod names no `approvers`, so only admins may open it: name them under the stage prod in `.github/baryon.yml`, teams (`approvers: [acme/<team>]`) or a minimum permission (`approvers: [maintain]`).";
const ADMIN = (cmd: string, a: Actor) => `\`${cmd}\` needs admin access to acme/templates; you have ${a.permission}. ${HINT} Nothing was done.`;
const ON_PROD_ADMIN = (cmd: string, a: Actor) => `\`${cmd}\` acts on prod, so it needs what opening prod needs: admin access to acme/templates; you have ${a.permission}. ${HINT} Nothing was done.`;
const ON_PROD_NO_ADMIN = (cmd: string) => `\`${cmd}\` acts on prod, so it needs what opening prod needs: admin access to acme/templates; GitHub did not answer what access you have; nothing was done. Try again. ${HINT}`;
const NO_ADMIN = (cmd: string) => `\`${cmd}\` needs admin access to acme/templates; GitHub did not answer what access you have; nothing was done. Try again. ${HINT}`;
type Cell = typeof ok | ((cmd: string, actor: Actor) => string);

// prettier-ignore
const matrix: [string, StagePolicy[], Cell[]][] = [
  //                                                         admin  write  read   author  member nonMember forkPr bot  silent
  ["/rollout prod",                              [prod],       [TEAM,  TEAM,  TEAM,  AUTHOR, ok,    TEAM,     FORK,  BOT, NO_TEAMS]],
  ["/rollout prod",                              [bare],       [ok,    ADMIN, ADMIN, AUTHOR, ADMIN, ADMIN,    FORK,  BOT, NO_ADMIN]],
  ["/rollout test",                              [test],       [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/rollout status",                            [],           [ok,    ok,    ok,    ok,     ok,    ok,       ok,    ok,  ok]],
  ["/rollout pause",                             [],           [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/rollout resume",                            [],           [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/rollout resume",                            [test],       [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  // At the gated prod, resuming needs what opening it needs: its team, and never its author.
  ["/rollout resume",                            [prod],       [ON_PROD_TEAM, ON_PROD_TEAM, ON_PROD_TEAM, AUTHOR_ON_PROD, ok, ON_PROD_TEAM, FORK, BOT, ON_PROD_NO_TEAMS]],
  ["/rollout resume",                            [bare],       [ok,    ON_PROD_ADMIN, ON_PROD_ADMIN, AUTHOR_ON_PROD, ON_PROD_ADMIN, ON_PROD_ADMIN, FORK, BOT, ON_PROD_NO_ADMIN]],
  ["/rollout abort",                             [],           [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/rollout abort",                             [prod],       [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/rollout pause",                             [prod],       [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/rollback checkout/checkout-prod",           [prod],       [ON_PROD_TEAM, ON_PROD_TEAM, ON_PROD_TEAM, ON_PROD_TEAM, ok, ON_PROD_TEAM, FORK, BOT, ON_PROD_NO_TEAMS]],
  ["/rollback checkout/checkout-prod",           [bare],       [ok,    ON_PROD_ADMIN, ON_PROD_ADMIN, ok, ON_PROD_ADMIN, ON_PROD_ADMIN, FORK, BOT, ON_PROD_NO_ADMIN]],
  ["/rollback checkout/checkout-test",           [test],       [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/rollback",                                  [test],       [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  // Everything the rollout deployed, test and prod: write for test, and prod's team.
  ["/rollback",                                  [test, prod], [ON_PROD_TEAM, ON_PROD_TEAM, ON_PROD_TEAM, ON_PROD_TEAM, WRITE, ON_PROD_TEAM, FORK, BOT, ON_PROD_NO_TEAMS]],
  ["/publish",                                   [],           [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/baryon confirm-delete checkout/checkout-prod", [],        [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/baryon help",                               [],           [ok,    ok,    ok,    ok,     ok,    ok,       ok,    ok,  ok]],
];

const parse = (text: string) => {
  const command = parseCommand(text);
  if (!command || command.name === "unknown") throw new Error(`not a command: ${text}`);
  return command satisfies KnownCommand;
};

describe("authorize: every command × every kind of commenter", () => {
  const cases = matrix.flatMap(([text, stages, cells]) => columns.map((column, i) => ({ text, stages, at: stages.map((s) => `${s.name}${s === bare ? " (no approvers)" : ""}`).join("+") || "-", column, cell: cells[i]! })));

  it("covers every column of every row", () => {
    for (const [text, , cells] of matrix) expect(cells, text).toHaveLength(columns.length);
  });

  it.each(cases)("$text at $at by $column", ({ text, stages, column, cell }) => {
    const { actor, fork } = actors[column];
    const answer = decide(parse(text), actor, context(stages, fork));
    expect(answer).toEqual(cell === ok ? { allowed: true } : { allowed: false, reason: cell(text, actor) });
  });
});

describe("authorize: a stage's approvers", () => {
  const approve = parse("/rollout prod");
  const gated = (approvers: StagePolicy["approvers"], authorMayApprove = false): StagePolicy => ({ ...prod, approvers, authorMayApprove });

  it.each([
    ["a team member with read", user("tom", "read", ["acme/platform-team"]), true],
    ["a maintainer in no team", user("max", "maintain", []), true],
    ["a team member GitHub gave no permission for", user("tom", undefined, ["acme/platform-team"]), true],
    ["a maintainer whose teams could not be read", user("max", "maintain", "unanswered"), true],
    ["a writer in another team", user("wes", "write", ["acme/app-team"]), "`/rollout prod` needs membership in acme/platform-team or maintain access to acme/templates; you are not a member and have write. Nothing was done."],
    ["a writer whose teams could not be read", user("wes", "write", "unanswered"), "`/rollout prod` needs membership in acme/platform-team or maintain access to acme/templates; GitHub did not answer whether you are a member; nothing was done. Try again."],
    ["a non-member GitHub gave no permission for", user("nia", undefined, []), "`/rollout prod` needs membership in acme/platform-team or maintain access to acme/templates; GitHub did not answer what access you have; nothing was done. Try again."],
    ["anyone, when GitHub answers nothing", user("sam", undefined, "unanswered"), "`/rollout prod` needs membership in acme/platform-team or maintain access to acme/templates; GitHub did not answer whether you are a member or what access you have; nothing was done. Try again."],
  ])("teams or maintain: %s", (_, actor, expected) => {
    const answer = decide(approve, actor, context([gated({ teams: ["acme/platform-team"], permission: "maintain" })]));
    expect(answer).toEqual(expected === true ? { allowed: true } : { allowed: false, reason: expected });
  });

  it("asks for the permission alone when no team is named", () => {
    const stage = gated({ teams: [], permission: "admin" });
    expect(decide(approve, user("ada", "admin"), context([stage]))).toEqual({ allowed: true });
    expect(decide(approve, user("max", "maintain", ["acme/platform-team"]), context([stage]))).toEqual({
      allowed: false, reason: "`/rollout prod` needs admin access to acme/templates; you have maintain. Nothing was done.",
    });
  });

  it("asks for admin, and says how to name approvers, when a gated stage names neither teams nor a permission", () => {
    const stage = gated({ teams: [] });
    expect(decide(approve, user("ada", "admin"), context([stage]))).toEqual({ allowed: true });
    expect(decide(approve, user("max", "maintain"), context([stage]))).toEqual({
      allowed: false,
      reason: "`/rollout prod` needs admin access to acme/templates; you have maintain. prod names no `approvers`, so only admins may open it: name them under the stage prod in `.github/baryon.yml`, teams (`approvers: [acme/<team>]`) or a minimum permission (`approvers: [maintain]`). Nothing was done.",
    });
    expect(authorize(approve, user("wes", "write"), context([stage]))).toEqual({
      allowed: false,
      refusal: { kind: "not-allowed", said: "/rollout prod", have: "write", requirement: { teams: [], permission: "admin", repository: "acme/templates", gate: { stage: "prod", opening: true, unnamed: true } } },
    });
  });

  it("asks only for write to open an auto stage, approvers or not", () => {
    expect(decide(parse("/rollout test"), user("wes", "write"), context([{ ...test, approvers: { teams: [] } }]))).toEqual({ allowed: true });
  });

  it("names every team, and matches them whatever their case in the config", () => {
    const stage = gated({ teams: ["acme/SRE", "acme/platform-team", "acme/release"] });
    expect(decide(approve, user("tom", "read", ["acme/sre"]), context([stage]))).toEqual({ allowed: true });
    expect(decide(approve, user("wes", "admin", ["acme/app-team"]), context([stage]))).toEqual({
      allowed: false, reason: "`/rollout prod` needs membership in acme/SRE, acme/platform-team or acme/release; you are a member of none of them. Nothing was done.",
    });
  });

  it("says `none` for someone with no access to the repository", () => {
    expect(decide(parse("/rollout pause"), user("eve", "none"), context())).toEqual({
      allowed: false, reason: "`/rollout pause` needs write access to acme/templates; you have none. Nothing was done.",
    });
  });
});

describe("authorize: the pull request's author", () => {
  const approve = parse("/rollout prod");
  const author = user("Pat", "admin", ["acme/platform-team"]);

  it("is refused even as a team member, whatever the case of the login, when authorMayApprove is false", () => {
    expect(decide(approve, author, context([prod]))).toEqual({
      allowed: false, reason: "`/rollout prod` may not be approved by the author of the pull request (authorMayApprove: false). Nothing was done.",
    });
  });

  it("may approve as a team member when authorMayApprove is true, and still needs to be one", () => {
    const open = { ...prod, authorMayApprove: true };
    expect(decide(approve, author, context([open]))).toEqual({ allowed: true });
    expect(decide(approve, user("pat", "admin"), context([open]))).toEqual({
      allowed: false, reason: "`/rollout prod` needs membership in acme/platform-team; you are not a member. Nothing was done.",
    });
  });
});

describe("authorize: the stage the command acts on", () => {
  it("refuses to approve a stage the caller could not find, or a different one", () => {
    const qa = parse("/rollout qa");
    const member = user("tom", "admin", ["acme/platform-team"]);
    const refusal = { allowed: false, reason: "`/rollout qa`: this rollout has no stage qa. Nothing was done." };
    expect(decide(qa, member, context())).toEqual(refusal);
    expect(decide(qa, member, context([prod]))).toEqual(refusal);
  });

  it("asks only for write to roll back when no gated stage is involved", () => {
    expect(decide(parse("/rollback"), user("wes", "write"), context())).toEqual({ allowed: true });
    expect(decide(parse("/rollback"), user("wes", "write"), context([test]))).toEqual({ allowed: true });
  });

  it("asks of a bare `/rollback` what every gated stage it touches asks, the strictest first refusing", () => {
    const sre: StagePolicy = { ...prod, name: "dr", approvers: { teams: ["acme/sre"] } };
    const rollback = parse("/rollback");
    expect(decide(rollback, user("tom", "read", ["acme/platform-team", "acme/sre"]), context([test, prod, sre]))).toEqual({ allowed: false, reason: WRITE("/rollback", user("tom", "read")) });
    expect(decide(rollback, user("tom", "write", ["acme/platform-team", "acme/sre"]), context([test, prod, sre]))).toEqual({ allowed: true });
    expect(decide(rollback, user("tom", "write", ["acme/platform-team"]), context([test, prod, sre]))).toEqual({
      allowed: false, reason: "`/rollback` acts on dr, so it needs what opening dr needs: membership in acme/sre; you are not a member. Nothing was done.",
    });
  });
});

describe("authorize: GitHub refusing to say who is in a team", () => {
  const forbidden = (permission: Actor["permission"]): Actor => ({ login: "tom", type: "User", permission, teams: undefined, teamsForbidden: true });
  const grant = "To grant it, the app's owner adds Organization permissions → Members: Read-only in the GitHub App's settings, and an owner of acme accepts the updated permissions in the organization's Settings → GitHub Apps.";

  it("refuses, naming the missing Members permission and how to grant it", () => {
    expect(decide(parse("/rollout prod"), forbidden("write"), context([prod]))).toEqual({
      allowed: false,
      reason: `\`/rollout prod\` needs membership in acme/platform-team; GitHub refused to say whether you are a member: Baryon's GitHub App lacks the organization permission "Members" (read). Nothing was done. ${grant}`,
    });
    const orMaintain: StagePolicy = { ...prod, approvers: { teams: ["acme/platform-team"], permission: "maintain" } };
    expect(decide(parse("/rollout resume"), forbidden(undefined), context([orMaintain]))).toEqual({
      allowed: false,
      reason: `\`/rollout resume\` acts on prod, so it needs what opening prod needs: membership in acme/platform-team or maintain access to acme/templates; GitHub refused to say whether you are a member: Baryon's GitHub App lacks the organization permission "Members" (read), and did not answer what access you have. Nothing was done. ${grant}`,
    });
  });

  it("still lets in someone with the stage's permission, which needs no team", () => {
    const stage: StagePolicy = { ...prod, approvers: { teams: ["acme/platform-team"], permission: "maintain" } };
    expect(decide(parse("/rollout prod"), forbidden("maintain"), context([stage]))).toEqual({ allowed: true });
  });
});
