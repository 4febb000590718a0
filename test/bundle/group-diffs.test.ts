// Diffs that are the same change, once each resource's own names are set aside.
import { describe, expect, it } from "vitest";
import { diffRenders, type OwnNames, type ResourceRender } from "../../src/bundle/diff/diff.js";
import { withoutOwnNames } from "../../src/bundle/diff/group-diffs.js";

const PATH = "instance_infrastructure/cloudformation.yaml";

/** One instance's CloudFormation, carrying its own names as a real template renders them. */
function instance(name: string, environment: string, retention?: number): string {
  return [
    "Resources:",
    "  LogGroup:",
    "    Type: AWS::Logs::LogGroup",
    "    Properties:",
    `      LogGroupName: '/baryon/api/${environment}/${name}'`,
    ...(retention ? [`      RetentionInDays: ${retention}`] : []),
    "  Service:",
    "    Type: AWS::ECS::Service",
    "    Properties:",
    `      ServiceName: api-${name}`,
    "",
  ].join("\n");
}

const render = (name: string, environment: string, content: string, names: OwnNames = { name, environment, service: "api" }): ResourceRender =>
  ({ label: `fleet.yaml › ${name}`, names, files: [{ path: PATH, content }] });

describe("withoutOwnNames", () => {
  it("puts a placeholder of its role for each name, the longest first, and leaves names inside longer words alone", () => {
    const names = { name: "checkout-prod", environment: "prod", service: "checkout" };
    const a = withoutOwnNames("/checkout/checkout-prod in prod, production, prod-2, env-prod10", names);
    const b = withoutOwnNames("/orders/orders-dev in dev, production, dev-2, env-prod10", { name: "orders-dev", environment: "dev", service: "orders" });
    expect(a).toBe(b);
    expect(a).toBe("/\0service\0/\0name\0 in \0environment\0, production, \0environment\0-2, env-prod10");
    expect(withoutOwnNames("env-10 and env-1", { environment: "env-1" })).toBe("env-10 and \0environment\0");
  });

  it("leaves text as it is without names, and reads a name's characters literally", () => {
    expect(withoutOwnNames("a.b axb", {})).toBe("a.b axb");
    expect(withoutOwnNames("a.b axb", { name: "a.b" })).toBe("\0name\0 axb");
  });
});

describe("diffRenders groups the same change", () => {
  it("groups 1,000 instances whose diffs differ only by their own names, keeps the first one's real diff, and sets two outliers apart", () => {
    const names = Array.from({ length: 1000 }, (_, i) => `svc-${String(i).padStart(4, "0")}`);
    const environment = (i: number) => `env-${i % 20}`;
    const outliers = new Map([[7, 90], [500, 1]]);
    const base = names.map((n, i) => render(n, environment(i), instance(n, environment(i))));
    const head = names.map((n, i) => render(n, environment(i), instance(n, environment(i), outliers.get(i) ?? 30)));
    const result = diffRenders(base, head);
    expect(result).toMatchObject({ total: 1000, changed: 1000 });
    expect(result.groups.map((g) => g.labels.length)).toEqual([998, 1, 1]);
    const [same, ...apart] = result.groups;
    expect(same!.ownNames).toBe(true);
    expect(same!.labels.slice(0, 2)).toEqual(["fleet.yaml › svc-0000", "fleet.yaml › svc-0001"]);
    expect(same!.labels).not.toContain("fleet.yaml › svc-0007");
    // The diff shown is svc-0000's own, not text with placeholders.
    expect(same!.diffs[0]!.patch).toContain(" '/baryon/api/env-0/svc-0000'\n+      RetentionInDays: 30\n");
    expect(same!.diffs[0]!.patch).not.toContain("\0");
    expect(apart.map((g) => [g.labels, g.ownNames])).toEqual([[["fleet.yaml › svc-0007"], undefined], [["fleet.yaml › svc-0500"], undefined]]);
    expect(apart[0]!.diffs[0]!.patch).toContain(" '/baryon/api/env-7/svc-0007'\n+      RetentionInDays: 90\n");
  });

  it("keeps identical diffs a group of the same change without own names", () => {
    const side = (retention?: number) => ["a", "b"].map((n) => render(n, "dev", instance("x", "dev", retention)));
    const [group] = diffRenders(side(), side(30)).groups;
    expect(group).toMatchObject({ labels: ["fleet.yaml › a", "fleet.yaml › b"] });
    expect(group!.ownNames).toBeUndefined();
  });

  it("does not group diffs whose names play different roles", () => {
    // a's own name where b has its environment's: not the same change.
    const a = (content: string) => render("a", "b", content);
    const c = (content: string) => render("c", "d", content);
    const result = diffRenders([a("x: a b\n"), c("x: d c\n")], [a("x: a b\ny: 1\n"), c("x: d c\ny: 1\n")]);
    expect(result.groups.map((g) => g.labels.length)).toEqual([1, 1]);
  });

  it("groups head failures whose reasons differ only by the resource's own names", () => {
    const failed = (n: string): ResourceRender => ({ label: `shop/${n}`, names: { name: n, environment: "prod", service: "shop" }, files: [], failure: `shop/${n}: undefined variable 'port'` });
    const result = diffRenders([], [failed("api-1"), failed("api-2")]);
    expect(result.groups).toEqual([{ labels: ["shop/api-1", "shop/api-2"], diffs: [], headFailure: "shop/api-1: undefined variable 'port'", ownNames: true }]);
  });
});
