// The `cloudformation` provisioner: one stack per resource, changed through change
// sets. docs/provisioners.md is the user's side of this file. A deploy:
// 1. name the stack (the spec file's `stack:`, adopting a stack as it is, else the
//    pattern) and the change set (from the deployment id, so a retry finds its own);
// 2. refuse a stack that cannot be updated (ROLLBACK_COMPLETE, …) or is busy;
// 3. create the change set (CREATE for a new stack, UPDATE otherwise) and wait for it;
//    FAILED for "no changes" (those exact reasons only) succeeds with the outputs as they are;
// 4. execute it and wait with the SDK's stack waiters, up to the timeout;
// 5. read the stack back: its outputs on success, the failed events of the operation
//    on a rollback. Aborted while waiting: `in_progress` with a handle for `status`.
// Throttling is retried by the SDK (adaptive retry mode, RETRY.maxAttempts).
import {
  CloudFormationClient, CreateChangeSetCommand, DeleteChangeSetCommand, DeleteStackCommand, ExecuteChangeSetCommand,
  waitUntilChangeSetCreateComplete, waitUntilStackCreateComplete, waitUntilStackDeleteComplete, waitUntilStackUpdateComplete,
  type CloudFormationClientConfig, type Stack,
} from "@aws-sdk/client-cloudformation";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { DeploymentRequest, DriftReport, ProvisionResult, Provisioner } from "../../ports/provisioner.js";
import { stackDrift } from "./cloudformation-drift.js";
import { changeSetNameOf, parseCloudFormationConfig, stackNameOf, type CloudFormationConfig } from "./cloudformation-config.js";
import { decodeHandle, encodeHandle, templateOf, type Action, type Target } from "./cloudformation-request.js";
import {
  CloudFormationApiError, changeLines, describeChangeSet, describeStack, eventLine, failedEvents, failureReason,
  isClientFault, isNoChanges, messageOf, operationEvents, outputsOf, phaseOf, refusalOf, type ChangeSetView,
} from "./cloudformation-stack.js";
import { formatDuration } from "../../config/duration.js";

/** CloudFormation's drift detection takes seconds; a stack of hundreds of resources, minutes. */
const DRIFT_TIMEOUT_MS = 10 * 60 * 1000;

/** More attempts than the SDK's 3, and a client-side rate limit that slows down after throttling. */
export const RETRY = { maxAttempts: 10, retryMode: "adaptive" } as const;

export interface CloudFormationProvisionerOptions {
  /** The provisioner's name in the config, for error messages. */
  name?: string;
  /** A client to use as it is (tests); otherwise one is built for the configured region. */
  client?: CloudFormationClient;
  /** Merged into the built client's config: `endpoint` and `credentials` for moto, say. */
  clientConfig?: CloudFormationClientConfig;
  /** How often the waiters poll, in milliseconds (default 5s, backing off to 30s). */
  pollDelayMs?: { min: number; max: number };
}

/**
 * With `roleArn`, the stack operations run as that role: STS AssumeRole with the
 * credentials Baryon has (its environment's chain), refreshed before they expire.
 */
function assumed(config: CloudFormationConfig, options: CloudFormationProvisionerOptions): Pick<CloudFormationClientConfig, "credentials"> {
  if (!config.roleArn) return {};
  const { endpoint, credentials } = options.clientConfig ?? {};
  return {
    credentials: fromTemporaryCredentials({
      params: { RoleArn: config.roleArn, RoleSessionName: `baryon-${options.name ?? "cloudformation"}`.slice(0, 64) },
      // The same place and parent credentials the client was given (moto's, in tests).
      clientConfig: { region: config.region, ...(endpoint ? { endpoint } : {}) },
      ...(credentials ? { masterCredentials: credentials } : {}),
    }),
  };
}

export function cloudFormationProvisioner(settings: unknown, options: CloudFormationProvisionerOptions = {}): Provisioner & Required<Pick<Provisioner, "detectDrift">> & { config: CloudFormationConfig; client: CloudFormationClient } {
  const config = parseCloudFormationConfig(settings, options.name);
  const client = options.client ?? new CloudFormationClient({ region: config.region, ...RETRY, ...options.clientConfig, ...assumed(config, options) });
  const poll = options.pollDelayMs ?? { min: 5000, max: 30_000 };
  // The SDK refuses a wait no longer than its first delay: a short timeout polls sooner.
  const minDelayMs = Math.min(poll.min, config.timeoutMs / 2);
  const waiter = (signal?: AbortSignal) => ({
    client, maxWaitTime: config.timeoutMs / 1000, minDelay: minDelayMs / 1000, maxDelay: Math.max(minDelayMs, poll.max) / 1000,
    ...(signal ? { abortSignal: signal } : {}),
  });

  /** Runs one verb; a fault of the request is a failed deployment, anything else is thrown for the job to retry. */
  async function guarded(target: Target | { error: string }, log: string[], signal: AbortSignal | undefined, run: (target: Target) => Promise<ProvisionResult>): Promise<ProvisionResult> {
    if ("error" in target) return failed(log, target.error);
    if (signal?.aborted) return failed(log, `${target.action} was not started: aborted`);
    try {
      return await run(target);
    } catch (error) {
      if (isClientFault(error) && !isThrottling(error)) return failed(log, `stack ${target.stack}: ${messageOf(error)}`);
      throw new CloudFormationApiError(target.action, target.stack, { cause: error });
    }
  }

  function targetOf(request: DeploymentRequest, action: Action): Target | { error: string } {
    const stack = stackNameOf(request.resource, request.settings, config.stackName);
    return "error" in stack ? stack : { stack: stack.name, changeSet: changeSetNameOf(request.id), action };
  }

  async function detectDrift(request: DeploymentRequest): Promise<DriftReport> {
    const template = templateOf(request.files);
    const target = targetOf(request, "deploy");
    if ("error" in template) return { state: "unknown", findings: [{ detail: template.error }] };
    if ("error" in target) return { state: "unknown", findings: [{ detail: target.error }] };
    return stackDrift(client, target.stack, template.body, { timeoutMs: Math.min(config.timeoutMs, DRIFT_TIMEOUT_MS), pollMs: options.pollDelayMs?.min ?? 5000 });
  }

  async function deploy(request: DeploymentRequest, signal?: AbortSignal): Promise<ProvisionResult> {
    const log: string[] = [];
    const template = templateOf(request.files);
    if ("error" in template) return failed(log, template.error);
    return guarded(targetOf(request, "deploy"), log, signal, async (target) => {
      const { stack: name, changeSet } = target;
      const existing = await describeStack(client, name);
      const refused = existing && refusalOf(existing, config.region);
      if (refused) return failed(log, refused);
      let view = existing && (await describeChangeSet(client, name, changeSet));
      if (view?.ExecutionStatus === "OBSOLETE") {
        // Another change set ran after this one was made: make it again against the stack as it is now.
        log.push(`change set ${changeSet} is obsolete (the stack changed since it was made); making it again`);
        await client.send(new DeleteChangeSetCommand({ StackName: name, ChangeSetName: changeSet }));
        view = undefined;
      }
      if (!view) {
        if (existing && existing.StackStatus !== "REVIEW_IN_PROGRESS" && phaseOf(existing.StackStatus) === "in_progress") {
          return failed(log, `stack ${name} is busy (${existing.StackStatus}) with an operation this deployment did not start; deploy again once it has finished`);
        }
        const type = !existing || existing.StackStatus === "REVIEW_IN_PROGRESS" ? "CREATE" : "UPDATE";
        log.push(existing
          ? `stack ${name} (${config.region}) is ${existing.StackStatus}: ${type === "CREATE" ? "creating" : "updating"} it with change set ${changeSet}`
          : `stack ${name} (${config.region}) does not exist yet: creating it with change set ${changeSet}`);
        await client.send(new CreateChangeSetCommand({
          StackName: name, ChangeSetName: changeSet, ChangeSetType: type, TemplateBody: template.body,
          ...(config.capabilities.length ? { Capabilities: config.capabilities } : {}),
          Description: `Baryon deployment ${request.id}: ${request.template.name} ${request.template.version}`.slice(0, 1024),
        }));
      } else {
        log.push(`change set ${changeSet} exists already (this deployment was retried): ${view.Status}, ${view.ExecutionStatus}`);
      }
      if (!view || view.Status === "CREATE_PENDING" || view.Status === "CREATE_IN_PROGRESS") {
        // FAILED ends the waiter with an error: the change set read next says why.
        await waitUntilChangeSetCreateComplete(waiter(signal), { StackName: name, ChangeSetName: changeSet }).catch(() => undefined);
        view = await describeChangeSet(client, name, changeSet);
      }
      if (!view) return failed(log, `change set ${changeSet} of stack ${name} disappeared before it could be executed`);
      if (view.Status === "FAILED") return isNoChanges(view) ? unchanged(target, view, log) : failed(log, `change set ${changeSet} failed: ${view.StatusReason ?? "no reason given"}`);
      if (view.Status !== "CREATE_COMPLETE" && signal?.aborted) return failed(log, `change set ${changeSet} was not executed: aborted`);
      if (view.Status !== "CREATE_COMPLETE") return failed(log, `change set ${changeSet} is ${view.Status} after ${formatDuration(config.timeoutMs)}; it was not executed`);

      const changes = changeLines(view);
      log.push(`change set ${changeSet}: ${changes.length} change${changes.length === 1 ? "" : "s"}`, ...changes);
      if (view.ExecutionStatus === "AVAILABLE") {
        if (signal?.aborted) return failed(log, `change set ${changeSet} was not executed: aborted`);
        log.push(`executing change set ${changeSet}`);
        await client.send(new ExecuteChangeSetCommand({ StackName: name, ChangeSetName: changeSet, ClientRequestToken: changeSet }));
      } else if (view.ExecutionStatus === "EXECUTE_COMPLETE" || view.ExecutionStatus === "EXECUTE_FAILED") {
        return settle(target, "done", log);
      } else if (view.ExecutionStatus !== "EXECUTE_IN_PROGRESS") {
        return failed(log, `change set ${changeSet} cannot be executed (${view.ExecutionStatus}): ${view.StatusReason ?? "no reason given"}`);
      }
      // Each waiter knows only its own operation's states: a create never reaches UPDATE_COMPLETE.
      const wait = !existing || CREATING.has(existing.StackStatus ?? "") ? waitUntilStackCreateComplete : waitUntilStackUpdateComplete;
      return settle(target, await waitFor(() => wait(waiter(signal), { StackName: name })), log);
    });
  }

  async function destroy(request: DeploymentRequest, signal?: AbortSignal): Promise<ProvisionResult> {
    const log: string[] = [];
    return guarded(targetOf(request, "destroy"), log, signal, async (target) => {
      const stack = await describeStack(client, target.stack);
      if (!stack) return succeeded(log, `stack ${target.stack} (${config.region}) does not exist: nothing to delete`);
      if (stack.StackStatus === "DELETE_IN_PROGRESS") log.push(`stack ${target.stack} is being deleted already: waiting for it`);
      else {
        log.push(`deleting stack ${target.stack} (${config.region}), which is ${stack.StackStatus}`);
        await client.send(new DeleteStackCommand({ StackName: target.stack, ClientRequestToken: `${target.changeSet}-delete`.slice(0, 128) }));
      }
      return settle(target, await waitFor(() => waitUntilStackDeleteComplete(waiter(signal), { StackName: target.stack })), log);
    });
  }

  /** Where the operation of a deployment stands; the handle says which, or the request does after a worker died. */
  async function status(request: DeploymentRequest, handle: string): Promise<ProvisionResult> {
    const log: string[] = [];
    const decoded = decodeHandle(handle);
    const target = decoded ?? targetOf(request, request.action === "delete" ? "destroy" : "deploy");
    return guarded(target, log, undefined, async (target) => {
      const stack = await describeStack(client, target.stack);
      if (target.action === "destroy" || stack?.StackStatus?.startsWith("DELETE_")) return settle({ ...target, action: "destroy" }, "done", log, stack);
      if (!stack) {
        return target.action === "deploy"
          ? failed(log, `stack ${target.stack} does not exist: this deployment stopped before creating it`)
          : failed(log, `stack ${target.stack} does not exist: either its delete finished or this deployment stopped before creating it; deploy or delete again`);
      }
      const view = await describeChangeSet(client, target.stack, target.changeSet);
      if (!view) return failed(log, `stack ${target.stack} has no change set ${target.changeSet}: this deployment stopped before making it; deploy again`);
      if (view.Status === "FAILED") return isNoChanges(view) ? unchanged(target, view, log) : failed(log, `change set ${target.changeSet} failed: ${view.StatusReason ?? "no reason given"}`);
      if (view.Status !== "CREATE_COMPLETE") return inProgress({ ...target, action: "deploy" }, log, `change set ${target.changeSet} is ${view.Status}`);
      if (view.ExecutionStatus === "AVAILABLE") return failed(log, `change set ${target.changeSet} was made but never executed (the worker stopped first); deploy again`);
      return settle({ ...target, action: "deploy" }, "done", log, stack);
    });
  }

  /**
   * The change set changes nothing: the stack already runs this template (even after an
   * earlier update rolled back to it), so the deployment succeeds with the outputs as they are.
   */
  async function unchanged(target: Target, view: ChangeSetView, log: string[]): Promise<ProvisionResult> {
    log.push(`change set ${target.changeSet}: no changes ("${view.StatusReason}"); stack ${target.stack} stays as it is`);
    // A failed change set stays listed on the stack until deleted; this one says nothing worth keeping.
    await client.send(new DeleteChangeSetCommand({ StackName: target.stack, ChangeSetName: target.changeSet })).catch(() => undefined);
    const stack = await describeStack(client, target.stack);
    const outputs = stack ? outputsOf(stack) : {};
    log.push(`stack ${target.stack} is ${stack?.StackStatus ?? "gone"}`, `outputs: ${Object.keys(outputs).join(", ") || "none"}`);
    return { status: "succeeded", outputs, log: text(log) };
  }

  /** Reads the stack after a wait and answers for the deployment. */
  async function settle(target: Target, waited: "done" | "aborted", log: string[], known?: Stack): Promise<ProvisionResult> {
    const stack = known ?? (await describeStack(client, target.stack));
    if (!stack) {
      return target.action === "destroy" ? succeeded(log, `stack ${target.stack} is deleted`) : failed(log, `stack ${target.stack} disappeared while it was being deployed`);
    }
    const phase = phaseOf(stack.StackStatus);
    if (phase === "in_progress") {
      if (waited === "aborted" || known) return inProgress(target, log, `stack ${target.stack} is ${stack.StackStatus}`);
      return failed(log, `stack ${target.stack} is still ${stack.StackStatus} after ${formatDuration(config.timeoutMs)}; CloudFormation carries on with it, so look at the stack's events, and deploy again once it has finished`);
    }
    if (phase === "succeeded" && target.action !== "destroy") {
      const outputs = outputsOf(stack);
      const keys = Object.keys(outputs);
      log.push(`stack ${target.stack} is ${stack.StackStatus}`, `outputs: ${keys.length ? keys.join(", ") : "none"}`);
      return { status: "succeeded", outputs, log: text(log) };
    }
    if (target.action === "destroy" && phase !== "stuck") return failed(log, `stack ${target.stack} is ${stack.StackStatus}: it was not deleted`);
    const events = failedEvents(await operationEvents(client, target.stack));
    log.push(`stack ${target.stack} is ${stack.StackStatus}`);
    if (events.length) log.push("failed events of the operation, oldest first:", ...events.map(eventLine));
    const refused = refusalOf(stack, config.region);
    if (refused && target.action !== "destroy") log.push(`before the next deploy: ${refused}`);
    return { status: "failed", reason: failureReason(stack, events), log: text(log) };
  }

  const inProgress = (target: Target, log: string[], why: string): ProvisionResult =>
    ({ status: "in_progress", handle: encodeHandle(target), log: text([...log, `${why}: not finished yet`]) });

  return { config, client, deploy, destroy, status, detectDrift };
}

/** A change set executed on a stack in these states creates it: the create waiter knows them. */
const CREATING = new Set(["REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"]);

/** Waits with a waiter; its verdict is read from the stack after, so only an abort matters here. */
async function waitFor(wait: () => Promise<unknown>): Promise<"done" | "aborted"> {
  try {
    await wait();
    return "done";
  } catch (error) {
    return (error as Error).name === "AbortError" ? "aborted" : "done";
  }
}

function isThrottling(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === "Throttling" || e?.name === "ThrottlingException" || /Rate exceeded/i.test(e?.message ?? "");
}

const text = (log: readonly string[]) => (log.length ? `${log.join("\n")}\n` : "");
const failed = (log: string[], reason: string): ProvisionResult => ({ status: "failed", reason, log: text([...log, `failed: ${reason}`]) });
const succeeded = (log: string[], line: string): ProvisionResult => ({ status: "succeeded", outputs: {}, log: text([...log, line]) });
