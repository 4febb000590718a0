// PR comment commands, parsed from text alone (pure): `/publish`, `/baryon …`
// (`help`, `confirm-delete <resource>`), `/rollout …` and `/rollback [resource]`.
// Whether the commenter may run one is `authorize` (authorize.ts); what it does, the flows.
import { atLeast, PERMISSIONS, RESERVED_STAGE_NAMES, STAGE_NAME } from "./policy.js";

/** `/rollout <word>` words that are not stage names: a stage may not be called so. */
export const ROLLOUT_ACTIONS = RESERVED_STAGE_NAMES;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

export type Command =
  | { name: "publish" }
  | { name: "help" }
  | { name: "confirm-delete"; resource: string }
  /** `/rollout <stage>`: open that stage's gate. */
  | { name: "rollout"; action: "approve"; stage: string }
  | { name: "rollout"; action: RolloutAction }
  /** Without a resource: what the rollout last deployed (the flow decides which). */
  | { name: "rollback"; resource?: string }
  /** `hint`: the right form, when the command is known but written wrong. */
  | { name: "unknown"; text: string; hint?: string };

/** A resource key: a name, or `service/instance`, named as the inventory allows. Nothing a shell or Markdown could hide in. */
export const RESOURCE_KEY = /^[0-9A-Za-z][\w-]*(\/[0-9A-Za-z][\w-]*)?$/;

const KNOWN = new Set(["publish", "baryon", "rollout", "rollback"]);

export const ROLLOUT_HINT =
  "write `/rollout <stage>` to open a stage's gate (e.g. `/rollout prod`), or one of `/rollout status`, `/rollout pause`, `/rollout resume`, `/rollout abort`.";
export const ROLLBACK_HINT = "write `/rollback` to take back every resource the rollout deployed, or `/rollback <resource>` with one resource key (e.g. `/rollback checkout/checkout-prod`).";

/** The command on the first line of a comment that starts with `/`, or undefined for ordinary comments. */
export function parseCommand(body: string): Command | undefined {
  const line = body.trimStart().split(/\r?\n/, 1)[0]!.trim();
  const match = /^\/([a-z][a-z-]*)\b(.*)$/i.exec(line);
  if (!match) return undefined;
  const name = match[1]!.toLowerCase();
  const args = match[2]!.trim().split(/\s+/).filter(Boolean);
  const text = line.slice(0, 80);
  const unknown = (hint?: string): Command => (hint ? { name: "unknown", text, hint } : { name: "unknown", text });
  if (!KNOWN.has(name)) return unknown();
  if (name === "publish") return args.length ? unknown() : { name: "publish" };
  if (name === "rollout") return parseRollout(args) ?? unknown(ROLLOUT_HINT);
  if (name === "rollback") {
    if (args.length === 0) return { name: "rollback" };
    return args.length === 1 && RESOURCE_KEY.test(args[0]!) ? { name: "rollback", resource: args[0]! } : unknown(ROLLBACK_HINT);
  }
  const [verb, ...rest] = args;
  if (verb?.toLowerCase() === "help" && rest.length === 0) return { name: "help" };
  if (verb?.toLowerCase() === "confirm-delete" && rest.length === 1 && RESOURCE_KEY.test(rest[0]!)) return { name: "confirm-delete", resource: rest[0]! };
  return unknown();
}

// One word, case-insensitive like the command itself: stage labels are lower-case anyway.
function parseRollout(args: string[]): Command | undefined {
  if (args.length !== 1) return undefined;
  const word = args[0]!.toLowerCase();
  if ((ROLLOUT_ACTIONS as readonly string[]).includes(word)) return { name: "rollout", action: word as RolloutAction };
  return STAGE_NAME.test(word) ? { name: "rollout", action: "approve", stage: word } : undefined;
}

/** The command in its canonical form, for replies: `/rollout prod`, `/rollback checkout/checkout-prod`. */
export function commandText(command: Command): string {
  switch (command.name) {
    case "publish":
      return "/publish";
    case "help":
      return "/baryon help";
    case "confirm-delete":
      return `/baryon confirm-delete ${command.resource}`;
    case "rollout":
      return `/rollout ${command.action === "approve" ? command.stage : command.action}`;
    case "rollback":
      return command.resource ? `/rollback ${command.resource}` : "/rollback";
    case "unknown":
      return command.text;
  }
}

/**
 * Repository permissions that may run a command that changes something: `/publish` and
 * `/baryon confirm-delete` (deleting infrastructure deserves no less than pushing to it).
 * Strings, as GitHub answers them; `authorize` is the whole rule.
 */
export const WRITE_PERMISSIONS: readonly string[] = PERMISSIONS.filter((p) => atLeast(p, "write"));
