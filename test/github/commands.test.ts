import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/adapters/github/commands.js";

describe("parseCommand", () => {
  it.each([
    ["/publish", { name: "publish" }],
    ["  /Publish\nplease", { name: "publish" }],
    ["/rollout prod", { name: "rollout", args: ["prod"] }],
    ["/rollout   status  ", { name: "rollout", args: ["status"] }],
    ["/rollback", { name: "rollback", args: [] }],
    ["/deploy prod", { name: "unknown", text: "/deploy prod" }],
    ["/publish now", { name: "unknown", text: "/publish now" }],
    ["/baryon help", { name: "help" }],
    ["/baryon confirm-delete checkout/checkout-prod", { name: "confirm-delete", resource: "checkout/checkout-prod" }],
    ["/baryon confirm-delete", { name: "unknown", text: "/baryon confirm-delete" }],
    ["/baryon confirm-delete a b", { name: "unknown", text: "/baryon confirm-delete a b" }],
    ["/baryon deploy prod", { name: "unknown", text: "/baryon deploy prod" }],
  ])("%j", (body, command) => expect(parseCommand(body)).toEqual(command));

  it("ignores ordinary comments and commands that are not on the first line", () => {
    expect(parseCommand("LGTM")).toBeUndefined();
    expect(parseCommand("Looks good\n/publish")).toBeUndefined();
    expect(parseCommand("see /publish docs")).toBeUndefined();
    expect(parseCommand("")).toBeUndefined();
  });
});
