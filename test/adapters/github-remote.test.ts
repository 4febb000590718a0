// Which checkouts a terminal treats as a GitHub owner's: only remotes on GitHub.
import { describe, expect, it } from "vitest";
import { githubRepository } from "../../src/adapters/local/git.js";

describe("githubRepository", () => {
  it.each([
    ["git@github.com:acme/templates.git", "acme/templates"],
    ["https://github.com/globex/templates", "globex/templates"],
    ["https://x-access-token:abc@github.com/acme/infra.git", "acme/infra"],
    ["ssh://git@github.com/acme/infra.git", "acme/infra"],
    ["https://GitHub.com/acme/infra/", "acme/infra"],
  ])("reads %s as %s", (url, expected) => {
    expect(githubRepository(url)).toBe(expected);
  });

  it.each(["https://gitlab.com/acme/templates", "/srv/git/templates.git", "file:///srv/git/acme/templates", "", "git@bitbucket.org:acme/t.git"])(
    "gives no GitHub owner for %j", (url) => {
      expect(githubRepository(url)).toBeUndefined();
    });

  it("reads the GitHub Enterprise host it is told about, and only that one", () => {
    expect(githubRepository("git@ghe.acme.internal:platform/templates.git", "ghe.acme.internal")).toBe("platform/templates");
    expect(githubRepository("git@ghe.acme.internal:platform/templates.git")).toBeUndefined();
  });
});
