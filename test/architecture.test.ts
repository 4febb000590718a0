// The layering of DESIGN.md, checked: a pure domain, flows that take ports,
// adapters that do I/O, and no import cycles.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/cli.js";

const SRC = join(ROOT, "src");

function sources(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return full.endsWith(".ts") && !full.endsWith(".d.ts") ? [full] : [];
  });
}

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
  /** The names imported as values (not `type`), when the import names them. */
  values: string[];
}

const imports: Import[] = sources().flatMap((file) => {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)";/gms)].map((m) => {
    const spec = m[3]!;
    const to = spec.startsWith(".") ? relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, ".ts"))) : spec;
    const named = /\{([^}]*)\}/.exec(m[0])?.[1] ?? "";
    const values = named.split(",").map((n) => n.trim()).filter((n) => n && !n.startsWith("type "));
    return { from: relative(SRC, file), to, typeOnly: Boolean(m[2]), values };
  });
});

const isNode = (to: string) => to.startsWith("node:");
const under = (path: string, ...dirs: string[]) => dirs.some((d) => path.startsWith(`${d}/`) || path === d);

/** The pure domain: what the design calls bundle, inventory and rollout, and the text people read. */
const DOMAIN = ["bundle", "inventory", "rollout", "present"];
/** Everything that does I/O or wires it together. */
const IMPURE = ["adapters", "jinja", "jobs", "main", "compose", "web"];
const DRIVERS = ["probot", "pg", "bullmq", "ioredis", "@electric-sql/pglite", "@aws-sdk/", "prom-client", "pino"];
const isDriver = (to: string) => DRIVERS.some((p) => to === p || to.startsWith(p.endsWith("/") ? p : `${p}/`));
/** Packages that only compute, which flows may use too: bounded, ordered concurrency over a port's calls. */
const PURE_PACKAGES = ["p-map"];
/** Node APIs that compute without touching the world: hashing for archive digests, deep equality for plans. */
const PURE_NODE = ["node:crypto", "node:util"];

describe("architecture", () => {
  it("reads the import graph (a broken reader would make every rule below pass)", () => {
    expect(imports.filter((i) => under(i.from, "bundle")).length).toBeGreaterThan(50);
    expect(imports).toContainEqual(expect.objectContaining({ from: "flows/review-change.ts", to: "bundle/parse/repository.ts", typeOnly: false }));
    expect(imports).toContainEqual(expect.objectContaining({ from: "flows/rollout.ts", to: "ports/registry.ts", values: ["RolloutNotRunningError"] }));
  });

  it("the domain imports no flow, adapter, SDK or Node API that touches the world", () => {
    const domain = imports.filter((i) => under(i.from, ...DOMAIN));
    const bad = domain.filter((i) =>
      (isNode(i.to) && !i.typeOnly && !PURE_NODE.includes(i.to)) ||
      under(i.to, ...IMPURE) ||
      // What people read describes what flows return, so it may name their result types.
      (under(i.to, "flows") && !(under(i.from, "present") && i.typeOnly)) ||
      (under(i.to, "ports") && !i.typeOnly) ||
      isDriver(i.to));
    expect(bad.map((i) => `${i.from} -> ${i.to}`)).toEqual([]);
  });

  it("flows reach the world only through ports (types), never through adapters", () => {
    const flows = imports.filter((i) => under(i.from, "flows"));
    const bad = flows.filter((i) =>
      isNode(i.to) ||
      under(i.to, ...IMPURE) ||
      // A port is its interface and the errors it promises; those a flow may catch by class.
      (under(i.to, "ports") && !i.typeOnly && i.values.some((n) => !n.endsWith("Error"))) ||
      (!i.to.startsWith(".") && !i.to.endsWith(".ts") && !PURE_PACKAGES.includes(i.to)));
    expect(bad.map((i) => `${i.from} -> ${i.to}`)).toEqual([]);
  });

  it("ports are one small interface per file, with no driver or SDK types", () => {
    const ports = imports.filter((i) => under(i.from, "ports"));
    expect(ports.filter((i) => !i.to.endsWith(".ts") || under(i.to, "flows", ...IMPURE)).map((i) => `${i.from} -> ${i.to}`)).toEqual([]);
  });

  it("keeps every source file under 400 lines", () => {
    const long = sources().map((f) => [relative(SRC, f), readFileSync(f, "utf8").split("\n").length] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });

  // The Jinja engine is left out: it is an interpreter of Python's semantics, where
  // printing, attribute lookup and str.format call one another, bundled as one script.
  it("has no import cycles outside the Jinja engine", () => {
    const graph = new Map<string, string[]>();
    for (const i of imports) {
      if (!i.to.endsWith(".ts") || i.typeOnly || under(i.from, "jinja")) continue;
      graph.set(i.from, [...(graph.get(i.from) ?? []), i.to]);
    }
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === "done") return;
      if (state.get(node) === "visiting") {
        cycles.push([...path.slice(path.indexOf(node)), node].join(" -> "));
        return;
      }
      state.set(node, "visiting");
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, "done");
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });
});
