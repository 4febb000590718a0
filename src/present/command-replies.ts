// Replies to pull request commands: each quotes the command it answers and
// addresses its author, so a thread with several commands stays readable.
// Refusals say exactly what was missing and end "Nothing was done."
import type { Refusal, Requirement } from "../rollout/authorize.js";

/** The command's first line, quoted (an `>` line cannot break out of the quote). */
export function commandReply(command: { text: string; author: string }, body: string): string {
  const first = command.text.split(/\r?\n/, 1)[0]!.trim().slice(0, 200);
  return `> ${first}\n\n@${command.author} ${body}`;
}

/** Every command, one line each: `/baryon help` answers with it. */
const COMMANDS = [
  "`/publish`: publish a merged pull request again (write access)",
  "`/baryon confirm-delete <resource>`: on the merged pull request that removed it from the inventory, delete that resource's infrastructure (write access)",
  "`/rollout <stage>`: on the pull request that published a version, open that stage's gate (the stage's `approvers` in `.github/baryon.yml`, admin access if it names none; its `authorMayApprove` decides whether the pull request's author may)",
  "`/rollout status`: where that rollout stands (anyone)",
  "`/rollout pause`: stop starting deployments (write access)",
  "`/rollout resume`: go on after a pause or a halt (write access; at a gated stage, what opening that stage needs instead)",
  "`/rollout abort`: end the rollout; nothing new starts (write access)",
  "`/rollback [resource]`: deploy again the version each ran before this rollout, to one resource or to every resource the rollout deployed (which stops the rollout), and hold them there (for each gated stage it touches, that stage's approvers; write access for the others)",
  "`/baryon help`: this list",
];

export const HELP = `Baryon's commands, each on the first line of a comment on a pull request:\n\n${COMMANDS.map((c) => `- ${c}`).join("\n")}\n\n\`status\`, \`pause\`, \`resume\` and \`abort\` are words of \`/rollout\`, never stage names. Commands from bots, and on a pull request from a fork that is not merged, change nothing.`;

const code = (text: string) => `\`${text.replaceAll("`", "'")}\``;

/** `hint`: the right form, when the command is Baryon's but written wrong. */
export const UNKNOWN_COMMAND = (text: string, hint?: string) =>
  hint
    ? `${code(text)} is not a Baryon command as written: ${hint}`
    : `${code(text)} is not a Baryon command. Commands: \`/publish\` (retry publishing a merged pull request), \`/baryon confirm-delete <resource>\`, \`/rollout <stage|status|pause|resume|abort>\`, \`/rollback [resource]\`, \`/baryon help\`.`;

const anyOf = (names: readonly string[]) => (names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`);

function needs({ teams, permission, repository }: Requirement): string {
  const member = teams.length ? `membership in ${anyOf(teams)}` : undefined;
  const access = permission ? `${permission} access to ${repository}` : undefined;
  return [member, access].filter(Boolean).join(" or ");
}

/** "`/rollout prod` needs", or, for a command acting on a gated stage, why it needs that stage's approvers. */
function needsLead(command: string, requirement: Requirement): string {
  const gate = requirement.gate;
  const lead = gate && !gate.opening ? `\`${command}\` acts on ${gate.stage}, so it needs what opening ${gate.stage} needs:` : `\`${command}\` needs`;
  return `${lead} ${needs(requirement)}`;
}

/** A gated stage that names no approvers: how to name some. */
function unnamedHint(requirement: Requirement): string {
  const gate = requirement.gate;
  if (!gate?.unnamed) return "";
  const org = requirement.repository.split("/")[0];
  return ` ${gate.stage} names no \`approvers\`, so only admins may open it: name them under the stage ${gate.stage} in \`.github/baryon.yml\`, teams (\`approvers: [${org}/<team>]\`) or a minimum permission (\`approvers: [maintain]\`).`;
}

/** The commenter is in none of the teams and has too little access (`have`, as GitHub says it). */
export const NOT_ALLOWED = (command: string, requirement: Requirement, have: string): string => {
  const notMember = requirement.teams.length > 1 ? "you are a member of none of them" : "you are not a member";
  const lacks = !requirement.permission ? notMember : requirement.teams.length ? `${notMember} and have ${have}` : `you have ${have}`;
  return `${needsLead(command, requirement)}; ${lacks}.${unnamedHint(requirement)} Nothing was done.`;
};

/** `command` as the user wrote it (`/publish`, `/baryon confirm-delete`). */
export const NEEDS_WRITE = (command: string, repository: string, permission: string) =>
  NOT_ALLOWED(command, { teams: [], permission: "write", repository }, permission);

/** GitHub could not say whether the commenter is in the teams, or what access they have: fail closed. */
const NOT_ANSWERED = (command: string, requirement: Requirement, unanswered: { teams: false | "unanswered" | "forbidden"; permission: boolean }): string => {
  const lead = needsLead(command, requirement);
  if (unanswered.teams === "forbidden") {
    const orgs = [...new Set(requirement.teams.map((team) => team.split("/")[0]!))];
    const access = unanswered.permission ? ", and did not answer what access you have" : "";
    return `${lead}; GitHub refused to say whether you are a member: Baryon's GitHub App lacks the organization permission "Members" (read)${access}. Nothing was done. ` +
      `To grant it, the app's owner adds Organization permissions → Members: Read-only in the GitHub App's settings, and an owner of ${anyOf(orgs)} accepts the updated permissions in the organization's Settings → GitHub Apps.`;
  }
  const what = [unanswered.teams ? "whether you are a member" : "", unanswered.permission ? "what access you have" : ""].filter(Boolean).join(" or ");
  return `${lead}; GitHub did not answer ${what}; nothing was done. Try again.${unnamedHint(requirement)}`;
};

/** The reply to a refused command: exactly what was missing, ending "Nothing was done." (or how to fix it). */
export function refusalReply(refusal: Refusal): string {
  const said = refusal.said;
  switch (refusal.kind) {
    case "fork":
      return `\`${said}\` does nothing on a pull request from a fork that is not merged: changes from a fork are reviewed, never published, rolled out or deployed before a maintainer merges them. Nothing was done.`;
    case "bot":
      return `\`${said}\` came from a bot (${refusal.login}); only people may run commands that change something. Nothing was done.`;
    case "no-such-stage":
      return `\`${said}\`: this rollout has no stage ${refusal.stage}. Nothing was done.`;
    case "author":
      return refusal.opening
        ? `\`${said}\` may not be approved by the author of the pull request (authorMayApprove: false). Nothing was done.`
        : `\`${said}\` acts on ${refusal.stage}, which the author of the pull request may not open (authorMayApprove: false); another approver of ${refusal.stage} must. Nothing was done.`;
    case "not-allowed":
      return NOT_ALLOWED(said, refusal.requirement, refusal.have);
    case "not-answered":
      return NOT_ANSWERED(said, refusal.requirement, { teams: refusal.teams, permission: refusal.permission });
  }
}

export const NOT_MERGED = (command: string, does: string) => `\`${command}\` ${does} a merged pull request; this one is not merged. Nothing was done.`;

export const OTHER_BRANCH = (command: string, does: string, defaultBranch: string, base: string) =>
  `\`${command}\` ${does} what merged into ${defaultBranch}; this pull request merged into ${base}. Nothing was done.`;
