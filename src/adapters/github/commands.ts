// PR comment commands, parsed from text alone (pure): `/publish`, and the
// `/rollout …` family that rollouts will answer.

export type Command =
  | { name: "publish" }
  | { name: "rollout"; args: string[] }
  | { name: "rollback"; args: string[] }
  | { name: "unknown"; text: string };

const KNOWN = new Set(["publish", "rollout", "rollback"]);

/** The command on the first line of a comment that starts with `/`, or undefined for ordinary comments. */
export function parseCommand(body: string): Command | undefined {
  const line = body.trimStart().split(/\r?\n/, 1)[0]!.trim();
  const match = /^\/([a-z][a-z-]*)\b(.*)$/i.exec(line);
  if (!match) return undefined;
  const name = match[1]!.toLowerCase();
  const args = match[2]!.trim().split(/\s+/).filter(Boolean);
  if (!KNOWN.has(name)) return { name: "unknown", text: line.slice(0, 80) };
  if (name === "publish") return args.length ? { name: "unknown", text: line.slice(0, 80) } : { name: "publish" };
  return { name: name as "rollout" | "rollback", args };
}

/** Repository permissions that may run a command, strongest first. */
export const WRITE_PERMISSIONS = ["admin", "maintain", "write"];
