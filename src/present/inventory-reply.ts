// What a merged pull request is told after its inventory was reconciled: the
// plan, the deployments queued, the deletes that wait for a person, or the
// inventory's mistakes at file and line (nothing deployed then). Markdown, pure.
import { hasErrors, sortDiagnostics, type Diagnostic } from "../bundle/diagnostics.js";
import { describeAction, type ReconcilePlan } from "../inventory/plan.js";
import type { DeploymentRecord } from "../ports/deployment-store.js";

export interface Confirm {
  resource: string;
  known: boolean;
  underway?: boolean;
}

export interface InventoryReplyInput {
  /** The commit whose inventory was reconciled. */
  commit: string;
  diagnostics: readonly Diagnostic[];
  /** Undefined when the inventory has errors. */
  plan?: ReconcilePlan;
  /** Deployments this reconcile recorded and queued. */
  deployments: readonly DeploymentRecord[];
  /** `/baryon confirm-delete <resource>`: the resource, whether the registry knows it, and whether a delete of it is under way. */
  confirm?: Confirm;
}

/** The reply; undefined when there is nothing to tell (no plan, no mistake, no command to answer). */
export function inventoryReply(input: InventoryReplyInput): string | undefined {
  const { plan, confirm } = input;
  const at = `\`${input.commit.slice(0, 7)}\``;
  const sections: string[] = [];
  if (confirm) sections.push(confirmLine(input, confirm));
  if (!plan || hasErrors(input.diagnostics)) {
    sections.push(`**The inventory at ${at} has errors: nothing was deployed.** Fix them and push again.`, diagnosticList(input.diagnostics));
    return sections.join("\n\n");
  }
  if (!confirm && plan.actions.length === 0 && input.diagnostics.length === 0) return undefined;
  sections.push(plan.actions.length
    ? `**Inventory at ${at}**: the plan\n\n${plan.actions.map((a) => `- ${describeAction(a)}`).join("\n")}`
    : `**Inventory at ${at}**: nothing to change.`);
  if (input.deployments.length) {
    sections.push(`Deployments queued:\n\n${input.deployments.map((d) => `- #${d.id} ${d.action} \`${d.resource}\` at ${d.template} ${d.major}.${d.minor}`).join("\n")}`);
  }
  const waiting = plan.actions.flatMap((a) => (a.action === "delete" && !a.confirmed ? [a.recorded.key] : []));
  if (waiting.length) {
    sections.push(`Removed from the inventory, kept running until someone with write access confirms: ${waiting.map((k) => `\`${k}\``).join(", ")}. `
      + `Comment \`/baryon confirm-delete <resource>\` on this pull request to delete one.`);
  }
  if (input.diagnostics.length) sections.push(diagnosticList(input.diagnostics));
  return sections.join("\n\n");
}

function confirmLine(input: InventoryReplyInput, confirm: Confirm): string {
  const key = `\`${confirm.resource}\``;
  if (!input.plan || hasErrors(input.diagnostics)) return `Nothing was deleted: the inventory has errors (below), so it cannot say what it removes.`;
  const removes = input.plan.actions.some((a) => a.action === "delete" && a.recorded.key === confirm.resource);
  if (!removes) {
    return confirm.known
      ? `Nothing was deleted: ${key} is not a resource this inventory removes (it is still in the inventory at \`${input.commit.slice(0, 7)}\`).`
      : `Nothing was deleted: there is no resource ${key} in Baryon's registry.`;
  }
  const queued = input.deployments.find((d) => d.resource === confirm.resource && d.action === "delete");
  if (queued) return `Deleting ${key}: deployment #${queued.id} is queued.`;
  return confirm.underway ? `The delete of ${key} is already under way.` : `Nothing was deleted: ${key} has no deployment to delete it with (it never deployed).`;
}

function diagnosticList(diagnostics: readonly Diagnostic[]): string {
  return sortDiagnostics(diagnostics)
    .map((d) => `- \`${d.file}${d.line !== undefined ? `:${d.line}` : ""}\` ${d.severity}: ${d.message}`)
    .join("\n");
}
