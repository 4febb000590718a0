// The composition root: settings → adapters, built once per process. Everything
// owner-specific (a version store, a GitHub client) is derived per job from these.
import { resolve } from "node:path";
import { createArtifactStore } from "../adapters/artifacts/index.js";
import type { ProtonMirrorSettings } from "../adapters/proton/index.js";
import { protonMirror } from "../adapters/proton/version-mirror.js";
import { createQueue, type QueueLogger } from "../adapters/queue/index.js";
import { createRegistry, DEFAULT_DATA_DIR } from "../adapters/registry/index.js";
import { createRenderPool } from "../jinja/pool.js";
import type { ArtifactStore } from "../ports/artifact-store.js";
import type { JobQueue } from "../ports/job-queue.js";
import type { Registry } from "../ports/registry.js";
import type { Renderer } from "../ports/renderer.js";
import type { VersionMirror } from "../ports/version-mirror.js";
import type { Provisioner } from "../ports/provisioner.js";
import type { Verifier } from "../ports/verifier.js";
import type { DeployPorts } from "../flows/deploy-resource.js";
import { createVerifier } from "../adapters/verifiers/verifier.js";
import type { ProvisionerSettings } from "../config/repo-config.js";
import { provisionerRegistry } from "./provisioners.js";
import { redacted, type Settings } from "./settings.js";

export interface Adapters {
  registry: Registry;
  artifacts: ArtifactStore;
  queue: JobQueue;
  /** Renders templates from the repositories' own branches (settings.renderEngine). */
  renderer: Renderer;
  /** Renders pull requests from forks, which no maintainer has vouched for: QuickJS, whose limits hold per render. */
  forkRenderer: Renderer;
  /** The legacy AWS Proton mirror, when configured. */
  mirror?: VersionMirror;
  /** The provisioner a deployment names, built from the settings it carries. */
  provisioner(name: string, settings: ProvisionerSettings): Provisioner;
  /** Runs rollout stages' `verify:` checks. */
  verifier: Verifier;
  /** How deploy runs inside a worker show they are alive (LIVENESS in deploy-resource.ts unless set; tests shorten it). */
  liveness?: DeployPorts["liveness"];
  /** One line for the start log: which registry, queue, store and mirror are in use. */
  description: string;
  /** Closes what this root built; what the caller passed in stays open (it belongs to the caller). */
  close(): Promise<void>;
}

/** Adapters a caller already has (tests, the CLI's own pool); the rest are built from settings. */
export type GivenAdapters = Partial<Pick<Adapters, "registry" | "artifacts" | "queue" | "renderer" | "forkRenderer" | "mirror" | "provisioner" | "verifier">>;

export async function composeAdapters(settings: Settings, given: GivenAdapters = {}, logger?: QueueLogger): Promise<Adapters> {
  const owned: Array<() => Promise<void>> = [];
  const registry = given.registry ?? (await createRegistry({
    ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}),
    ...(settings.dataDir ? { dataDir: settings.dataDir } : {}),
  }));
  if (!given.registry) owned.push(() => registry.close());
  const queue = given.queue ?? await createQueue({
    ...(settings.redisUrl ? { redisUrl: settings.redisUrl } : {}), ...(settings.queuePrefix ? { prefix: settings.queuePrefix } : {}),
    ...(settings.jobLockMs ? { lockMs: settings.jobLockMs } : {}), ...(logger ? { logger } : {}),
  });
  if (!given.queue) owned.push(() => queue.close());
  const renderer = given.renderer ?? createRenderPool({ engine: settings.renderEngine });
  if (!given.renderer) owned.push(() => renderer.close());
  // A caller's own renderer serves forks too, unless it gives one for them.
  const forkRenderer = given.forkRenderer ?? (given.renderer ? renderer : createRenderPool({ engine: "quickjs" }));
  if (!given.forkRenderer && !given.renderer) owned.push(() => forkRenderer.close());
  const artifacts = given.artifacts ?? await createArtifactStore(settings.artifacts);
  const mirror = given.mirror ?? (settings.proton ? await protonMirrorOf(settings.proton) : undefined);
  const provisioner = given.provisioner ?? provisionerRegistry({ env: process.env });
  const verifier = given.verifier ?? createVerifier();

  const description = [
    `registry: ${given.registry ? "given" : settings.databaseUrl ? `Postgres ${redacted(settings.databaseUrl)}` : `embedded PGlite in ${resolve(settings.dataDir ?? DEFAULT_DATA_DIR)}`}`,
    `queue: ${given.queue ? "given" : settings.redisUrl ? `BullMQ on ${redacted(settings.redisUrl)}` : "in-process"}`,
    `artifacts: ${given.artifacts ? "given" : settings.artifacts.s3 ? `s3://${settings.artifacts.s3.bucket}/${settings.artifacts.s3.prefix ?? ""}` : resolve(settings.artifacts.dir ?? ".baryon/artifacts")}`,
    `mirror: ${mirror ? `${mirror.name} for ${mirror.owner}` : "none"}`,
  ].join(", ");

  let closing: Promise<void> | undefined;
  return {
    registry, artifacts, queue, renderer, forkRenderer, description, provisioner, verifier,
    ...(mirror ? { mirror } : {}),
    close: () => (closing ??= (async () => {
      // The queue first: running jobs finish while the registry and renderer are still open.
      for (const close of owned.reverse()) await close();
    })()),
  };
}

/** The AWS SDK's Proton and S3 clients are loaded only when the mirror is configured. */
async function protonMirrorOf({ owner, ...options }: ProtonMirrorSettings): Promise<VersionMirror> {
  const { createProtonPublisher } = await import("../adapters/proton/index.js");
  return protonMirror(createProtonPublisher(options), owner);
}
