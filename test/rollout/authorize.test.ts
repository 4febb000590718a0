import { describe, expect, it } from "vitest";
import { authorize, type Actor, type CommandContext, type KnownCommand } from "../../src/rollout/authorize.js";
import { parseCommand } from "../../src/rollout/commands.js";
import { DEFAULT_STAGE, type StagePolicy } from "../../src/rollout/policy.js";

// acme/templates; pat authored the pull request that published the version.
const prod: StagePolicy = { ...DEFAULT_STAGE, name: "prod", gate: "comment", approvers: { teams: ["acme/platform-team"] }, authorMayApprove: false };
const test: StagePolicy = { ...DEFAULT_STAGE, name: "test" }; // gate auto, approvers: none named (write)
const context = (stage?: StagePolicy, fork = false): CommandContext => ({ repository: "acme/templates", pullRequestAuthor: "pat", fork, ...(stage ? { stage } : {}) });

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
  `\`${cmd}\` does nothing on a pull request from a fork: changes from a fork are reviewed, never published, rolled out or deployed. Nothing was done.`;
const BOT = (cmd: string, a: Actor) => `\`${cmd}\` came from a bot (${a.login}); only people may run commands that change something. Nothing was done.`;
const NO_TEAMS = (cmd: string) => `\`${cmd}\` needs membership in acme/platform-team; GitHub did not answer whether you are a member; nothing was done. Try again.`;
const NO_ACCESS = (cmd: string) => `\`${cmd}\` needs write access to acme/templates; GitHub did not answer what access you have; nothing was done. Try again.`;
type Cell = typeof ok | ((cmd: string, actor: Actor) => string);

// prettier-ignore
const matrix: [string, StagePolicy | undefined, Cell[]][] = [
  //                                                      admin  write  read   author  member nonMember forkPr bot  silent
  ["/rollout prod",                              prod,      [TEAM,  TEAM,  TEAM,  AUTHOR, ok,    TEAM,     FORK,  BOT, NO_TEAMS]],
  ["/rollout test",                              test,      [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/rollout status",                            undefined, [ok,    ok,    ok,    ok,     ok,    ok,       ok,    ok,  ok]],
  ["/rollout pause",                             undefined, [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/rollout resume",                            undefined, [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/rollout abort",                             undefined, [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/rollback checkout/checkout-prod",           prod,      [TEAM,  TEAM,  TEAM,  TEAM,   ok,    TEAM,     FORK,  BOT, NO_TEAMS]],
  ["/rollback checkout/checkout-test",           test,      [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/rollback",                                  test,      [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/publish",                                   undefined, [ok,    ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/baryon confirm-delete checkout/checkout-prod", undefined, [ok, ok,    WRITE, ok,     WRITE, ok,       FORK,  BOT, NO_ACCESS]],
  ["/baryon help",                               undefined, [ok,    ok,    ok,    ok,     ok,    ok,       ok,    ok,  ok]],
];

const parse = (text: string) => {
  const command = parseCommand(text);
  if (!command || command.name === "unknown") throw new Error(`not a command: ${text}`);
  return command satisfies KnownCommand;
};

describe("authorize: every command × every kind of commenter", () => {
  const cases = matrix.flatMap(([text, stage, cells]) => columns.map((column, i) => ({ text, stage, column, cell: cells[i]! })));

  it("covers every column of every row", () => {
    for (const [text, , cells] of matrix) expect(cells, text).toHaveLength(columns.length);
  });

  it.each(cases)("$text by $column", ({ text, stage, column, cell }) => {
    const { actor, fork } = actors[column];
    const answer = authorize(parse(text), actor, context(stage, fork));
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
    const answer = authorize(approve, actor, context(gated({ teams: ["acme/platform-team"], permission: "maintain" })));
    expect(answer).toEqual(expected === true ? { allowed: true } : { allowed: false, reason: expected });
  });

  it("asks for the permission alone when no team is named", () => {
    const stage = gated({ teams: [], permission: "admin" });
    expect(authorize(approve, user("ada", "admin"), context(stage))).toEqual({ allowed: true });
    expect(authorize(approve, user("max", "maintain", ["acme/platform-team"]), context(stage))).toEqual({
      allowed: false, reason: "`/rollout prod` needs admin access to acme/templates; you have maintain. Nothing was done.",
    });
  });

  it("asks for write when neither teams nor a permission are named", () => {
    const stage = gated({ teams: [] });
    expect(authorize(approve, user("wes", "write"), context(stage))).toEqual({ allowed: true });
    expect(authorize(approve, user("tri", "triage"), context(stage))).toEqual({
      allowed: false, reason: "`/rollout prod` needs write access to acme/templates; you have triage. Nothing was done.",
    });
  });

  it("names every team, and matches them whatever their case in the config", () => {
    const stage = gated({ teams: ["acme/SRE", "acme/platform-team", "acme/release"] });
    expect(authorize(approve, user("tom", "read", ["acme/sre"]), context(stage))).toEqual({ allowed: true });
    expect(authorize(approve, user("wes", "admin", ["acme/app-team"]), context(stage))).toEqual({
      allowed: false, reason: "`/rollout prod` needs membership in acme/SRE, acme/platform-team or acme/release; you are a member of none of them. Nothing was done.",
    });
  });

  it("says `none` for someone with no access to the repository", () => {
    expect(authorize(parse("/rollout pause"), user("eve", "none"), context())).toEqual({
      allowed: false, reason: "`/rollout pause` needs write access to acme/templates; you have none. Nothing was done.",
    });
  });
});

describe("authorize: the pull request's author", () => {
  const approve = parse("/rollout prod");
  const author = user("Pat", "admin", ["acme/platform-team"]);

  it("is refused even as a team member, whatever the case of the login, when authorMayApprove is false", () => {
    expect(authorize(approve, author, context(prod))).toEqual({
      allowed: false, reason: "`/rollout prod` may not be approved by the author of the pull request (authorMayApprove: false). Nothing was done.",
    });
  });

  it("may approve as a team member when authorMayApprove is true, and still needs to be one", () => {
    const open = { ...prod, authorMayApprove: true };
    expect(authorize(approve, author, context(open))).toEqual({ allowed: true });
    expect(authorize(approve, user("pat", "admin"), context(open))).toEqual({
      allowed: false, reason: "`/rollout prod` needs membership in acme/platform-team; you are not a member. Nothing was done.",
    });
  });
});

describe("authorize: the stage the command acts on", () => {
  it("refuses to approve a stage the caller could not find, or a different one", () => {
    const qa = parse("/rollout qa");
    const member = user("tom", "admin", ["acme/platform-team"]);
    const refusal = { allowed: false, reason: "`/rollout qa`: this rollout has no stage qa. Nothing was done." };
    expect(authorize(qa, member, context())).toEqual(refusal);
    expect(authorize(qa, member, context(prod))).toEqual(refusal);
  });

  it("asks only for write to roll back when no gated stage is involved", () => {
    expect(authorize(parse("/rollback"), user("wes", "write"), context())).toEqual({ allowed: true });
  });
});
