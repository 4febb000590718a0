// A pipeline renders its service's instances (`service_instances`, each with its
// inputs and outputs), so it follows them: what about an instance makes its pipeline deploy
// again, or leaves the instance out of the pipeline's render. The plan redeploys a
// pipeline for instances added or removed (plan.ts); src/flows/follow-instances.ts
// for what an instance deployment changed.
import { isDeepStrictEqual } from "node:util";
import type { DeploymentRecord } from "../ports/deployment-store.js";

/** The reason a pipeline's own redeploy is recorded with, then ": " and which instance (or "while it deployed"). */
export const FOLLOWS_INSTANCES = "its instances changed";

/**
 * Whether an instance's success changes what its pipeline renders of it: its inputs or
 * outputs differ from its last success, or it had none (a pipeline that rendered
 * without it, or failed waiting for it, deploys again).
 */
export function instanceChanged(before: Pick<DeploymentRecord, "inputs" | "outputs"> | undefined, after: Pick<DeploymentRecord, "inputs" | "outputs">): boolean {
  return before === undefined || !isDeepStrictEqual(before.inputs, after.inputs) || !isDeepStrictEqual(before.outputs, after.outputs);
}

/** An instance whose delete is under way or done: no longer the pipeline's to deliver to (a failed delete leaves it). */
export function leaving(latest: DeploymentRecord | undefined): boolean {
  return latest?.action === "delete" && latest.status !== "delete_failed";
}
