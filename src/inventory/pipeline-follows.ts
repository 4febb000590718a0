// A pipeline renders its service's instances (`service_instances`, each with its
// outputs), so it follows them: what about an instance makes its pipeline deploy
// again, or leaves the instance out of the pipeline's render. The plan redeploys a
// pipeline for instances added or removed (plan.ts); the deploy flow for outputs.
import { isDeepStrictEqual } from "node:util";
import type { Outputs } from "../bundle/render/context.js";
import type { DeploymentRecord } from "../ports/deployment-store.js";

/** The reason a pipeline's own redeploy is recorded with, then ": " and what changed. */
export const FOLLOWS_OUTPUTS = "instance outputs changed";

/** Whether an instance's deployment changed the outputs its pipeline was rendered with (a first one did not: the plan saw to it). */
export function outputsChanged(before: Outputs | undefined, after: Outputs): boolean {
  return before !== undefined && !isDeepStrictEqual(before, after);
}

/** An instance whose delete is under way or done: no longer the pipeline's to deliver to (a failed delete leaves it). */
export function leaving(latest: DeploymentRecord | undefined): boolean {
  return latest?.action === "delete" && latest.status !== "delete_failed";
}
