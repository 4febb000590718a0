// Replies to pull request commands: each quotes the command it answers and
// addresses its author, so a thread with several commands stays readable.
// Refusals say exactly what was missing and end "Nothing was done."
import type { Permission } from "../rollout/policy.js";

/** The command's first line, quoted (an `>` line cannot break out of the quote). */
export function commandReply(command: { text: string; author: string }, body: string): string {
  const first = command.text.split(/\r?\n/, 1)[0]!.trim().slice(0, 200);
  return `> ${first}\n\n@${command.author} ${body}`;
}

/** Every command, one line each: `/baryon help` answers with it. */
const COMMANDS = [
  "`/publish`: publish a merged pull request again (write access)",
  "`/baryon confirm-delete <resource>`: on the merged pull request that removed it from the inventory, delete that resource's infrastructure (write access)",
  "`/rollout <stage>`: on the pull request that published a version, open that stage's gate (the stage's `approvers` in `.github/baryon.yml`, write access if it names none; its `authorMayApprove` decides whether the pull request's author may)",
  "`/rollout status`: where that rollout stands (anyone)",
  "`/rollout pause`, `/rollout resume`: stop starting deployments, and go on again (write access)",
  "`/rollout abort`: end the rollout; nothing new starts (write access)",
  "`/rollback [resource]`: deploy the last verified version again, to one resource or to what the rollout last deployed, and hold it there (write access; a gated stage's approvers for its resources)",
  "`/baryon help`: this list",
];

export const HELP = `Baryon's commands, each on the first line of a comment on a pull request:\n\n${COMMANDS.map((c) => `- ${c}`).join("\n")}\n\n\`status\`, \`pause\`, \`resume\` and \`abort\` are words of \`/rollout\`, never stage names. Commands on a pull request from a fork, and from bots, change nothing.`;

const code = (text: string) => `\`${text.replaceAll("`", "'")}\``;

/** `hint`: the right form, when the command is Baryon's but written wrong. */
export const UNKNOWN_COMMAND = (text: string, hint?: string) =>
  hint
    ? `${code(text)} is not a Baryon command as written: ${hint}`
    : `${code(text)} is not a Baryon command. Commands: \`/publish\` (retry publishing a merged pull request), \`/baryon confirm-delete <resource>\`, \`/rollout <stage|status|pause|resume|abort>\`, \`/rollback [resource]\`, \`/baryon help\`.`;


/** Who may run a command: members of any of `teams`, or anyone with at least `permission` on `repository`. */
export interface Requirement {
  teams: readonly string[];
  permission: Permission | undefined;
  repository: string;
}

const anyOf = (names: readonly string[]) => (names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`);

function needs({ teams, permission, repository }: Requirement): string {
  const member = teams.length ? `membership in ${anyOf(teams)}` : undefined;
  const access = permission ? `${permission} access to ${repository}` : undefined;
  return [member, access].filter(Boolean).join(" or ");
}

/** The commenter is in none of the teams and has too little access (`have`, as GitHub says it). */
export const NOT_ALLOWED = (command: string, requirement: Requirement, have: string): string => {
  const notMember = requirement.teams.length > 1 ? "you are a member of none of them" : "you are not a member";
  const lacks = !requirement.permission ? notMember : requirement.teams.length ? `${notMember} and have ${have}` : `you have ${have}`;
  return `\`${command}\` needs ${needs(requirement)}; ${lacks}. Nothing was done.`;
};

/** `command` as the user wrote it (`/publish`, `/baryon confirm-delete`). */
export const NEEDS_WRITE = (command: string, repository: string, permission: string) =>
  NOT_ALLOWED(command, { teams: [], permission: "write", repository }, permission);

/** GitHub could not say whether the commenter is in the teams, or what access they have: fail closed. */
export const NOT_ANSWERED = (command: string, requirement: Requirement, unanswered: { teams: boolean; permission: boolean }): string => {
  const what = [unanswered.teams ? "whether you are a member" : "", unanswered.permission ? "what access you have" : ""].filter(Boolean).join(" or ");
  return `\`${command}\` needs ${needs(requirement)}; GitHub did not answer ${what}; nothing was done. Try again.`;
};

export const AUTHOR_MAY_NOT_APPROVE = (command: string) =>
  `\`${command}\` may not be approved by the author of the pull request (authorMayApprove: false). Nothing was done.`;

export const FROM_FORK = (command: string) =>
  `\`${command}\` does nothing on a pull request from a fork: changes from a fork are reviewed, never published, rolled out or deployed. Nothing was done.`;

export const FROM_BOT = (command: string, login: string) =>
  `\`${command}\` came from a bot (${login}); only people may run commands that change something. Nothing was done.`;

export const NO_SUCH_STAGE = (command: string, stage: string) => `\`${command}\`: this rollout has no stage ${stage}. Nothing was done.`;

export const NOT_MERGED = (command: string, does: string) => `\`${command}\` ${does} a merged pull request; this one is not merged. Nothing was done.`;

export const OTHER_BRANCH = (command: string, does: string, defaultBranch: string, base: string) =>
  `\`${command}\` ${does} what merged into ${defaultBranch}; this pull request merged into ${base}. Nothing was done.`;
