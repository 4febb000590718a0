// The inventory part of a review: the plan a merge would carry out, the
// inventory's problems, and each changed resource's render against what is
// deployed now (review-inventory.ts computes it). Shown in the same comment and
// check run as the template review.
import type { Diagnostic } from "../bundle/diagnostics.js";
import type { RenderedDiff } from "../bundle/diff/diff.js";
import { code, escape, list, problem, type Block, type FileUrl } from "./markdown.js";

/** One action of the plan, as `baryon apply` prints it. */
export interface PlanLine {
  action: "create" | "redeploy" | "delete";
  /** The resource's key: `payments-prod`, `checkout/checkout-prod`. */
  key: string;
  text: string;
  /** A delete that waits for someone to confirm it. */
  waiting?: boolean;
}

export interface InventoryReview {
  /** Inventory files the change adds, edits or removes. */
  files: string[];
  diagnostics: Diagnostic[];
  /** Empty when the inventory has errors: nothing is planned then. */
  plan: PlanLine[];
  /** Resources the change leaves as they are. */
  unchanged: number;
  /** Each created or redeployed resource: what is deployed now (nothing, for a create) against its new render. */
  diff: RenderedDiff;
}

const ICONS = { create: "➕", redeploy: "🔁", delete: "🗑️" } as const;

/** "2 to create, 1 to redeploy, 1 delete waiting for confirmation", or "no changes". */
export function planCounts(review: InventoryReview): string {
  const count = (action: PlanLine["action"]) => review.plan.filter((l) => l.action === action).length;
  const waiting = review.plan.filter((l) => l.waiting).length;
  const deletes = count("delete") - waiting;
  const parts = [
    count("create") ? `${count("create")} to create` : "",
    count("redeploy") ? `${count("redeploy")} to redeploy` : "",
    deletes ? `${deletes} to delete` : "",
    waiting ? `${waiting} delete${waiting === 1 ? "" : "s"} waiting for confirmation` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "no changes";
}

/** The inventory's line in the review's summary. */
export function inventorySummary(review: InventoryReview): string {
  const errors = review.diagnostics.filter((d) => d.severity === "error").length;
  const files = `${review.files.length} inventory file${review.files.length === 1 ? "" : "s"} changed`;
  if (errors) return `**Inventory**: ${files}; ❌ ${errors} error${errors === 1 ? "" : "s"}, so a merge would deploy nothing.`;
  return `**Inventory**: ${files}; a merge would ${review.plan.length ? `deploy: ${planCounts(review)}` : "change nothing that is deployed"}${review.unchanged ? ` (${review.unchanged} unchanged)` : ""}.`;
}

/** Most plan lines listed; a fleet's remainder is counted. */
const MAX_PLAN = 100;

export function inventorySection(review: InventoryReview, blocks: readonly Block[], fileUrl: FileUrl | undefined): string {
  const errors = review.diagnostics.some((d) => d.severity === "error");
  const rendered = `${review.diff.changed} of ${review.diff.total} rendered resource${review.diff.total === 1 ? "" : "s"} changed`;
  const parts = [`<details${errors ? " open" : ""}><summary><b>Inventory</b> — ${planCounts(review)}, ${rendered}</summary>`, ""];
  if (review.files.length) parts.push(`Changed inventory files: ${list(review.files.map(code), 15)}.`, "");
  if (review.diagnostics.length) {
    parts.push("**Problems**", "", ...review.diagnostics.slice(0, 50).map((d) => problem(d, fileUrl)));
    if (review.diagnostics.length > 50) parts.push(`- …and ${review.diagnostics.length - 50} more`);
    parts.push("");
  }
  if (review.plan.length) {
    // Deletes first: they need someone's attention, and a long fleet's tail is cut.
    const plan = [...review.plan.filter((l) => l.action === "delete"), ...review.plan.filter((l) => l.action !== "delete")];
    parts.push("**Plan** (carried out when this merges)", "", ...plan.slice(0, MAX_PLAN).map((l) => `- ${l.waiting ? "⏸️" : ICONS[l.action]} ${escape(l.text)}`));
    if (review.plan.length > MAX_PLAN) parts.push(`- …and ${review.plan.length - MAX_PLAN} more`);
    parts.push("");
  } else if (!errors) {
    parts.push("The plan is empty: every resource is deployed as the inventory asks.", "");
  }
  if (blocks.length) parts.push("**Rendered changes** (against what is deployed now)", "", ...blocks.map((b) => b.text));
  else if (review.diff.total) parts.push("The rendered output of every resource the plan deploys is unchanged.");
  parts.push("</details>");
  return parts.join("\n");
}
