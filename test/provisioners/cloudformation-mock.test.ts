// The cloudformation provisioner against a scripted CloudFormation
// (cloudformation-fake.ts) for what moto_server does not emulate: rollbacks with
// the events that caused them, change sets failing for other reasons than "no
// changes", stacks that cannot be updated, re-attaching to a stack still in
// progress, and errors that outlast the SDK's retries. (aws-sdk-client-mock replaces
// send(), so the SDK's own retry of throttling is shown on moto, through a proxy.)
import { CreateChangeSetCommand, ExecuteChangeSetCommand } from "@aws-sdk/client-cloudformation";
import { describe, expect, it } from "vitest";
import { CloudFormationApiError } from "../../src/adapters/provisioners/cloudformation-stack.js";
import { event, request, scripted, stackEvent } from "./cloudformation-fake.js";

const queue = (status: string, reason?: string) => event("Queue", "AWS::SQS::Queue", status, reason);
const bucket = (status: string, reason?: string) => event("Bucket", "AWS::S3::Bucket", status, reason);

describe("cloudformation provisioner: rollbacks", () => {
  it("reports UPDATE_ROLLBACK_COMPLETE as a failed deployment whose log holds the failed events of that update, oldest first", async () => {
    const older = [stackEvent("CREATE_IN_PROGRESS", "User Initiated"), bucket("CREATE_FAILED", "an old failure of another operation"), stackEvent("CREATE_COMPLETE")];
    const update = [
      stackEvent("UPDATE_IN_PROGRESS", "User Initiated"),
      queue("UPDATE_IN_PROGRESS"),
      queue("UPDATE_FAILED", "Resource handler returned message: \"Queue name cannot be changed\""),
      bucket("UPDATE_FAILED", "Resource update cancelled"),
      stackEvent("UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [Queue]"),
      queue("UPDATE_COMPLETE"),
      stackEvent("UPDATE_ROLLBACK_COMPLETE"),
    ];
    const { provisioner } = scripted({
      stack: { status: "UPDATE_COMPLETE", outputs: [{ OutputKey: "QueueUrl", OutputValue: "https://sqs/old" }] },
      changeSet: { Status: "CREATE_COMPLETE", Changes: [{ Type: "Resource", ResourceChange: { Action: "Modify", LogicalResourceId: "Queue", ResourceType: "AWS::SQS::Queue", Replacement: "True" } }] },
      afterExecute: ["UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE"],
      events: [...older, ...update].reverse(),
    });

    const result = await provisioner.deploy(request());

    expect(result.status).toBe("failed");
    if (result.status !== "failed") return;
    expect(result.reason).toBe("stack web-prod is UPDATE_ROLLBACK_COMPLETE: Queue (AWS::SQS::Queue) UPDATE_FAILED: Resource handler returned message: \"Queue name cannot be changed\"");
    expect(result.log).toContain("change set baryon-dep-7: 1 change\n  Modify  Queue  AWS::SQS::Queue (replacement)\nexecuting change set baryon-dep-7\n");
    const lines = result.log.split("\n");
    const failedLines = lines.filter((l) => l.includes("_FAILED"));
    expect(failedLines).toEqual([
      expect.stringMatching(/^ {2}2025-01-01T12:00:\d\d\.000Z {2}Queue {2}AWS::SQS::Queue {2}UPDATE_FAILED {2}Resource handler returned message: "Queue name cannot be changed"$/),
      expect.stringMatching(/^ {2}\S+ {2}Bucket {2}AWS::S3::Bucket {2}UPDATE_FAILED {2}Resource update cancelled$/),
    ]);
    expect(result.log).not.toContain("an old failure");
    expect(result.log).not.toContain("before the next deploy");
  });

  it("reports ROLLBACK_COMPLETE on create with its events, and refuses the next deploy with how to fix it", async () => {
    const { provisioner, mock } = scripted({
      afterExecute: ["CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"],
      events: [
        stackEvent("REVIEW_IN_PROGRESS", "User Initiated"),
        stackEvent("CREATE_IN_PROGRESS", "User Initiated"),
        queue("CREATE_FAILED", "Resource handler returned message: \"Access denied for sqs:CreateQueue\""),
        stackEvent("ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [Queue]"),
        queue("DELETE_COMPLETE"),
        stackEvent("ROLLBACK_COMPLETE"),
      ].reverse(),
    });

    const result = await provisioner.deploy(request());

    expect(result).toMatchObject({ status: "failed", reason: "stack web-prod is ROLLBACK_COMPLETE: Queue (AWS::SQS::Queue) CREATE_FAILED: Resource handler returned message: \"Access denied for sqs:CreateQueue\"" });
    expect(result.log).toContain("stack web-prod (eu-west-1) does not exist yet: creating it with change set baryon-dep-7");
    expect(result.log).toMatch(/failed events of the operation, oldest first:\n {2}\S+ {2}Queue {2}AWS::SQS::Queue {2}CREATE_FAILED/);
    expect(result.log).toContain("before the next deploy: stack web-prod is ROLLBACK_COMPLETE");

    const next = await provisioner.deploy(request({ id: "dep-8" }));
    expect(next).toMatchObject({
      status: "failed",
      reason: "stack web-prod is ROLLBACK_COMPLETE: its creation failed and was rolled back, and CloudFormation cannot update such a stack. Delete it (`aws cloudformation delete-stack --stack-name web-prod --region eu-west-1`), then deploy again",
    });
    expect(mock.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
  });

  it("refuses a stack whose update rollback failed, naming continue-update-rollback", async () => {
    const { provisioner, mock } = scripted({ stack: { status: "UPDATE_ROLLBACK_FAILED" } });
    const result = await provisioner.deploy(request());
    expect(result).toMatchObject({ status: "failed", reason: expect.stringContaining("aws cloudformation continue-update-rollback --stack-name web-prod --region eu-west-1") });
    expect(mock.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });
});

describe("cloudformation provisioner: change sets", () => {
  it("fails a change set that FAILED for any reason but \"no changes\", and does not execute it", async () => {
    const reason = "Template error: instance of Fn::GetAtt references undefined resource Topic";
    const { provisioner, mock } = scripted({ stack: { status: "UPDATE_COMPLETE" }, changeSet: { Status: "FAILED", StatusReason: reason, ExecutionStatus: "UNAVAILABLE" } });
    const result = await provisioner.deploy(request());
    expect(result).toMatchObject({ status: "failed", reason: `change set baryon-dep-7 failed: ${reason}` });
    expect(mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it("takes \"No updates are to be performed.\" as a no-op: succeeded with the stack's outputs as they are", async () => {
    const { provisioner, mock } = scripted({
      stack: { status: "UPDATE_ROLLBACK_COMPLETE", outputs: [{ OutputKey: "QueueUrl", OutputValue: "https://sqs/q" }] },
      changeSet: { Status: "FAILED", StatusReason: "No updates are to be performed.", ExecutionStatus: "UNAVAILABLE" },
    });
    const result = await provisioner.deploy(request());
    expect(result).toMatchObject({ status: "succeeded", outputs: { QueueUrl: "https://sqs/q" } });
    expect(result.log).toContain("no changes (\"No updates are to be performed.\"); stack web-prod stays as it is");
    expect(mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it("says why a request is refused by CloudFormation (a client fault) as a failed deployment", async () => {
    const { provisioner, mock } = scripted({});
    mock.on(CreateChangeSetCommand).rejects(Object.assign(new Error("Requires capabilities : [CAPABILITY_IAM]"), { name: "InsufficientCapabilitiesException", $fault: "client" }));
    const result = await provisioner.deploy(request());
    expect(result).toMatchObject({ status: "failed", reason: "stack web-prod: InsufficientCapabilitiesException: Requires capabilities : [CAPABILITY_IAM]" });
  });

  it("passes the configured capabilities and names the change set after the deployment", async () => {
    const { provisioner, mock } = scripted({ afterExecute: ["CREATE_COMPLETE"] }, { capabilities: ["CAPABILITY_NAMED_IAM"] });
    expect(await provisioner.deploy(request())).toMatchObject({ status: "succeeded" });
    expect(mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input).toMatchObject({
      StackName: "web-prod", ChangeSetName: "baryon-dep-7", ChangeSetType: "CREATE", Capabilities: ["CAPABILITY_NAMED_IAM"],
      TemplateBody: "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n",
    });
  });

  it("throws throttling that outlasts the SDK's retries, so the job is retried rather than the deployment failed", async () => {
    const { provisioner, mock } = scripted({});
    mock.on(CreateChangeSetCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "Throttling", $fault: "client" }));
    await expect(provisioner.deploy(request())).rejects.toThrow(CloudFormationApiError);
    await expect(provisioner.deploy(request())).rejects.toThrow("CloudFormation deploy of stack web-prod failed: Throttling: Rate exceeded");
  });
});

describe("cloudformation provisioner: re-attaching", () => {
  it("answers in_progress for a stack still updating, with a handle, then succeeded once it is done", async () => {
    const { provisioner, state } = scripted({ stack: { status: "UPDATE_IN_PROGRESS" } });
    state.changeSet = { ChangeSetName: "baryon-dep-7", Status: "CREATE_COMPLETE", ExecutionStatus: "EXECUTE_IN_PROGRESS" };

    // The worker that ran the deploy died: the flow asks with no handle.
    const running = await provisioner.status(request({ files: [] }), "");
    expect(running).toMatchObject({ status: "in_progress", handle: JSON.stringify({ stack: "web-prod", changeSet: "baryon-dep-7", action: "deploy" }) });
    expect(running.log).toContain("stack web-prod is UPDATE_IN_PROGRESS: not finished yet");

    state.statuses = ["UPDATE_COMPLETE"];
    state.outputs = [{ OutputKey: "QueueUrl", OutputValue: "https://sqs/new" }];
    state.changeSet.ExecutionStatus = "EXECUTE_COMPLETE";
    const done = await provisioner.status(request({ files: [] }), running.status === "in_progress" ? running.handle : "");
    expect(done).toMatchObject({ status: "succeeded", outputs: { QueueUrl: "https://sqs/new" } });
  });

  it("hands out a handle when the deploy is aborted while waiting, and status finishes the rollback it finds", async () => {
    const abort = new AbortController();
    const { provisioner, state } = scripted({
      stack: { status: "UPDATE_COMPLETE" }, afterExecute: ["UPDATE_IN_PROGRESS"], on: { execute: () => abort.abort() },
      events: [stackEvent("UPDATE_IN_PROGRESS"), queue("UPDATE_FAILED", "Queue name cannot be changed")].reverse(),
    });
    const result = await provisioner.deploy(request(), abort.signal);
    expect(result).toMatchObject({ status: "in_progress", handle: expect.stringContaining("\"action\":\"deploy\"") });

    state.statuses = ["UPDATE_ROLLBACK_COMPLETE"];
    state.changeSet!.ExecutionStatus = "EXECUTE_FAILED";
    const settled = await provisioner.status(request({ files: [] }), result.status === "in_progress" ? result.handle : "");
    expect(settled).toMatchObject({ status: "failed", reason: "stack web-prod is UPDATE_ROLLBACK_COMPLETE: Queue (AWS::SQS::Queue) UPDATE_FAILED: Queue name cannot be changed" });
  });

  it("does not execute a change set once the deploy is aborted", async () => {
    const abort = new AbortController();
    const { provisioner, mock } = scripted({ stack: { status: "UPDATE_COMPLETE" }, on: { create: () => abort.abort() } });
    const result = await provisioner.deploy(request(), abort.signal);
    expect(result).toMatchObject({ status: "failed", reason: "change set baryon-dep-7 was not executed: aborted" });
    expect(mock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);

    // Aborted before it began: nothing is sent at all.
    const early = scripted({});
    expect(await early.provisioner.deploy(request(), AbortSignal.abort())).toMatchObject({ status: "failed", reason: "deploy was not started: aborted" });
    expect(early.mock.calls()).toHaveLength(0);
  });

  it("follows a delete: in progress, then deleted; a DELETE_FAILED stack fails with its events", async () => {
    const { provisioner, state } = scripted({ stack: { status: "DELETE_IN_PROGRESS" } });
    expect(await provisioner.status(request({ files: [] }), "")).toMatchObject({ status: "in_progress", handle: expect.stringContaining("\"action\":\"destroy\"") });
    state.statuses = ["gone"];
    expect(await provisioner.status(request({ files: [] }), JSON.stringify({ stack: "web-prod", changeSet: "baryon-dep-7", action: "destroy" })))
      .toMatchObject({ status: "succeeded", outputs: {} });

    const failing = scripted({
      stack: { status: "UPDATE_COMPLETE" }, afterDelete: ["DELETE_IN_PROGRESS", "DELETE_FAILED"],
      events: [stackEvent("DELETE_IN_PROGRESS", "User Initiated"), bucket("DELETE_FAILED", "The bucket you tried to delete is not empty")].reverse(),
    });
    expect(await failing.provisioner.destroy(request())).toMatchObject({
      status: "failed", reason: "stack web-prod is DELETE_FAILED: Bucket (AWS::S3::Bucket) DELETE_FAILED: The bucket you tried to delete is not empty",
    });
  });
});
