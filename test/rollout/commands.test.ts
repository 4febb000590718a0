import { describe, expect, it } from "vitest";
import { commandText, parseCommand, ROLLBACK_HINT, ROLLOUT_HINT } from "../../src/rollout/commands.js";

describe("parseCommand", () => {
  it.each([
    ["/publish", { name: "publish" }],
    ["  /Publish\nplease", { name: "publish" }],
    ["/baryon help", { name: "help" }],
    ["/baryon confirm-delete checkout/checkout-prod", { name: "confirm-delete", resource: "checkout/checkout-prod" }],
    ["/rollout prod", { name: "rollout", action: "approve", stage: "prod" }],
    ["/rollout eu-west_2", { name: "rollout", action: "approve", stage: "eu-west_2" }],
    ["/rollout PROD", { name: "rollout", action: "approve", stage: "prod" }],
    ["/rollout   status  ", { name: "rollout", action: "status" }],
    ["/rollout pause", { name: "rollout", action: "pause" }],
    ["/rollout Resume", { name: "rollout", action: "resume" }],
    ["/rollout abort\nthe smoke test is red", { name: "rollout", action: "abort" }],
    ["/rollback", { name: "rollback" }],
    ["/rollback checkout/checkout-prod", { name: "rollback", resource: "checkout/checkout-prod" }],
    ["/rollback payments-prod", { name: "rollback", resource: "payments-prod" }],
  ])("%j", (body, command) => expect(parseCommand(body)).toEqual(command));

  it.each([
    ["/rollout", ROLLOUT_HINT],
    ["/rollout prod now", ROLLOUT_HINT],
    ["/rollout approve prod", ROLLOUT_HINT],
    ["/rollout -prod", ROLLOUT_HINT],
    ["/rollout pr*d", ROLLOUT_HINT],
    ["/rollout `prod`", ROLLOUT_HINT],
    ["/rollback a b", ROLLBACK_HINT],
    ["/rollback checkout/prod/extra", ROLLBACK_HINT],
    ["/rollback ../etc", ROLLBACK_HINT],
    ["/rollback checkout/.hidden", ROLLBACK_HINT],
    ["/rollback $(whoami)", ROLLBACK_HINT],
  ])("%j is malformed, with a hint at the right form", (body, hint) => {
    expect(parseCommand(body)).toEqual({ name: "unknown", text: body, hint });
  });

  it("hints name the right forms", () => {
    expect(ROLLOUT_HINT).toContain("`/rollout <stage>`");
    expect(ROLLOUT_HINT).toContain("`/rollout status`");
    expect(ROLLBACK_HINT).toContain("`/rollback <resource>`");
  });

  it.each([
    ["/deploy prod", { name: "unknown", text: "/deploy prod" }],
    ["/publish now", { name: "unknown", text: "/publish now" }],
    ["/baryon confirm-delete", { name: "unknown", text: "/baryon confirm-delete" }],
    ["/baryon confirm-delete a b", { name: "unknown", text: "/baryon confirm-delete a b" }],
    ["/baryon deploy prod", { name: "unknown", text: "/baryon deploy prod" }],
    ["/rollouts prod", { name: "unknown", text: "/rollouts prod" }],
  ])("%j is not a command", (body, command) => expect(parseCommand(body)).toEqual(command));

  it("quotes at most 80 characters of an unknown command", () => {
    const long = `/rollout ${"x".repeat(200)} now`;
    expect(parseCommand(long)).toMatchObject({ name: "unknown", text: long.slice(0, 80) });
  });

  it("ignores ordinary comments and commands that are not on the first line", () => {
    expect(parseCommand("LGTM")).toBeUndefined();
    expect(parseCommand("Looks good\n/rollout prod")).toBeUndefined();
    expect(parseCommand("see /publish docs")).toBeUndefined();
    expect(parseCommand("")).toBeUndefined();
  });
});

describe("commandText", () => {
  it.each(["/publish", "/baryon help", "/baryon confirm-delete checkout/checkout-prod", "/rollout prod", "/rollout status", "/rollback", "/rollback payments-prod"])(
    "%s reads back as written",
    (body) => expect(commandText(parseCommand(body)!)).toBe(body),
  );

  it("writes a command in its canonical form", () => {
    expect(commandText(parseCommand("/Rollout   PROD")!)).toBe("/rollout prod");
  });
});
