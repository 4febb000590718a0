// Replies to pull request commands: each quotes the command it answers and
// addresses its author, so a thread with several commands stays readable.

/** The command's first line, quoted (an `>` line cannot break out of the quote). */
export function commandReply(command: { text: string; author: string }, body: string): string {
  const first = command.text.split(/\r?\n/, 1)[0]!.trim().slice(0, 200);
  return `> ${first}\n\n@${command.author} ${body}`;
}

/** Every command, one line each: `/baryon help` answers with it. */
const COMMANDS = [
  "`/publish`: publish a merged pull request again (write access)",
  "`/baryon confirm-delete <resource>`: on the merged pull request that removed it from the inventory, delete that resource's infrastructure (write access)",
  "`/rollout <stage|status|pause|resume|abort>`, `/rollback`: rollouts (not enabled yet)",
  "`/baryon help`: this list",
];

export const HELP = `Baryon's commands, each on the first line of a comment on a pull request:\n\n${COMMANDS.map((c) => `- ${c}`).join("\n")}`;

export const UNKNOWN_COMMAND = (text: string) =>
  `\`${text.replaceAll("`", "'")}\` is not a Baryon command. Commands: \`/publish\` (retry publishing a merged pull request), \`/baryon confirm-delete <resource>\`, \`/rollout <stage|status|pause|resume|abort>\`, \`/rollback\`, \`/baryon help\`.`;

export const ROLLOUTS_NOT_ENABLED = (name: string) => `rollouts are not enabled in this Baryon yet: \`/${name}\` did nothing.`;

/** `command` as the user wrote it (`/publish`, `/baryon confirm-delete`). */
export const NEEDS_WRITE = (command: string, repository: string, permission: string) =>
  `\`${command}\` needs write access to ${repository}; you have ${permission}. Nothing was done.`;

export const NOT_MERGED = (command: string, does: string) => `\`${command}\` ${does} a merged pull request; this one is not merged. Nothing was done.`;

export const OTHER_BRANCH = (command: string, does: string, defaultBranch: string, base: string) =>
  `\`${command}\` ${does} what merged into ${defaultBranch}; this pull request merged into ${base}. Nothing was done.`;
