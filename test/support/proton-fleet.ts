// A fleet deployed through the app, for the Proton API's tests: the test catalog
// published and the inventory reconciled by a push to acme/templates (the `command`
// provisioner deploys), with service `shop` (api@1: a pipeline and two instances in
// environment `dev`), as a pipeline written for Proton would find it.
import { expect } from "vitest";
import { ProtonClient } from "@aws-sdk/client-proton";
import { createApiToken, tokenKey, type ApiToken } from "../../src/adapters/proton-api/api-token.js";
import { SECRET, type Harness } from "./app-harness.js";
import { deliver, pushDelivery } from "./fake-github/webhooks.js";
import { templateFiles } from "./inventory.js";

/** The fleet's `command` provisioner (fleet.ts's), refusing any image named "broken", as a registry without it would. */
const DEPLOY = [
  "set -e",
  'f=$(find . -name cloudformation.yaml | head -n 1)',
  'topic=$(sed -n "s/.*TopicName: //p" "$f")',
  'case "$topic" in *broken*) echo "no such image: broken" >&2; exit 3;; esac',
  'printf \'{"TopicName": "%s"}\' "$topic" > outputs.json',
].join("\n");
const CONFIG = `templates: templates\nprovisioners:\n  local:\n    kind: command\n    deploy: ${JSON.stringify(DEPLOY)}\n    destroy: "true"\n`;

export const DEV = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 2\n";
export const shopSpec = (devImage = "nginx") => [
  "proton: ServiceSpec", "template: api@1", "pipeline:", "  branch: release", "instances:",
  "  - name: shop-dev", "    environment: dev", "    spec:", `      image: ${devImage}`,
  "  - name: shop-qa", "    environment: dev", "    spec:", "      image: nginx", "",
].join("\n");

export type Repo = ReturnType<Harness["fake"]["state"]["addRepo"]>;

export async function protonFleet(h: Harness): Promise<Repo> {
  const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
  const main = h.fake.state.commit(repo, {
    ".github/baryon.yml": CONFIG, ...templateFiles(), "inventory/dev.yaml": DEV, "inventory/shop.yaml": shopSpec(),
  }, { branch: "main" });
  await push(h, repo, "0".repeat(40), main);
  const store = h.db.registry.deployments({ login: "acme" });
  const statuses = await Promise.all((await store.resources()).map(async (r) => {
    const [last] = await store.deploymentsOf(r.key, 1);
    return `${r.key} ${last?.status}${last?.reason ? `: ${last.reason}` : ""}`;
  }));
  expect(statuses).toEqual(["dev succeeded", "shop/pipeline succeeded", "shop/shop-dev succeeded", "shop/shop-qa succeeded"]);
  return repo;
}

/** Commits `files` on main and delivers its push: the app reconciles the inventory and deploys. */
export async function commitAndPush(h: Harness, repo: Repo, files: Record<string, string>): Promise<void> {
  const before = repo.branches.get("main")!;
  const after = h.fake.state.commit(repo, files, { parent: before, branch: "main" });
  await push(h, repo, before, after);
}

async function push(h: Harness, repo: Repo, before: string, after: string): Promise<void> {
  expect((await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before, after }, { secret: SECRET }))).status).toBe(200);
  await h.app.queue.idle();
}

/** A token as `baryon token create` makes it, under the harness's webhook secret (no BARYON_API_SECRET is set). */
export const tokenFor = (owner: string, name = "pipeline-x"): ApiToken => createApiToken(tokenKey(SECRET), owner, name);

export function protonClient(h: Harness, token: Pick<ApiToken, "accessKeyId" | "secretAccessKey">): ProtonClient {
  return new ProtonClient({
    endpoint: `${h.app.url}/api/proton`, region: "eu-west-1", maxAttempts: 1,
    credentials: { accessKeyId: token.accessKeyId, secretAccessKey: token.secretAccessKey },
  });
}
