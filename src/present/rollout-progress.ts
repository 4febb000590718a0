// A rollout's progress for people: one row per stage (done, failed, in flight,
// pending, soak time left, gate) and the next step, as Markdown for the pull
// request's living comment and as plain text for a terminal. Pure.
import { stageProgress, type StageProgress } from "../rollout/advance.js";
import type { PlannedStage, RolloutRecord, TargetState } from "../rollout/model.js";

export interface RolloutView {
  rollout: RolloutRecord;
  targets: ReadonlyMap<string, TargetState>;
  now: Date;
}

export interface StageRow {
  stage: string;
  progress: StageProgress;
  soak: string;
  gate: string;
}

export const ROLLOUT_MARKER = (id: string) => `<!-- baryon:rollout ${id} -->`;
const ROLLOUT_END = (id: string) => `<!-- /baryon:rollout ${id} -->`;

/** `body` (the pull request's living comment) with the rollout's section put in, or replaced where it is. */
export function withRolloutSection(body: string, id: string, section: string): string {
  const start = body.indexOf(ROLLOUT_MARKER(id));
  const endMarker = ROLLOUT_END(id);
  const end = body.indexOf(endMarker);
  const block = `${section}\n${endMarker}`;
  if (start === -1 || end < start) return `${body.trimEnd()}\n\n---\n\n${block}`;
  return body.slice(0, start) + block + body.slice(end + endMarker.length);
}

/** The one reply a halt gets: the failed resources and their errors. */
export function haltReply({ rollout, targets }: RolloutView): string {
  const failed = [...targets.values()].filter((t) => (t.deployment && ["failed", "cancelled"].includes(t.deployment.status)) || t.verification?.verdict === "failed");
  const lines = failed.map((t) => `- \`${t.resource}\`: ${t.deployment && t.deployment.status !== "succeeded" ? `deployment #${t.deployment.id} ${t.deployment.status}${t.deployment.reason ? `: ${t.deployment.reason}` : ""}` : `verification failed: ${t.verification!.detail}`}`);
  const rolledBack = rollout.status === "rolled_back" ? " The failing batch is being rolled back to the last verified version and held." : "";
  return `**The rollout of ${rollout.template} ${rollout.major}.${rollout.minor} halted in ${rollout.stage ?? "its stage"}**: nothing new starts.${rolledBack}\n\n${lines.join("\n")}\n\nFix the cause, then comment \`/rollout resume\` to retry what failed (or publish a fix as a newer minor).`;
}

export function rolloutMarkdown(view: RolloutView): string {
  const { rollout } = view;
  const rows = stageRows(view);
  const lines = [
    ROLLOUT_MARKER(rollout.id),
    `### Rollout of ${rollout.template} ${rollout.major}.${rollout.minor}: ${rollout.status.replace("_", " ")}`,
    "",
    "| Stage | Done | Failed | In flight | Pending | Soak | Gate |",
    "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ...rows.map((r) => `| ${r.stage} | ${r.progress.done}/${r.progress.total} | ${r.progress.failed} | ${r.progress.inFlight} | ${pending(r.progress)} | ${r.soak} | ${r.gate} |`),
    "",
    `**Next:** ${nextStep(view)}`,
  ];
  if (rollout.plan.skipped.length) {
    lines.push("", `<details><summary>Skipped: ${rollout.plan.skipped.length}</summary>\n`, ...rollout.plan.skipped.map((s) => `- \`${s.resource}\`: ${s.why}`), "\n</details>");
  }
  return lines.join("\n");
}

export function rolloutText(view: RolloutView): string {
  const { rollout } = view;
  const rows = stageRows(view);
  const table = [["STAGE", "DONE", "FAILED", "IN FLIGHT", "PENDING", "SOAK", "GATE"],
    ...rows.map((r) => [r.stage, `${r.progress.done}/${r.progress.total}`, String(r.progress.failed), String(r.progress.inFlight), String(pending(r.progress)), r.soak, r.gate.replaceAll("`", "")])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const body = table.map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()}`).join("\n");
  const skipped = rollout.plan.skipped.map((s) => `  skipped ${s.resource}: ${s.why}\n`).join("");
  return `rollout ${rollout.id}: ${rollout.template} ${rollout.major}.${rollout.minor} ${rollout.status.replace("_", " ")}\n${body}\n${skipped}  next: ${nextStep(view).replaceAll("`", "")}\n`;
}

/** What happens next, or what a person has to do. */
export function nextStep({ rollout, targets, now }: RolloutView): string {
  switch (rollout.status) {
    case "succeeded": return "nothing: every resource runs the version.";
    case "aborted": return `nothing: ${rollout.reason ?? "aborted"}.`;
    case "superseded": return `nothing: ${rollout.reason ?? "a newer minor took over"}.`;
    case "waiting": return `an authorized \`/rollout ${rollout.stage}\` opens ${rollout.stage}.`;
    case "paused": return `\`/rollout resume\` continues (${rollout.reason ?? "paused"}).`;
    case "halted":
    case "rolled_back": return `fix the cause, then \`/rollout resume\` retries what failed. ${rollout.reason ?? ""}`.trim();
    case "running": {
      const stage = rollout.plan.stages.find((s) => s.name === rollout.stage);
      const soak = stage && soakLeft(stage, targets, now);
      if (stage && soak) return `${stage.name} soaks for ${soak} more, then the next stage starts.`;
      return stage ? `deploying ${stage.name}.` : "deploying.";
    }
  }
}

/** One row per stage: its progress, soak and gate, as every view of a rollout shows them. */
export function stageRows({ rollout, targets, now }: RolloutView): StageRow[] {
  return rollout.plan.stages.map((stage) => {
    const progress = stageProgress(stage, targets);
    const approval = rollout.approvals.find((a) => a.stage === stage.name);
    const gate = stage.policy.gate === "auto" ? "auto"
      : approval ? `approved by @${approval.by}`
        : rollout.status === "waiting" && rollout.stage === stage.name ? `waiting for \`/rollout ${stage.name}\`` : `\`/rollout ${stage.name}\``;
    const left = soakLeft(stage, targets, now);
    const soak = stage.policy.soakMs === 0 ? "–" : left ? `${left} left` : progress.soakEndsAt ? "done" : duration(stage.policy.soakMs);
    return { stage: stage.name, progress, soak, gate };
  });
}

function soakLeft(stage: PlannedStage, targets: ReadonlyMap<string, TargetState>, now: Date): string | undefined {
  const { soakEndsAt } = stageProgress(stage, targets);
  return soakEndsAt && soakEndsAt > now ? duration(soakEndsAt.getTime() - now.getTime()) : undefined;
}

export const pending = (p: StageProgress) => p.total - p.done - p.failed - p.inFlight;

/** `1h 5m`, `4m 30s`, `12s`: rounded up to the second. */
export function duration(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60];
  return [h ? `${h}h` : "", m ? `${m}m` : "", s && !h ? `${s}s` : ""].filter(Boolean).join(" ") || "0s";
}
