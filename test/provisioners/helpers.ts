// Shared by the command provisioner's tests: a deployment request, a scratch
// folder per test, and whether a process still runs.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { DeploymentRequest } from "../../src/ports/provisioner.js";

export function request(overrides: Partial<DeploymentRequest> = {}): DeploymentRequest {
  return {
    id: "dep-42",
    action: "deploy",
    owner: "acme",
    resource: { kind: "service_instance", name: "web-prod", service: "web", environment: "prod" },
    template: { name: "fargate-service", version: "2.1" },
    inputs: { port: 8080 },
    files: [{ path: "instance_infrastructure/cloudformation.yaml", content: "Resources: {}\n" }],
    ...overrides,
  };
}

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder removed after the test. */
export function scratch(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `baryon-${label}-`));
  made.push(dir);
  return dir;
}

/** Alive and not a zombie (orphans nobody reaps stay as zombies in some containers). */
export function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    const state = readFileSync(stat, "utf8").split(") ")[1]?.[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** `KEY=value` lines of `env` as printed into a log (before Baryon's own last line). */
export function parseEnv(log: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of log.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0 && !line.startsWith("[baryon]")) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}
