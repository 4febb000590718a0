// PR comment commands, parsed from text alone (pure): `/publish`, `/baryon …`
// (`help`, `confirm-delete <resource>`), and the `/rollout …` family that rollouts will answer.

export type Command =
  | { name: "publish" }
  | { name: "help" }
  | { name: "confirm-delete"; resource: string }
  | { name: "rollout"; args: string[] }
  | { name: "rollback"; args: string[] }
  | { name: "unknown"; text: string };

const KNOWN = new Set(["publish", "baryon", "rollout", "rollback"]);

/** The command on the first line of a comment that starts with `/`, or undefined for ordinary comments. */
export function parseCommand(body: string): Command | undefined {
  const line = body.trimStart().split(/\r?\n/, 1)[0]!.trim();
  const match = /^\/([a-z][a-z-]*)\b(.*)$/i.exec(line);
  if (!match) return undefined;
  const name = match[1]!.toLowerCase();
  const args = match[2]!.trim().split(/\s+/).filter(Boolean);
  const unknown = { name: "unknown" as const, text: line.slice(0, 80) };
  if (!KNOWN.has(name)) return unknown;
  if (name === "publish") return args.length ? unknown : { name: "publish" };
  if (name === "baryon") {
    const [verb, ...rest] = args;
    if (verb?.toLowerCase() === "help" && rest.length === 0) return { name: "help" };
    // Resource keys are names with `/` between service and instance: nothing a command could hide in.
    if (verb?.toLowerCase() === "confirm-delete" && rest.length === 1 && /^[\w.-]+(\/[\w.-]+)?$/.test(rest[0]!)) return { name: "confirm-delete", resource: rest[0]! };
    return unknown;
  }
  return { name: name as "rollout" | "rollback", args };
}

/**
 * Repository permissions that may run a command that changes something, strongest first:
 * `/publish` and `/baryon confirm-delete` (deleting infrastructure deserves no less than pushing to it).
 */
export const WRITE_PERMISSIONS = ["admin", "maintain", "write"];
