// The console's pages as HTML: what a person reads, escaped, with links that keep the filter.
import { describe, expect, it } from "vitest";
import type { FleetDashboard } from "../../src/flows/fleet-dashboard.js";
import { dashboardPage } from "../../src/present/web/dashboard.js";

const fleet = (over: Partial<FleetDashboard> = {}): FleetDashboard => ({
  templates: [], resources: [], page: { offset: 0, limit: 100, total: 0 }, choices: { templates: ["net"], stages: ["prod"] }, ...over,
});

describe("the dashboard page", () => {
  it("pages through resources with links that keep the filter", () => {
    const html = dashboardPage("acme", fleet({ page: { offset: 100, limit: 100, total: 250 } }), { stage: "prod" });
    expect(html).toContain("Resources 101–200 of 250");
    expect(html).toContain('<a href="/acme/?stage=prod&amp;from=0">previous</a>');
    expect(html).toContain('<a href="/acme/?stage=prod&amp;from=200">next</a>');
    expect(dashboardPage("acme", fleet({ page: { offset: 0, limit: 100, total: 40 } }))).not.toContain("previous");
  });

  it("shows each resource's drift: in sync, or drifted with what differs, marked and explained", () => {
    const resource = (key: string) => ({ key, kind: "environment", name: key, stage: "prod", template: { name: "net", major: 1 } }) as unknown as FleetDashboard["resources"][number]["resource"];
    const checkedAt = new Date("2026-12-03T10:00:00Z");
    const html = dashboardPage("acme", fleet({
      page: { offset: 0, limit: 100, total: 3 },
      resources: [
        { resource: resource("dev"), drift: { deployment: "1", state: "in_sync", findings: [], checkedAt } },
        { resource: resource("live"), drift: { deployment: "2", state: "drifted", findings: [{ subject: "Color (AWS::SSM::Parameter)", property: "/Value", detail: "blue → green" }], checkedAt } },
        { resource: resource("new") },
      ],
    }));
    expect(html).toContain("<th scope=\"col\">Drift</th>");
    expect(html).toMatch(/<th scope="row">dev<\/th>.*?<td title="checked 2026-12-03 10:00: ">in sync<\/td>/s);
    expect(html).toMatch(/<td class="failed" title="checked 2026-12-03 10:00: blue → green">drifted: Color \(AWS::SSM::Parameter\)\.\/Value<\/td>/);
    expect(html).toMatch(/<th scope="row">new<\/th>(?:(?!<\/tr>).)*<td>-<\/td>/s);
  });

  it("shows what each resource's running version reported, folded away", () => {
    const resource = { key: "dev", kind: "environment", name: "dev", stage: "test", template: { name: "net", major: 1 } } as unknown as FleetDashboard["resources"][number]["resource"];
    const running = { major: 1, minor: 0, outputs: { VpcId: "vpc-0abc", ClusterName: "<dev>" } } as unknown as NonNullable<FleetDashboard["resources"][number]["running"]>;
    const html = dashboardPage("acme", fleet({ page: { offset: 0, limit: 100, total: 1 }, resources: [{ resource, running }] }));
    expect(html).toContain("<details><summary>2 outputs</summary><dl><dt>VpcId</dt><dd><code>vpc-0abc</code></dd><dt>ClusterName</dt><dd><code>&lt;dev&gt;</code></dd></dl></details>");
  });

  it("escapes every name it shows, so no template, stage or owner becomes markup", () => {
    const evil = '<img src=x onerror="alert(1)">';
    const html = dashboardPage(evil, fleet({
      templates: [{ name: evil, versions: [], running: [{ version: "1.0", stages: { [evil]: 1 }, total: 1 }] }],
      choices: { templates: [evil], stages: [evil] },
    }));
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });
});
