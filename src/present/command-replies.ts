// Replies to pull request commands: each quotes the command it answers and
// addresses its author, so a thread with several commands stays readable.

/** The command's first line, quoted (an `>` line cannot break out of the quote). */
export function commandReply(command: { text: string; author: string }, body: string): string {
  const first = command.text.split(/\r?\n/, 1)[0]!.trim().slice(0, 200);
  return `> ${first}\n\n@${command.author} ${body}`;
}

export const UNKNOWN_COMMAND = (text: string) =>
  `\`${text.replaceAll("`", "'")}\` is not a Baryon command. Commands: \`/publish\` (retry publishing a merged pull request), \`/rollout <stage|status|pause|resume|abort>\`, \`/rollback\`.`;

export const ROLLOUTS_NOT_ENABLED = (name: string) => `rollouts are not enabled in this Baryon yet: \`/${name}\` did nothing.`;

export const PUBLISH_NEEDS_WRITE = (repository: string, permission: string) =>
  `\`/publish\` needs write access to ${repository}; you have ${permission}. Nothing was done.`;

export const PUBLISH_NOT_MERGED = "`/publish` publishes a merged pull request; this one is not merged. Nothing was done.";

export const PUBLISH_OTHER_BRANCH = (defaultBranch: string, base: string) =>
  `\`/publish\` publishes what merged into ${defaultBranch}; this pull request merged into ${base}. Nothing was done.`;
