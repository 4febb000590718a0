// Compile-time scopes, mirroring jinja2.idtracking: a for-loop body, macro,
// `with`, set-block, filter-block and block each get their own scope; `if`
// does not. A name assigned anywhere in a scope is local to all of it and
// starts out as the enclosing scope's value (re-read on every loop iteration).
import type { Expr, Stmt } from "./ast.js";

export class Scope {
  private readonly vars = new Map<string, string>();
  constructor(
    readonly parent: Scope | null,
    private readonly ids: { next(name: string): string },
  ) {}

  /** The JS identifier holding `name`, if declared in this scope or an enclosing one. */
  lookup(name: string): string | null {
    for (let s: Scope | null = this; s; s = s.parent) {
      const id = s.vars.get(name);
      if (id !== undefined) return id;
    }
    return null;
  }

  declare(name: string): string {
    const id = this.ids.next(name);
    this.vars.set(name, id);
    return id;
  }

  child(): Scope {
    return new Scope(this, this.ids);
  }
}

/** Names a scope body assigns (`set`, `macro`), looking through `if` but not into inner scopes. */
export function findStores(body: Stmt[], out: Set<string> = new Set()): Set<string> {
  for (const node of body) {
    switch (node.kind) {
      case "Assign":
      case "AssignBlock":
        targetNames(node.target, out);
        break;
      case "Macro":
        out.add(node.name);
        break;
      case "If":
        findStores(node.body, out);
        for (const e of node.elif) findStores(e.body, out);
        findStores(node.else_, out);
        break;
      default:
        break;
    }
  }
  return out;
}

export function targetNames(target: Expr, out: Set<string>): void {
  if (target.kind === "Name") out.add(target.name);
  else if (target.kind === "Tuple") for (const t of target.items) targetNames(t, out);
}

/** Whether `name` is read anywhere under these nodes (Jinja2's find_undeclared, simplified). */
export function readsName(nodes: unknown, name: string): boolean {
  const seen = new Set<unknown>();
  const walk = (n: unknown): boolean => {
    if (n === null || typeof n !== "object" || seen.has(n)) return false;
    seen.add(n);
    if (Array.isArray(n)) return n.some(walk);
    const node = n as { kind?: string; name?: unknown };
    if (node.kind === "Name" && node.name === name) return true;
    return Object.values(n).some(walk);
  };
  return walk(nodes);
}

/** A safe, readable JS identifier for a template name. */
export function makeIds(): { next(name: string): string } {
  let n = 0;
  return { next: (name) => `v${++n}_${name.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 24)}` };
}
