// Inputs given from outside the inventory file: a pipeline written for Proton calls
// UpdateServiceInstance with a new image, and the file in git still holds the old
// spec. The rule, in one place: the outside inputs become the resource's inputs
// (rollouts and `baryon deploy` deploy them), and the file's spec at that moment is
// kept beside them. A reconcile compares the file with that, so the outside inputs
// stand until someone changes the resource's spec in the file; then the file wins.
// Pure.
import { isDeepStrictEqual } from "node:util";
import type { ResourceRecord } from "../ports/deployment-store.js";

/** The resource with `inputs` from outside; back to the file's own when they equal what the file says. */
export function withOutsideInputs(record: ResourceRecord, inputs: Record<string, unknown>): ResourceRecord {
  const file = record.inventoryInputs ?? record.inputs;
  const { inventoryInputs: _dropped, ...rest } = record;
  return isDeepStrictEqual(inputs, file) ? { ...rest, inputs: file } : { ...rest, inputs, inventoryInputs: file };
}

/** The inputs a reconcile compares with the file: the file's, as they were when outside inputs replaced them. */
export const fileInputs = (record: ResourceRecord): Record<string, unknown> => record.inventoryInputs ?? record.inputs;

/**
 * The record a reconcile writes for a resource it redeploys for another reason than its
 * spec (a pin, a provisioner): outside inputs stay while the file still says what it said
 * then, within the same major (a new major's schema was not checked against them).
 */
export function keepOutsideInputs(fromFile: ResourceRecord, before: ResourceRecord | undefined): ResourceRecord {
  if (!before?.inventoryInputs || before.template.major !== fromFile.template.major) return fromFile;
  if (!isDeepStrictEqual(before.inventoryInputs, fromFile.inputs)) return fromFile;
  return { ...fromFile, inputs: before.inputs, inventoryInputs: before.inventoryInputs };
}
