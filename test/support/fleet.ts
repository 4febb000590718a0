// A deployed fleet for review tests: the test catalog (inventory.ts) published
// into a registry, and an inventory reconciled and deployed through the real
// `command` provisioner, whose deploy answers the rendered TopicName as an output.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { sha256Hex } from "../../src/bundle/archive/archive.js";
import { provisionerRegistry } from "../../src/compose/provisioners.js";
import { deployResource } from "../../src/flows/deploy-resource.js";
import { publishChange } from "../../src/flows/publish-change.js";
import { reconcileInventory } from "../../src/flows/reconcile-inventory.js";
import { bundleLoader } from "../../src/flows/stored-bundle.js";
import type { ArtifactStore } from "../../src/ports/artifact-store.js";
import type { Owner, Registry } from "../../src/ports/registry.js";
import type { Renderer } from "../../src/ports/renderer.js";
import { CATALOG_FILES } from "./inventory.js";
import { snapshot } from "./snapshot.js";

const DEPLOY = [
  "set -e",
  'f=$(find . -name cloudformation.yaml | head -n 1)',
  'topic=$(sed -n "s/.*TopicName: //p" "$f")',
  'printf \'{"TopicName": "%s"}\' "$topic" > outputs.json',
].join("\n");

/** The config's provisioners, as .github/baryon.yml gives them (no `rollout:`: the inventory's stage labels are the stages). */
export const FLEET_CONFIG = {
  provisioners: { local: { kind: "command" as const, deploy: DEPLOY, destroy: "true" } },
};

export const FLEET_CONFIG_YAML = `templates: templates
provisioners:
  local:
    kind: command
    deploy: ${JSON.stringify(DEPLOY)}
    destroy: "true"
`;

export interface FleetAdapters {
  registry: Registry;
  artifacts: ArtifactStore;
  renderer: Renderer;
}

/** Publishes the test catalog (net 1.0, net 2.0, api 1.0, worker 1.0) as the owner's versions. */
export async function publishCatalog(adapters: FleetAdapters, owner: Owner): Promise<void> {
  const published = await publishChange({ repository: `${owner.login}/templates`, commit: "c1", status: "published" }, {
    head: async () => snapshot(CATALOG_FILES), versions: adapters.registry.versions(owner), artifacts: adapters.artifacts, renderer: adapters.renderer,
  });
  expect(published.map((o) => o.result)).toEqual(["published", "published", "published", "published"]);
}

/** Reconciles `files` and runs every deployment it asks for to the end; each must succeed. */
export async function deployFleet(adapters: FleetAdapters, owner: Owner, files: Record<string, string>): Promise<void> {
  const store = adapters.registry.deployments(owner);
  const versions = adapters.registry.versions(owner);
  const bundleOf = bundleLoader(adapters.artifacts);
  const outcome = await reconcileInventory({ versions, bundleOf, store }, {
    source: `${owner.login}/templates`, files: Object.entries(files).map(([file, text]) => ({ file, text })), config: FLEET_CONFIG,
    requestedBy: { actor: "octocat", reason: "inventory change" },
  });
  expect(outcome.diagnostics).toEqual([]);
  const ports = {
    store, versions, bundleOf, renderer: adapters.renderer,
    provisioner: provisionerRegistry({ env: process.env, workRoot: mkdtempSync(join(tmpdir(), "baryon-fleet-")) }),
    saveLog: async (_id: string, text: string) => (await adapters.artifacts.put(sha256Hex(new TextEncoder().encode(text)), new TextEncoder().encode(text))).location,
  };
  const queue = outcome.deployments.map((d) => d.id);
  for (let turns = 0; queue.length > 0 && turns < 100; turns++) {
    const result = await deployResource(ports, queue.shift()!);
    if (result.state === "finished") queue.push(...result.next.map((d) => d.id).filter((id) => !queue.includes(id)));
  }
  for (const d of outcome.deployments) expect((await store.getDeployment(d.id))!.status).toBe("succeeded");
}
