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
  ])("%j", (body, command) => expect(parseCommand(body)).toEqual(command));

  it("ignores ordinary comments and commands that are not on the first line", () => {
    expect(parseCommand("LGTM")).toBeUndefined();
    expect(parseCommand("Looks good\n/publish")).toBeUndefined();
    expect(parseCommand("see /publish docs")).toBeUndefined();
    expect(parseCommand("")).toBeUndefined();
  });
});
