// Where a deployment stands. `delete_*` are the same steps for removing a resource.
export type DeploymentStatus =
  | "pending" | "in_progress" | "succeeded" | "failed" | "cancelled"
  | "delete_pending" | "delete_in_progress" | "delete_succeeded" | "delete_failed";

const FINISHED: ReadonlySet<DeploymentStatus> = new Set(["succeeded", "failed", "cancelled", "delete_succeeded", "delete_failed"]);

/** After these, nothing more happens to a deployment. */
export const isFinished = (status: DeploymentStatus): boolean => FINISHED.has(status);
